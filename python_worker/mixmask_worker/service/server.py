"""The gRPC servicer of ``mixmask.v1.Worker`` (proto/mixmask/v1/worker.proto) on grpc.aio.

Threads: the asyncio event loop only moves messages. All torch work runs, in submission order, on ONE compute thread
(so steps, checkpoints and kNN never race), and CUDA readiness of step results is awaited on a SECOND thread, so
neither the loop (Hello answers during training) nor the compute thread (it keeps enqueueing kernels) ever blocks on
a device->host copy.

The service is registered by hand with ``grpc.method_handlers_generic_handler`` (no generated ``_pb2_grpc.py``), which
keeps the worker importable with the older grpcio/protobuf of preinstalled GPU machines.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AsyncIterator, Callable, Optional, TypeVar

import grpc
import numpy as np
import torch

import mixmask_worker
from mixmask_worker.service.access_control import TokenInterceptor
from mixmask_worker.service.bulk_data_service import BulkDataService
from mixmask_worker.data.header import check_dataset_header as _check_header
from mixmask_worker.data.store import DatasetStore
from mixmask_worker.service.diverged_runs import DivergedRuns
from mixmask_worker.distributed.distributed_service import AnyPlan, DistributedService, run_step, step_of
from mixmask_worker.distributed.rank_context import RankContext
from mixmask_worker.service.fault_injection import FaultPlan
from mixmask_worker.evaluation.run_evaluation import RunEvaluation, evaluation_of
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.model_service import ModelService
from mixmask_worker.models.compiled import compile_toolchain_missing
from mixmask_worker.plan.intake import accept_plan, parse_plan
from mixmask_worker.evaluation.preview import preview
from mixmask_worker.training.run import PendingResult, TrainingRun
from mixmask_worker.service.protocol import PROTOCOL_VERSION, WorkerError, abort_with_error, invalid_argument, is_grpc_abort
from mixmask_worker.service.protocol import reporting_errors as _reporting_errors

log = logging.getLogger("mixmask_worker")

SERVICE_NAME = "mixmask.v1.Worker"
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
# Invocation metadata naming the run a Train stream drives; without it the most recently created run is used.
RUN_ID_METADATA = "mixmask-run-id"

T = TypeVar("T")


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"


class _StreamEnd:
    """Marks the end of the plan stream in the pending-results queue."""


class _StreamFailure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class WorkerServicer:
    """Implements every rpc of mixmask.v1.Worker for one device."""

    def __init__(
        self,
        device: torch.device,
        request_stop: Callable[[], None],
        bulk_dir: Optional[str] = None,
        dataset_cache_dir: Optional[str] = None,
        faults: Optional[FaultPlan] = None,
        rank: Optional[RankContext] = None,
    ) -> None:
        """``bulk_dir``: private folder for the zeromq lane's ipc endpoints (no zeromq lane without it);
        ``dataset_cache_dir``: the on-disk dataset cache (none without it); ``faults``: injected faults (tests);
        ``rank``: this worker's place in a torchrun launch (None: not distributed)."""
        self.device = device
        self.store = DatasetStore(device)
        self.runs: dict[str, TrainingRun] = {}
        # Runs (objects, so a re-created run of the same id starts free) with an open Train stream: plans of two
        # streams must not interleave on one model.
        self._training: set[TrainingRun] = set()
        self._latest_run_id: Optional[str] = None
        self._evaluations: dict[str, RunEvaluation] = {}
        # Runs whose loss went non-finite: not trained on or saved until a checkpoint is loaded.
        self._diverged = DivergedRuns()
        self._faults = faults or FaultPlan()
        self._request_stop = request_stop
        threads = torch.get_num_threads()
        # One thread executes all torch work in order; a second waits for CUDA results to land on the host.
        self._compute = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="mixmask-compute", initializer=torch.set_num_threads, initargs=(threads,)
        )
        self._readback = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mixmask-readback")
        self.bulk = BulkDataService(self.store, self._on_compute, bulk_dir, dataset_cache_dir)
        self.distributed = DistributedService(rank, self.store, device, self._on_compute, self._add_run, self.Train)
        self.models = ModelService(self.store, self._on_compute, device, self._run)
        self._hello = self._hello_facts()

    def close(self) -> None:
        self.bulk.close()
        self._compute.shutdown(wait=False, cancel_futures=True)
        self._readback.shutdown(wait=False, cancel_futures=True)

    async def _on_compute(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._compute, functools.partial(fn, *args))

    def _run(self, run_id: str) -> TrainingRun:
        run = self.runs.get(run_id)
        if run is None:
            held = ", ".join(sorted(self.runs)) or "none"
            raise WorkerError(
                "RUN_NOT_FOUND",
                f"run {run_id!r} does not exist on this worker (runs: {held}): call CreateRun first "
                "(a restarted worker holds no runs: create the run again and load its checkpoint)",
            )
        return run

    # ------------------------------------------------------------------------------------------------------
    # Handshake and lifecycle

    def _hello_facts(self) -> worker_pb2.HelloReply:
        capabilities: list[str] = []
        if self.device.type == "cuda":
            capabilities.append("cuda")
            if torch.cuda.is_bf16_supported():
                capabilities.append("bf16")
            capabilities.append("channels_last")
        if self.bulk.zmq_lane:  # pyzmq importable (it is optional) and a private folder for ipc endpoints
            capabilities.append("zmq")
        if compile_toolchain_missing(self.device) is None:  # CreateRunRequest.compile is honoured
            capabilities.append("compile")
        device_name = torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else _cpu_name()
        return worker_pb2.HelloReply(
            protocol_version=PROTOCOL_VERSION,
            worker_version=str(getattr(mixmask_worker, "__version__", "unknown")),
            python_version=platform.python_version(),
            torch_version=str(torch.__version__),
            device=str(self.device),
            device_name=device_name,
            torch_threads=torch.get_num_threads(),
            capabilities=capabilities,
            pid=os.getpid(),
        )

    @_reporting_errors
    async def Hello(self, request: worker_pb2.HelloRequest, context: grpc.aio.ServicerContext) -> worker_pb2.HelloReply:
        if request.protocol_version != PROTOCOL_VERSION:
            older = (
                "the mixmask npm package" if request.protocol_version < PROTOCOL_VERSION else "the python_worker"
            )
            raise WorkerError(
                "PROTOCOL_MISMATCH",
                f"client speaks protocol v{request.protocol_version}, this worker speaks v{PROTOCOL_VERSION}: "
                f"update {older}",
            )
        log.info("hello from client %s", request.client_version or "(no version)")
        reply = worker_pb2.HelloReply()
        reply.CopyFrom(self._hello)
        reply.torch_threads = torch.get_num_threads()
        return reply

    @_reporting_errors
    async def Shutdown(
        self, request: worker_pb2.ShutdownRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.ShutdownReply:
        log.info("shutdown requested by the client")
        # Stop after this reply has left: the owner of the server stops it and exits.
        asyncio.get_running_loop().call_later(0.1, self._request_stop)
        return worker_pb2.ShutdownReply()

    # ------------------------------------------------------------------------------------------------------
    # Datasets and runs

    @_reporting_errors
    async def UploadDataset(
        self, request_iterator: AsyncIterator[worker_pb2.DatasetChunk], context: grpc.aio.ServicerContext
    ) -> worker_pb2.DatasetInfo:
        header: Optional[worker_pb2.DatasetHeader] = None
        pixels: Optional[np.ndarray] = None
        received = 0
        async for chunk in request_iterator:
            part = chunk.WhichOneof("part")
            if header is None:
                if part != "header":
                    raise invalid_argument(
                        "upload.chunks[0]", "a DatasetHeader as the first chunk", f"a {part or 'empty'} chunk"
                    )
                header = chunk.header
                pixels = np.empty(_check_header(header), dtype=np.uint8)
                continue
            if part != "pixels":
                raise invalid_argument(
                    "upload.chunks",
                    "pixel chunks after the header (one header per upload)",
                    f"a {part or 'empty'} chunk",
                )
            data = chunk.pixels
            if received + len(data) > pixels.shape[0]:  # type: ignore[union-attr]
                raise invalid_argument(
                    f"upload {header.dataset_id!r} pixels",
                    f"total_bytes = {header.total_bytes} bytes as the header said",
                    f"at least {received + len(data)} bytes",
                )
            pixels[received : received + len(data)] = np.frombuffer(data, dtype=np.uint8)  # type: ignore[index]
            received += len(data)
        if header is None or pixels is None:
            raise invalid_argument("upload.chunks", "a DatasetHeader followed by pixel chunks", "an empty stream")
        if received != pixels.shape[0]:
            raise invalid_argument(
                f"upload {header.dataset_id!r} pixels",
                f"total_bytes = {header.total_bytes} bytes (count*height*width*channels)",
                f"{received} bytes before the stream ended",
            )
        images = pixels.reshape(header.count, header.height, header.width, header.channels)
        labels = np.asarray(header.labels, dtype=np.int64) if len(header.labels) else None
        dataset = await self._on_compute(self.store.put, header.dataset_id, images, labels)
        return worker_pb2.DatasetInfo(dataset_id=dataset.dataset_id, count=dataset.count, placement=dataset.placement)

    @_reporting_errors
    async def CreateRun(
        self, request: worker_pb2.CreateRunRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.CreateRunReply:
        run = await self._on_compute(TrainingRun, request, self.store, self.device)
        self._add_run(run)
        log.info(
            "run %s created: %s width %d, %d parameters, feature dim %d, %s%s%s",
            run.run_id,
            request.backbone.arch,
            request.backbone.base_width,
            run.parameters,
            run.feature_dim,
            run.precision_in_use,
            ", channels_last" if run.channels_last else "",
            f", torch.compile {run.compile_in_use!r}" if run.compile_mode is not None else "",
        )
        return worker_pb2.CreateRunReply(run_id=run.run_id, parameters=run.parameters, feature_dim=run.feature_dim)

    def _add_run(self, run: TrainingRun) -> None:
        self.runs[run.run_id] = run
        self._latest_run_id = run.run_id

    # ------------------------------------------------------------------------------------------------------
    # Training

    def _run_for_stream(self, context: grpc.aio.ServicerContext) -> TrainingRun:
        for key, value in context.invocation_metadata() or ():
            if key == RUN_ID_METADATA:
                return self._run(value if isinstance(value, str) else value.decode())
        if self._latest_run_id is None:
            raise WorkerError(
                "RUN_NOT_FOUND",
                "Train needs a run: call CreateRun first (and name it with the 'mixmask-run-id' call metadata)",
            )
        return self._run(self._latest_run_id)

    async def Train(
        self, request_iterator: AsyncIterator[worker_pb2.StepPlan], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[worker_pb2.StepResult]:
        """Plans in, results out, in order.

        A reader task takes each plan as it arrives and runs ``run.step`` on the compute thread; the step returns as
        soon as its work is enqueued on the device, with a PendingResult. This generator yields each pending result
        as soon as it is ready (awaited on the readback thread on CUDA, immediate on CPU), never waiting for the
        next plan: the client keeps a bounded number of plans in flight and waits on results. An error ends the
        stream after the results of the steps before it.
        """
        loop = asyncio.get_running_loop()
        pending: asyncio.Queue[Any] = asyncio.Queue()
        reader: Optional[asyncio.Task[None]] = None
        run: Optional[TrainingRun] = None
        try:
            run = self._run_for_stream(context)
            if run in self._training:
                run = None  # not ours to release in `finally`
                raise WorkerError(
                    "INVALID_ARGUMENT",
                    "this run already has an open Train stream; plans of two streams would interleave on one model: "
                    "end (or cancel) the first stream before opening another",
                )
            self._diverged.refuse_if_diverged(run, "train")
            self._training.add(run)

            async def read_plans() -> None:
                received = 0
                try:
                    async for message in request_iterator:
                        received_at = time.perf_counter()
                        plan = accept_plan(message, received)
                        received += 1
                        result = await loop.run_in_executor(self._compute, self._step, run, plan, received_at)
                        pending.put_nowait(result)
                    pending.put_nowait(_StreamEnd())
                except asyncio.CancelledError:
                    raise
                except BaseException as error:  # reported by the writer, in order after earlier results
                    pending.put_nowait(_StreamFailure(error))

            reader = asyncio.create_task(read_plans())
            while True:
                item = await pending.get()
                if isinstance(item, _StreamEnd):
                    return
                if isinstance(item, _StreamFailure):
                    raise item.error
                try:
                    result = await self._resolve(item)
                except WorkerError as error:
                    if error.code == "NON_FINITE_LOSS":
                        self._diverged.record(run, error)
                    raise
                yield result
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if is_grpc_abort(error):
                raise
            await abort_with_error(context, error)
        finally:
            if reader is not None:
                reader.cancel()
            if run is not None:
                self._training.discard(run)

    def _step(self, run: TrainingRun, plan: AnyPlan, received_at: float) -> PendingResult:
        """One plan (a StepPlan, or a rank's ShardStepPlan on TrainShard) on the compute thread, with any fault
        injected for the reliability tests around it."""
        self._faults.before_step(step_of(plan))
        result = run_step(run, plan, received_at)
        self._faults.after_step(result)
        return result

    async def _resolve(self, pending: PendingResult) -> worker_pb2.StepResult:
        if pending.ready is None:
            return pending.resolve()
        return await asyncio.get_running_loop().run_in_executor(self._readback, pending.resolve)

    # ------------------------------------------------------------------------------------------------------
    # Evaluation and checkpoints

    @_reporting_errors
    async def Knn(self, request: worker_pb2.KnnRequest, context: grpc.aio.ServicerContext) -> worker_pb2.KnnReply:
        run = self._run(request.run_id)
        reply = await self._on_compute(run.knn, request)
        log.info(
            "knn run %s: top1 %.4f top5 %.4f (%d train, %d test, %.1f s)",
            request.run_id,
            reply.top1,
            reply.top5,
            reply.train_count,
            reply.test_count,
            reply.seconds,
        )
        return reply

    @_reporting_errors
    async def LinearProbe(
        self, request: worker_pb2.LinearProbeRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.LinearProbeReply:
        evaluation = evaluation_of(self._evaluations, self._run(request.run_id))
        reply = await self._on_compute(evaluation.linear_probe, request)
        log.info(
            "linear probe run %s: top1 %.4f after %d epochs (%d train, %d test, %.1f s, features %s)",
            request.run_id,
            reply.test_top1[-1],
            len(reply.test_top1),
            reply.train_count,
            reply.test_count,
            reply.seconds,
            "cached" if reply.features_cached else f"{reply.feature_seconds:.1f} s",
        )
        return reply

    @_reporting_errors
    async def FineTune(
        self, request: worker_pb2.FineTuneRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.FineTuneReply:
        evaluation = evaluation_of(self._evaluations, self._run(request.run_id))
        reply = await self._on_compute(evaluation.fine_tune, request)
        log.info(
            "fine-tune run %s: top1 %.4f (%d labelled, %d steps, %.1f s)",
            request.run_id,
            reply.test_top1,
            reply.labelled_count,
            len(request.steps),
            reply.seconds,
        )
        return reply

    @_reporting_errors
    async def Preview(
        self, request: worker_pb2.PreviewRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.PreviewReply:
        run = self._run(request.run_id)
        return await self._on_compute(preview, run, request)

    @_reporting_errors
    async def SaveCheckpoint(
        self, request: worker_pb2.SaveCheckpointRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.SaveCheckpointReply:
        run = self._run(request.run_id)
        self._diverged.refuse_if_diverged(run, f"save a checkpoint of step {request.step}")
        size, digest = await self._on_compute(run.save, request.path, request.step)
        log.info(
            "run %s: checkpoint of step %d written to %s (%d bytes)", request.run_id, request.step, request.path, size
        )
        return worker_pb2.SaveCheckpointReply(bytes=size, sha256=digest)

    @_reporting_errors
    async def LoadCheckpoint(
        self, request: worker_pb2.LoadCheckpointRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.LoadCheckpointReply:
        run = self._run(request.run_id)
        size, step = await self._on_compute(run.load, request.path, request.sha256)
        self._diverged.clear(run)
        log.info("run %s: checkpoint %s of step %d loaded (%d bytes)", request.run_id, request.path, step, size)
        return worker_pb2.LoadCheckpointReply(bytes=size, step=step)


def method_handlers(servicer: WorkerServicer) -> dict[str, grpc.RpcMethodHandler]:
    """The rpc name -> handler table of mixmask.v1.Worker, written by hand instead of a generated _pb2_grpc.py."""
    return {
        "Hello": grpc.unary_unary_rpc_method_handler(
            servicer.Hello,
            request_deserializer=worker_pb2.HelloRequest.FromString,
            response_serializer=worker_pb2.HelloReply.SerializeToString,
        ),
        "UploadDataset": grpc.stream_unary_rpc_method_handler(
            servicer.UploadDataset,
            request_deserializer=worker_pb2.DatasetChunk.FromString,
            response_serializer=worker_pb2.DatasetInfo.SerializeToString,
        ),
        "CreateRun": grpc.unary_unary_rpc_method_handler(
            servicer.CreateRun,
            request_deserializer=worker_pb2.CreateRunRequest.FromString,
            response_serializer=worker_pb2.CreateRunReply.SerializeToString,
        ),
        "Train": grpc.stream_stream_rpc_method_handler(
            servicer.Train,
            request_deserializer=parse_plan,  # never raises: oversized/undecodable plans are reported in order
            response_serializer=worker_pb2.StepResult.SerializeToString,
        ),
        "Knn": grpc.unary_unary_rpc_method_handler(
            servicer.Knn,
            request_deserializer=worker_pb2.KnnRequest.FromString,
            response_serializer=worker_pb2.KnnReply.SerializeToString,
        ),
        "LinearProbe": grpc.unary_unary_rpc_method_handler(
            servicer.LinearProbe,
            request_deserializer=worker_pb2.LinearProbeRequest.FromString,
            response_serializer=worker_pb2.LinearProbeReply.SerializeToString,
        ),
        "FineTune": grpc.unary_unary_rpc_method_handler(
            servicer.FineTune,
            request_deserializer=worker_pb2.FineTuneRequest.FromString,
            response_serializer=worker_pb2.FineTuneReply.SerializeToString,
        ),
        "SaveCheckpoint": grpc.unary_unary_rpc_method_handler(
            servicer.SaveCheckpoint,
            request_deserializer=worker_pb2.SaveCheckpointRequest.FromString,
            response_serializer=worker_pb2.SaveCheckpointReply.SerializeToString,
        ),
        "LoadCheckpoint": grpc.unary_unary_rpc_method_handler(
            servicer.LoadCheckpoint,
            request_deserializer=worker_pb2.LoadCheckpointRequest.FromString,
            response_serializer=worker_pb2.LoadCheckpointReply.SerializeToString,
        ),
        "Preview": grpc.unary_unary_rpc_method_handler(
            servicer.Preview,
            request_deserializer=worker_pb2.PreviewRequest.FromString,
            response_serializer=worker_pb2.PreviewReply.SerializeToString,
        ),
        "Shutdown": grpc.unary_unary_rpc_method_handler(
            servicer.Shutdown,
            request_deserializer=worker_pb2.ShutdownRequest.FromString,
            response_serializer=worker_pb2.ShutdownReply.SerializeToString,
        ),
        **servicer.bulk.method_handlers(),
        **servicer.distributed.method_handlers(),
        **servicer.models.method_handlers(),
    }


def build_server(
    servicer: WorkerServicer,
    address: str,
    token: Optional[str] = None,
    credentials: Optional[grpc.ServerCredentials] = None,
) -> tuple[grpc.aio.Server, int]:
    """A grpc.aio server with mixmask.v1.Worker registered by hand and bound to ``address`` (not started), and the
    TCP port it bound (port 0 asks the system for one). With ``token`` every call must carry it (service/access_control.py); with
    ``credentials`` the port speaks TLS."""
    server = grpc.aio.server(
        interceptors=[TokenInterceptor(token)] if token is not None else None,
        options=[
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, method_handlers(servicer)),))
    port = server.add_secure_port(address, credentials) if credentials is not None else server.add_insecure_port(address)
    return server, port


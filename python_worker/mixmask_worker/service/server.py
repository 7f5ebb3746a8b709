"""The gRPC servicer of ``mixmask.v1.Worker`` (proto/mixmask/v1/worker.proto) on grpc.aio.

Threads: the asyncio event loop only moves messages; torch work runs on the compute thread of the shared
WorkerContext (worker_context.py), so neither the loop (Hello answers during training) nor the compute thread ever
blocks on a device->host copy.

The handler table is derived from the service descriptor of the generated worker_pb2.py (no generated
``_pb2_grpc.py``, which keeps the worker importable with the older grpcio/protobuf of preinstalled GPU machines):
every rpc of the proto must be a method of one of the servicer's parts, or the worker refuses to start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
from typing import TYPE_CHECKING, Any, Callable, Optional

import grpc
import torch
from google.protobuf import descriptor_pb2

import mixmask_worker
from mixmask_worker.data.zmq_endpoint import BulkPlace
from mixmask_worker.evaluation.preview import preview
from mixmask_worker.evaluation.run_evaluation import RunEvaluation, evaluation_of
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.compiled import compile_toolchain_missing
from mixmask_worker.plan.intake import parse_plan
from mixmask_worker.service.access_control import TokenInterceptor
from mixmask_worker.service.bulk_data_service import BulkDataService
from mixmask_worker.service.fault_injection import FaultPlan
from mixmask_worker.service.model_service import ModelService
from mixmask_worker.service.protocol import PROTOCOL_VERSION, WorkerError
from mixmask_worker.service.protocol import reporting_errors as _reporting_errors
from mixmask_worker.service.request_decoding import RequestDecodingInterceptor
from mixmask_worker.service.run_registry import RUN_ID_METADATA  # noqa: F401 (re-exported for the tests)
from mixmask_worker.service.train_stream import TrainStream
from mixmask_worker.service.worker_context import WorkerContext
from mixmask_worker.training.run import TrainingRun
from mixmask_worker.training.step_formulation import step_formulation

if TYPE_CHECKING:
    from mixmask_worker.distributed.rank_context import RankContext

log = logging.getLogger("mixmask_worker")

SERVICE_NAME = "mixmask.v1.Worker"
# HelloReply fields that __main__ knows from the process's start rather than the servicer.
START_FACTS = ("thread_wait", "malloc_policy", "other_cores_busy", "threads_advice")
MAX_MESSAGE_BYTES = 256 * 1024 * 1024


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"


class WorkerServicer:
    """Implements every rpc of mixmask.v1.Worker for one device."""

    # Request deserializers other than ``FromString`` of the request type, by rpc name.
    REQUEST_PARSERS: dict[str, Callable[[bytes], Any]] = {
        "Train": parse_plan,  # never raises: oversized/undecodable plans are reported in order
    }

    def __init__(
        self,
        device: torch.device,
        request_stop: Callable[[], None],
        bulk_dir: Optional[BulkPlace] = None,
        dataset_cache_dir: Optional[str] = None,
        faults: Optional[FaultPlan] = None,
        rank: Optional["RankContext"] = None,
        start_facts: Optional[worker_pb2.HelloReply] = None,
    ) -> None:
        """``bulk_dir``: private folder for the zeromq lane's ipc endpoints, or the TCP interface to bind them on (no
        zeromq lane without it);
        ``dataset_cache_dir``: the on-disk dataset cache (none without it); ``faults``: injected faults (tests);
        ``rank``: this worker's place in a torchrun launch (None: not distributed); ``start_facts``: what the process
        found and chose as it started (thread_policy.py, malloc_policy.py), merged into every Hello."""
        self.ctx = WorkerContext(device, faults, rank)
        self.device = device
        self.store = self.ctx.store
        self._evaluations: dict[str, RunEvaluation] = {}
        self._request_stop = request_stop
        self.Train = TrainStream(self.ctx).stream
        self.bulk = BulkDataService(self.ctx, bulk_dir, dataset_cache_dir)
        self.models = ModelService(self.ctx)
        self.distributed = _distributed_service(self.ctx)
        self._hello = self._hello_facts()
        for field in START_FACTS if start_facts is not None else ():
            setattr(self._hello, field, getattr(start_facts, field))  # not MergeFrom: it skips a 0.0 busy cores

    @property
    def runs(self) -> dict[str, TrainingRun]:
        return self.ctx.runs.runs

    def parts(self) -> list[Any]:
        """The objects whose methods implement the rpcs: this servicer and its services."""
        return [self, self.bulk, self.models, self.distributed]

    def close(self) -> None:
        self.bulk.close()
        self.ctx.close()

    def _run(self, run_id: str) -> TrainingRun:
        return self.ctx.runs.get(run_id)

    # ------------------------------------------------------------------------------------------------------
    # Handshake and lifecycle

    def _hello_facts(self) -> worker_pb2.HelloReply:
        capabilities: list[str] = []
        if self.device.type == "cuda":
            capabilities.append("cuda")
            if torch.cuda.is_bf16_supported():
                capabilities.append("bf16")
        if step_formulation().channels_last(
            True, self.device
        ):  # honoured on the CPU too (training/step_formulation.py)
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
            other_cores_busy=-1.0,  # unknown unless __main__ measured it (start_facts)
        )

    @_reporting_errors
    async def Hello(self, request: worker_pb2.HelloRequest, context: grpc.aio.ServicerContext) -> worker_pb2.HelloReply:
        if request.protocol_version != PROTOCOL_VERSION:
            older = "the mixmask npm package" if request.protocol_version < PROTOCOL_VERSION else "the python_worker"
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
    async def CreateRun(
        self, request: worker_pb2.CreateRunRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.CreateRunReply:
        run = await self.ctx.on_compute(TrainingRun, request, self.store, self.device)
        self.ctx.runs.add(run)
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

    # ------------------------------------------------------------------------------------------------------
    # Evaluation and checkpoints

    @_reporting_errors
    async def Knn(self, request: worker_pb2.KnnRequest, context: grpc.aio.ServicerContext) -> worker_pb2.KnnReply:
        run = self._run(request.run_id)
        reply = await self.ctx.on_compute(run.knn, request)
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
        reply = await self.ctx.on_compute(evaluation.linear_probe, request)
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
        reply = await self.ctx.on_compute(evaluation.fine_tune, request)
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
        return await self.ctx.on_compute(preview, run, request)

    @_reporting_errors
    async def SaveCheckpoint(
        self, request: worker_pb2.SaveCheckpointRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.SaveCheckpointReply:
        run = self._run(request.run_id)
        self.ctx.runs.diverged.refuse_if_diverged(run, f"save a checkpoint of step {request.step}")
        size, digest = await self.ctx.on_compute(run.save, request.path, request.step)
        log.info(
            "run %s: checkpoint of step %d written to %s (%d bytes)", request.run_id, request.step, request.path, size
        )
        return worker_pb2.SaveCheckpointReply(bytes=size, sha256=digest)

    @_reporting_errors
    async def LoadCheckpoint(
        self, request: worker_pb2.LoadCheckpointRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.LoadCheckpointReply:
        run = self._run(request.run_id)
        size, step = await self.ctx.on_compute(run.load, request.path, request.sha256)
        self.ctx.runs.diverged.clear(run)
        log.info("run %s: checkpoint %s of step %d loaded (%d bytes)", request.run_id, request.path, step, size)
        return worker_pb2.LoadCheckpointReply(bytes=size, step=step)


_HANDLER_KINDS = {
    (False, False): grpc.unary_unary_rpc_method_handler,
    (True, False): grpc.stream_unary_rpc_method_handler,
    (False, True): grpc.unary_stream_rpc_method_handler,
    (True, True): grpc.stream_stream_rpc_method_handler,
}


def service_methods() -> list[descriptor_pb2.MethodDescriptorProto]:
    """The rpcs of mixmask.v1.Worker as the generated descriptor states them (streaming flags included; the
    FileDescriptorProto copy has them on every protobuf version)."""
    file_proto = descriptor_pb2.FileDescriptorProto()
    worker_pb2.DESCRIPTOR.CopyToProto(file_proto)
    (service,) = [s for s in file_proto.service if f"{file_proto.package}.{s.name}" == SERVICE_NAME]
    return list(service.method)


def method_handlers(servicer: WorkerServicer) -> dict[str, grpc.RpcMethodHandler]:
    """The rpc name -> handler table of mixmask.v1.Worker, derived from the service descriptor.

    Each rpc is the method of that name on one of ``servicer.parts()``; its request is decoded by the part's
    ``REQUEST_PARSERS`` entry or the request type's ``FromString``. An rpc no part implements (or two parts do) stops
    the worker at start-up rather than failing the first client that calls it.
    """
    handlers: dict[str, grpc.RpcMethodHandler] = {}
    problems: list[str] = []
    for method in service_methods():
        owners = [part for part in servicer.parts() if callable(getattr(part, method.name, None))]
        if len(owners) != 1:
            names = ", ".join(type(part).__name__ for part in owners) or "none of " + ", ".join(
                type(part).__name__ for part in servicer.parts()
            )
            problems.append(f"{method.name} (implemented by {names})")
            continue
        (owner,) = owners
        request_type = getattr(worker_pb2, method.input_type.rsplit(".", 1)[1])
        reply_type = getattr(worker_pb2, method.output_type.rsplit(".", 1)[1])
        parser = getattr(owner, "REQUEST_PARSERS", {}).get(method.name, request_type.FromString)
        kind = _HANDLER_KINDS[(method.client_streaming, method.server_streaming)]
        handlers[method.name] = kind(
            getattr(owner, method.name),
            request_deserializer=parser,
            response_serializer=reply_type.SerializeToString,
        )
    if problems:
        raise RuntimeError(
            f"{SERVICE_NAME} rpcs without exactly one implementation: {'; '.join(problems)} "
            "(proto/mixmask/v1/worker.proto and python_worker/mixmask_worker/service/ disagree: implement the rpc, "
            "or regenerate with `npm run gen`)"
        )
    return handlers


def _distributed_service(ctx: WorkerContext) -> Any:
    """The torchrun RPCs (DescribeRank, CreateDistributedRun, TrainShard). Imported here, when the servicer is
    built, so that nothing on the single-process Train path imports distributed/ (and torch.distributed)."""
    from mixmask_worker.distributed.distributed_service import DistributedService

    return DistributedService(ctx)


def build_server(
    servicer: WorkerServicer,
    address: str,
    token: Optional[str] = None,
    credentials: Optional[grpc.ServerCredentials] = None,
) -> tuple[grpc.aio.Server, int]:
    """A grpc.aio server with mixmask.v1.Worker (handlers derived from its descriptor) bound to ``address`` (not
    started), and the TCP port it bound (port 0 asks the system for one). With ``token`` every call must carry it
    (service/access_control.py); with ``credentials`` the port speaks TLS."""
    server = grpc.aio.server(
        interceptors=[*([TokenInterceptor(token)] if token is not None else []), RequestDecodingInterceptor()],
        options=[
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),  # a second process must not bind the same port and take over new connections
        ],
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, method_handlers(servicer)),))
    port = (
        server.add_secure_port(address, credentials) if credentials is not None else server.add_insecure_port(address)
    )
    return server, port

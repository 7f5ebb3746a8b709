"""RPCs that move bulk bytes: content-addressed uploads over two lanes, and streamed datasets.

Uploads (docs/DATASETS.md): ``BeginUpload`` names the content by its sha256. When this worker holds it already
(resident under the same id, or in the on-disk dataset cache from an earlier process) it answers ``cached`` and no
byte moves. Otherwise the pixels come over the lane the client chose:

* gRPC lane: ``UploadParts``, a client stream of chunks on the control channel;
* zeromq lane: a PUSH socket of the client to a PULL endpoint bound here, then ``FinishUpload`` to learn the result.

Either way an UploadSession hashes the bytes while they arrive, and the dataset becomes resident only when the
digest matches; it is then written to the dataset cache in the background.

Streams: ``OpenStream`` registers a StreamedDataset (a bounded buffer keyed by step) that a run can train on; the
client pushes each step's batch over ``PushBatches`` (gRPC) or the stream's PULL endpoint (zeromq), ahead of the
plan that uses it. ``CloseStream`` ends it and reports the buffer's peak occupancy.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AsyncIterator, Callable, Optional, TypeVar

import grpc
import numpy as np

from mixmask_worker.data.cache import DatasetCache, is_content_hash
from mixmask_worker.data.header import check_dataset_header, image_shape_issues
from mixmask_worker.data.store import ResidentDataset
from mixmask_worker.data.stream import DEFAULT_BATCH_TIMEOUT_S, StreamedDataset, StreamShape
from mixmask_worker.data.upload import UploadSession
from mixmask_worker.data.zmq_endpoint import BulkPlace, PullEndpoint, zmq_available
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import (
    WorkerError,
    abort_with_error,
    invalid_argument,
    invalid_request,
    is_grpc_abort,
    reporting_errors,
)
from mixmask_worker.service.worker_context import WorkerContext

log = logging.getLogger("mixmask_worker")

T = TypeVar("T")

# An upload that receives no byte for this long is abandoned (its client died or gave up).
UPLOAD_STALL_TIMEOUT_S = 120.0
LANES = {worker_pb2.LANE_GRPC: "grpc", worker_pb2.LANE_ZMQ: "zmq"}


class BulkDataService:
    """Uploads, the dataset cache and streamed datasets of one worker."""

    def __init__(self, ctx: WorkerContext, bulk_dir: Optional[BulkPlace], cache_dir: Optional[str]) -> None:
        self.store = ctx.store
        self._on_compute = ctx.on_compute  # runs store mutations in order with training steps
        self._bulk_dir = bulk_dir
        self.cache = DatasetCache(cache_dir) if cache_dir else None
        self._uploads: dict[str, UploadSession] = {}
        self._endpoints: dict[str, PullEndpoint] = {}  # by upload id or stream id
        self._ids = itertools.count(1)
        # Blocking waits (a full stream buffer, an upload's last bytes, cache reads) run here, never on the loop.
        self._blocking = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mixmask-bulk")
        # One writer, so the cache folder sees one write at a time and shutdown can wait for them.
        self._cache_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mixmask-cache")

    @property
    def zmq_lane(self) -> bool:
        return zmq_available() and self._bulk_dir is not None

    def close(self) -> None:
        """Cancels uploads and streams; waits for dataset-cache writes so a restarted worker finds them."""
        for session in self._uploads.values():
            session.cancel("the worker is stopping")
        self._uploads.clear()
        self.store.close_all_streams()
        for endpoint in self._endpoints.values():
            endpoint.close()
        self._endpoints.clear()
        self._blocking.shutdown(wait=False, cancel_futures=True)
        self._cache_writer.shutdown(wait=True)

    async def _blocking_call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._blocking, functools.partial(fn, *args))

    def _check_lane(self, lane: int, path: str) -> str:
        name = LANES.get(lane)
        if name is None:
            raise invalid_argument(path, "LANE_GRPC (1) or LANE_ZMQ (2)", lane)
        if name == "zmq" and not self.zmq_lane:
            raise WorkerError(
                "INVALID_ARGUMENT",
                f"{path}: this worker has no zeromq lane (pyzmq is not installed in its Python, so Hello did not "
                "announce 'zmq'): use LANE_GRPC",
            )
        return name

    # ------------------------------------------------------------------------------------------------------
    # Uploads

    @reporting_errors
    async def BeginUpload(
        self, request: worker_pb2.BeginUploadRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.BeginUploadReply:
        header = request.header
        size = check_dataset_header(header)
        sha = request.content_sha256
        if not is_content_hash(sha):
            raise invalid_argument("upload.content_sha256", "64 lowercase hex digits (sha256)", sha)
        lane = self._check_lane(request.lane, "upload.lane")

        resident = self.store.find(header.dataset_id)
        if resident is not None and resident.content_sha256 == sha:
            return _cached_reply(resident, "resident")
        if self.cache is not None:
            cached = await self._blocking_call(self.cache.load, sha)
            if cached is not None:
                dataset = await self._on_compute(self.store.put, header.dataset_id, cached.images, cached.labels, sha)
                log.info("dataset %s reloaded from the dataset cache: no upload needed", header.dataset_id)
                return _cached_reply(dataset, "disk")

        # A newer upload of the same dataset id replaces an unfinished one (its client gave up or restarted).
        for old_id, old in list(self._uploads.items()):
            if old.header.dataset_id == header.dataset_id:
                self._drop_upload(old_id, "a newer upload of the same dataset id began")
        upload_id = f"upload-{next(self._ids)}"
        session = UploadSession(upload_id, header, sha, size)
        self._uploads[upload_id] = session
        reply = worker_pb2.BeginUploadReply(cached=False, upload_id=upload_id)
        if lane == "zmq":
            assert self._bulk_dir is not None  # _check_lane: the zmq lane exists only with a bulk folder

            def on_message(frames: list[memoryview]) -> bool:
                for frame in frames:
                    session.write(frame)
                return session.received < session.size

            endpoint = PullEndpoint(self._bulk_dir, upload_id, on_message, _failing(session.fail, "upload"))
            self._endpoints[upload_id] = endpoint
            reply.zmq_endpoint = endpoint.endpoint
        log.info("upload %s of %s begun on the %s lane: %.1f MiB", upload_id, header.dataset_id, lane, size / 2**20)
        return reply

    async def UploadParts(
        self, request_iterator: AsyncIterator[worker_pb2.UploadPart], context: grpc.aio.ServicerContext
    ) -> worker_pb2.DatasetInfo:
        session: Optional[UploadSession] = None
        try:
            async for part in request_iterator:
                if session is None:
                    session = self._session(part.upload_id, "upload_parts.upload_id")
                    if session.upload_id in self._endpoints:
                        raise invalid_argument(
                            "upload_parts.upload_id", "an upload begun on LANE_GRPC", "an upload begun on LANE_ZMQ"
                        )
                session.write(part.pixels)
            if session is None:
                raise invalid_argument("upload_parts", "an upload_id and pixel chunks", "an empty stream")
            if (
                session.received < session.size
            ):  # no more bytes can come on this lane: fail now, not at the stall timeout
                raise invalid_argument(
                    f"upload {session.header.dataset_id!r} pixels",
                    f"total_bytes = {session.size} bytes (count*height*width*channels)",
                    f"{session.received} bytes before the UploadParts stream ended",
                )
            return await self._complete(session, context)
        except asyncio.CancelledError:
            if session is not None:
                self._drop_upload(session.upload_id, "the client cancelled the call")
            raise
        except Exception as error:
            if is_grpc_abort(error):
                raise
            if session is not None:
                self._drop_upload(session.upload_id, str(error))
            await abort_with_error(context, error)
            raise  # unreachable: abort raises

    @reporting_errors
    async def FinishUpload(
        self, request: worker_pb2.FinishUploadRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.DatasetInfo:
        session = self._session(request.upload_id, "finish_upload.upload_id")
        try:
            return await self._complete(session, context)
        except Exception as error:
            self._drop_upload(session.upload_id, str(error))
            raise

    def _session(self, upload_id: str, path: str) -> UploadSession:
        session = self._uploads.get(upload_id)
        if session is None:
            held = ", ".join(sorted(self._uploads)) or "none"
            raise invalid_argument(path, f"the upload_id of a begun, unfinished upload (open: {held})", upload_id)
        return session

    async def _complete(self, session: UploadSession, context: grpc.aio.ServicerContext) -> worker_pb2.DatasetInfo:
        remaining = context.time_remaining()
        deadline = None if remaining is None else time.monotonic() + remaining
        images = await self._blocking_call(session.finish, UPLOAD_STALL_TIMEOUT_S, deadline)
        self._uploads.pop(session.upload_id, None)
        endpoint = self._endpoints.pop(session.upload_id, None)
        if endpoint is not None:
            endpoint.close()
        header = session.header
        dataset = await self._on_compute(
            self.store.put, header.dataset_id, images, session.labels, session.content_sha256
        )
        if self.cache is not None:
            self._cache_writer.submit(_store_quietly, self.cache, session.content_sha256, images, session.labels)
        return worker_pb2.DatasetInfo(dataset_id=dataset.dataset_id, count=dataset.count, placement=dataset.placement)

    def _drop_upload(self, upload_id: str, why: str) -> None:
        session = self._uploads.pop(upload_id, None)
        if session is not None:
            session.cancel(why)
        endpoint = self._endpoints.pop(upload_id, None)
        if endpoint is not None:
            endpoint.close()

    # ------------------------------------------------------------------------------------------------------
    # Streamed datasets

    @reporting_errors
    async def OpenStream(
        self, request: worker_pb2.OpenStreamRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.OpenStreamReply:
        issues = image_shape_issues("stream", request.count, request.height, request.width, request.channels)

        def add(path: str, expected: str, received: object) -> None:
            issues.append(f"stream.{path}: expected {expected}, received {received!r}")

        if not request.stream_id:
            add("stream_id", "a non-empty id", request.stream_id)
        if request.capacity_batches < 1:
            add("capacity_batches", "a buffer of at least 1 batch", request.capacity_batches)
        if issues:
            raise invalid_request("OpenStream is invalid: ", issues)
        lane = self._check_lane(request.lane, "stream.lane")
        timeout_s = request.batch_timeout_ms / 1000.0 if request.batch_timeout_ms else DEFAULT_BATCH_TIMEOUT_S
        shape = StreamShape(int(request.count), int(request.height), int(request.width), int(request.channels))
        stream = StreamedDataset(request.stream_id, shape, int(request.capacity_batches), timeout_s)
        self._close_endpoint(request.stream_id)
        self.store.open_stream(stream)
        reply = worker_pb2.OpenStreamReply()
        if lane == "zmq":
            assert self._bulk_dir is not None

            def on_message(frames: list[memoryview]) -> bool:
                if len(frames) != 2:
                    raise invalid_argument(
                        f"stream {stream.stream_id!r} message", "2 frames [StreamBatch header, pixels]", len(frames)
                    )
                batch = worker_pb2.StreamBatch.FromString(frames[0])
                stream.put(
                    int(batch.step), np.asarray(batch.indices, dtype=np.int64), np.frombuffer(frames[1], np.uint8)
                )
                return True

            endpoint = PullEndpoint(
                self._bulk_dir, f"stream-{next(self._ids)}", on_message, _failing(stream.fail, "stream")
            )
            self._endpoints[request.stream_id] = endpoint
            reply.zmq_endpoint = endpoint.endpoint
        log.info(
            "stream %s opened on the %s lane: %d images %dx%dx%d, buffer of %d batches",
            request.stream_id,
            lane,
            shape.count,
            shape.height,
            shape.width,
            shape.channels,
            stream.capacity,
        )
        return reply

    @reporting_errors
    async def PushBatches(
        self, request_iterator: AsyncIterator[worker_pb2.StreamBatch], context: grpc.aio.ServicerContext
    ) -> worker_pb2.PushBatchesReply:
        stream: Optional[StreamedDataset] = None
        delivered = 0
        async for batch in request_iterator:
            if stream is None:
                stream = self.store.find_stream(batch.stream_id)
                if stream is None:
                    raise WorkerError(
                        "DATASET_NOT_FOUND",
                        f"push_batches.stream_id: no open streamed dataset {batch.stream_id!r}: call OpenStream first",
                    )
            indices = np.asarray(batch.indices, dtype=np.int64)
            pixels = np.frombuffer(batch.pixels, dtype=np.uint8)
            # Blocks while the buffer is full; meanwhile this call reads no more messages (flow control).
            await self._blocking_call(stream.put, int(batch.step), indices, pixels)
            delivered += 1
        return worker_pb2.PushBatchesReply(batches=delivered)

    @reporting_errors
    async def CloseStream(
        self, request: worker_pb2.CloseStreamRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.StreamStats:
        stream = self.store.close_stream(request.stream_id)  # wakes blocked pushes and takes first
        self._close_endpoint(request.stream_id)
        stats = stream.stats()
        log.info(
            "stream %s closed: %d batches received, %d consumed, at most %d of %d buffered (%.1f MiB)",
            request.stream_id,
            stats.batches_received,
            stats.batches_consumed,
            stats.peak_buffered_batches,
            stats.capacity_batches,
            stats.peak_buffered_bytes / 2**20,
        )
        return worker_pb2.StreamStats(
            batches_received=stats.batches_received,
            batches_consumed=stats.batches_consumed,
            peak_buffered_batches=stats.peak_buffered_batches,
            peak_buffered_bytes=stats.peak_buffered_bytes,
            capacity_batches=stats.capacity_batches,
        )

    def _close_endpoint(self, key: str) -> None:
        endpoint = self._endpoints.pop(key, None)
        if endpoint is not None:
            endpoint.close()


def _cached_reply(dataset: ResidentDataset, source: str) -> worker_pb2.BeginUploadReply:
    info = worker_pb2.DatasetInfo(dataset_id=dataset.dataset_id, count=dataset.count, placement=dataset.placement)
    return worker_pb2.BeginUploadReply(cached=True, dataset=info, cache_source=source)


def _failing(fail: Callable[[WorkerError], None], what: str) -> Callable[[BaseException], None]:
    """Turns an exception on a zeromq thread into the WorkerError its consumer reports."""

    def on_error(error: BaseException) -> None:
        if isinstance(error, WorkerError):
            fail(error)
        else:
            log.error("zeromq %s receiver failed: %r", what, error)
            fail(WorkerError("INVALID_ARGUMENT", f"the zeromq {what} lane could not take a message: {error}"))

    return on_error


def _store_quietly(cache: DatasetCache, sha256: str, images: np.ndarray, labels: Optional[np.ndarray]) -> None:
    """A failed cache write costs a later re-upload, not this upload: log it and go on."""
    try:
        cache.store(sha256, images, labels)
    except OSError as error:
        log.warning("dataset cache: could not store %s in %s: %s", sha256[:16], cache.directory, error)

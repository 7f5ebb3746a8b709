"""A real worker process (`python -m mixmask_worker`) and a gRPC channel to it, for the tests that need one."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from typing import Any, Iterator, Optional

import grpc

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import PROTOCOL_VERSION

WORKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # python_worker/
DEADLINE_S = 120.0
READY_PREFIX = "mixmask worker ready on unix:"


class GrpcUpload:
    """One dataset to upload: its BeginUpload request and its pixel chunks (plan_builders.upload_chunks)."""

    def __init__(self, begin: worker_pb2.BeginUploadRequest, chunks: list[bytes]) -> None:
        self.begin = begin
        self.chunks = chunks


class Worker:
    """A spawned worker: its process, its stderr lines (drained by a thread) and a channel to it."""

    def __init__(
        self, argv_prefix: list[str], socket_path: str, extra: list[str], python_path: Optional[list[str]] = None
    ) -> None:
        """``python_path``: folders searched before the worker package (e.g. one that shadows an installed module)."""
        paths = [*(python_path or []), WORKER_DIR, os.environ.get("PYTHONPATH")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}
        self.socket_path = socket_path
        self.process = subprocess.Popen(
            argv_prefix + ["--socket", socket_path, *extra],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()
        if not self.ready.wait(60):
            self.process.kill()
            raise RuntimeError("worker did not get ready:\n" + "".join(self.lines))
        self.channel = grpc.insecure_channel(f"unix:{socket_path}")

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            if line.startswith(READY_PREFIX):
                self.ready.set()

    def ready_pid(self) -> int:
        line = next(line for line in self.lines if line.startswith(READY_PREFIX))
        # The ready line's fields after pid= vary (omp wait, token, tls); the pid is the digits right after it.
        match = re.search(r"\bpid=(\d+)", line)
        assert match, f"no pid= in the ready line {line!r}"
        return int(match.group(1))

    def unary(self, name: str, request: Any, reply_type: Any, **kwargs: Any) -> Any:
        call = self.channel.unary_unary(
            f"/mixmask.v1.Worker/{name}",
            request_serializer=type(request).SerializeToString,
            response_deserializer=reply_type.FromString,
        )
        return call(request, timeout=DEADLINE_S, **kwargs)

    def stream_unary(self, name: str, requests: Iterator[Any], reply_type: Any) -> Any:
        call = self.channel.stream_unary(
            f"/mixmask.v1.Worker/{name}",
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=reply_type.FromString,
        )
        return call(requests, timeout=DEADLINE_S)

    def upload(self, upload: "GrpcUpload") -> worker_pb2.DatasetInfo:
        """BeginUpload, then the pixels on the gRPC lane (UploadParts), as the SDK's uploadDataset does."""
        begun = self.unary("BeginUpload", upload.begin, worker_pb2.BeginUploadReply)
        if begun.cached:
            return begun.dataset
        parts = [
            worker_pb2.UploadPart(upload_id=begun.upload_id if i == 0 else "", pixels=chunk)
            for i, chunk in enumerate(upload.chunks)
        ]
        return self.stream_unary("UploadParts", iter(parts), worker_pb2.DatasetInfo)

    def train(
        self, plans: Iterator[worker_pb2.StepPlan], run_id: Optional[str] = None
    ) -> Iterator[worker_pb2.StepResult]:
        call = self.channel.stream_stream(
            "/mixmask.v1.Worker/Train",
            request_serializer=worker_pb2.StepPlan.SerializeToString,
            response_deserializer=worker_pb2.StepResult.FromString,
        )
        metadata = (("mixmask-run-id", run_id),) if run_id else None
        return call(plans, timeout=DEADLINE_S, metadata=metadata)

    def hello(self, version: int = PROTOCOL_VERSION, timeout: float = DEADLINE_S) -> worker_pb2.HelloReply:
        call = self.channel.unary_unary(
            "/mixmask.v1.Worker/Hello",
            request_serializer=worker_pb2.HelloRequest.SerializeToString,
            response_deserializer=worker_pb2.HelloReply.FromString,
        )
        return call(worker_pb2.HelloRequest(protocol_version=version, client_version="test"), timeout=timeout)

    def stop(self) -> None:
        self.channel.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def worker_command() -> list[str]:
    return [sys.executable, "-m", "mixmask_worker"]

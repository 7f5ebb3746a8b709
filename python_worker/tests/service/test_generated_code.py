"""The committed generated code stays importable on older protobuf/grpcio, and the hand-written service table
matches the contract (proto/mixmask/v1/worker.proto)."""

from __future__ import annotations

import os
import re

import torch
from google.protobuf import descriptor_pb2

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.server import SERVICE_NAME, WorkerServicer, method_handlers

PACKAGE_DIR = os.path.dirname(os.path.abspath(worker_pb2.__file__))
WORKER_DIR = os.path.abspath(os.path.join(PACKAGE_DIR, "..", "..", ".."))  # python_worker/mixmask_worker


def _worker_sources() -> dict[str, str]:
    sources = {}
    for root, _dirs, files in os.walk(WORKER_DIR):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as file:
                    sources[os.path.relpath(path, WORKER_DIR)] = file.read()
    return sources


def test_generated_messages_have_no_runtime_version_guard() -> None:
    # protoc >= 26 emits `_runtime_version.ValidateProtobufRuntimeVersion(...)`, which refuses older protobuf
    # runtimes, such as those preinstalled on GPU machines.
    with open(worker_pb2.__file__, encoding="utf-8") as file:
        generated = file.read()
    assert "ValidateProtobufRuntimeVersion" not in generated
    assert "runtime_version" not in generated


def test_no_generated_grpc_stubs_anywhere_in_the_worker() -> None:
    sources = _worker_sources()
    assert "generated/mixmask/v1/worker_pb2.py" in sources
    stub_import = re.compile(r"^\s*(?:from|import)\s[^\n]*(?:_pb2_grpc|grpc_tools)", re.MULTILINE)
    offenders = [path for path, text in sources.items() if stub_import.search(text)]
    assert offenders == []
    assert not any(path.endswith("_pb2_grpc.py") for path in sources)


def test_service_table_matches_the_contract() -> None:
    file_proto = descriptor_pb2.FileDescriptorProto()
    worker_pb2.DESCRIPTOR.CopyToProto(file_proto)
    (service,) = [s for s in file_proto.service if f"{file_proto.package}.{s.name}" == SERVICE_NAME]
    servicer = WorkerServicer(torch.device("cpu"), request_stop=lambda: None)
    try:
        handlers = method_handlers(servicer)
    finally:
        servicer.close()
    assert sorted(handlers) == sorted(m.name for m in service.method)
    for method in service.method:
        handler = handlers[method.name]
        request_type = getattr(worker_pb2, method.input_type.rsplit(".", 1)[1])
        reply_type = getattr(worker_pb2, method.output_type.rsplit(".", 1)[1])
        assert handler.request_streaming == method.client_streaming, method.name
        assert handler.response_streaming == method.server_streaming, method.name
        # Train's deserializer is plan_intake.parse_plan (size limit first); every one must decode its request type.
        decoded = handler.request_deserializer(request_type().SerializeToString())
        assert type(decoded) is request_type, method.name
        assert handler.response_serializer == reply_type.SerializeToString, method.name

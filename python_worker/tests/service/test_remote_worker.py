"""A worker on TCP as strangers meet it: refused before their bodies are read, no port sharing, a private token file,
junk bytes answered as INVALID_ARGUMENT, a zeromq lane another machine can reach that is guarded by the same token,
and no temporary folder left behind. Each test runs the real worker process over real TCP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Iterator, Optional

import grpc
import numpy as np
import pytest
from plan_builders import make_images, make_labels
from test_access_control import TOKEN, WORKER_DIR, TcpWorker, _start_fails

from mixmask_worker.data.cache import content_hash
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import ERROR_CODE_TRAILER, PROTOCOL_VERSION

AUTH = (("authorization", f"Bearer {TOKEN}"),)
HELLO = worker_pb2.HelloRequest(protocol_version=PROTOCOL_VERSION).SerializeToString()


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@pytest.fixture(scope="module")
def worker(tmp_path_factory: Any) -> Iterator[TcpWorker]:
    spawned = TcpWorker([], {"MIXMASK_WORKER_TOKEN": TOKEN, "TMPDIR": str(tmp_path_factory.mktemp("tmp"))})
    yield spawned
    spawned.stop()


def raw_call(channel: grpc.Channel, method: str, payload: bytes, streaming: bool, metadata: Any = None) -> Any:
    path = f"/mixmask.v1.Worker/{method}"
    if streaming:
        call = channel.stream_stream(path, request_serializer=None, response_deserializer=None)
        return list(call(iter([payload]), timeout=60, metadata=metadata))
    return channel.unary_unary(path, request_serializer=None, response_deserializer=None)(
        payload, timeout=60, metadata=metadata
    )


def test_unauthenticated_calls_are_refused_before_their_bodies_are_read(worker: TcpWorker) -> None:
    # Four concurrent 64 MiB Hello calls without a token. Were each body received before the refusal (as a unary
    # handler does), the worker would grow by about 256 MiB; refused on the metadata, it reads a flow-control window.
    assert worker.address is not None
    body = b"\x00" * (64 * 2**20)
    options = [("grpc.max_send_message_length", 256 * 2**20)]
    codes: list[Any] = []
    with grpc.insecure_channel(worker.address, options=options) as channel:
        raw_call(channel, "Hello", HELLO, False, AUTH)  # warm: the worker's own first-call allocations
        before = rss_mib(worker.process.pid)

        def call() -> None:
            try:
                raw_call(channel, "Hello", body, False)
            except grpc.RpcError as error:
                codes.append(error.code())  # type: ignore[attr-defined]

        threads = [threading.Thread(target=call) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        after = rss_mib(worker.process.pid)
    assert codes == [grpc.StatusCode.UNAUTHENTICATED] * 4
    print(f"worker RSS {before:.1f} MiB -> {after:.1f} MiB after 4 unauthenticated 64 MiB calls")
    assert after - before < 48, f"the worker grew from {before:.1f} to {after:.1f} MiB"


def test_junk_bytes_to_every_method_are_invalid_argument(worker: TcpWorker) -> None:
    assert worker.address is not None
    methods = worker_pb2.DESCRIPTOR.services_by_name["Worker"].methods
    junk = b"\x0a\xff\xff\xff\xff\x0f" + b"\xff" * 10  # a field 1 claiming 4 GiB, then bytes no varint can end
    seen: dict[str, str] = {}
    with grpc.insecure_channel(worker.address) as channel:
        for method in methods:
            if method.name in (
                "Train",
                "TrainShard",
            ):  # parse their plans in order, once a run exists: test_bad_messages.py
                continue
            with pytest.raises(grpc.RpcError) as caught:
                raw_call(channel, method.name, junk, method.client_streaming or method.server_streaming, AUTH)
            error = caught.value
            trailer = dict(error.trailing_metadata() or ()).get(ERROR_CODE_TRAILER)  # type: ignore[attr-defined]
            seen[method.name] = f"{error.code().name} {trailer}"  # type: ignore[attr-defined]
            assert "is not a" in error.details(), error.details()  # type: ignore[attr-defined]
        assert raw_call(channel, "Hello", HELLO, False, AUTH)  # still serving
    assert set(seen.values()) == {"INVALID_ARGUMENT INVALID_ARGUMENT"}, seen
    assert len(seen) >= 20


def test_a_second_worker_cannot_take_over_the_port(worker: TcpWorker) -> None:
    assert worker.address is not None
    stderr = _start_fails(["--listen", worker.address], token=TOKEN)
    assert f"cannot listen on {worker.address}" in stderr


def test_a_token_file_other_users_can_read_is_refused(tmp_path: Any) -> None:
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    path.chmod(0o644)
    assert f"chmod 600 {path}" in _start_fails(["--listen", "0.0.0.0:0", "--token-file", str(path)])


def _begin_zmq(channel: grpc.Channel, images: np.ndarray, labels: np.ndarray) -> worker_pb2.BeginUploadReply:
    n, h, w, c = images.shape
    header = worker_pb2.DatasetHeader(
        dataset_id="remote", count=n, height=h, width=w, channels=c, labels=labels.tolist(), total_bytes=images.nbytes
    )
    request = worker_pb2.BeginUploadRequest(
        header=header, content_sha256=content_hash(images, labels), lane=worker_pb2.LANE_ZMQ
    )
    call = channel.unary_unary(
        "/mixmask.v1.Worker/BeginUpload",
        request_serializer=worker_pb2.BeginUploadRequest.SerializeToString,
        response_deserializer=worker_pb2.BeginUploadReply.FromString,
    )
    return call(request, timeout=60, metadata=AUTH)


def _push(endpoint: str, password: Optional[str], data: bytes) -> str:
    """PUSHes ``data`` and returns the first handshake outcome the socket's monitor reports."""
    zmq = pytest.importorskip("zmq")
    push = zmq.Context.instance().socket(zmq.PUSH)
    monitor = push.get_monitor_socket(
        zmq.EVENT_HANDSHAKE_SUCCEEDED
        | zmq.EVENT_HANDSHAKE_FAILED_AUTH
        | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
        | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
    )
    try:
        if password is not None:
            push.plain_username = b"mixmask"
            push.plain_password = password.encode()
        push.connect(endpoint)
        if not monitor.poll(20_000):
            return "no handshake"
        from zmq.utils.monitor import recv_monitor_message

        event = recv_monitor_message(monitor)["event"]
        if event == zmq.EVENT_HANDSHAKE_SUCCEEDED:
            push.send(data)
            return "ok"
        return "refused"
    finally:
        push.disable_monitor()
        monitor.close()
        push.close(linger=2000)


def test_the_zeromq_lane_of_a_tcp_worker_is_tcp_and_needs_the_token(worker: TcpWorker) -> None:
    assert worker.address is not None
    host = worker.address.rpartition(":")[0]
    images, labels = make_images(8, 8, 1, seed=3), make_labels(8)
    with grpc.insecure_channel(worker.address) as channel:
        reply = _begin_zmq(channel, images, labels)
        # Another machine cannot reach an ipc:// path on this one: the endpoint is TCP on gRPC's interface.
        assert reply.zmq_endpoint.startswith(f"tcp://{host}:"), reply.zmq_endpoint
        assert _push(reply.zmq_endpoint, None, b"\x01" * 64) == "refused"
        assert _push(reply.zmq_endpoint, "x" * len(TOKEN), b"\x01" * 64) == "refused"
        assert _push(reply.zmq_endpoint, TOKEN, images.tobytes()) == "ok"
        finish = channel.unary_unary(
            "/mixmask.v1.Worker/FinishUpload",
            request_serializer=worker_pb2.FinishUploadRequest.SerializeToString,
            response_deserializer=worker_pb2.DatasetInfo.FromString,
        )
        info = finish(worker_pb2.FinishUploadRequest(upload_id=reply.upload_id), timeout=60, metadata=AUTH)
    # The refused peers' bytes never arrived: the upload holds exactly the right ones (its hash matched).
    assert info.count == 8


def test_workers_leave_no_temporary_folder(tmp_path: Any) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    tcp = TcpWorker([], {"MIXMASK_WORKER_TOKEN": TOKEN, "TMPDIR": str(tmp)})
    assert tcp.address is not None
    with grpc.insecure_channel(tcp.address) as channel:
        _begin_zmq(channel, make_images(4, 8, 1, seed=1), make_labels(4))  # opens a zeromq endpoint
    tcp.stop()
    assert tcp.process.returncode == 0, "".join(tcp.lines)
    assert os.listdir(tmp) == []
    # The SDK's private socket folder: removed by the worker too, when it exits because its parent died.
    folder = tmp / "mixmask-abc123"
    folder.mkdir(mode=0o700)
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mixmask_worker",
            "--socket",
            str(folder / "worker.sock"),
            "--device",
            "cpu",
            "--parent-pid",
            str(parent.pid),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": WORKER_DIR, "MIXMASK_WORKER_TOKEN": TOKEN},
    )
    try:
        deadline = time.monotonic() + 60
        while not (folder / "worker.sock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert child.wait(30) == 0
    finally:
        child.kill()
        parent.kill()
    assert not folder.exists(), os.listdir(folder)


def test_the_token_can_come_through_an_inherited_descriptor() -> None:
    # The SDK's way (worker-process.ts): a socket pair or pipe as fd 3, so the token is in no environment.
    from mixmask_worker.service.access_control import read_token

    read_end, write_end = os.pipe()
    os.write(write_end, (TOKEN + "\n").encode())
    os.close(write_end)
    assert read_token(f"/dev/fd/{read_end}", {}) == TOKEN

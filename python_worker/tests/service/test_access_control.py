"""Who may drive the worker: token on every call, no network address without a token, TLS, a private socket directory.

The unit tests cover the rules; the rest start the real worker process and call it over real TCP and TLS channels.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from typing import Any, Iterator, Optional

import grpc
import pytest
from spawned_worker import WORKER_DIR

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.access_control import (
    AccessConfigError,
    TokenInterceptor,
    check_listen_policy,
    check_private_directory,
    is_loopback_host,
    read_token,
    split_host_port,
)
from mixmask_worker.service.protocol import ERROR_CODE_TRAILER, PROTOCOL_VERSION

TOKEN = "0123456789abcdef0123456789abcdef"
READY = "mixmask worker ready on "


def test_read_token_prefers_the_file_removes_the_variable_and_refuses_short_tokens(tmp_path: Any) -> None:
    environ = {"MIXMASK_WORKER_TOKEN": TOKEN}
    assert read_token(None, environ) == TOKEN and "MIXMASK_WORKER_TOKEN" not in environ
    path = tmp_path / "token"
    path.write_text("f" * 40 + "\n")
    path.chmod(0o600)
    assert read_token(str(path), {"MIXMASK_WORKER_TOKEN": TOKEN}) == "f" * 40
    assert read_token(None, {}) is None
    with pytest.raises(AccessConfigError, match="at least 16"):
        read_token(None, {"MIXMASK_WORKER_TOKEN": "short"})
    with pytest.raises(AccessConfigError, match="cannot read --token-file"):
        read_token(str(tmp_path / "missing"), {})


@pytest.mark.parametrize(
    "host,loopback",
    [
        ("127.0.0.1", True),
        ("127.5.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("[::]", False),
        ("192.168.1.4", False),
        ("example.org", False),
        ("", False),
    ],
)
def test_only_loopback_addresses_count_as_local(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_listen_policy_and_address_parsing() -> None:
    check_listen_policy("127.0.0.1", None)
    check_listen_policy("0.0.0.0", TOKEN)
    with pytest.raises(AccessConfigError, match="without an access token"):
        check_listen_policy("0.0.0.0", None)
    assert split_host_port("[::1]:0") == ("[::1]", 0)
    assert split_host_port("10.0.0.2:50051") == ("10.0.0.2", 50051)
    for bad in ("50051", "host:", ":80", "host:99999", "host:port"):
        with pytest.raises(AccessConfigError, match="HOST:PORT"):
            split_host_port(bad)


def test_socket_directory_must_be_private(tmp_path: Any) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    check_private_directory(str(private / "w.sock"))
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    with pytest.raises(AccessConfigError, match="mode 0755.*chmod 700"):
        check_private_directory(str(shared / "w.sock"))


def test_token_comparison_accepts_only_the_exact_bearer_token() -> None:
    interceptor = TokenInterceptor(TOKEN)
    assert interceptor.allows((("authorization", f"Bearer {TOKEN}"),))
    assert interceptor.allows((("x-other", "1"), ("authorization", f"Bearer {TOKEN}".encode())))
    for metadata in [
        (),
        (("authorization", TOKEN),),
        (("authorization", f"Bearer {TOKEN}x"),),
        (("authorization", f"Bearer {TOKEN[:-1]}"),),
        (("authorization", "Bearer "),),
        (("authorization", f"bearer {TOKEN}"),),
    ]:
        assert not interceptor.allows(metadata), metadata


# ------------------------------------------------------------------------------------------------------------
# The real worker process


class TcpWorker:
    """``python -m mixmask_worker --listen 127.0.0.1:0`` with a token (and TLS when certificates are given)."""

    def __init__(self, extra: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mixmask_worker",
                "--listen",
                "127.0.0.1:0",
                "--device",
                "cpu",
                "--threads",
                "1",
                "--parent-pid",
                str(os.getpid()),
                *extra,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": WORKER_DIR, **env},
        )
        self.address: Optional[str] = None
        self.lines: list[str] = []
        ready = threading.Event()

        def drain() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                self.lines.append(line)
                if line.startswith(READY):
                    self.address = line[len(READY) :].split(" ", 1)[0]
                    ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(60):
            self.process.kill()
            raise RuntimeError("worker did not get ready:\n" + "".join(self.lines))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _hello(channel: grpc.Channel, metadata: Optional[tuple[tuple[str, str], ...]]) -> worker_pb2.HelloReply:
    call = channel.unary_unary(
        "/mixmask.v1.Worker/Hello",
        request_serializer=worker_pb2.HelloRequest.SerializeToString,
        response_deserializer=worker_pb2.HelloReply.FromString,
    )
    return call(worker_pb2.HelloRequest(protocol_version=PROTOCOL_VERSION), timeout=30, metadata=metadata)


def _train(channel: grpc.Channel, metadata: Optional[tuple[tuple[str, str], ...]]) -> list[worker_pb2.StepResult]:
    call = channel.stream_stream(
        "/mixmask.v1.Worker/Train",
        request_serializer=worker_pb2.StepPlan.SerializeToString,
        response_deserializer=worker_pb2.StepResult.FromString,
    )
    return list(call(iter([worker_pb2.StepPlan(step=0)]), timeout=30, metadata=metadata))


def _refused(call: Any) -> str:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    error = caught.value
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
    assert dict(error.trailing_metadata() or ()).get(ERROR_CODE_TRAILER) == "UNAUTHENTICATED"  # type: ignore[attr-defined]
    return str(error.details())  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def certificates() -> Iterator[tuple[str, str]]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    directory = tempfile.mkdtemp(prefix="mmw-tls-")
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    yield cert, key
    shutil.rmtree(directory, ignore_errors=True)


def test_every_call_needs_the_token_over_tls(certificates: tuple[str, str]) -> None:
    cert, key = certificates
    worker = TcpWorker(["--tls-cert", cert, "--tls-key", key], {"MIXMASK_WORKER_TOKEN": TOKEN})
    try:
        assert worker.address is not None and worker.address.startswith("127.0.0.1:")
        assert "token, tls)" in "".join(worker.lines)
        with open(cert, "rb") as file:
            credentials = grpc.ssl_channel_credentials(root_certificates=file.read())
        port = worker.address.rsplit(":", 1)[1]
        with grpc.secure_channel(f"localhost:{port}", credentials) as channel:
            assert "requires an access token" in _refused(lambda: _hello(channel, None))
            _refused(lambda: _hello(channel, (("authorization", "Bearer " + "x" * 32),)))
            _refused(lambda: _train(channel, (("authorization", TOKEN),)))  # streams too; no "Bearer "
            reply = _hello(channel, (("authorization", f"Bearer {TOKEN}"),))
            assert reply.pid == worker.process.pid
        # Plain TCP to a TLS port gets no answer at all.
        with grpc.insecure_channel(worker.address) as plain:
            with pytest.raises(grpc.RpcError) as caught:
                _hello(plain, (("authorization", f"Bearer {TOKEN}"),))
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE  # type: ignore[attr-defined]
    finally:
        worker.stop()


def _start_fails(argv: list[str], token: Optional[str] = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "MIXMASK_WORKER_TOKEN"}
    env["PYTHONPATH"] = WORKER_DIR
    if token is not None:
        env["MIXMASK_WORKER_TOKEN"] = token
    done = subprocess.run(
        [sys.executable, "-m", "mixmask_worker", "--device", "cpu", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    return done.stderr


def test_refuses_to_start_unsafely(tmp_path: Any) -> None:
    assert "without an access token" in _start_fails(["--listen", "0.0.0.0:0"])
    assert "without an access token" in _start_fails(["--listen", "[::]:0"])
    assert "at least 16" in _start_fails(["--listen", "0.0.0.0:0"], token="weak")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    assert "chmod 700" in _start_fails(["--socket", str(shared / "w.sock")])
    assert "both --tls-cert and --tls-key" in _start_fails(["--listen", "127.0.0.1:0", "--tls-cert", "c.pem"])

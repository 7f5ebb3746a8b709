"""Fuzzing the BeginUpload header check: any header is either accepted with a byte count that matches its shape,
or refused with INVALID_ARGUMENT naming the field — the worker never allocates from an inconsistent header."""

from __future__ import annotations

from typing import Any

from fuzz_budget import fuzz_settings, tried
from hypothesis import given
from hypothesis import strategies as st

from mixmask_worker.data.header import check_dataset_header as _check_header
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import WorkerError

dims = st.one_of(st.sampled_from([0, 1, 3, 28, 2**16, 2**32 - 1]), st.integers(0, 2**32 - 1))


@fuzz_settings()
@given(data=st.data())
def test_headers_are_consistent_or_refused(data: Any) -> None:
    tried["server: dataset headers"] += 1
    count, height, width, channels = (data.draw(dims) for _ in range(4))
    exact = count * height * width * channels
    total = data.draw(st.one_of(st.just(exact % 2**64), st.integers(0, 2**64 - 1)))
    labels = data.draw(st.lists(st.integers(-(2**31), 2**31 - 1), max_size=8))
    header = worker_pb2.DatasetHeader(
        dataset_id=data.draw(st.text(max_size=8)),
        count=count,
        height=height,
        width=width,
        channels=channels,
        total_bytes=total,
        labels=labels,
    )
    try:
        size = _check_header(header)
    except WorkerError as error:
        assert error.code == "INVALID_ARGUMENT" and "upload.header." in error.message
        return
    assert size == exact == total and channels in (1, 3) and count >= 1 and header.dataset_id
    assert len(labels) in (0, count)

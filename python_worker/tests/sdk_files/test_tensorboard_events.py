"""The SDK's TensorBoard event files (src/tensorboard/), read back with the tensorboard package's own reader.

TypeScript writes the TFRecord framing (masked CRC-32C) and the Event/Summary messages by hand, so this is the proof
that `tensorboard --logdir runs` reads them: scalars, the λ histogram and the preview image, and that the CRCs are
the ones TensorBoard checks (a flipped byte is reported as data loss, not read as a wrong number).
"""

from __future__ import annotations

import os

import pytest
from ts_fixtures import run_ts_fixture

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
event_file_loader = pytest.importorskip("tensorboard.backend.event_processing.event_file_loader")


def _write(tmp_path) -> str:
    return run_ts_fixture("tensorboard-events.ts", str(tmp_path)).strip()


def test_scalars_histogram_and_image_read_back(tmp_path) -> None:
    _write(tmp_path)
    acc = event_accumulator.EventAccumulator(str(tmp_path), size_guidance={"scalars": 0, "images": 0, "histograms": 0})
    acc.Reload()
    tags = acc.Tags()
    assert set(tags["scalars"]) >= {
        "loss/total",
        "loss/term0 InfoNCE(q, k)",
        "loss/term1 λ · InfoNCE(q_mix, k)",
        "train/lr",
        "train/lambda",
        "train/positive_top1",
        "train/embedding_spread",
        "train/steps_per_second",
    }
    assert [(e.step, e.value) for e in acc.Scalars("loss/total")] == [(s, 8.0 - s) for s in range(5)]
    assert [e.wall_time for e in acc.Scalars("loss/total")] == [1_700_000_000 + s for s in range(5)]
    assert [e.value for e in acc.Scalars("train/lambda")] == [0.0, 0.25, 0.5, 0.75, 0.0]
    assert [e.value for e in acc.Scalars("train/positive_top1")] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    assert len(acc.Scalars("train/steps_per_second")) == 4  # none before a rate is known

    (histo,) = acc.Histograms("train/lambda_histogram")
    h = histo.histogram_value
    assert (h.min, h.max, h.num, h.sum) == (0.0, 0.75, 5.0, 2.0)
    assert list(h.bucket_limit) == [0.25, 0.5, 0.75, 1.0]
    assert list(h.bucket) == [1.0, 1.0, 2.0, 1.0]

    (image,) = acc.Images("preview")
    assert (image.width, image.height, image.step) == (3, 2, 4)
    assert image.encoded_image_string[:8] == b"\x89PNG\r\n\x1a\n"


def test_file_version_record_first_and_crc_checked(tmp_path) -> None:
    path = _write(tmp_path)
    assert os.path.basename(path).startswith("events.out.tfevents.")
    events = list(event_file_loader.EventFileLoader(path).Load())
    assert events[0].file_version == "brain.Event:2"
    assert len(events) == 1 + 5 + 2

    data = bytearray(open(path, "rb").read())
    data[-10] ^= 0xFF  # inside the last record's payload: its data CRC no longer matches
    broken = tmp_path / "broken" / os.path.basename(path)
    broken.parent.mkdir()
    broken.write_bytes(bytes(data))
    # TensorBoard's reader stops at the corrupt record instead of yielding it.
    assert len(list(event_file_loader.EventFileLoader(str(broken)).Load())) == len(events) - 1

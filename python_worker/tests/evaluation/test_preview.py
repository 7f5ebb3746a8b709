"""Preview returns the inputs a plan trains on, de-normalised, with the pixel mask."""

from __future__ import annotations

import numpy as np
import torch
from plan_builders import IMAGE_SIZE, make_images, make_labels, mixmask_plan, run_request

from mixmask_worker.data.store import DatasetStore
from mixmask_worker.evaluation.preview import preview
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.training.run import TrainingRun

CPU = torch.device("cpu")


def test_preview_shows_the_views_mask_and_mix_the_step_trains_on() -> None:
    store = DatasetStore(CPU)
    images = make_images(8)
    store.put("train", images, make_labels(8))
    run = TrainingRun(run_request(bn_splits=1), store, CPU)
    plan = mixmask_plan(0, list(range(8)), flip_key_view=False)
    reply = preview(run, worker_pb2.PreviewRequest(run_id="run-1", plan=plan, max_samples=3))
    assert reply.samples == 3 and reply.image_size == IMAGE_SIZE
    by_input = {p.input: np.frombuffer(p.pixels, np.uint8).reshape(3, IMAGE_SIZE, IMAGE_SIZE, 3) for p in reply.inputs}
    assert sorted(by_input) == [worker_pb2.VIEW_0, worker_pb2.VIEW_1, worker_pb2.MASKED_0, worker_pb2.COMPLEMENT_0]
    # Full-image crops without jitter: the views are the source images (up to rounding after normalisation).
    assert np.abs(by_input[worker_pb2.VIEW_0].astype(int) - images[:3].astype(int)).max() <= 1
    mask = np.frombuffer(reply.mask_pixels, np.uint8).reshape(3, IMAGE_SIZE, IMAGE_SIZE)
    assert set(np.unique(mask)) == {0, 1} and mask[:, :, : IMAGE_SIZE // 2].all()  # left half kept
    mixed = by_input[worker_pb2.MASKED_0].astype(int)
    partner = images[[7, 6, 5]].astype(int)  # reversed batch
    assert np.abs(mixed[:, :, : IMAGE_SIZE // 2] - images[:3, :, : IMAGE_SIZE // 2].astype(int)).max() <= 1
    assert np.abs(mixed[:, :, IMAGE_SIZE // 2 :] - partner[:, :, IMAGE_SIZE // 2 :]).max() <= 1
    complement = by_input[worker_pb2.COMPLEMENT_0].astype(int)  # the halves the mix dropped
    assert np.abs(complement[:, :, IMAGE_SIZE // 2 :] - images[:3, :, IMAGE_SIZE // 2 :].astype(int)).max() <= 1

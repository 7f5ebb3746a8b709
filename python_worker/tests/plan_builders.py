"""Tiny builders of worker messages for the tests: a tiny run config, images, and MixMask StepPlans.

Plans are what the TypeScript planner would send: identity-ish views (full-image crop; view 1 flipped), a block
mask keeping the left half of the grid, the reversed batch as partner, and MixMask's three InfoNCE terms
(docs/METHODS.md, Maskers): q·k ×1, q_mix·k ×λ, q_mix[reverse]·k ×(1−λ).
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from spawned_worker import GrpcUpload

from mixmask_worker.data.cache import content_hash
from mixmask_worker.generated.mixmask.v1 import worker_pb2

IMAGE_SIZE = 16
GRID = 4
TEMPERATURE = 0.2


def make_images(count: int, size: int = IMAGE_SIZE, channels: int = 3, seed: int = 0) -> np.ndarray:
    """uint8 [N, H, W, C]: smooth random blobs, so that images differ in structure and not only in noise."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(count, 4, 4, channels), dtype=np.uint8)
    images = coarse.repeat(size // 4, axis=1).repeat(size // 4, axis=2)
    noise = rng.integers(-20, 21, size=images.shape)
    return np.clip(images.astype(np.int64) + noise, 0, 255).astype(np.uint8)


def make_labels(count: int, classes: int = 4) -> np.ndarray:
    return (np.arange(count) % classes).astype(np.int64)


def run_request(
    run_id: str = "run-1",
    dataset_id: str = "train",
    seed: int = 7,
    queue_size: int = 64,
    bn_splits: int = 2,
    base_width: int = 8,
    momentum_encoder: bool = True,
    predictor_hidden_dim: int = 0,
    compile: str = "",
) -> worker_pb2.CreateRunRequest:
    request = worker_pb2.CreateRunRequest(
        run_id=run_id,
        seed=seed,
        backbone=worker_pb2.BackboneConfig(arch="resnet18", base_width=base_width, cifar_stem=True),
        head=worker_pb2.HeadConfig(hidden_dim=32, out_dim=16),
        moco=worker_pb2.MocoConfig(queue_size=queue_size, bn_splits=bn_splits),
        optimizer=worker_pb2.OptimizerConfig(momentum=0.9, weight_decay=5e-4),
        dataset_id=dataset_id,
        image_size=IMAGE_SIZE,
        mean=[0.5, 0.5, 0.5],
        std=[0.25, 0.25, 0.25],
        precision="fp32",
        channels_last=False,
        momentum_encoder=momentum_encoder,
        compile=compile,
    )
    if predictor_hidden_dim:
        request.predictor.CopyFrom(worker_pb2.HeadConfig(hidden_dim=predictor_hidden_dim, out_dim=16, batch_norm=True))
    return request


def view_plan(n: int, source_size: int = IMAGE_SIZE, flip: bool = False) -> worker_pb2.ViewPlan:
    """The whole source image, optionally flipped; no colour change, no blur."""
    return worker_pb2.ViewPlan(
        crop=[0.0, 0.0, float(source_size), float(source_size)] * n,
        flip=bytes([1 if flip else 0]) * n,
        jitter=[1.0, 1.0, 1.0, 0.0] * n,
        jitter_order=bytes([0, 1, 2, 3]) * n,
        grayscale=bytes(n),
        blur_sigma=[0.0] * n,
        blur_kernel_size=0,
    )


def block_mask(grid: int = GRID) -> np.ndarray:
    """[g, g] uint8: the left half of the columns kept (1), the right half taken from the partner (0)."""
    cells = np.zeros((grid, grid), dtype=np.uint8)
    cells[:, : grid // 2] = 1
    return cells


def kept_fraction(cells: np.ndarray, size: int = IMAGE_SIZE) -> float:
    """λ from the exact nearest-neighbour map cell(i) = floor(i·g/S)."""
    g = cells.shape[0]
    index = (np.arange(size) * g) // size
    return float(cells[index][:, index].mean())


def branch(source: int, encoder: int) -> worker_pb2.BranchRef:
    return worker_pb2.BranchRef(input=source, encoder=encoder)


QUERY_VIEW = branch(worker_pb2.VIEW_0, worker_pb2.ONLINE)
QUERY_MIX = branch(worker_pb2.MASKED_0, worker_pb2.ONLINE)
KEY_VIEW = branch(worker_pb2.VIEW_1, worker_pb2.MOMENTUM)


def mixmask_plan(
    step: int,
    indices: Sequence[int],
    lr: float = 0.05,
    key_momentum: float = 0.99,
    key_shuffle: Optional[Sequence[int]] = None,
    with_mix: bool = True,
    temperature: float = TEMPERATURE,
    flip_key_view: bool = True,
) -> worker_pb2.StepPlan:
    n = len(indices)
    terms = [
        worker_pb2.LossTerm(
            kind=worker_pb2.INFO_NCE_QUEUE, anchor=QUERY_VIEW, positive=KEY_VIEW, weight=1.0, temperature=temperature
        )
    ]
    mask = None
    if with_mix:
        cells = block_mask()
        lam = kept_fraction(cells)
        partner = list(range(n - 1, -1, -1))  # i <-> N-1-i, an involution: its inverse is itself
        mask = worker_pb2.MaskPlan(
            grid=GRID, cells=cells.tobytes(), fill=worker_pb2.PARTNER, partner=partner, kept_fraction=[lam]
        )
        terms += [
            worker_pb2.LossTerm(
                kind=worker_pb2.INFO_NCE_QUEUE, anchor=QUERY_MIX, positive=KEY_VIEW, weight=lam, temperature=temperature
            ),
            worker_pb2.LossTerm(
                kind=worker_pb2.INFO_NCE_QUEUE,
                anchor=QUERY_MIX,
                anchor_order=partner,
                positive=KEY_VIEW,
                weight=1.0 - lam,
                temperature=temperature,
            ),
        ]
    plan = worker_pb2.StepPlan(
        step=step,
        indices=list(indices),
        views=[view_plan(n), view_plan(n, flip=flip_key_view)],
        terms=terms,
        lr=lr,
        key_momentum=key_momentum,
        key_shuffle=list(key_shuffle) if key_shuffle is not None else [],
        enqueue_term=0,
    )
    if mask is not None:
        plan.mask.CopyFrom(mask)
    return plan


def shuffled(n: int, seed: int) -> list[int]:
    return np.random.default_rng(seed).permutation(n).tolist()


def upload_chunks(
    dataset_id: str, images: np.ndarray, labels: Optional[np.ndarray] = None, chunk_bytes: int = 1000
) -> GrpcUpload:
    """The BeginUpload request (gRPC lane, content hash of the bytes) and pixel chunks of at most ``chunk_bytes``,
    as the SDK streams an upload."""
    count, height, width, channels = images.shape
    header = worker_pb2.DatasetHeader(
        dataset_id=dataset_id,
        count=count,
        height=height,
        width=width,
        channels=channels,
        labels=[] if labels is None else labels.tolist(),
        total_bytes=images.nbytes,
    )
    begin = worker_pb2.BeginUploadRequest(
        header=header, content_sha256=content_hash(images, labels), lane=worker_pb2.LANE_GRPC
    )
    data = images.tobytes()
    return GrpcUpload(begin, [data[i : i + chunk_bytes] for i in range(0, len(data), chunk_bytes)])

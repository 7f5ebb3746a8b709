"""Backbone features of images for clients (Embed): the k-NN preprocessing, without the k-NN.

The preprocessing is ``knn.extract_features``'s, so an embedding and a k-NN feature of the same image agree:
uint8 HWC → float / 255 → grey repeated to 3 channels → bilinear antialiased resize to S x S when the image is not
S x S → (x − mean) / std → backbone in eval mode → optionally L2-normalised. The SDK's ONNX path
(src/embed/model-input.ts) repeats these steps in TypeScript for images that are already S x S.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from mixmask_worker.data.header import image_shape_issues
from mixmask_worker.data.store import DatasetStore
from mixmask_worker.evaluation.knn import extract_features
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import WorkerError

DEFAULT_BATCH = 256
# Images per host->device copy when the images are not on the device (as TrainingRun._features).
HOST_CHUNK = 8192


def requested_images(request: worker_pb2.EmbedRequest, store: DatasetStore) -> torch.Tensor:
    """The request's images as uint8 ``[N, H, W, C]`` (inline bytes, or a slice of a resident dataset)."""
    which = request.WhichOneof("images")
    if which == "inline":
        inline = request.inline
        issues = image_shape_issues("embed.inline", inline.count, inline.height, inline.width, inline.channels)
        size = int(inline.count) * int(inline.height) * int(inline.width) * int(inline.channels)
        if not issues and len(inline.pixels) != size:
            issues.append(
                f"embed.inline.pixels: expected count*height*width*channels = {size} bytes, "
                f"received {len(inline.pixels)}"
            )
        if issues:
            raise WorkerError("INVALID_ARGUMENT", f"Embed is invalid: {'; '.join(issues)}")
        pixels = np.frombuffer(inline.pixels, dtype=np.uint8).reshape(
            inline.count, inline.height, inline.width, inline.channels
        )
        return torch.from_numpy(pixels.copy())
    if which == "dataset":
        dataset = store.get(request.dataset.dataset_id)
        if len(request.dataset.indices) == 0:
            return dataset.images
        chosen = np.asarray(request.dataset.indices, dtype=np.int64)
        bad = np.nonzero(chosen >= dataset.count)[0]
        if bad.size:
            raise WorkerError(
                "INVALID_ARGUMENT",
                f"embed.dataset.indices[{int(bad[0])}]: expected an index < {dataset.count} (images in "
                f"{dataset.dataset_id!r}), received {int(chosen[bad[0]])}",
            )
        return dataset.images.index_select(0, torch.from_numpy(chosen).to(dataset.images.device))
    raise WorkerError("INVALID_ARGUMENT", "embed.images: expected inline images or a dataset, received neither")


def embed_images(
    backbone: nn.Module,
    images: torch.Tensor,
    image_size: int,
    mean: torch.Tensor,
    std: torch.Tensor,
    device: torch.device,
    batch_size: int,
    normalize: bool,
) -> worker_pb2.EmbedReply:
    """Features of ``images`` (uint8 [N, H, W, C] anywhere) with ``backbone`` on ``device``, as an EmbedReply."""
    started = time.perf_counter()
    batch = batch_size or DEFAULT_BATCH
    chunk = max(batch, HOST_CHUNK // batch * batch)
    parts = [
        extract_features(
            backbone, images[start : start + chunk].to(device), image_size, mean, std, batch, normalize
        ).cpu()
        for start in range(0, images.shape[0], chunk)
    ]
    features = torch.cat(parts)  # [N, F] float32
    data = np.ascontiguousarray(features.numpy().astype("<f4", copy=False)).tobytes()
    return worker_pb2.EmbedReply(
        count=int(features.shape[0]), dim=int(features.shape[1]), features=data, seconds=time.perf_counter() - started
    )

"""The pixel baseline's features: each image as one vector of its pixels, centred on the bank's mean image.

An encoder is worth its training only where its features beat the images it was given; k-NN and the linear probe
read these in place of backbone features (``FeatureSource.CENTRED_PIXELS``, docs/EVALUATION.md). Centring matters
under the cosine k-NN: raw pixels are all positive, so every pair of images has a large shared component (on
Fashion-MNIST, first 10 000 / 2 000: raw 0.7275, centred 0.7910).
"""

from __future__ import annotations

import torch
from torch import Tensor

# Images converted to float per chunk, so a bank held in host memory is not copied to float all at once.
CHUNK = 8192


@torch.no_grad()
def centred_pixel_features(bank: Tensor, queries: Tensor, device: torch.device) -> tuple[Tensor, Tensor]:
    """``[N_bank, H·W·C]`` and ``[N_queries, H·W·C]`` float32 on ``device``: ``pixel / 255 − mean over the bank``.

    ``bank`` and ``queries`` are uint8 ``[N, H, W, C]`` of one size, at the dataset's own resolution (no resize, no
    channel repeat, no per-channel normalisation: what the user's images hold). The mean image is the bank's only,
    so the queries (test images) take no part in the features of the bank.
    """
    if (
        bank.dim() != 4
        or bank.dtype != torch.uint8
        or queries.dtype != torch.uint8
        or bank.shape[1:] != queries.shape[1:]
    ):
        raise ValueError(
            f"pixel features need uint8 [N, H, W, C] images of one size; got {bank.dtype} {list(bank.shape)} and "
            f"{queries.dtype} {list(queries.shape)}"
        )
    bank_f = _flat(bank, device)  # [N_bank, F]
    queries_f = _flat(queries, device)  # [N_queries, F]
    mean = bank_f.mean(dim=0, keepdim=True)  # [1, F]
    return bank_f.sub_(mean), queries_f.sub_(mean)


def _flat(images: Tensor, device: torch.device) -> Tensor:
    n = images.shape[0]
    out = torch.empty(n, images[0].numel(), dtype=torch.float32, device=device)  # [N, F]
    for start in range(0, n, CHUNK):
        part = images[start : start + CHUNK].to(device)
        out[start : start + part.shape[0]] = part.reshape(part.shape[0], -1).float().div_(255.0)
    return out

"""detectron2's weight file for a torchvision-keyed ResNet, as the MixMask release converts it.

The release (and MoCo before it) ships ``detection/convert-pretrain-to-detectron2.py``, which renames the query
encoder's torchvision keys to detectron2's ResNet names and pickles numpy arrays:

    conv1.weight                    -> stem.conv1.weight          (keys outside layerX get the "stem." prefix)
    bn1.running_mean                -> stem.conv1.norm.running_mean
    layer1.0.conv2.weight           -> res2.0.conv2.weight        (layerT -> res{T+1})
    layer2.0.bn3.bias               -> res3.0.conv3.norm.bias     (bnT -> convT.norm)
    layer2.0.downsample.0.weight    -> res3.0.shortcut.weight
    layer2.0.downsample.1.weight    -> res3.0.shortcut.norm.weight

and writes ``{"model": {name: array}, "__author__": "MOCO", "matching_heuristics": True}``. The same rules and the
same container are applied here, so the file loads with ``MODEL.WEIGHTS`` exactly like the release's; the release's
detection config (configs/coco_R_50_C4_1x_moco.yaml) adds RGB input, ``PIXEL_MEAN``/``PIXEL_STD`` in 0–255 units and
``RESNETS.STRIDE_IN_1X1: False`` (torchvision puts the stride on the 3x3 convolution).
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import torch


def detectron2_key(torchvision_key: str) -> str:
    """The detectron2 name of one torchvision ResNet key, by the release's rules (applied in its order)."""
    key = torchvision_key
    if "layer" not in key:
        key = "stem." + key
    for stage in (1, 2, 3, 4):
        key = key.replace(f"layer{stage}", f"res{stage + 1}")
    for index in (1, 2, 3):
        key = key.replace(f"bn{index}", f"conv{index}.norm")
    key = key.replace("downsample.0", "shortcut")
    return key.replace("downsample.1", "shortcut.norm")


def detectron2_model(state_dict: dict[str, torch.Tensor]) -> dict[str, Any]:
    """The object the release pickles: renamed keys -> numpy arrays, with MoCo's author tag and heuristics flag."""
    model: dict[str, np.ndarray] = {}
    for key, value in state_dict.items():
        renamed = detectron2_key(key)
        if renamed in model:  # two torchvision keys cannot map to one name, but a bug here must not lose weights
            raise ValueError(f"detectron2 key {renamed!r} produced twice (from {key!r})")
        model[renamed] = value.detach().cpu().numpy()
    return {"model": model, "__author__": "MOCO", "matching_heuristics": True}


def detectron2_bytes(state_dict: dict[str, torch.Tensor]) -> bytes:
    # Protocol 4 (Python ≥ 3.4) stores arrays as raw bytes; protocol 2 would inflate them by half (latin-1 strings).
    return pickle.dumps(detectron2_model(state_dict), protocol=4)

"""One forward of the online encoder (and predictor) for all of a step's query inputs.

A MixMask step encodes the view and the mixed view (and Un-Mix's view) with the online encoder, each as its own pass
with its own BatchNorm statistics (training/branches.py). Here the ``P`` inputs are interleaved into one batch of
``P·N`` rows (row ``n·P + p`` is sample ``n`` of pass ``p``) and the grouped batch norms (models/grouped_batch_norm.py)
normalise group ``m % (s·P)``: exactly split ``n % s`` of pass ``p``, so every pass keeps its batch statistics, and
the running statistics move once per pass in the order the separate passes would have run. Losses equal the
separate passes' to float32 rounding (test_fused_query_forward.py); the step issues one set of operators instead of
``P`` (bench/worker/op_count.py) and the convolutions see a batch ``P`` times larger.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Optional

import torch
from torch import Tensor, nn

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.grouped_batch_norm import fused_passes, is_grouped
from mixmask_worker.plan.step_plan import BranchRef as Branch

_ONLINE_PASSES = (worker_pb2.ONLINE, worker_pb2.ONLINE_PREDICTOR, worker_pb2.ONLINE_DETACHED)


def fusable_sources(needed: list[Branch], online: nn.Module) -> list[int]:
    """The inputs whose online passes one fused forward can replace, in the order the separate passes run (the
    branches' first-use order, as BranchOutputs computes them); ``[]`` when fusing would not be exact.

    Not exact: batch norms that cannot keep passes apart (the legacy split batch norm), or an input read only without
    gradient (ONLINE_DETACHED alone), whose no-grad pass would have moved the running statistics between the others.
    """
    if not is_grouped(online):
        return []
    with_grad = {src for src, enc in needed if enc in (worker_pb2.ONLINE, worker_pb2.ONLINE_PREDICTOR)}
    order: list[int] = []
    for source, encoder in needed:
        if encoder in _ONLINE_PASSES and source not in order:
            order.append(source)
    if len(order) < 2 or any(source not in with_grad for source in order):
        return []
    return order


def fused_online(
    online: nn.Module,
    predictor: Optional[nn.Module],
    sources: list[int],
    predicted: list[int],
    images: Callable[[int], Tensor],
    to_input: Callable[[Tensor], Tensor],
    autocast: Callable[[], contextlib.AbstractContextManager[Any]],
) -> tuple[dict[int, Tensor], dict[int, Tensor]]:
    """``z [N, D]`` per source, and ``p = q(z)`` per source in ``predicted`` (the predictor's first-use order)."""
    views = [images(source) for source in sources]
    n, passes = views[0].shape[0], len(views)
    batch = to_input(torch.stack(views, 1).view(n * passes, *views[0].shape[1:]))  # row n·P + p: sample n of pass p
    with fused_passes([online], passes), autocast():
        z = online(batch).view(n, passes, -1)
    outputs = {source: z[:, index] for index, source in enumerate(sources)}
    predictions: dict[int, Tensor] = {}
    if predictor is None or not predicted:
        return outputs, predictions
    if predicted == sources and is_grouped(predictor):
        with fused_passes([predictor], passes), autocast():
            p = predictor(z.view(n * passes, -1)).view(n, passes, -1)
        return outputs, {source: p[:, index] for index, source in enumerate(sources)}
    with autocast():  # another order or subset: separate predictor passes, as BranchOutputs would run them
        for source in predicted:
            predictions[source] = predictor(outputs[source])
    return outputs, predictions

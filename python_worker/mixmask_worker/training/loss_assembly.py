"""The step's loss as the plan lists it: ``L = Σ_t w_t · mean_i(s_ti · ℓ_t(a_t[order_t], p_t)_i)``.

Which terms, on which branches, with which weights (λ, 1 − λ), sample weights and temperatures is decided by the
SDK's framework and masker planners; this module only evaluates the list. Kernels:
INFO_NCE_QUEUE (MoCo), NT_XENT (SimCLR), NEGATIVE_COSINE (SimSiam), NORMALIZED_MSE (BYOL).
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.losses.info_nce import InfoNCEWithQueue
from mixmask_worker.losses.negative_cosine import NegativeCosine
from mixmask_worker.losses.normalized_mse import NormalizedMse
from mixmask_worker.losses.nt_xent import NTXent
from mixmask_worker.plan.step_plan import BranchRef, LossTerm

_INFO_NCE = InfoNCEWithQueue()
_NT_XENT = NTXent()
_NEGATIVE_COSINE = NegativeCosine()
_NORMALIZED_MSE = NormalizedMse()


@dataclass
class AssembledLoss:
    total: Tensor  # 0-d, Σ weight · term
    terms: list[Tensor]  # 0-d each, unweighted
    positive_top1: Tensor  # 0-d, term 0 (no gradient)
    embedding_std: Tensor  # 0-d, term 0's unit anchors: std over the batch × √D (no gradient)


def per_sample_loss(kind: int, a: Tensor, p: Tensor, queue: Optional[Tensor], temperature: float) -> Tensor:
    """``ℓ [N]`` of one term kind."""
    if kind == worker_pb2.INFO_NCE_QUEUE:
        return _INFO_NCE(a, p, _queue_of(queue), temperature)
    if kind == worker_pb2.NT_XENT:
        return _NT_XENT(a, p, temperature)
    if kind == worker_pb2.NEGATIVE_COSINE:
        return _NEGATIVE_COSINE(a, p)
    return _NORMALIZED_MSE(a, p)


def _queue_of(queue: Optional[Tensor]) -> Tensor:
    if queue is None:  # plan validation refuses INFO_NCE_QUEUE on a run created with moco.queue_size = 0
        raise ValueError("an INFO_NCE_QUEUE term on a run without a key queue")
    return queue


def positive_top1(kind: int, a: Tensor, p: Tensor, queue: Optional[Tensor]) -> Tensor:
    if kind == worker_pb2.INFO_NCE_QUEUE:
        return _INFO_NCE.positive_top1(a, p, _queue_of(queue))
    if kind == worker_pb2.NT_XENT:
        return _NT_XENT.positive_top1(a, p)
    return _NORMALIZED_MSE.positive_top1(a, p)  # the cosine kinds rank alike


def assemble_loss(
    terms: Sequence[LossTerm],
    branch: Callable[[BranchRef], Tensor],
    queue: Optional[Tensor],
    to_device: Callable[[np.ndarray], Tensor],
) -> AssembledLoss:
    """Evaluates ``terms`` on the branch outputs ``branch(b) -> [N, D]``; ``to_device`` uploads index/weight arrays."""
    values: list[Tensor] = []
    weighted: list[Tensor] = []
    anchors: list[Tensor] = []
    positives: list[Tensor] = []
    for term in terms:
        a = branch(term.anchor)
        if term.anchor_order is not None:
            a = a.index_select(0, to_device(term.anchor_order))
        p = branch(term.positive)
        losses = per_sample_loss(term.kind, a, p, queue, term.temperature)  # [N]
        if term.sample_weights is not None:
            losses = losses * to_device(term.sample_weights).to(losses.dtype)
        value = losses.mean()
        values.append(value)
        weighted.append(term.weight * value)
        anchors.append(a)
        positives.append(p)
    # A validated plan has at least one term (plan.terms); the total sums left to right, as a running sum would.
    total = functools.reduce(operator.add, weighted)
    first_anchor, first_positive = anchors[0].detach(), positives[0].detach()
    with torch.no_grad():
        top1 = positive_top1(terms[0].kind, first_anchor, first_positive, queue)
        spread = F.normalize(first_anchor.float(), dim=1).std(dim=0).mean() * math.sqrt(first_anchor.shape[1])
    return AssembledLoss(total=total, terms=values, positive_top1=top1, embedding_std=spread)

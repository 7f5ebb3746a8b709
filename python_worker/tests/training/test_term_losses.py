"""termLosses mean one thing for every mask granularity: each term's unweighted mean ℓ (weights enter the total)."""

from __future__ import annotations

import numpy as np
import torch

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.step_plan import BranchRef as Branch
from mixmask_worker.plan.step_plan import LossTerm as TermArrays
from mixmask_worker.training.loss_assembly import assemble_loss, per_sample_loss

N, D = 6, 8


def test_per_sample_and_per_batch_weights_report_the_same_unweighted_term_loss() -> None:
    generator = torch.Generator().manual_seed(0)
    outputs = {name: torch.randn(N, D, generator=generator) for name in ("anchor", "positive")}
    anchor: Branch = (worker_pb2.VIEW_0, worker_pb2.ONLINE)
    positive: Branch = (worker_pb2.VIEW_1, worker_pb2.ONLINE)

    def branch(b: Branch) -> torch.Tensor:
        return outputs["anchor"] if b == anchor else outputs["positive"]

    lambdas = np.linspace(0.2, 0.8, N, dtype=np.float32)
    term = dict(kind=worker_pb2.NT_XENT, anchor=anchor, positive=positive, anchor_order=None, temperature=0.2)
    per_sample = assemble_loss([TermArrays(**term, weight=1.0, sample_weights=lambdas)], branch, None, torch.from_numpy)
    per_batch = assemble_loss([TermArrays(**term, weight=0.5, sample_weights=None)], branch, None, torch.from_numpy)
    unweighted = per_sample_loss(worker_pb2.NT_XENT, outputs["anchor"], outputs["positive"], None, 0.2)
    assert torch.allclose(per_sample.terms[0], unweighted.mean())
    assert torch.allclose(per_batch.terms[0], unweighted.mean())
    # The weights still shape the total the optimizer steps on.
    assert torch.allclose(per_sample.total, (unweighted * torch.from_numpy(lambdas)).mean())
    assert torch.allclose(per_batch.total, 0.5 * unweighted.mean())

"""One online forward for a step's query inputs computes what the separate passes compute (fused_query_forward.py):
the same losses and gradients, and the same running statistics, on every framework × masker the SDK plans.

Real networks with batch norm (ResNet-18 at width 4 with 2 BatchNorm groups, BatchNorm heads for BYOL and SimSiam),
float32, plans from the TypeScript planner. Tolerances are float32 rounding: the fused batch sums the same values in
another blocking (convolutions over 2–3× the batch). Measured: losses ≤ 1e-6 relative.
"""

from __future__ import annotations

import base64
import copy
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from ts_fixtures import run_ts_fixture

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.encoder import HeadShape, build_encoder
from mixmask_worker.models.grouped_batch_norm import use_grouped_batch_norm
from mixmask_worker.models.mlp_head import MlpHead
from mixmask_worker.plan.validation import RunFacts, validate_step_plan
from mixmask_worker.training.branches import BranchOutputs
from mixmask_worker.training.inputs import StepInputs
from mixmask_worker.training.loss_assembly import assemble_loss

N, S, D, K, SPLITS = 8, 16, 8, 32, 2
FRAMEWORKS = ("mocov2", "simclr", "byol", "simsiam")
MASKERS = (
    ("none", {}),
    ("mixmask", {}),
    ("mixmask", {"maskPerSample": True}),  # COMPLEMENT inputs: three query inputs
    ("unmix", {"unmixCutmixProbability": 0}),
    ("both", {"unmixCutmixProbability": 1}),
    ("erase", {"eraseFill": "noise"}),
)
CASES = [(f, m, extra) for f in FRAMEWORKS for m, extra in MASKERS]
_PLANS: dict[str, list[str]] = {}


def _plan(index: int) -> worker_pb2.StepPlan:
    if "all" not in _PLANS:  # one TypeScript process plans every case
        grid = [{"framework": f, "masker": m, "bnSplits": SPLITS, **extra} for f, m, extra in CASES]
        _PLANS["all"] = run_ts_fixture("step-plan-grid.ts", json.dumps(grid), "3").split()
    return worker_pb2.StepPlan.FromString(base64.b64decode(_PLANS["all"][index]))


class Networks:
    def __init__(self, framework: str) -> None:
        torch.manual_seed(0)
        heads_bn = framework in ("byol", "simsiam")
        layers = 3 if framework == "simsiam" else 2
        self.online = use_grouped_batch_norm(
            build_encoder("resnet18", 4, True, HeadShape(16, D, layers, heads_bn), SPLITS)
        )
        self.predictor = use_grouped_batch_norm(MlpHead(D, 6, D, 2, True)) if heads_bn else None
        self.momentum = copy.deepcopy(self.online).requires_grad_(False) if framework in ("mocov2", "byol") else None
        for module in (self.online, self.predictor, self.momentum):
            if module is not None:
                module.train()
        self.queue = F.normalize(torch.randn(K, D), dim=1) if framework == "mocov2" else None

    def modules(self) -> list[nn.Module]:
        return [m for m in (self.online, self.predictor) if m is not None]

    def step(self, plan: worker_pb2.StepPlan, fuse: bool) -> tuple[float, list[torch.Tensor], int]:
        facts = RunFacts(
            64, S, SPLITS, K if self.queue is not None else 0, self.momentum is not None, self.predictor is not None
        )
        checked = validate_step_plan(plan, facts, torch.device("cpu"))
        upload = lambda a: torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
        g = torch.Generator().manual_seed(1)
        views = (torch.randn(N, 3, S, S, generator=g), torch.randn(N, 3, S, S, generator=g))
        inputs = StepInputs.from_views(views, checked, torch.zeros(3), torch.ones(3), upload)
        shuffle = None
        if checked.key_shuffle is not None:
            shuffle = (upload(checked.key_shuffle), upload(np.argsort(checked.key_shuffle)))
        calls = [0]
        hook = self.online.register_forward_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
        branches = BranchOutputs(
            inputs,
            self.online,
            self.predictor,
            self.momentum,
            shuffle,
            checked.branches(),
            lambda x: x.contiguous(memory_format=torch.channels_last),
            fuse=fuse,
        )
        loss = assemble_loss(checked.terms, branches.get, self.queue, upload)
        hook.remove()
        parameters = [p for m in self.modules() for p in m.parameters()]
        return loss.total.item(), list(torch.autograd.grad(loss.total, parameters)), calls[0]


def _online_passes(plan: worker_pb2.StepPlan) -> int:
    sources = {t.anchor.input for t in plan.terms if t.anchor.encoder != worker_pb2.MOMENTUM}
    sources |= {t.positive.input for t in plan.terms if t.positive.encoder != worker_pb2.MOMENTUM}
    return len(sources)


@pytest.mark.parametrize(
    "index", range(len(CASES)), ids=[f"{f}-{m}{'-' + '-'.join(map(str, e.values())) if e else ''}" for f, m, e in CASES]
)
def test_fused_forward_equals_separate_passes(index: int) -> None:
    framework, _, _ = CASES[index]
    plan = _plan(index)
    separate, fused = Networks(framework), Networks(framework)
    loss_a, grads_a, calls_a = separate.step(plan, fuse=False)
    loss_b, grads_b, calls_b = fused.step(plan, fuse=True)
    passes = _online_passes(plan)
    assert calls_a == passes
    assert calls_b == (1 if passes > 1 else passes)  # the fused path ran: one online forward
    assert loss_b == pytest.approx(loss_a, rel=1e-5)
    # Relative to the largest gradient: a bias ahead of a BatchNorm has a true gradient of 0 and only rounding noise.
    largest = max(float(a.abs().max()) for a in grads_a)
    for a, b in zip(grads_a, grads_b):
        torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-5 * largest)
    # Evaluation reads the running statistics: they moved once per pass, in pass order, as the separate passes did.
    for module_a, module_b in zip(separate.modules(), fused.modules()):
        for (name, a), (_, b) in zip(module_a.named_buffers(), module_b.named_buffers()):
            if name.endswith("num_batches_tracked"):
                assert int(b) == int(a) == passes if module_a is separate.online else int(b) == int(a), name
            else:
                torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-6, msg=name)

"""The worker's total loss, gradients included, equals each framework's formula written out directly (docs/METHODS.md).

Plans come from the TypeScript planner itself (test/fixtures/step-plan-bytes.ts), so the test covers the terms the
SDK composes, their wire form and the worker's evaluation together. Networks are tiny float64 MLPs without BatchNorm
(so row order cannot change a result); the direct formulas below share no code with the worker: masks are upsampled
and λ counted with Python loops, losses are loops over samples. Tolerance: 1e-6 relative, for the loss and for every
gradient (relative to its largest entry). Measured: ~1e-8, because the wire carries weights and temperatures as
float32 (T = 0.2 arrives as 0.20000000298) while the direct formulas use the exact decimals.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Optional

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from ts_fixtures import run_ts_fixture

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.step_plan import LossTerm, ValidatedPlan
from mixmask_worker.plan.validation import RunFacts, validate_step_plan
from mixmask_worker.training.branches import BranchOutputs
from mixmask_worker.training.inputs import StepInputs
from mixmask_worker.training.loss_assembly import assemble_loss

N, S, D, K, T = 8, 16, 6, 32, 0.2
MEAN, STD = 0.5, 0.25  # the dataset's normalisation: black pixels are (0 − 0.5) / 0.25 = −2 in the views
REL = 1e-6
FRAMEWORKS = ("mocov2", "simclr", "byol", "simsiam")


class Tiny(nn.Module):
    """A BatchNorm-free stand-in for backbone + projector: [N, 3, S, S] -> [N, D], float64."""

    def __init__(self, out: int = D) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(3 * S * S, 12), nn.Tanh(), nn.Linear(12, out))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class Setup:
    def __init__(self, framework: str, seed: int = 0) -> None:
        torch.manual_seed(seed)
        self.online = Tiny().double()
        self.predictor = nn.Sequential(nn.Linear(D, 10), nn.Tanh(), nn.Linear(10, D)).double()
        self.momentum = copy.deepcopy(self.online)
        with torch.no_grad():
            for p in self.momentum.parameters():
                p.add_(0.05 * torch.randn_like(p))  # a target that differs from the online network
                p.requires_grad_(False)
        self.queue = F.normalize(torch.randn(K, D, dtype=torch.float64), dim=1)
        g = torch.Generator().manual_seed(seed + 1)
        self.views = (
            torch.randn(N, 3, S, S, generator=g, dtype=torch.float64),
            torch.randn(N, 3, S, S, generator=g, dtype=torch.float64),
        )
        self.framework = framework
        self.has_queue = framework == "mocov2"
        self.has_momentum = framework in ("mocov2", "byol")
        self.has_predictor = framework in ("byol", "simsiam")

    def trainable(self) -> list[nn.Parameter]:
        modules = [self.online, self.predictor] if self.has_predictor else [self.online]
        return [p for m in modules for p in m.parameters()]

    def validate(self, plan: worker_pb2.StepPlan) -> ValidatedPlan:
        facts = RunFacts(
            dataset_count=64,
            image_size=S,
            bn_splits=1,
            queue_size=K if self.has_queue else 0,
            has_momentum_encoder=self.has_momentum,
            has_predictor=self.has_predictor,
        )
        return validate_step_plan(plan, facts, torch.device("cpu"))

    def worker_loss(
        self, checked: ValidatedPlan, terms: Optional[tuple[LossTerm, ...]] = None
    ) -> tuple[float, list[Tensor]]:
        upload = lambda a: torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
        mean, std = torch.full((3,), MEAN, dtype=torch.float64), torch.full((3,), STD, dtype=torch.float64)
        inputs = StepInputs.from_views(self.views, checked, mean, std, upload)
        shuffle = None
        if checked.key_shuffle is not None:
            shuffle = (upload(checked.key_shuffle), upload(np.argsort(checked.key_shuffle)))
        terms = checked.terms if terms is None else terms
        needed = [b for t in terms for b in (t.anchor, t.positive)]
        branches = BranchOutputs(
            inputs,
            self.online,
            self.predictor if self.has_predictor else None,
            self.momentum if self.has_momentum else None,
            shuffle,
            needed,
        )
        loss = assemble_loss(terms, lambda b: branches.raw(b), self.queue if self.has_queue else None, upload)
        return loss.total.item(), list(torch.autograd.grad(loss.total, self.trainable()))

    def direct_loss(self, value: Tensor) -> tuple[float, list[Tensor]]:
        return value.item(), list(torch.autograd.grad(value, self.trainable()))

    # ---- the frameworks' base terms, written out per sample --------------------------------------------------
    def base(
        self, a_img: Tensor, b_img: Tensor, order: Optional[list[int]] = None, weights: Optional[list[float]] = None
    ) -> Tensor:
        order = list(range(N)) if order is None else order
        weights = [1.0] * N if weights is None else weights
        if self.framework == "mocov2":
            q, k = self.online(a_img)[order], self.momentum(b_img)
            per = [_info_nce(q[i], k[i], self.queue) for i in range(N)]
        elif self.framework == "simclr":
            a, b = self.online(a_img)[order], self.online(b_img)
            per = [_nt_xent_pair(a, b, i) for i in range(N)]
        elif self.framework == "byol":
            p, z = self.predictor(self.online(a_img))[order], self.momentum(b_img)
            per = [2 - 2 * _cos(p[i], z[i]) for i in range(N)]
        else:
            p, z = self.predictor(self.online(a_img))[order], self.online(b_img).detach()
            per = [-_cos(p[i], z[i]) for i in range(N)]
        return sum(w * loss for w, loss in zip(weights, per)) / N


def _cos(u: Tensor, v: Tensor) -> Tensor:
    return (u * v).sum() / (u.norm() * v.norm())


def _info_nce(q: Tensor, k: Tensor, queue: Tensor) -> Tensor:
    logits = [_cos(q, k) / T] + [_cos(q, queue[j]) / T for j in range(K)]  # queue rows are unit already
    return -(logits[0] - torch.logsumexp(torch.stack(logits), 0))


def _nt_xent_pair(a: Tensor, b: Tensor, i: int) -> Tensor:
    rows = [a[m] for m in range(N)] + [b[m] for m in range(N)]

    def one(anchor: int, positive: int) -> Tensor:
        others = torch.stack([_cos(rows[anchor], rows[m]) / T for m in range(2 * N) if m != anchor])
        return -(_cos(rows[anchor], rows[positive]) / T - torch.logsumexp(others, 0))

    return 0.5 * (one(i, N + i) + one(N + i, i))


def _pixel_masks(plan: worker_pb2.StepPlan) -> list[Tensor]:
    g = plan.mask.grid
    cells = list(plan.mask.cells)
    masks = []
    for m in range(len(cells) // (g * g)):
        grid = cells[m * g * g : (m + 1) * g * g]
        masks.append(
            torch.tensor(
                [[float(grid[(r * g // S) * g + (c * g // S)]) for c in range(S)] for r in range(S)],
                dtype=torch.float64,
            )
        )
    return masks


def ts_plan(overrides: dict[str, object], step: int = 3) -> worker_pb2.StepPlan:
    return worker_pb2.StepPlan.FromString(
        base64.b64decode(run_ts_fixture("step-plan-bytes.ts", json.dumps(overrides), str(step)))
    )


def _assert_same(worker: tuple[float, list[Tensor]], direct: tuple[float, list[Tensor]]) -> None:
    assert worker[0] == pytest.approx(direct[0], rel=REL)
    for got, expected in zip(worker[1], direct[1]):
        torch.testing.assert_close(got, expected, rtol=REL, atol=REL * float(expected.abs().max()))


@pytest.mark.parametrize("masker", ["none", "mixmask"])
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_worker_loss_equals_the_formula(framework: str, masker: str) -> None:
    plan = ts_plan({"framework": framework, "masker": masker, "temperature": T})
    setup = Setup(framework)
    symmetric = framework in ("byol", "simsiam")  # their defaults: both views as query
    direction_weight = 0.5 if framework == "simsiam" else 1.0  # SimSiam averages the directions, BYOL sums them
    assert len(plan.terms) == (1 if masker == "none" else 3) * (2 if symmetric else 1)

    def one_direction(x: Tensor, other: Tensor) -> Tensor:
        loss = setup.base(x, other)
        if masker == "mixmask":
            (m,) = _pixel_masks(plan)
            lam = float(m.mean())  # λ: the kept pixel fraction, counted directly
            rev = list(range(N - 1, -1, -1))
            assert list(plan.mask.partner) == rev  # MixMask pairs i with N−1−i (the release)
            assert plan.mask.kept_fraction[0] == pytest.approx(lam, abs=1e-7)
            x_mix = m * x + (1 - m) * x[rev]
            loss = loss + lam * setup.base(x_mix, other) + (1 - lam) * setup.base(x_mix, other, order=rev)
        return loss

    x0, x1 = setup.views
    direct = direction_weight * (one_direction(x0, x1) + one_direction(x1, x0)) if symmetric else one_direction(x0, x1)
    _assert_same(setup.worker_loss(setup.validate(plan)), setup.direct_loss(direct))


@pytest.mark.parametrize("pairing", ["reverse", "permutation"])
def test_per_sample_masks_weigh_each_sample_by_its_own_lambda(pairing: str) -> None:
    plan = ts_plan(
        {"framework": "mocov2", "masker": "mixmask", "maskPerSample": True, "mixPartner": pairing, "temperature": T}
    )
    setup = Setup("mocov2", seed=4)
    masks = _pixel_masks(plan)
    assert len(masks) == N and len({tuple(m.flatten().tolist()) for m in masks}) > 1
    lams = [float(m.mean()) for m in masks]
    partner = list(plan.mask.partner)
    inverse = [partner.index(i) for i in range(N)]
    x0, x1 = setup.views
    mixed = torch.stack([masks[i] * x0[i] + (1 - masks[i]) * x0[partner[i]] for i in range(N)])
    # The complement of sample i holds the 1 − λ_i of x_i its mix dropped, filled from the sample it fills.
    complement = torch.stack([(1 - masks[i]) * x0[i] + masks[i] * x0[inverse[i]] for i in range(N)])
    direct = (
        setup.base(x0, x1)
        + setup.base(mixed, x1, weights=lams)
        + setup.base(complement, x1, weights=[1 - lam for lam in lams])
    )
    _assert_same(setup.worker_loss(setup.validate(plan)), setup.direct_loss(direct))


@pytest.mark.parametrize("pairing", ["reverse", "permutation"])
def test_the_reordering_shortcut_equals_explicit_complementary_images(pairing: str) -> None:
    """One mask per batch: the release's q_mix[partner⁻¹] term equals the term on explicitly built complements."""
    plan = ts_plan({"framework": "mocov2", "masker": "mixmask", "mixPartner": pairing, "temperature": T})
    setup = Setup("mocov2", seed=7)
    checked = setup.validate(plan)
    shortcut, explicit_terms = checked.terms, list(checked.terms)
    lam = float(checked.mask.kept[0])
    # The same step with the complement built explicitly (what per-sample masks use), λ as sample weights.
    explicit_terms[1] = LossTerm(
        worker_pb2.INFO_NCE_QUEUE,
        (worker_pb2.MASKED_0, worker_pb2.ONLINE),
        (worker_pb2.VIEW_1, worker_pb2.MOMENTUM),
        None,
        1.0,
        T,
        np.full(N, lam, np.float32),
    )
    explicit_terms[2] = LossTerm(
        worker_pb2.INFO_NCE_QUEUE,
        (worker_pb2.COMPLEMENT_0, worker_pb2.ONLINE),
        (worker_pb2.VIEW_1, worker_pb2.MOMENTUM),
        None,
        1.0,
        T,
        np.full(N, 1 - lam, np.float32),
    )
    assert shortcut[2].anchor_order is not None
    fast = setup.worker_loss(checked, shortcut)
    slow = setup.worker_loss(checked, tuple(explicit_terms))
    assert fast[0] == pytest.approx(slow[0], rel=REL)
    for a, b in zip(fast[1], slow[1]):
        torch.testing.assert_close(a, b, rtol=REL, atol=REL * float(b.abs().max()))
    # And the pixels: complement_i = mix[partner⁻¹(i)] exactly.
    upload = lambda a: torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
    inputs = StepInputs.from_views(setup.views, checked, torch.zeros(3), torch.ones(3), upload)
    inverse = torch.from_numpy(np.argsort(checked.mask.partner))
    assert torch.equal(inputs.get(worker_pb2.COMPLEMENT_0), inputs.get(worker_pb2.MASKED_0)[inverse])


OTHER_MASKERS = [
    ("unmix", {"unmixCutmixProbability": 0}),
    ("unmix", {"unmixCutmixProbability": 1}),
    ("both", {"unmixCutmixProbability": 0}),
    ("both", {"unmixCutmixProbability": 1}),
    ("erase", {"eraseFill": "zero"}),
    ("erase", {"eraseFill": "mean"}),
    ("erase", {"eraseFill": "noise"}),
]


@pytest.mark.parametrize("masker,extra", OTHER_MASKERS, ids=[f"{m}-{list(e.values())[0]}" for m, e in OTHER_MASKERS])
def test_the_other_maskers_follow_their_definitions(masker: str, extra: dict[str, object]) -> None:
    plan = ts_plan({"framework": "simclr", "masker": masker, "temperature": T, **extra}, step=5)
    setup = Setup("simclr", seed=2)
    x0, x1 = setup.views
    direct = setup.base(x0, x1)
    if masker in ("both", "erase"):
        (m,) = _pixel_masks(plan)
        lam = float(m.mean())
        partner = list(plan.mask.partner)
        if masker == "erase":
            # zero: black pixels, normalised; mean: the dataset mean, 0 once normalised; noise: N(0, 1) from the
            # plan's seed (view 0: noise_seed + 0) on the CPU generator.
            fill = torch.full_like(x0, (0 - MEAN) / STD) if extra["eraseFill"] == "zero" else torch.zeros_like(x0)
            if extra["eraseFill"] == "noise":
                generator = torch.Generator().manual_seed(plan.mask.noise_seed)
                fill = torch.randn(x0.shape, generator=generator, dtype=torch.float32).to(torch.float64)
            direct = direct + setup.base(m * x0 + (1 - m) * fill, x1)  # weight 1
        else:
            assert sorted(partner) == list(range(N)) and partner != list(range(N - 1, -1, -1))  # a random permutation
            inverse = [partner.index(i) for i in range(N)]
            x_mix = m * x0 + (1 - m) * x0[partner]
            direct = direct + lam * setup.base(x_mix, x1) + (1 - lam) * setup.base(x_mix, x1, order=inverse)
    if masker in ("unmix", "both"):
        u = plan.unmix
        rev = list(range(N - 1, -1, -1))
        assert u.cutmix == (extra["unmixCutmixProbability"] == 1)
        if u.cutmix:
            top, left, h, w = u.box
            box = torch.zeros(S, S, dtype=torch.float64)
            box[top : top + h, left : left + w] = 1
            lam_u = 1 - h * w / (S * S)
            x_u = (1 - box) * x0 + box * x0[rev]
        else:
            lam_u = getattr(u, "lambda")
            x_u = lam_u * x0 + (1 - lam_u) * x0[rev]
        assert getattr(u, "lambda") == pytest.approx(lam_u, abs=1e-7)
        direct = direct + lam_u * setup.base(x_u, x1) + (1 - lam_u) * setup.base(x_u, x1, order=rev)
    _assert_same(setup.worker_loss(setup.validate(plan)), setup.direct_loss(direct))

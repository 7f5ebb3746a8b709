"""How the worker computes a step: the same losses (to float32 rounding), formulated for speed.

    fused    (default) grouped batch norm, channels_last as the run asks on every device, and one online forward for
             all of a step's query inputs (fused_query_forward.py)
    grouped  grouped batch norm and channels_last, one online forward per input
    legacy   the formulation before bench/RESULTS.md "Step speed": SplitBatchNorm2d (a reshape that copies
             channels_last activations), channels_last on CUDA only, one forward per input

A run compiled with torch.compile uses the legacy formulation unless the variable below asks otherwise: inductor
fuses SplitBatchNorm2d's reshape itself, and the grouped batch norm's hand-written autograd function made the compiled
run recompile and drift from the eager one by 1.9e-4 after 3 steps (tests/training/test_compiled_run.py, 1e-4
allowed).

Chosen by the hidden environment variable MIXMASK_STEP_FORMULATION, read when a run is created, so that
bench/worker/step_speed.py and bench/step-speed-sdk.sh can time the formulations side by side and
bench/gpu/check-performance.sh can run the GPU rows with each. Not a user option: the results do not depend on it beyond float32 rounding.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

FORMULATIONS = ("fused", "grouped", "legacy")
ENVIRONMENT_VARIABLE = "MIXMASK_STEP_FORMULATION"


@dataclass(frozen=True)
class StepFormulation:
    name: str
    grouped_batch_norm: bool
    fuse_queries: bool

    def channels_last(self, requested: bool, device: torch.device) -> bool:
        """channels_last on the CPU too: with grouped batch norm it is faster there (bench/RESULTS.md, "Step
        speed"); the legacy formulation's split batch norm copies channels_last activations, so it keeps CUDA only."""
        return requested and (self.grouped_batch_norm or device.type == "cuda")


def step_formulation(compiled: bool = False) -> StepFormulation:
    name = os.environ.get(ENVIRONMENT_VARIABLE, "") or ("legacy" if compiled else "fused")
    if name not in FORMULATIONS:
        raise ValueError(f"{ENVIRONMENT_VARIABLE}={name!r}: expected one of {', '.join(FORMULATIONS)} (unset: fused)")
    return StepFormulation(name, grouped_batch_norm=name != "legacy", fuse_queries=name == "fused")

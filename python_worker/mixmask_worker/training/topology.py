"""Where one process's step sits in the global batch: the one object through which a run's step differs between a
single process and a rank of a torchrun launch (distributed/distributed_run.py gives its ShardTopology).

The step asks it four things: which networks the branches run (DDP wrappers, a cross-rank key shuffle), what to do
after the optimizer step (average BatchNorm buffers), which keys enter the queue (all ranks' keys in global order),
and which rows of the global batch this process holds (so erase noise is drawn for the whole batch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np
import torch
from torch import nn

from mixmask_worker.plan.step_plan import ValidatedPlan

if TYPE_CHECKING:
    from mixmask_worker.training.run import TrainingRun

# online encoder, predictor, momentum encoder, and shuffle-BN's (σ, σ⁻¹) of the momentum encoder's batch
StepNetworks = tuple[nn.Module, Optional[nn.Module], Optional[nn.Module], Optional[tuple[torch.Tensor, torch.Tensor]]]


class RankTopology:
    """One process holds the whole batch (the default)."""

    def step_networks(self, run: "TrainingRun", checked: ValidatedPlan) -> StepNetworks:
        key_shuffle = None
        if checked.key_shuffle is not None:
            key_shuffle = (run._index_tensor(checked.key_shuffle), run._index_tensor(np.argsort(checked.key_shuffle)))
        return run.online, run.predictor, run.momentum, key_shuffle

    def after_update(self, run: "TrainingRun") -> None:
        """Runs after the optimizer step and the momentum update."""

    def keys_to_enqueue(self, run: "TrainingRun", keys: torch.Tensor) -> torch.Tensor:
        """The unit keys ``[N, D]`` of this step that enter the queue."""
        return keys

    def global_rows(self, run: "TrainingRun") -> Optional[tuple[int, torch.Tensor]]:
        """(N, rows) when this batch is rows of a larger global batch (erase noise is drawn for N); else None."""
        return None


SINGLE_PROCESS = RankTopology()

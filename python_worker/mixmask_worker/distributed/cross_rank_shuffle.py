"""MoCo's shuffle-BN across ranks (He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation
Learning", §3.3; the release's ``_batch_shuffle_ddp`` / ``_batch_unshuffle_ddp``).

Each rank's BatchNorm must see a random mix of the global batch when it encodes keys, so batch statistics cannot
tell a key's query apart from the others. The release draws the permutation on rank 0 and broadcasts it; here it is
the global plan's ``key_shuffle``, drawn in TypeScript and sharded into gathered-row indices (RankShard):

    x_all = all_gather(x)                 [N, 3, S, S]  every rank's inputs, rank-major
    k     = f'(x_all[shuffle_rows])       [n, D]        this rank's slice of the shuffled batch
    k_all = all_gather(k)                 [N, D]
    k     = k_all[unshuffle_rows]         [n, D]        this rank's own keys, in its plan's order
"""

from __future__ import annotations

from torch import Tensor, nn

from mixmask_worker.distributed.collectives import gather_rows


class CrossRankShuffle(nn.Module):
    """Wraps the momentum encoder for one step; called under no_grad by BranchOutputs like the encoder itself."""

    def __init__(self, encoder: nn.Module, shuffle_rows: Tensor, unshuffle_rows: Tensor, world_size: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.shuffle_rows = shuffle_rows  # [n] int64 on the device
        self.unshuffle_rows = unshuffle_rows  # [n] int64 on the device
        self.world_size = world_size

    def forward(self, x: Tensor) -> Tensor:
        inputs = gather_rows(x, self.world_size).index_select(0, self.shuffle_rows)  # [n, 3, S, S]
        keys = self.encoder(inputs)  # [n, D]
        return gather_rows(keys, self.world_size).index_select(0, self.unshuffle_rows)  # [n, D]

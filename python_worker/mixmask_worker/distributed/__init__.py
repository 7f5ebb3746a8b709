"""Scale-out on torch.distributed (docs/DISTRIBUTED.md): the worker as one rank of a torchrun launch.

The SDK plans every global step and sends each rank its shard; this package only executes: DDP all-reduces the
gradients, shuffle-BN and MoCo's queue use all_gather, and rank 0 holds the whole state for checkpoints and
evaluation. Nothing here decides anything about the method.
"""

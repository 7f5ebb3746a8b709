"""What every service of one worker shares: its device, its datasets, its runs and its compute thread.

One object handed to each service (server.py, bulk_data_service.py, model_service.py, distributed_service.py)
instead of a callback per need. All torch work runs, in submission order, on ONE compute thread (so steps,
checkpoints and k-NN never race); CUDA readiness of step results is awaited on a SECOND, readback thread, so neither
the event loop nor the compute thread ever blocks on a device->host copy.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

import torch

from mixmask_worker.data.store import DatasetStore
from mixmask_worker.service.fault_injection import FaultPlan
from mixmask_worker.service.run_registry import RunRegistry

if TYPE_CHECKING:  # the single-process worker never imports distributed/
    from mixmask_worker.distributed.rank_context import RankContext

T = TypeVar("T")


class WorkerContext:
    """The device, dataset store, run registry, injected faults and the two worker threads of one worker."""

    def __init__(self, device: torch.device, faults: Optional[FaultPlan] = None, rank: Optional["RankContext"] = None):
        """``faults``: injected faults (tests); ``rank``: this worker's place in a torchrun launch (None: not
        distributed)."""
        self.device = device
        self.store = DatasetStore(device)
        self.runs = RunRegistry()
        self.faults = faults or FaultPlan()
        self.rank = rank
        threads = torch.get_num_threads()
        self.compute = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="mixmask-compute", initializer=torch.set_num_threads, initargs=(threads,)
        )
        self.readback = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mixmask-readback")

    async def on_compute(self, fn: Callable[..., T], *args: Any) -> T:
        """Runs ``fn(*args)`` on the compute thread, in order with every other torch call of this worker."""
        return await asyncio.get_running_loop().run_in_executor(self.compute, functools.partial(fn, *args))

    async def on_readback(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.readback, functools.partial(fn, *args))

    def close(self) -> None:
        self.compute.shutdown(wait=False, cancel_futures=True)
        self.readback.shutdown(wait=False, cancel_futures=True)

"""A run's state in a checkpoint: networks, optimizer and queue, written and read through training/checkpoint_file.py
(atomic write, sha256); a checkpoint loads only into a run of the same architecture (run_request.ARCHITECTURE_FIELDS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.checkpoint_file import read_checkpoint, write_checkpoint
from mixmask_worker.training.run_request import ARCHITECTURE_FIELDS

if TYPE_CHECKING:
    import torch

    from mixmask_worker.training.run import TrainingRun


def save_run(run: "TrainingRun", path: str, step: int) -> tuple[int, str]:
    """Writes networks, optimizer and queue atomically; returns (bytes, sha256)."""
    written = write_checkpoint(
        path,
        {
            "step": int(step),
            "config": run.config.SerializeToString(),
            "online": run.online.state_dict(),
            "predictor": None if run.predictor is None else run.predictor.state_dict(),
            "momentum": None if run.momentum is None else run.momentum.state_dict(),
            "optimizer": run.optimizer.state_dict(),
            "queue": None if run.queue is None else run.queue.state_dict(),
        },
    )
    return written.bytes, written.sha256


def load_run(run: "TrainingRun", path: str, sha256: str) -> tuple[int, int]:
    """Restores the state saved by ``save_run``; returns (bytes, stored step)."""
    loaded = read_checkpoint(path, sha256, run.device)
    run.weights_version += 1
    state = loaded.state
    try:
        stored = worker_pb2.CreateRunRequest.FromString(state["config"])
    except Exception as error:
        raise WorkerError(
            "CHECKPOINT_INVALID", f"checkpoint {path!r} holds an unreadable run config: {error}"
        ) from error
    for message_name, field in ARCHITECTURE_FIELDS:
        ours = getattr(getattr(run.config, message_name), field)
        theirs = getattr(getattr(stored, message_name), field)
        if ours != theirs:
            raise WorkerError(
                "CHECKPOINT_INVALID",
                f"checkpoint {path!r} was written by a run with {message_name}.{field} = {theirs!r}, this run has "
                f"{ours!r}: create the run with the checkpoint's configuration to resume from it",
            )
    try:
        run.online.load_state_dict(state["online"])
        for name, module in (("predictor", run.predictor), ("momentum", run.momentum), ("queue", run.queue)):
            if (module is None) != (state[name] is None):
                raise ValueError(f"the checkpoint {'lacks' if module is not None else 'has'} a {name}")
            if module is not None:
                module.load_state_dict(state[name])
        _load_optimizer(run.optimizer, state["optimizer"])
    except (KeyError, RuntimeError, ValueError) as error:
        raise WorkerError(
            "CHECKPOINT_INVALID",
            f"checkpoint {path!r} does not fit this run ({type(error).__name__}: {str(error).splitlines()[0]})",
        ) from error
    return loaded.bytes, int(state.get("step", 0))


def _load_optimizer(optimizer: "torch.optim.Optimizer", saved: dict[str, Any]) -> None:
    """Restores the momentum buffers; the hyper-parameters stay this run's (lr is set by every plan)."""
    current = optimizer.state_dict()
    if len(saved["param_groups"]) != len(current["param_groups"]):
        raise ValueError("optimizer parameter groups differ")
    groups = [
        {**ours, "params": theirs["params"]} for ours, theirs in zip(current["param_groups"], saved["param_groups"])
    ]
    optimizer.load_state_dict({"state": saved["state"], "param_groups": groups})

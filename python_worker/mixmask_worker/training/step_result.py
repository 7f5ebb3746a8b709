"""A step's metrics on their way back to the host: enqueued without waiting on the device, read (and checked to be
finite) only when the Train stream is ready to send them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

import torch

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.validation import encoder_name, input_name
from mixmask_worker.service.protocol import WorkerError


@dataclass
class PendingResult:
    """A step enqueued on the device whose metrics are not read back yet."""

    step: int
    lr: float
    terms: tuple[str, ...]  # a description of each plan term, for error messages
    values: torch.Tensor  # host [3 + T]: total loss, T unweighted term losses, positive top-1, embedding std
    ready: Optional[Any]  # torch.cuda.Event recorded after the device->host copy; None when already on the host
    worker_ms: float

    def resolve(self) -> worker_pb2.StepResult:
        """Waits for the copy (blocking: call it off the compute thread) and checks the losses are finite."""
        if self.ready is not None:
            self.ready.synchronize()
        values = self.values.tolist()
        loss, term_losses, top1, spread = values[0], values[1:-2], values[-2], values[-1]
        for index, value in enumerate(term_losses):
            if not math.isfinite(value):
                raise self._non_finite(f"loss term {index} ({self.terms[index]})", value, index)
        if not math.isfinite(loss):
            raise self._non_finite("the weighted total loss", loss, None)
        return worker_pb2.StepResult(
            step=self.step,
            loss=loss,
            term_losses=term_losses,
            positive_top1=top1,
            worker_ms=self.worker_ms,
            embedding_std=spread,
        )

    def _non_finite(self, what: str, value: float, term: Optional[int]) -> WorkerError:
        # The details travel as a trailer so the SDK can name the term and step without parsing this message.
        details = {"step": self.step, "term": term, "term_description": what, "value": value, "lr": self.lr}
        return WorkerError(
            "NON_FINITE_LOSS",
            f"step {self.step}: {what} is {value} at lr={self.lr:g}: training diverged; lower the learning rate "
            "or lengthen the warm-up, check the plan's augmentation and loss weights, and resume from the last "
            "checkpoint (the weights after this step are not usable)",
            details,
        )


def _describe_branch(branch: tuple[int, int]) -> str:
    return f"{encoder_name(branch[1]).split(' ')[0]}({input_name(branch[0]).split(' ')[0]})"


def describe_term(term: Any) -> str:
    kind = worker_pb2.TermKind.Name(term.kind)
    return f"{kind} {_describe_branch(term.anchor)} vs {_describe_branch(term.positive)}, weight {term.weight:g}"

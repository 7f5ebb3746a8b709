"""Preview: the inputs of one plan exactly as a training step builds them, as uint8 pictures.

Runs the same validation and ``StepInputs`` code as ``TrainingRun.step`` but trains nothing, then undoes the
normalisation (``x·std + mean``) so users see what the network sees: the augmented views, the pixel mask, the mixed,
complementary, erased and Un-Mix images. A MixMask plan with one mask per batch never builds the complementary images
(its loss reorders the mixed ones); the preview builds them anyway, since they are what that reordering stands for.
"""

from __future__ import annotations

import torch

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.step_plan import ValidatedPlan
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.run import TrainingRun


def preview(run: TrainingRun, request: worker_pb2.PreviewRequest) -> worker_pb2.PreviewReply:
    checked = run.validate(request.plan)
    n = checked.batch_size
    m = n if request.max_samples == 0 else min(int(request.max_samples), n)
    inputs = run.inputs(checked)
    reply = worker_pb2.PreviewReply(samples=m, image_size=run.image_size)
    with torch.no_grad():
        for source in _shown_inputs(checked):
            x = inputs.get(source)[:m]  # [M, 3, S, S] normalised
            pixels = x * run.std.view(1, 3, 1, 1) + run.mean.view(1, 3, 1, 1)
            as_uint8 = (pixels.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).contiguous()
            reply.inputs.add(input=source, pixels=as_uint8.cpu().numpy().tobytes())  # [M, S, S, 3]
        if checked.mask is not None:
            mask = inputs.mask_pixels()  # [B, S, S]
            mask = mask.expand(n, -1, -1)[:m] if mask.shape[0] == 1 else mask[:m]
            reply.mask_pixels = mask.to(torch.uint8).contiguous().cpu().numpy().tobytes()
    if not reply.inputs:
        raise WorkerError("INVALID_ARGUMENT", "preview.plan: expected terms that read at least one input")
    return reply


def _shown_inputs(checked: ValidatedPlan) -> list[int]:
    shown = set(checked.inputs()) | {worker_pb2.VIEW_0, worker_pb2.VIEW_1}
    if checked.mask is not None and checked.mask.fill == worker_pb2.PARTNER:
        for masked, complement in (
            (worker_pb2.MASKED_0, worker_pb2.COMPLEMENT_0),
            (worker_pb2.MASKED_1, worker_pb2.COMPLEMENT_1),
        ):
            if masked in shown:
                shown.add(complement)
    return sorted(shown)

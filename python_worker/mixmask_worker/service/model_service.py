"""RPCs that use a trained backbone outside training: Export, LoadBackbone and Embed.

The work runs on the worker's compute thread (in order with training steps, so Embed never reads a run's weights
in the middle of a step). Loaded backbones live in this service under the client's model id until replaced.
"""

from __future__ import annotations

import logging

import grpc
import torch

from mixmask_worker.evaluation.embedding import embed_images, requested_images
from mixmask_worker.evaluation.frozen_backbone import (
    FrozenBackbone,
    load_checkpoint_backbone,
    load_safetensors_backbone,
)
from mixmask_worker.export.backbone_export import export_backbone
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import WorkerError, reporting_errors
from mixmask_worker.service.worker_context import WorkerContext

log = logging.getLogger("mixmask_worker")


class ModelService:
    """Export, loaded backbones and embeddings of one worker."""

    def __init__(self, ctx: WorkerContext) -> None:
        self.store = ctx.store
        self._on_compute = ctx.on_compute
        self.device = ctx.device
        self._find_run = ctx.runs.get  # RUN_NOT_FOUND for an unknown id
        self.models: dict[str, FrozenBackbone] = {}

    def _model(self, model_id: str) -> FrozenBackbone:
        model = self.models.get(model_id)
        if model is None:
            held = ", ".join(sorted(self.models)) or "none"
            raise WorkerError(
                "MODEL_NOT_FOUND",
                f"model {model_id!r} is not loaded on this worker (loaded: {held}): call LoadBackbone first "
                "(a restarted worker holds no models)",
            )
        return model

    @reporting_errors
    async def Export(
        self, request: worker_pb2.ExportRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.ExportReply:
        reply = await self._on_compute(export_backbone, request)
        files = ", ".join(f.file for f in reply.files)
        log.info("exported %s to %s: %s", request.checkpoint_path, request.out_dir, files)
        return reply

    @reporting_errors
    async def LoadBackbone(
        self, request: worker_pb2.LoadBackboneRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.LoadBackboneReply:
        if not request.model_id:
            raise WorkerError("INVALID_ARGUMENT", "load_backbone.model_id: expected a non-empty id, received ''")
        source = request.WhichOneof("source")
        if source == "checkpoint":
            model = await self._on_compute(
                load_checkpoint_backbone, request.checkpoint.path, request.checkpoint.sha256, self.device
            )
        elif source == "safetensors":
            given = request.safetensors
            model = await self._on_compute(load_safetensors_backbone, given.path, given.sha256, given.spec, self.device)
        else:
            expected = "expected a checkpoint or a safetensors file, received neither"
            raise WorkerError("INVALID_ARGUMENT", f"load_backbone.source: {expected}")
        self.models[request.model_id] = model
        arch, dim = model.spec.backbone.arch, model.spec.feature_dim
        log.info("model %s loaded from %s: %s, feature dim %d", request.model_id, source, arch, dim)
        return worker_pb2.LoadBackboneReply(model_id=request.model_id, spec=model.spec)

    @reporting_errors
    async def Embed(self, request: worker_pb2.EmbedRequest, context: grpc.aio.ServicerContext) -> worker_pb2.EmbedReply:
        return await self._on_compute(self._embed, request)

    def _embed(self, request: worker_pb2.EmbedRequest) -> worker_pb2.EmbedReply:
        which = request.WhichOneof("model")
        if which == "run_id":
            run = self._find_run(request.run_id)
            backbone, size, mean, std = run.backbone, run.image_size, run.mean, run.std
        elif which == "model_id":
            model = self._model(request.model_id)
            spec = model.spec
            backbone, size = model.network, int(spec.image_size)
            mean = torch.tensor(list(spec.mean), dtype=torch.float32, device=self.device)  # [3]
            std = torch.tensor(list(spec.std), dtype=torch.float32, device=self.device)  # [3]
        else:
            raise WorkerError("INVALID_ARGUMENT", "embed.model: expected a run_id or a model_id, received neither")
        images = requested_images(request, self.store)
        return embed_images(backbone, images, size, mean, std, self.device, int(request.batch_size), request.normalize)

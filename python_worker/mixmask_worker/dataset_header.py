"""Validation of a DatasetHeader, shared by UploadDataset and BeginUpload."""

from __future__ import annotations

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.protocol import WorkerError


def check_dataset_header(header: worker_pb2.DatasetHeader) -> int:
    """Validates a DatasetHeader; returns the byte count its pixels must have."""
    issues: list[str] = []

    def add(path: str, expected: str, received: object) -> None:
        issues.append(f"upload.header.{path}: expected {expected}, received {received!r}")

    if not header.dataset_id:
        add("dataset_id", "a non-empty id (the content hash)", header.dataset_id)
    if header.count < 1:
        add("count", "at least 1 image", header.count)
    if header.height < 1 or header.width < 1:
        add("height/width", "an image size of at least 1x1", f"{header.height}x{header.width}")
    if header.channels not in (1, 3):
        add("channels", "1 (grey) or 3 (RGB)", header.channels)
    size = int(header.count) * int(header.height) * int(header.width) * int(header.channels)
    if header.total_bytes != size:
        add("total_bytes", f"count*height*width*channels = {size}", header.total_bytes)
    if len(header.labels) not in (0, header.count):
        add("labels", f"{header.count} labels (one per image) or none", f"{len(header.labels)} labels")
    if issues:
        raise WorkerError("INVALID_ARGUMENT", "dataset header is invalid: " + "; ".join(issues))
    return size

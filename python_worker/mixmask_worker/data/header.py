"""Validation of a DatasetHeader (BeginUpload, OpenStream)."""

from __future__ import annotations

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import invalid_request


def image_shape_issues(prefix: str, count: int, height: int, width: int, channels: int) -> list[str]:
    """Problems with the shape of a set of uint8 HWC images (uploaded or streamed), as ``path: expected, received``."""
    issues: list[str] = []
    if count < 1:
        issues.append(f"{prefix}.count: expected at least 1 image, received {count!r}")
    if height < 1 or width < 1:
        issues.append(f"{prefix}.height/width: expected an image size of at least 1x1, received '{height}x{width}'")
    if channels not in (1, 3):
        issues.append(f"{prefix}.channels: expected 1 (grey) or 3 (RGB), received {channels!r}")
    return issues


def check_dataset_header(header: worker_pb2.DatasetHeader) -> int:
    """Validates a DatasetHeader; returns the byte count its pixels must have."""
    issues = image_shape_issues("upload.header", header.count, header.height, header.width, header.channels)

    def add(path: str, expected: str, received: object) -> None:
        issues.append(f"upload.header.{path}: expected {expected}, received {received!r}")

    if not header.dataset_id:
        add("dataset_id", "a non-empty id (the content hash)", header.dataset_id)
    size = int(header.count) * int(header.height) * int(header.width) * int(header.channels)
    if header.total_bytes != size:
        add("total_bytes", f"count*height*width*channels = {size}", header.total_bytes)
    if len(header.labels) not in (0, header.count):
        add("labels", f"{header.count} labels (one per image) or none", f"{len(header.labels)} labels")
    if issues:
        raise invalid_request("dataset header is invalid: ", issues)
    return size

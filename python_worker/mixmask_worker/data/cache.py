"""The worker's on-disk dataset cache, keyed by content hash, so a restarted worker is not sent the same bytes twice.

An upload names its content by ``content_sha256`` (see ``content_hash``). After the pixels arrived and matched the
hash, the worker writes them here; a later worker process asked to take the same content (BeginUpload) reloads it
from disk instead of receiving it again. Layout, one entry per content hash ``H``::

    H.pixels   N*H*W*C uint8, the images concatenated (HWC)
    H.labels   N int32 little-endian (absent for an unlabelled dataset)
    H.json     {"count", "height", "width", "channels", "labelled"}: written last, so its presence commits the entry

Every file is written to a temporary name and renamed, so a crash leaves either a whole entry or none. An entry is
re-hashed when loaded: a damaged file is deleted and reported as a miss (the client then uploads again), never
trained on. Nothing is evicted; the folder is safe to delete at any time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from typing import Optional

import numpy as np

log = logging.getLogger("mixmask_worker")

_HASH = re.compile(r"^[0-9a-f]{64}$")
# Bytes hashed per update when re-checking an entry: large enough to be fast, small enough to stay flat in memory.
_HASH_CHUNK = 16 << 20


@dataclass(frozen=True)
class CachedDataset:
    images: np.ndarray  # [N, H, W, C] uint8
    labels: Optional[np.ndarray]  # [N] int64, or None


def content_hash_prefix(count: int, height: int, width: int, channels: int) -> bytes:
    """The bytes hashed before the pixels: the shape, so equal pixels of another shape hash differently."""
    return f"{count}x{height}x{width}x{channels};".encode()


def labels_bytes(labels: np.ndarray) -> bytes:
    """Labels as hashed and stored: int32 little-endian (what the TypeScript SDK hashes)."""
    return np.asarray(labels, dtype="<i4").tobytes()


def content_hash(images: np.ndarray, labels: Optional[np.ndarray]) -> str:
    """sha256 hex of prefix + pixels + labels for a [N, H, W, C] uint8 array (the upload's content_sha256)."""
    n, h, w, c = (int(d) for d in images.shape)
    digest = hashlib.sha256(content_hash_prefix(n, h, w, c))
    flat = np.ascontiguousarray(images).reshape(-1)
    for start in range(0, flat.shape[0], _HASH_CHUNK):
        digest.update(memoryview(flat[start : start + _HASH_CHUNK]))  # type: ignore[arg-type]  # numpy stubs
    if labels is not None and len(labels):
        digest.update(labels_bytes(labels))
    return digest.hexdigest()


def is_content_hash(value: str) -> bool:
    return bool(_HASH.match(value))


class DatasetCache:
    """Content-addressed datasets in one folder (created when missing)."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        os.makedirs(directory, exist_ok=True)

    def _path(self, sha256: str, suffix: str) -> str:
        return os.path.join(self.directory, f"{sha256}.{suffix}")

    def load(self, sha256: str) -> Optional[CachedDataset]:
        """The entry of ``sha256``, or None when absent or damaged (a damaged entry is removed)."""
        if not is_content_hash(sha256):
            return None
        try:
            with open(self._path(sha256, "json"), encoding="utf-8") as meta_file:
                meta = json.load(meta_file)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            self._discard(sha256, f"unreadable index ({error})")
            return None
        try:
            count, height, width, channels = (int(meta[k]) for k in ("count", "height", "width", "channels"))
            pixels = np.fromfile(self._path(sha256, "pixels"), dtype=np.uint8)
            labels = (
                np.fromfile(self._path(sha256, "labels"), dtype="<i4").astype(np.int64)
                if meta.get("labelled")
                else None
            )
        except (OSError, KeyError, TypeError, ValueError) as error:
            self._discard(sha256, f"unreadable entry ({error})")
            return None
        if pixels.shape[0] != count * height * width * channels or (labels is not None and labels.shape[0] != count):
            self._discard(sha256, "files shorter or longer than their index says")
            return None
        images = pixels.reshape(count, height, width, channels)
        if content_hash(images, labels) != sha256:
            self._discard(sha256, "content no longer matches its hash")
            return None
        return CachedDataset(images, labels)

    def store(self, sha256: str, images: np.ndarray, labels: Optional[np.ndarray]) -> None:
        """Writes an entry atomically (data files first, the index last)."""
        if not is_content_hash(sha256) or os.path.exists(self._path(sha256, "json")):
            return
        count, height, width, channels = (int(d) for d in images.shape)
        self._write(sha256, "pixels", memoryview(np.ascontiguousarray(images).reshape(-1)))  # type: ignore[arg-type]
        if labels is not None:
            self._write(sha256, "labels", labels_bytes(labels))
        meta = {"count": count, "height": height, "width": width, "channels": channels, "labelled": labels is not None}
        self._write(sha256, "json", json.dumps(meta).encode())
        log.info("dataset cache: stored %s (%.1f MiB) in %s", sha256[:16], images.nbytes / 2**20, self.directory)

    def _write(self, sha256: str, suffix: str, data: "bytes | memoryview") -> None:
        final = self._path(sha256, suffix)
        temporary = f"{final}.{os.getpid()}.tmp"
        with open(temporary, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, final)

    def _discard(self, sha256: str, why: str) -> None:
        log.warning("dataset cache: entry %s discarded: %s; the client will upload it again", sha256[:16], why)
        for suffix in ("json", "pixels", "labels"):
            try:
                os.unlink(self._path(sha256, suffix))
            except OSError:
                pass
        return None

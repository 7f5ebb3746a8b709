"""The worker's on-disk dataset cache: content-addressed, atomic, and never trusted without re-hashing."""

from __future__ import annotations

import hashlib
import os

import numpy as np
from plan_builders import make_images, make_labels

from mixmask_worker.data.cache import DatasetCache, content_hash


def test_content_hash_is_sha256_of_shape_pixels_and_int32_labels() -> None:
    images, labels = make_images(3, size=4), make_labels(3)
    expected = hashlib.sha256(b"3x4x4x3;" + images.tobytes() + labels.astype("<i4").tobytes()).hexdigest()
    assert content_hash(images, labels) == expected
    assert content_hash(images, None) == hashlib.sha256(b"3x4x4x3;" + images.tobytes()).hexdigest()
    # Same bytes, another shape: another hash.
    assert content_hash(images.reshape(3, 2, 8, 3), labels) != expected


def test_store_then_load_round_trips(tmp_path: str) -> None:
    cache = DatasetCache(str(tmp_path))
    images, labels = make_images(5, size=8), make_labels(5)
    sha = content_hash(images, labels)
    assert cache.load(sha) is None
    cache.store(sha, images, labels)
    loaded = cache.load(sha)
    assert loaded is not None
    assert np.array_equal(loaded.images, images) and np.array_equal(loaded.labels, labels)
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_unlabelled_datasets_round_trip(tmp_path: str) -> None:
    cache = DatasetCache(str(tmp_path))
    images = make_images(2, size=4)
    sha = content_hash(images, None)
    cache.store(sha, images, None)
    loaded = cache.load(sha)
    assert loaded is not None and loaded.labels is None and np.array_equal(loaded.images, images)


def test_a_damaged_entry_is_discarded_not_trained_on(tmp_path: str) -> None:
    cache = DatasetCache(str(tmp_path))
    images, labels = make_images(4, size=4), make_labels(4)
    sha = content_hash(images, labels)
    cache.store(sha, images, labels)
    with open(os.path.join(tmp_path, f"{sha}.pixels"), "r+b") as pixels:
        pixels.seek(10)
        pixels.write(bytes([(int(images.reshape(-1)[10]) + 1) % 256]))
    assert cache.load(sha) is None
    assert not os.listdir(tmp_path), "the damaged entry is removed, so the next upload replaces it"


def test_a_truncated_entry_is_discarded(tmp_path: str) -> None:
    cache = DatasetCache(str(tmp_path))
    images = make_images(4, size=4)
    sha = content_hash(images, None)
    cache.store(sha, images, None)
    with open(os.path.join(tmp_path, f"{sha}.pixels"), "r+b") as pixels:
        pixels.truncate(20)
    assert cache.load(sha) is None


def test_an_entry_without_its_index_is_absent(tmp_path: str) -> None:
    # The index is written last: data files alone are what a crash mid-write leaves, and they are not an entry.
    cache = DatasetCache(str(tmp_path))
    images = make_images(2, size=4)
    sha = content_hash(images, None)
    cache.store(sha, images, None)
    os.unlink(os.path.join(tmp_path, f"{sha}.json"))
    assert cache.load(sha) is None

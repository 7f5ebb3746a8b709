"""The centred-pixel baseline on Fashion-MNIST with the worker's own k-NN and linear probe (docs/EVALUATION.md).

  OMP_NUM_THREADS=1 nice -n 19 .venv/bin/python bench/pixel_baseline.py

Pixels / 255 at 28×28, flattened; "centred" subtracts the mean image of the bank (the training images). k-NN:
weighted, cosine, k = 200, T = 0.1, bank = the first N training images, queries = the first M test images. Probe: the
release settings (100 epochs, lr 30, momentum 0.9, batch 256, ×0.1 at 60 and 80) on the centred pixels, 10 000 / 2 000.
"""

from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python_worker"))
from mixmask_worker.evaluation.linear_probe import ProbeSettings, train_linear_probe  # noqa: E402
from mixmask_worker.evaluation.knn import weighted_knn  # noqa: E402

DIR = Path("/usr/share/datasets/fashion-mnist")


def images(name: str) -> np.ndarray:
    return np.frombuffer(gzip.open(DIR / name).read(), np.uint8, offset=16).reshape(-1, 784)


def labels(name: str) -> np.ndarray:
    return np.frombuffer(gzip.open(DIR / name).read(), np.uint8, offset=8)


def main() -> None:
    torch.set_num_threads(1)
    x_train, x_test = images("train-images-idx3-ubyte.gz"), images("t10k-images-idx3-ubyte.gz")
    y_train, y_test = labels("train-labels-idx1-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz")
    for n_train, n_test in [(10_000, 2_000), (60_000, 10_000)]:
        bank = torch.from_numpy(x_train[:n_train].astype(np.float32) / 255)
        queries = torch.from_numpy(x_test[:n_test].astype(np.float32) / 255)
        bank_y = torch.from_numpy(y_train[:n_train].astype(np.int64))
        query_y = torch.from_numpy(y_test[:n_test].astype(np.int64))
        mean = bank.mean(dim=0)
        for name, b, q in [("raw", bank, queries), ("centred", bank - mean, queries - mean)]:
            started = time.perf_counter()
            top1, _ = weighted_knn(F.normalize(b, dim=1), bank_y, F.normalize(q, dim=1), query_y, 200, 0.1, 10)
            print(f"{n_train} / {n_test} {name} pixels: k-NN top-1 {top1:.4f} ({time.perf_counter() - started:.1f} s)")
        if n_train == 10_000:
            settings = ProbeSettings(100, 256, 30.0, 0.9, 0.0, (60, 80), 0.1, 0.01)
            out = train_linear_probe(bank - mean, bank_y, queries - mean, query_y, 10, settings,
                                     torch.Generator().manual_seed(1))
            print(f"{n_train} / {n_test} centred pixels: linear probe top-1 {out.test_top1[-1]:.4f} last, "
                  f"{max(out.test_top1):.4f} best")


if __name__ == "__main__":
    main()

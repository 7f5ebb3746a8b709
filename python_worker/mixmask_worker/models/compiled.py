"""Optional ``torch.compile`` of a run's step networks (proto CreateRunRequest.compile).

Why: a small ResNet at small images (ResNet-18 at 28–32 px) is launch-bound on a GPU — each convolution, BatchNorm
and ReLU is its own kernel with little work in it. Inductor fuses the BatchNorm/ReLU/add elementwise chains around
the convolutions (forward and, through AOTAutograd, backward), and ``"reduce-overhead"`` also captures the whole
step's kernels in a CUDA graph, so the host launches one graph instead of hundreds of kernels. The cost is the first
steps: tracing and compiling take tens of seconds (more with ``"max-autotune"``, which benchmarks kernel choices).

How: ``nn.Module.compile`` compiles the module's ``__call__`` in place, so the module object, its parameters (which
the optimizer holds) and its ``state_dict`` keys stay the eager ones — no ``_orig_mod.`` prefix, and checkpoints of
a compiled run and of an eager run load into each other. Only the modules compiled here run compiled: evaluation,
embedding and export call ``run.online.backbone`` (a child module) directly, which bypasses the encoder's compiled
``__call__`` and runs eagerly — so k-NN, the linear probe and exported files never depend on a compile, and their
train/eval toggling of the backbone does not touch the compiled step's guards.

Compile after the momentum encoder is deep-copied from the online one: the copy starts as a plain module and gets its
own compiled wrapper here, whatever ``copy.deepcopy`` does with a compiled one.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sysconfig
from typing import Optional

import torch
from torch import nn

# "" (an older client) and "off" run eagerly; the others are torch.compile's modes.
COMPILE_MODES = ("off", "default", "reduce-overhead", "max-autotune")


def compile_mode(requested: str) -> Optional[str]:
    """The torch.compile mode for a CreateRunRequest.compile value (already validated), or None for eager."""
    return None if requested in ("", "off") else requested


def compile_in_place(modules: list[Optional[nn.Module]], mode: str) -> None:
    """``module.compile(mode=mode)`` for each module that exists (inductor backend, graphs recompiled only when a
    guard fails: a new batch size, train/eval of the whole module, grad mode)."""
    for module in modules:
        if module is not None:
            module.compile(mode=mode)


def compile_toolchain_missing(device: torch.device) -> Optional[str]:
    """What inductor lacks on this machine to compile for ``device`` (None when nothing is missing).

    Cheap on purpose (the worker asks at Hello): no inductor import, only what its first compile would fail on —
    a C++ compiler and Python's headers on CPU; triton, a C compiler and Python's headers on CUDA.
    """
    if not hasattr(nn.Module, "compile"):
        return f"torch {torch.__version__} has no nn.Module.compile (torch >= 2.2 has)"
    missing = []
    if device.type == "cuda":
        if importlib.util.find_spec("triton") is None:
            missing.append("triton (the CUDA build of torch ships it)")
        if not (os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")):
            missing.append("a C compiler (apt-get install gcc)")
    elif not (os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++") or shutil.which("clang++")):
        missing.append("a C++ compiler (apt-get install g++)")
    include = sysconfig.get_paths().get("include", "")
    if not os.path.exists(os.path.join(include, "Python.h")):
        missing.append(f"Python's headers ({include}/Python.h; apt-get install python3-dev)")
    return "; ".join(missing) or None

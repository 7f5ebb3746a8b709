"""The malloc policy: freed memory stays in the worker for the next step, unless the environment decides otherwise."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from mixmask_worker.service.malloc_policy import MallocPolicyError, apply_malloc_policy, chosen_elsewhere

glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the policy sets glibc's malloc")

# A step's pattern in small: tensors of 40 MB (above glibc's largest mmap threshold, 32 MiB, so glibc always maps
# and unmaps them) allocated, written and freed, round after round. Prints the minor page faults of rounds 7–11: the
# retained heap settles within 3 to 5 rounds, as its free blocks coalesce (e.g. 39 100, 39 063, 39 062, 9 766, 39 062
# faults, then 0 in every later round); under glibc's defaults every round faults 39 064 pages in again.
_ROUNDS = """
import json, resource, sys
from mixmask_worker.service.malloc_policy import apply_malloc_policy
policy = apply_malloc_policy()
import torch
def round_():
    tensors = [torch.ones(10_000_000) for _ in range(4)]
    del tensors
for _ in range(6):
    round_()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    round_()
print(json.dumps([policy, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before]))
"""


def _faults_in_fresh_python(malloc: str) -> tuple[str, int]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "LD_PRELOAD"}
    env = {**clean, "MIXMASK_WORKER_MALLOC": malloc}
    out = subprocess.run([sys.executable, "-c", _ROUNDS], env=env, capture_output=True, text=True, check=True)
    policy, faults = json.loads(out.stdout)
    return policy, faults


@glibc_only
def test_retained_memory_is_reused_without_page_faults() -> None:
    # 5 rounds × 4 tensors × 40 MB = 800 MB of fresh pages (~195 000 faults) under glibc's defaults.
    policy, faults = _faults_in_fresh_python("retain")
    assert policy == "retain"
    assert faults < 2_000, f"{faults} minor page faults: freed memory went back to the kernel"
    system_policy, system_faults = _faults_in_fresh_python("system")
    assert system_policy == "system (MIXMASK_WORKER_MALLOC)"
    assert system_faults > 100_000  # the pattern does fault under glibc's defaults, so the bound above means something


def test_the_environment_decides_first() -> None:
    assert chosen_elsewhere({"MALLOC_ARENA_MAX": "2"}) is None  # not a trailing-underscore tunable variable
    assert chosen_elsewhere({"MALLOC_TRIM_THRESHOLD_": "0"}) == "MALLOC_TRIM_THRESHOLD_ set"
    assert chosen_elsewhere({"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"}) == "GLIBC_TUNABLES set"
    assert chosen_elsewhere({"LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"}) == "LD_PRELOAD allocator"
    assert chosen_elsewhere({"LD_PRELOAD": "/usr/lib/libtcmalloc_minimal.so.4"}) == "LD_PRELOAD allocator"
    assert apply_malloc_policy({"MALLOC_TOP_PAD_": "0"}) == "system (MALLOC_TOP_PAD_ set)"
    assert apply_malloc_policy({"MIXMASK_WORKER_MALLOC": "system"}) == "system (MIXMASK_WORKER_MALLOC)"


def test_an_unknown_policy_names_the_variable_and_the_choices() -> None:
    with pytest.raises(MallocPolicyError, match=r"MIXMASK_WORKER_MALLOC='keep': expected one of retain, system"):
        apply_malloc_policy({"MIXMASK_WORKER_MALLOC": "keep"})

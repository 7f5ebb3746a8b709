"""Runs the SDK's TypeScript fixture scripts (test/fixtures/*.ts) so Python tests can check what TypeScript plans.

Skips when the npm dependencies are not installed (a worker-only checkout, e.g. on a GPU machine without Node).
"""

from __future__ import annotations

import os
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TSX = os.path.join(REPO, "node_modules", ".bin", "tsx")


def run_ts_fixture(script: str, *args: str) -> str:
    """stdout of ``tsx test/fixtures/<script> args…``; fails the test with the script's stderr if it fails."""
    if not os.path.exists(TSX):
        pytest.skip("npm dependencies are not installed (run `npm ci`): the TypeScript side cannot be run")
    done = subprocess.run(
        [TSX, os.path.join(REPO, "test", "fixtures", script), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        pytest.fail(f"test/fixtures/{script} {' '.join(args)} failed (exit {done.returncode}):\n{done.stderr}")
    return done.stdout

"""The worker is a normal Python package: ``pip install python_worker`` installs every module (subpackages and the
generated protocol code included, found by package discovery) and ``python -m mixmask_worker`` runs from the install,
not from the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

WORKER_DIR = Path(__file__).resolve().parents[1]
PACKAGE = WORKER_DIR / "mixmask_worker"


def modules_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*.py") if "__pycache__" not in p.parts}


def test_pip_install_ships_every_module_and_runs(tmp_path: Path) -> None:
    target = tmp_path / "site"
    # Built from a copy: setuptools' build/ folder in the source tree would otherwise be reused and could hide a module
    # that package discovery misses.
    source = tmp_path / "source"
    shutil.copytree(PACKAGE, source / "mixmask_worker", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(WORKER_DIR / "pyproject.toml", source)
    # --no-build-isolation: setuptools from this environment, so the test needs no package index.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        cwd=tmp_path,
    )
    assert modules_under(target / "mixmask_worker") == modules_under(PACKAGE)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import mixmask_worker, mixmask_worker.__main__ as m; print(mixmask_worker.__file__)"],
        check=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.strip().startswith(str(target))
    usage = subprocess.run(
        [sys.executable, "-m", "mixmask_worker", "--help"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert usage.returncode == 0, usage.stderr
    assert "--listen" in usage.stdout

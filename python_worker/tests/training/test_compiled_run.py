"""CreateRunRequest.compile: a run compiled with torch.compile (inductor, on this CPU) trains as the eager run does,
writes the same checkpoints, and does not recompile after its first step.

One compiled run only: its first step compiles the online encoder's forward and backward and the momentum encoder's
forward, which takes most of this file's time (measured on the 2-core development VM, one torch thread: 139 s for
the first three steps with an empty inductor cache, 141 s for the test; 9–13 s for the file once the inductor cache
in /tmp/torchinductor_$USER holds the compiled graphs).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
import torch
import torch._dynamo.utils
from plan_builders import make_images, make_labels, mixmask_plan, run_request, shuffled

from mixmask_worker.data.store import DatasetStore
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.compiled import compile_toolchain_missing
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.run import TrainingRun

CPU = torch.device("cpu")
N = 16
pytestmark = pytest.mark.usefixtures("one_thread")

# Inductor computes in float32 as eager does, but fuses BatchNorm's reductions and the elementwise chains around the
# convolutions, which reassociates sums: each op differs by a few float32 ulps (~1e-7 relative), and three SGD steps
# with a queue carry that into the weights and keys. Measured: losses of steps 0, 1, 2 differ by 4e-7, 3e-7 and
# 5e-6 relative (the last step's loss is 6.98). 1e-4 leaves 20x margin and is still well below what a wrong
# compiled step gives: a momentum encoder that the compiled step leaves stale (tried by skipping the EMA update)
# moves the losses of steps 1 and 2 by 4e-3 and 9e-3 relative.
LOSS_RTOL = 1e-4


@pytest.fixture(scope="module")
def store() -> DatasetStore:
    store = DatasetStore(CPU)
    store.put("train", make_images(N), make_labels(N))
    return store


def _train(run: TrainingRun, steps: int, first_step: int = 0) -> list[float]:
    return [
        run.step(mixmask_plan(step, list(range(N)), lr=0.03, key_shuffle=shuffled(N, step))).resolve().loss
        for step in range(first_step, first_step + steps)
    ]


def _compiled_frames() -> int:
    """Frames dynamo has compiled in this process, recompilations included."""
    return int(torch._dynamo.utils.counters["frames"]["total"])


@pytest.mark.skipif(compile_toolchain_missing(CPU) is not None, reason=f"{compile_toolchain_missing(CPU)}")
def test_compiled_run_trains_as_eager_shares_checkpoints_and_does_not_recompile(
    store: DatasetStore, tmp_path: object
) -> None:
    eager = TrainingRun(run_request(seed=4), store, CPU)
    eager_losses = _train(eager, 3)
    eager_path = os.path.join(str(tmp_path), "eager.pt")
    _, eager_sha = eager.save(eager_path, step=3)

    compiled = TrainingRun(run_request(seed=4, compile="default"), store, CPU)
    assert compiled.compile_in_use == "default"
    assert compiled.online.backbone._compiled_call_impl is None  # evaluation and export read an eager backbone
    frames = _compiled_frames()
    started = time.perf_counter()
    compiled_losses = _train(compiled, 3)
    print(f"3 compiled steps (compile included): {time.perf_counter() - started:.1f} s")
    assert _compiled_frames() > frames, "the run did not compile anything"
    np.testing.assert_allclose(compiled_losses, eager_losses, rtol=LOSS_RTOL)

    # Same state_dict keys (no "_orig_mod."), so checkpoints go both ways: compiled -> eager and eager -> compiled.
    for name in ("online", "momentum"):
        assert list(getattr(compiled, name).state_dict()) == list(getattr(eager, name).state_dict()), name
    compiled_path = os.path.join(str(tmp_path), "compiled.pt")
    _, compiled_sha = compiled.save(compiled_path, step=3)
    reloaded = TrainingRun(run_request(seed=99), store, CPU)
    reloaded.load(compiled_path, compiled_sha)
    for ours, theirs in zip(reloaded.online.state_dict().values(), compiled.online.state_dict().values()):
        assert torch.equal(ours, theirs)

    # After warm-up nothing recompiles: not k-NN (it puts the backbone in eval mode and back), not more steps, not a
    # checkpoint loaded into the compiled networks (load_state_dict copies into the same tensors).
    frames = _compiled_frames()
    knn = worker_pb2.KnnRequest(train_dataset_id="train", test_dataset_id="train", k=3, temperature=0.1, batch_size=8)
    compiled.knn(knn)
    _train(compiled, 1, first_step=3)
    compiled.load(eager_path, eager_sha)
    resumed = _train(compiled, 1, first_step=3)  # the eager run's step 3, continued compiled
    assert _compiled_frames() == frames, "a step after warm-up recompiled"
    np.testing.assert_allclose(resumed, _train(eager, 1, first_step=3), rtol=LOSS_RTOL)


def test_unknown_compile_mode_is_invalid_argument_listing_the_modes(store: DatasetStore) -> None:
    with pytest.raises(WorkerError) as caught:
        TrainingRun(run_request(compile="fast"), store, CPU)
    assert caught.value.code == "INVALID_ARGUMENT"
    message = caught.value.message
    assert "run.compile" in message and "'fast'" in message
    assert all(f"'{mode}'" in message for mode in ("off", "default", "reduce-overhead", "max-autotune"))
    assert TrainingRun(run_request(compile="off"), store, CPU).compile_mode is None

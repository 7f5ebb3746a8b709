#!/usr/bin/env bash
# One-invocation performance check (issue 6), at most ~9 minutes on a bare GPU machine without package access.
# For ResNet-18 at 32 px and ResNet-50 at 224 px with MoCo v2 + MixMask it measures, side by side on one card:
#   sdk        the SDK: TypeScript plans every step, several in flight over gRPC      (dist/bench-throughput.mjs)
#   plain      the same plans replayed by a plain Python loop on the worker's modules (bench/worker/plain_loop.py)
#   ceiling    the same networks on tensors already on the device                     (bench/worker/model_ceiling.py)
#   reference  the release's style: PIL augmentation in DataLoader workers, fp32      (bench/worker/release_reference.py)
# for eager networks, then for networks under torch.compile (`--compile reduce-overhead`: CUDA graphs; `default`),
# and prints the table last (bench/worker/summarize.py). $OUT gets at most 8 files (what the device tool brings back):
# results.jsonl, results.md, logs.txt, gpu.txt, versions.txt, frameworks.txt and a torch.profiler table of the plain
# loop per config (profile-<config>.txt).
#
# Prepared on a development machine:  npm run bundle   (dist/), and .device/node.xz if the GPU machine lacks Node.
# Run there with dist and .device carried:  bash bench/gpu/check-performance.sh
# MIXMASK_BENCH_SCALE=tiny runs the same script on a CPU in a minute (a smoke test of the script itself);
# MIXMASK_BENCH_SCALE=cpu measures the CPU preset's step on this machine (the issue's CPU bridge target).
set -uo pipefail
OUT=${OUT:-/tmp/mixmask-perf-out}
RESULTS=/tmp/mixmask-perf-results   # one JSON line per config × bench; combined into $OUT/results.jsonl at the end
rm -rf "$RESULTS" && mkdir -p "$OUT" "$RESULTS"
LOGS="$OUT/logs.txt"
log() { echo "== $*" >&2; }
NODE=$(command -v node || true)
if [ -z "$NODE" ]; then xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node && NODE=/tmp/node; fi
PY=${MIXMASK_PYTHON:-python3}
export MIXMASK_PYTHON=$PY
if command -v nvidia-smi >/dev/null; then nvidia-smi --query-gpu=name,memory.total --format=csv,noheader > "$OUT/gpu.txt"; else echo "cpu (no GPU)" > "$OUT/gpu.txt"; fi
$PY -c "import sys, torch; print('python', sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.cuda.is_available())" | tee "$OUT/versions.txt"

# name | SDK flags | source side | images | steps | warmup | reference steps | benches | environment of the benches
# The default step formulation fuses the query inputs into one online forward with grouped batch norm
# (python_worker/mixmask_worker/training/step_formulation.py); the "-legacy" rows run the formulation before it (one forward
# per input, SplitBatchNorm2d), for the fused forward's effect on the host-bound ResNet-18 step. Not yet measured.
ALL="sdk plain ceiling reference"
if [ "${MIXMASK_BENCH_SCALE:-full}" = tiny ]; then
  CONFIGS=(
    "r18-32px|--preset cpu --batch 32 --base-width 8 --threads 2|32|256|4|2|3|$ALL"
    "r18-32px-legacy|--preset cpu --batch 32 --base-width 8 --threads 2|32|256|4|2|3|sdk plain|MIXMASK_STEP_FORMULATION=legacy"
    "r18-32px-compiled|--preset cpu --batch 32 --base-width 8 --threads 2 --compile default|32|256|4|2|3|sdk ceiling"
  )
  DEVICE=cpu
elif [ "${MIXMASK_BENCH_SCALE:-full}" = cpu ]; then
  # The CPU preset's step (ResNet-18 at width 16, 28-px views, batch 128). The bridge-overhead target (≥ 0.97) is
  # measured interleaved by `npm run bench:bridge`; this runs the four benches one after another.
  CONFIGS=("cpu-preset|--preset cpu --threads 2|28|4096|30|5|10|$ALL")
  DEVICE=cpu
else
  # The compiled rows come after the eager ones: a compile failure costs only its own rows. Their plain loop and
  # release-style reference are left out (the eager row has them; compiling costs a minute per process); their
  # ceiling runs the same compiled networks, so SDK/ceiling stays like for like.
  R18="--preset gpu --arch resnet18 --cifar-stem true --image-size 32 --batch 512 --base-width 64 --precision bf16"
  R50="--preset gpu --arch resnet50 --cifar-stem false --image-size 224 --batch 128 --base-width 64 --head-hidden 2048 --precision bf16 --blur-probability 0.5"
  CONFIGS=(
    "r18-32px|$R18|32|16384|60|15|30|$ALL"
    "r50-224px|$R50|256|1024|30|8|15|$ALL"
    "r18-32px-legacy|$R18|32|16384|60|15|0|sdk|MIXMASK_STEP_FORMULATION=legacy"
    "r18-32px-reduce-overhead|$R18 --compile reduce-overhead|32|16384|60|15|0|sdk ceiling"
    "r18-32px-compile-default|$R18 --compile default|32|16384|60|15|0|sdk ceiling"
  )
  DEVICE=cuda
fi
# Benches still to start after this many seconds are skipped (the device tool's limit is 600 s a call).
BUDGET_S=${MIXMASK_BENCH_BUDGET_S:-500}
wanted() { [[ " $benches " == *" $1 "* ]] && { [ "$SECONDS" -lt "$BUDGET_S" ] || { log "$name $1: skipped, ${SECONDS}s spent"; false; }; }; }

for entry in "${CONFIGS[@]}"; do
  IFS='|' read -r name flags side count steps warmup refsteps benches environment <<< "$entry"
  # shellcheck disable=SC2086
  export ${environment:-MIXMASK_STEP_FORMULATION=fused}
  plans="/tmp/$name.plans"
  if wanted sdk; then
    log "$name: SDK (${SECONDS}s)"
    # shellcheck disable=SC2086
    timeout 200 "$NODE" dist/bench-throughput.mjs $flags --device $DEVICE --source-size "$side" --count "$count" \
      --steps "$steps" --warmup "$warmup" --dump-plans "$plans" > "$RESULTS/$name-sdk.json" 2>> "$LOGS" || log "$name SDK failed: $(tail -3 "$LOGS")"
  fi
  if wanted plain; then
    log "$name: plain loop (${SECONDS}s)"
    timeout 120 $PY bench/worker/plain_loop.py --plans "$plans" --count "$count" --source-size "$side" --warmup "$warmup" \
      --device $DEVICE --profile "$OUT/profile-$name.txt" > "$RESULTS/$name-plain.json" 2>> "$LOGS" || log "$name plain failed: $(tail -3 "$LOGS")"
  fi
  if wanted ceiling; then
    log "$name: model-only ceiling (${SECONDS}s)"
    timeout 150 $PY bench/worker/model_ceiling.py --plans "$plans" --steps "$steps" --warmup "$warmup" --device $DEVICE \
      > "$RESULTS/$name-ceiling.json" 2>> "$LOGS" || log "$name ceiling failed: $(tail -3 "$LOGS")"
  fi
  if wanted reference; then
    log "$name: release-style reference (${SECONDS}s)"
    blur=""; [ "$side" -ge 128 ] && blur="--blur"
    timeout 150 $PY bench/worker/release_reference.py --plans "$plans" --count "$count" --source-size "$side" \
      --steps "$refsteps" --warmup 3 --device $DEVICE $blur > "$RESULTS/$name-reference.json" 2>> "$LOGS" \
      || log "$name reference failed: $(tail -3 "$LOGS")"
  fi
done
log "benches done (${SECONDS}s)"
$PY bench/worker/summarize.py "$RESULTS" "$OUT/gpu.txt" "$OUT/results.jsonl" | tee "$OUT/results.md"

# Every framework with MixMask + Un-Mix on the GPU (CUDA paths of every masker: per-sample masks, complements, noise),
# when time is left: MIXMASK_GPU_FRAMEWORKS=1 and the Fashion-MNIST files in .device/fashion-mnist.
if [ "${MIXMASK_GPU_FRAMEWORKS:-0}" = 1 ] && [ "$SECONDS" -lt 330 ]; then
  for combo in "mocov2 both --mask-per-sample true" "simclr erase --erase-fill noise" "byol both" "simsiam mixmask --mask-shape discrete"; do
    read -r framework masker extra <<< "$combo"
    log "framework $framework, masker $masker $extra"
    # shellcheck disable=SC2086
    timeout 60 "$NODE" dist/mixmask.mjs pretrain --data-dir .device/fashion-mnist --device cuda --framework "$framework" \
      --masker "$masker" $extra --train-images 8192 --test-images 2000 --epochs 2 --run-dir "/tmp/fw-$framework" \
      > "/tmp/fw-$framework.log" 2>&1 || log "$framework failed: $(tail -3 "/tmp/fw-$framework.log")"
    grep -E "k-NN top-1, (untrained|trained)|throughput" "/tmp/fw-$framework.log" | sed "s/^/$framework $masker: /" | tee -a "$OUT/frameworks.txt"
  done
fi

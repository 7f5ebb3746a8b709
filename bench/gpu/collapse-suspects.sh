#!/usr/bin/env bash
# Does the `gpu` preset's fix hold on a GPU (docs/GPU_FOUNDATION.md, "The cause")? The CPU found lr 0.06 a step twice
# too large at width 64 and the preset's lr is now 0.03. Arms: the preset; the old lr 0.06 (the H100's collapse); the
# old lr in fp32 channels-first (the collapse needs neither bf16 nor channels_last, as the CPU says); the old lr with
# m 0.999 (the other candidate fix, docs/CPU_RECIPE.md). Each arm is stopped by the learning-health monitor at its
# first collapse warning (--on-collapse stop, exit status 3), so a collapsing arm costs only its first epochs. Sized for
# one call of at most 10 minutes on an H100 (the preset's 8 epochs take about 65 s there).
# Prepared and carried as for learning-run.sh (dist/, .device/; see its header). UNMEASURED: no GPU in the session that
# wrote it; checked on the CPU at a tiny size only (MIXMASK_SUSPECTS_TINY=1).
set -uo pipefail
OUT=${OUT:-/tmp/mixmask-gpu-out}
mkdir -p "$OUT"
NODE=$(command -v node || true)
if [ -z "$NODE" ]; then
  xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node && NODE=/tmp/node
fi
export MIXMASK_PYTHON=${MIXMASK_PYTHON:-python3}
DATA=${MIXMASK_DATA_DIR:-.device/fashion-mnist}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/gpu.txt" 2>/dev/null
common=(--preset gpu --data-dir "$DATA" --lane grpc --checkpoint-every 0 --linear-probe false --on-collapse stop --overwrite)
if [ "${MIXMASK_SUSPECTS_TINY:-0}" = 1 ]; then  # a CPU smoke check of the script itself, not a measurement
  common+=(--device cpu --threads 1 --train-images 256 --test-images 128 --base-width 4 --batch-size 32 --epochs 1)
fi
arms=(
  "preset:"
  "lr0.06:--lr 0.06"
  "lr0.06-fp32-channels-first:--lr 0.06 --precision fp32 --channels-last false"
  "lr0.06-m0.999:--lr 0.06 --key-momentum 0.999"
)
for arm in "${arms[@]}"; do
  name=${arm%%:*}
  read -r -a extra <<< "${arm#*:}"
  timeout 110 "$NODE" dist/mixmask.mjs pretrain "${common[@]}" "${extra[@]}" --run-dir "/tmp/suspect-$name" \
    > "$OUT/$name.log" 2>&1
  status=$?
  grep -v '^step' "$OUT/$name.log" > "$OUT/$name.txt"; rm -f "$OUT/$name.log"
  first=$(head -n 1 "/tmp/suspect-$name/health.jsonl" 2>/dev/null)
  echo "$name: exit $status; first health warning: ${first:-none}" | tee -a "$OUT/suspects.txt"
done

#!/usr/bin/env bash
# docs/GPU_FOUNDATION.md, "The cause": the gpu preset at width 16, fp32, channels-first on the CPU, one value changed
# (--lr). ./repro.sh NAME LR [more flags]: resumable (add --resume), 1 torch thread, run dir $RUNS/NAME.
# Recorded as w16-lr0.06 and w16-lr0.14 (stopped by SIGINT after about 290 of 936 steps).
name=$1; lr=$2; shift 2
cd "$(dirname "$0")/../../.." || exit 1
RUNS=${RUNS:-runs/gpu-collapse-cpu}
mkdir -p "$RUNS"
OMP_NUM_THREADS=1 exec node bin/mixmask.js pretrain --preset gpu --device cpu --threads 1 --base-width 16 \
  --precision fp32 --channels-last false --lr "$lr" --linear-probe false --run-dir "$RUNS/$name" "$@" \
  >> "$RUNS/$name.log" 2>&1

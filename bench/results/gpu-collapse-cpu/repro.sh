#!/usr/bin/env bash
# Issue 15 item 6: the gpu preset at width 16, fp32, channels-first on the CPU, one value changed: --lr.
# ./repro.sh NAME LR [more flags]; resumable (--resume), 1 torch thread.
name=$1; lr=$2; shift 2
cd /work/main
OMP_NUM_THREADS=1 exec node bin/mixmask.js pretrain --preset gpu --device cpu --threads 1 --base-width 16 \
  --precision fp32 --channels-last false --lr "$lr" --linear-probe false --run-dir "/work/runs/width/$name" "$@" \
  >> "/work/runs/width/$name.log" 2>&1

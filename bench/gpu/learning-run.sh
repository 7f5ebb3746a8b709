#!/usr/bin/env bash
# One-invocation GPU learning result (issue 5, docs/RESULTS.md): ResNet-18 at full width on all of Fashion-MNIST,
# MoCo v2 with `none` vs MixMask, tens of epochs, k-NN every 5 epochs and the linear probe, through `mixmask compare`.
# Sized for one 10-minute call on an H100 (the GPU preset trains about 15 epochs a minute there: docs/GPU_FOUNDATION.md).
#
# Prepared on a development machine (the GPU machine has no npm registry, maybe no Node, and no Debian dataset):
#   npm run bundle                                    # dist/mixmask.mjs
#   mkdir -p .device/fashion-mnist && cp /usr/share/datasets/fashion-mnist/*.gz .device/fashion-mnist/
#   xz -9 -c "$(command -v node)" > .device/node.xz   # only if the GPU machine lacks Node
# Run there with .device and dist carried:  bash bench/gpu/learning-run.sh   (writes into $OUT; ≤ 8 files come back)
#   MIXMASK_GPU_EPOCHS (default 40), MIXMASK_GPU_SEEDS (default 0)
# Needs there: Node >= 20 (or .device/node.xz), python3 with torch, grpcio, protobuf and numpy (the GPU image has them),
# python_worker/ (tracked, so carried), no node_modules. Checked on the CPU from a folder holding only dist/ and
# python_worker/ (test/consumer/package.test.ts does so for the bundled CLI): without sharp its plots are SVG.
# `--lane grpc`: the bundle's zeromq lane needs the zeromq npm package, absent there (and pyzmq is absent too).
set -uo pipefail
OUT=${OUT:-/tmp/mixmask-gpu-out}
mkdir -p "$OUT"
NODE=$(command -v node || true)
if [ -z "$NODE" ]; then
  xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node && NODE=/tmp/node
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
export MIXMASK_PYTHON=python3
timeout 560 "$NODE" dist/mixmask.mjs compare --preset gpu --data-dir .device/fashion-mnist \
  --vary masker=none,mixmask --seeds "${MIXMASK_GPU_SEEDS:-0}" --epochs "${MIXMASK_GPU_EPOCHS:-40}" \
  --knn-every 5 --checkpoint-every 0 --lane grpc --out /tmp/gpu-compare 2>&1 | grep -v '^step' | tee "$OUT/compare.log"
status=${PIPESTATUS[0]}
cp /tmp/gpu-compare/report.md /tmp/gpu-compare/results.json "$OUT/" 2>/dev/null
cp /tmp/gpu-compare/plots/*.png "$OUT/" 2>/dev/null
exit "$status"

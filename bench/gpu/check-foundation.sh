#!/usr/bin/env bash
# One-invocation GPU check of the foundation (issue 2): the worker starts on the GPU image's preinstalled Python,
# torch, grpcio and protobuf; `mixmask pretrain` with the automatic preset picks the GPU preset (full-width ResNet-18,
# all 60 000 Fashion-MNIST images, bf16) and finishes in a few minutes; k-NN before and after.
#
# Prepared on a development machine (the GPU machine has no npm registry, maybe no Node, and no Debian dataset):
#   npm run bundle                                    # dist/mixmask.mjs
#   mkdir -p .device/fashion-mnist && cp /usr/share/datasets/fashion-mnist/*.gz .device/fashion-mnist/
#   xz -9 -c "$(command -v node)" > .device/node.xz   # only if the GPU machine lacks Node
# Run there with .device and dist carried:  bash bench/gpu/check-foundation.sh   (writes into $OUT)
set -uo pipefail
OUT=${OUT:-/tmp/mixmask-gpu-out}
mkdir -p "$OUT"
log() { echo "== $*"; }

NODE=$(command -v node || true)
if [ -z "$NODE" ]; then
  xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node && NODE=/tmp/node
fi
log "node $($NODE --version) at $NODE"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 -c "import sys, torch, grpc, google.protobuf as p; print('python', sys.version.split()[0], 'torch', torch.__version__, 'grpcio', grpc.__version__, 'protobuf', p.__version__, 'cuda', torch.cuda.is_available())" | tee "$OUT/versions.txt"

export MIXMASK_PYTHON=python3
log "doctor"
timeout 120 "$NODE" dist/mixmask.mjs doctor || true

log "pretrain, automatic preset"
start=$(date +%s)
timeout 290 "$NODE" dist/mixmask.mjs pretrain --data-dir .device/fashion-mnist --run-dir "$OUT/run" --checkpoint-every 5 2>&1 | tee "$OUT/pretrain.log"
status=${PIPESTATUS[0]}
log "pretrain exit $status after $(( $(date +%s) - start )) s"
rm -f "$OUT"/run/checkpoints/*.pt   # too large to bring back; latest.json keeps the hash

# Optional comparisons at the same budget: MIXMASK_GPU_VARIANTS="name:--flag value --flag value;name2:..."
IFS=';' read -ra variants <<< "${MIXMASK_GPU_VARIANTS:-}"
for v in "${variants[@]}"; do
  [ -n "$v" ] || continue
  name=${v%%:*}; flags=${v#*:}
  log "variant $name: $flags"
  # shellcheck disable=SC2086
  timeout 200 "$NODE" dist/mixmask.mjs pretrain --data-dir .device/fashion-mnist --run-dir "/tmp/variant-$name" $flags 2>&1 | tail -12 | tee -a "$OUT/variants.log"
done
exit "$status"

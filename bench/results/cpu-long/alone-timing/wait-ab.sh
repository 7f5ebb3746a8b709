#!/usr/bin/env bash
# cpu-long MixMask alone at 2 threads: libgomp's default wait vs PASSIVE, 390 steps each (before the first k-NN monitor).
cd /work/main
for arm in default passive; do
  if [ $arm = default ]; then env=(KMP_BLOCKTIME=200); else env=(OMP_WAIT_POLICY=PASSIVE KMP_BLOCKTIME=0); fi
  rm -rf /work/runs/wait-$arm
  env "${env[@]}" timeout 330 node bin/mixmask.js pretrain --preset cpu-long --run-dir /work/runs/wait-$arm \
    --checkpoint-every 0 --linear-probe false > /work/runs/wait-$arm.log 2>&1
done

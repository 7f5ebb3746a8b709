#!/bin/bash
# A/B of the worker's OpenMP wait policy and step formulation at 2 threads, CPU preset MixMask, idle machine
run() { # name env...
  local name=$1; shift
  local r=$(env "$@" npx tsx bench/throughput.ts --preset cpu --threads $T --steps 30 --warmup 4 --count 1024 --source-size 28 2>/dev/null | tail -n1)
  echo "$name $(echo $r | python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["stepsPerSecond"],3), round(d["workerHostMsPerStep"],1))')"
}
for round in 1 2; do
  for cfg in fused-passive fused-active legacy-passive legacy-active; do
    case $cfg in
      fused-passive) run $cfg T=$T ;;
      fused-active) run $cfg OMP_WAIT_POLICY=ACTIVE KMP_BLOCKTIME=200 ;;
      legacy-passive) run $cfg MIXMASK_STEP_FORMULATION=legacy ;;
      legacy-active) run $cfg MIXMASK_STEP_FORMULATION=legacy OMP_WAIT_POLICY=ACTIVE KMP_BLOCKTIME=200 ;;
    esac
  done
done

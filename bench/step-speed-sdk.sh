#!/usr/bin/env bash
# A preset's step through the SDK (bench/throughput.ts: a spawned worker, gRPC, plans in flight, as `mixmask pretrain`
# runs it) with the worker as it was before issue 19 and as it is now, alternating in ABC…CBA rounds, so that this
# shared VM's drift falls on every arm alike (bench/RESULTS.md, "Step speed on the CPU").
#
#   bash bench/step-speed-sdk.sh [ROUNDS=3] [PRESET=cpu] [THREADS=2] [STEPS=30] > results.jsonl
#
# Arms, by the worker's environment (all read by the worker at start; none changes a loss beyond float32 rounding):
#   before-19   MIXMASK_STEP_FORMULATION=legacy MIXMASK_WORKER_MALLOC=system GOMP_SPINCOUNT=300000 (libgomp's default)
#   session-7   the fused step of session 7, glibc's malloc, libgomp's default spin
#   now         the worker's defaults: fused step, freed memory retained, a 1 000-spin wait
# One JSON line per run: the arm, the round and bench/throughput.ts's result; a summary table on stderr at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
PRESET=${2:-cpu}
THREADS=${3:-2}
STEPS=${4:-30}
ARMS=(before-19 session-7 now)

arm_env() {
  case $1 in
    before-19) echo "MIXMASK_STEP_FORMULATION=legacy MIXMASK_WORKER_MALLOC=system GOMP_SPINCOUNT=300000" ;;
    session-7) echo "MIXMASK_WORKER_MALLOC=system GOMP_SPINCOUNT=300000" ;;
    now) echo "" ;;
  esac
}

out=$(mktemp)
for ((round = 0; round < ROUNDS; round++)); do
  order=("${ARMS[@]}")
  if ((round % 2 == 1)); then order=(now session-7 before-19); fi
  for arm in "${order[@]}"; do
    # shellcheck disable=SC2046 # the arm's settings are separate words
    line=$(env -u MIXMASK_STEP_FORMULATION -u MIXMASK_WORKER_MALLOC -u GOMP_SPINCOUNT -u OMP_WAIT_POLICY $(arm_env "$arm") \
      npx tsx bench/throughput.ts --preset "$PRESET" --threads "$THREADS" --steps "$STEPS" --warmup 4 \
      --count 1024 --source-size 28 2>/dev/null | tail -n 1)
    echo "{\"arm\":\"$arm\",\"round\":$round,\"result\":$line}" | tee -a "$out"
  done
done
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const arms = [...new Set(lines.map((l) => l.arm))];
  const median = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const rate = (arm) => lines.filter((l) => l.arm === arm).map((l) => l.result.stepsPerSecond);
  const base = median(rate(arms[0]));
  for (const arm of arms) {
    const r = rate(arm);
    console.error(`${arm.padEnd(10)} steps/s ${r.map((v) => v.toFixed(3)).join(", ").padEnd(24)} median ${median(r).toFixed(3)}  × ${arms[0]} ${(median(r) / base).toFixed(2)}`);
  }
' "$out"
rm -f "$out"

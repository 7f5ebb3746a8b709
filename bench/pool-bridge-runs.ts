// Pools the rounds of several bench/bridge-overhead.ts runs (their --out files): on a noisy machine one run's ratio
// moves by ±10 %, so RESULTS.md quotes the ratio over every round of every run, next to each run's own.
//
//   npx tsx bench/pool-bridge-runs.ts bench/results/cpu-bridge/threads-2-run*.json
import { readFileSync } from "node:fs";

interface Row {
  sdkSeconds: number;
  plainSeconds: number;
  ratio: number;
}
interface Run {
  block: number;
  pooledRatio: number;
  medianRatio: number;
  rows: Row[];
  sdkWallMsPerStep?: number;
  sdkInStepMsPerStep?: number;
}

const files = process.argv.slice(2);
const runs = files.map((f) => JSON.parse(readFileSync(f, "utf8")) as Run);
for (const [i, run] of runs.entries()) {
  const between =
    run.sdkWallMsPerStep !== undefined && run.sdkInStepMsPerStep !== undefined
      ? `, worker between steps ${(run.sdkWallMsPerStep - run.sdkInStepMsPerStep).toFixed(1)} of ${run.sdkWallMsPerStep.toFixed(0)} ms/step`
      : "";
  console.log(
    `${files[i]}: ${run.rows.length} rounds, pooled ${run.pooledRatio.toFixed(3)}, median ${run.medianRatio.toFixed(3)}${between}`,
  );
}
const rows = runs.flatMap((run) => run.rows);
const ratios = rows.map((r) => r.ratio).sort((x, y) => x - y);
const mid = ratios.length >> 1;
const median = ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
const pooled = rows.reduce((s, r) => s + r.plainSeconds, 0) / rows.reduce((s, r) => s + r.sdkSeconds, 0);
console.log(
  `all ${rows.length} rounds: pooled SDK/plain ${pooled.toFixed(3)}, median ${median.toFixed(3)}, ${ratios.filter((r) => r >= 0.97).length} rounds ≥ 0.97`,
);

// Planning cost, by stage: what TypeScript spends per step before a plan leaves for the worker — the epoch sampler,
// both views' augmentation parameters, the masks (and partners, λ), the loss terms, and the wire encoding — for the
// CPU preset and the two GPU configurations of bench/gpu/check-performance.sh. The worker's compute time per step to
// compare against comes from those runs (bench/RESULTS.md); planning overlaps it, since plans are sent ahead.
//
//   npx tsx bench/planning-cost.ts [--steps 200] [--out FILE.json]
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { planView } from "../src/augment/moco-v2-augmentation.js";
import { composeTerms } from "../src/frameworks/compose-terms.js";
import { FRAMEWORKS } from "../src/frameworks/frameworks.js";
import { planStepMasks } from "../src/maskers/maskers.js";
import { Rng } from "../src/random/rng.js";
import { augmentationOptions, StepPlanner } from "../src/train/step-planner.js";
import { mixmask } from "../src/worker/generated/mixmask.js";
import { encodeStepPlan } from "../src/worker/plan-encoding.js";
import { benchConfig, syntheticImages, type RunFlagValues } from "./synthetic-run.js";

const { values: a } = parseArgs({ options: { steps: { type: "string", default: "200" }, out: { type: "string" } } });
const steps = Number(a.steps);

const CONFIGS: { name: string; flags: RunFlagValues }[] = [
  { name: "cpu-preset (batch 128, 28 px)", flags: { preset: "cpu", count: "4096", "source-size": "28" } },
  {
    name: "r18-32px (batch 512)",
    flags: {
      preset: "gpu",
      arch: "resnet18",
      "cifar-stem": "true",
      "image-size": "32",
      batch: "512",
      count: "16384",
      "source-size": "32",
    },
  },
  {
    name: "r50-224px (batch 128)",
    flags: {
      preset: "gpu",
      arch: "resnet50",
      "cifar-stem": "false",
      "image-size": "224",
      batch: "128",
      count: "1024",
      "source-size": "256",
      "blur-probability": "0.5",
    },
  },
];
const STAGES = ["sampler", "augmentation", "masks", "terms", "encoding"] as const;

type Stage = (typeof STAGES)[number];

/** Mean ms per step of each stage of StepPlanner.plan, timed one by one, and of the whole plan + encoding. */
function measure(
  planner: StepPlanner,
  source: ReturnType<typeof syntheticImages>,
  config: ReturnType<typeof benchConfig>,
  steps: number,
): { msPerStep: Record<Stage, number>; wholePlanMs: number } {
  const augmentation = augmentationOptions(config);
  const framework = FRAMEWORKS[config.framework];
  const ms: Record<Stage, number> = { sampler: 0, augmentation: 0, masks: 0, terms: 0, encoding: 0 };
  const time = <T>(stage: Stage, fn: () => T): T => {
    const t0 = performance.now();
    const value = fn();
    ms[stage] += performance.now() - t0;
    return value;
  };
  for (let step = 0; step < steps; step++) {
    // The schedules (lr, momentum, keep ratio) are a few multiplications and are not timed.
    time("sampler", () =>
      planner.sampler.batch(Math.floor(step / planner.stepsPerEpoch), step % planner.stepsPerEpoch),
    );
    const rng = Rng.stream(config.seed, "augment", step);
    time("augmentation", () => [
      planView(rng, config.batchSize, source, config.imageSize, augmentation),
      planView(rng, config.batchSize, source, config.imageSize, augmentation),
    ]);
    const streams = {
      mask: Rng.stream(config.seed, "mask", step),
      pairing: Rng.stream(config.seed, "pairing", step),
      unmix: Rng.stream(config.seed, "unmix", step),
    };
    const masks = time("masks", () =>
      planStepMasks(streams, config.batchSize, config.imageSize, { ...config, pairingShards: 1 }),
    );
    time("terms", () =>
      composeTerms(framework, masks.pieces, { temperature: config.temperature, symmetric: config.symmetric }),
    );
    const plan = planner.plan(step);
    time("encoding", () => mixmask.v1.StepPlan.encode(encodeStepPlan(plan)).finish());
  }
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) mixmask.v1.StepPlan.encode(encodeStepPlan(planner.plan(step))).finish();
  const msPerStep = Object.fromEntries(STAGES.map((s) => [s, ms[s] / steps])) as Record<Stage, number>;
  return { msPerStep, wholePlanMs: (performance.now() - t0) / steps };
}

const rows = CONFIGS.map(({ name, flags }) => {
  const config = benchConfig({ device: "cpu", threads: "0", "source-channels": "3", ...flags }, steps);
  const source = syntheticImages({ "source-channels": "3", ...flags }, config);
  const planner = new StepPlanner(config, source);
  measure(planner, source, config, 20); // warm-up: V8 compiles the planning code first
  return { name, batchSize: config.batchSize, ...measure(planner, source, config, steps) };
});

console.log(`| config | ${STAGES.join(" | ")} | whole plan + encoding (ms/step) |`);
console.log(`|---|${STAGES.map(() => "---|").join("")}---|`);
for (const r of rows)
  console.log(
    `| ${r.name} | ${STAGES.map((s) => r.msPerStep[s].toFixed(3)).join(" | ")} | ${r.wholePlanMs.toFixed(2)} |`,
  );
if (a.out) writeFileSync(a.out, JSON.stringify({ bench: "planning-cost", steps, rows }, null, 2) + "\n");

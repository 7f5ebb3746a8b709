// Bridge overhead, interleaved: the SDK (TypeScript plans every step and streams it over gRPC to a worker process)
// against a plain Python loop calling the same worker modules in-process, on the very same plans, in alternating
// blocks of steps. Both processes stay alive and warm for the whole run and only one computes at a time; each round
// runs one block of each, in ABBA order (SDK first in even rounds, plain first in odd ones), so that slow drift of a
// shared machine hits both sides alike. The per-round ratio of steps/s is the overhead; the median over rounds and
// the pooled ratio (all plain seconds / all SDK seconds) are reported. The target on a CPU: ≥ 0.97.
//
//   npx tsx bench/bridge-overhead.ts --preset cpu --threads 2 --rounds 8 --block 8 --warmup 4 [--out FILE.json]
//   (plus any configuration flag of bench/throughput.ts)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { channelMeanStd } from "../src/data/image-dataset.js";
import { runRequest } from "../src/train/run-request.js";
import { StepPlanner } from "../src/train/step-planner.js";
import { StepStream } from "../src/worker/step-stream.js";
import { mixmask } from "../src/worker/generated/mixmask.js";
import { encodeStepPlan } from "../src/worker/plan-encoding.js";
import { uploadDataset } from "../src/worker/upload-dataset.js";
import { Worker } from "../src/worker/worker.js";
import { PlainLoop } from "./plain-loop-process.js";
import { benchConfig, lengthPrefixed, RUN_FLAGS, syntheticImages } from "./synthetic-run.js";

const { values: a } = parseArgs({
  options: {
    ...RUN_FLAGS,
    rounds: { type: "string", default: "8" },
    block: { type: "string", default: "8" },
    warmup: { type: "string", default: "4" },
    out: { type: "string" },
  },
});
const rounds = Number(a.rounds);
const block = Number(a.block);
const warmup = Number(a.warmup);
const total = warmup + rounds * block;
const config = benchConfig(a, total);
const train = syntheticImages(a, config);
const planner = new StepPlanner(config, train);
const plans = Array.from({ length: total }, (_, s) => planner.plan(s));

const scratch = mkdtempSync(join(tmpdir(), "mixmask-bridge-"));
const worker = await Worker.spawn({
  device: config.device,
  ...(config.threads > 0 ? { threads: config.threads } : {}),
});
try {
  const upload = await uploadDataset(worker, train);
  const request = runRequest("bridge", config, upload.id, channelMeanStd(train));
  await worker.createRun(request);
  const plansFile = join(scratch, "plans.bin");
  writeFileSync(
    plansFile,
    lengthPrefixed([
      mixmask.v1.CreateRunRequest.encode(request).finish(),
      ...plans.map((p) => mixmask.v1.StepPlan.encode(encodeStepPlan(p)).finish()),
    ]),
  );
  const plain = new PlainLoop(
    plansFile,
    train.count,
    train.height,
    train.channels,
    worker.info.device.startsWith("cuda") ? "cuda" : "cpu",
    config.threads,
    config.plansInFlight,
  );
  const stream = new StepStream(worker, "bridge", 600_000);
  try {
    // SDK: plan in TypeScript, encode, send; `plansInFlight` ahead, exactly as `mixmask pretrain` does.
    // Also sums the worker's own time in each step (plan received → step enqueued; on a CPU, the step's compute):
    // wall time beyond it is time between steps, which is where a bridge would lose.
    const sdkBlock = async (start: number, count: number): Promise<{ seconds: number; stepSeconds: number }> => {
      let stepMs = 0;
      const t0 = performance.now();
      for (let s = start; s < start + count; s++) {
        while (stream.inFlight >= config.plansInFlight) stepMs += (await stream.next()).workerMs;
        stream.submit(planner.plan(s));
      }
      while (stream.inFlight > 0) stepMs += (await stream.next()).workerMs;
      return { seconds: (performance.now() - t0) / 1000, stepSeconds: stepMs / 1000 };
    };
    await plain.ready;
    await sdkBlock(0, warmup);
    await plain.run(0, warmup);
    const rows: {
      round: number;
      order: string;
      sdkSeconds: number;
      plainSeconds: number;
      ratio: number;
      sdkStepSeconds: number;
      plainStepSeconds: number;
    }[] = [];
    for (let r = 0; r < rounds; r++) {
      const start = warmup + r * block;
      let sdk: { seconds: number; stepSeconds: number }, plainRun: { seconds: number; stepSeconds: number };
      if (r % 2 === 0) {
        sdk = await sdkBlock(start, block);
        plainRun = await plain.run(start, block);
      } else {
        plainRun = await plain.run(start, block);
        sdk = await sdkBlock(start, block);
      }
      const [sdkSeconds, plainSeconds] = [sdk.seconds, plainRun.seconds];
      rows.push({
        round: r,
        order: r % 2 === 0 ? "sdk,plain" : "plain,sdk",
        sdkSeconds,
        plainSeconds,
        ratio: plainSeconds / sdkSeconds,
        sdkStepSeconds: sdk.stepSeconds,
        plainStepSeconds: plainRun.stepSeconds,
      });
      console.error(
        `round ${r + 1}/${rounds}: SDK ${(block / sdkSeconds).toFixed(3)} steps/s, plain ${(block / plainSeconds).toFixed(3)}, SDK/plain ${(plainSeconds / sdkSeconds).toFixed(3)}`,
      );
    }
    const planT0 = performance.now();
    for (let s = 0; s < total; s++) mixmask.v1.StepPlan.encode(encodeStepPlan(planner.plan(s))).finish();
    const planMsPerStep = (performance.now() - planT0) / total;
    const ratios = rows.map((row) => row.ratio).sort((x, y) => x - y);
    const sum = (key: "sdkSeconds" | "plainSeconds" | "sdkStepSeconds" | "plainStepSeconds") =>
      rows.reduce((acc, row) => acc + row[key], 0);
    const steps = rounds * block;
    const summary = {
      bench: "bridge-overhead",
      config: {
        arch: config.arch,
        imageSize: config.imageSize,
        batchSize: config.batchSize,
        baseWidth: config.baseWidth,
        framework: config.framework,
        masker: config.masker,
        precision: config.precision,
        threads: config.threads,
        plansInFlight: config.plansInFlight,
      },
      device: worker.info.device,
      deviceName: worker.info.deviceName,
      rounds,
      block,
      medianRatio: median(ratios),
      pooledRatio: sum("plainSeconds") / sum("sdkSeconds"),
      minRatio: ratios[0]!,
      maxRatio: ratios[ratios.length - 1]!,
      roundsAtOrAbove097: ratios.filter((x) => x >= 0.97).length,
      sdkStepsPerSecond: steps / sum("sdkSeconds"),
      plainStepsPerSecond: steps / sum("plainSeconds"),
      // Per step: wall time, and the part spent inside the worker's step (plain: inside TrainingRun.step).
      sdkWallMsPerStep: (1000 * sum("sdkSeconds")) / steps,
      sdkInStepMsPerStep: (1000 * sum("sdkStepSeconds")) / steps,
      plainWallMsPerStep: (1000 * sum("plainSeconds")) / steps,
      plainInStepMsPerStep: (1000 * sum("plainStepSeconds")) / steps,
      planMsPerStep,
      rows,
    };
    if (a.out) writeFileSync(a.out, JSON.stringify(summary, null, 2) + "\n");
    console.log(
      `| SDK steps/s | plain steps/s | SDK/plain median (min–max) over ${rounds} rounds | pooled | rounds ≥ 0.97 | ms/step in step: SDK, plain | TS plan ms/step |`,
    );
    console.log("|---|---|---|---|---|---|---|");
    console.log(
      `| ${summary.sdkStepsPerSecond.toFixed(3)} | ${summary.plainStepsPerSecond.toFixed(3)} | ${summary.medianRatio.toFixed(3)} (${summary.minRatio.toFixed(3)}–${summary.maxRatio.toFixed(3)}) | ${summary.pooledRatio.toFixed(3)} | ${summary.roundsAtOrAbove097}/${rounds} | ${summary.sdkInStepMsPerStep.toFixed(0)} of ${summary.sdkWallMsPerStep.toFixed(0)}, ${summary.plainInStepMsPerStep.toFixed(0)} of ${summary.plainWallMsPerStep.toFixed(0)} | ${planMsPerStep.toFixed(2)} |`,
    );
  } finally {
    stream.close();
    plain.close();
  }
} finally {
  await worker.close();
  rmSync(scratch, { recursive: true, force: true });
}

function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

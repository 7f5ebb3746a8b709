// Soak: ≥ 20,000 tiny steps through the real `Train` stream, with the resident memory (RSS) of this Node process and
// of the worker process sampled all along, to show that neither grows with the number of steps. Not a CI test (it
// takes minutes); its figures are recorded in bench/results/soak-train-stream.json and docs/RELIABILITY.md.
//
// The run is the real pretrain() loop — planner, plans in flight, metrics file, periodic checkpoints, k-NN — on a
// tiny synthetic dataset (64 grey 8×8 images) and the narrowest network the options allow, so the steps are cheap and
// what is measured is the machinery around them.
//
//   node --expose-gc --import tsx bench/soak-train-stream.ts [--steps 20000] [--every 250] [--out bench/results/soak-train-stream.json]
//
// RSS alone cannot tell a leak from V8 growing its heap to the pace of the allocations: with --expose-gc every sample
// also takes the live heap after a full collection, which a leak would make climb and heap sizing does not.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { validatePretrainConfig } from "../src/config/pretrain-config.js";
import { CPU_PRESET } from "../src/config/presets.js";
import type { ImageDataset } from "../src/data/image-dataset.js";
import { silentProgress, type ProgressReporter } from "../src/train/progress.js";
import { pretrain } from "../src/train/pretrain.js";
import { Rng } from "../src/random/rng.js";
import { Worker } from "../src/worker/worker.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "20000" },
    every: { type: "string", default: "250" },
    out: { type: "string", default: "bench/results/soak-train-stream.json" },
  },
});
const IMAGES = 64;
const BATCH = 4;
const stepsPerEpoch = IMAGES / BATCH;
const epochs = Math.ceil(Number(values.steps) / stepsPerEpoch);
const every = Number(values.every);

function syntheticDataset(split: string, count: number, seed: number): ImageDataset {
  const rng = Rng.stream(seed, "soak-images");
  const pixels = new Uint8Array(count * 8 * 8);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % 4;
  return {
    name: "soak",
    split,
    count,
    height: 8,
    width: 8,
    channels: 1,
    pixels,
    labels,
    numClasses: 4,
    classNames: ["a", "b", "c", "d"],
  };
}

/** Resident set size of a process in MiB, from /proc (VmRSS). */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? NaN) / 1024;
}

interface Sample {
  step: number;
  elapsedS: number;
  nodeRssMiB: number;
  nodeHeapUsedMiB: number;
  /** Heap still in use after a full garbage collection (needs --expose-gc): the live set. */
  nodeLiveHeapMiB: number | null;
  /** Memory outside the JS heap: Buffers, typed arrays (gRPC frames, plan arrays). */
  nodeExternalMiB: number;
  workerRssMiB: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

const runDir = mkdtempSync(join(tmpdir(), "mixmask-soak-"));
const config = validatePretrainConfig({
  ...CPU_PRESET,
  trainImages: IMAGES,
  testImages: 16,
  imageSize: 8,
  baseWidth: 4,
  headHiddenDim: 8,
  headOutDim: 8,
  batchSize: BATCH,
  bnSplits: 2,
  queueSize: 16,
  maskGrid: 4,
  epochs,
  knnK: 8,
  threads: 1,
  device: "cpu",
  checkpointEvery: Math.max(1, Math.round(epochs / 5)), // a handful of checkpoints during the soak, too
  runDir,
});

const worker = await Worker.spawn({ device: "cpu", threads: 1 });
const workerPid = worker.info.pid;
const samples: Sample[] = [];
const t0 = performance.now();
const MiB = 2 ** 20;
const sample = (step: number): void => {
  const m = process.memoryUsage();
  gc?.();
  const live = gc ? process.memoryUsage().heapUsed / MiB : null;
  samples.push({
    step,
    elapsedS: (performance.now() - t0) / 1000,
    nodeRssMiB: m.rss / MiB,
    nodeHeapUsedMiB: m.heapUsed / MiB,
    nodeLiveHeapMiB: live,
    nodeExternalMiB: m.external / MiB,
    workerRssMiB: rssMiB(workerPid),
  });
};
const progress: ProgressReporter = {
  ...silentProgress,
  update: (p) => {
    if (p.step % every === 0) sample(p.step);
    if (p.step % 2_000 === 0)
      process.stderr.write(
        `step ${p.step}/${p.totalSteps} ${p.stepsPerSecond.toFixed(1)} steps/s node ${samples.at(-1)?.nodeRssMiB.toFixed(1)} MiB worker ${samples.at(-1)?.workerRssMiB.toFixed(1)} MiB\n`,
      );
  },
  log: (line) => process.stderr.write(`${line}\n`),
};

try {
  sample(0);
  const summary = await pretrain(config, {
    worker,
    progress,
    datasets: { train: syntheticDataset("train", IMAGES, 1), test: syntheticDataset("test", 16, 2) },
  });
  // The first samples include start-up growth (torch's allocator, JIT, first checkpoint); judge flatness after it.
  const warm = samples.filter((s) => s.step >= 2_000);
  const first = warm[0]!;
  const last = warm[warm.length - 1]!;
  const secondHalf = samples.filter((s) => s.step >= summary.steps / 2);
  const per10k = (pick: (s: Sample) => number, over = warm): number =>
    slope(
      over.map((s) => s.step),
      over.map(pick),
    ) * 10_000;
  const range = (pick: (s: Sample) => number): [number, number] => [
    Math.min(...warm.map(pick)),
    Math.max(...warm.map(pick)),
  ];
  const describe = (pick: (s: Sample) => number) => ({
    start: pick(first),
    end: pick(last),
    min: range(pick)[0],
    max: range(pick)[1],
    slopePer10kSteps: per10k(pick),
    secondHalf: {
      fromStep: secondHalf[0]!.step,
      start: pick(secondHalf[0]!),
      end: pick(secondHalf[secondHalf.length - 1]!),
      slopePer10kSteps: per10k(pick, secondHalf),
    },
  });
  const result = {
    what: "pretrain() through the real Train stream on a tiny synthetic dataset; RSS of both processes sampled every N steps",
    machine: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: (await import("node:os")).cpus().length,
      worker: worker.info,
    },
    config: { ...config, runDir: "(temporary)" },
    steps: summary.steps,
    stepsPerSecond: summary.stepsPerSecond,
    wallSeconds: summary.wallSeconds,
    sampledEverySteps: every,
    afterWarmup: {
      fromStep: first.step,
      toStep: last.step,
      nodeRssMiB: describe((s) => s.nodeRssMiB),
      nodeLiveHeapMiB: gc ? describe((s) => s.nodeLiveHeapMiB ?? NaN) : null,
      nodeExternalMiB: describe((s) => s.nodeExternalMiB),
      workerRssMiB: describe((s) => s.workerRssMiB),
    },
    samples,
  };
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, `${JSON.stringify(result, null, 1)}\n`);
  const f = (x: number): string => x.toFixed(1);
  const a = result.afterWarmup;
  console.log(`steps ${result.steps} at ${result.stepsPerSecond.toFixed(1)} steps/s, ${f(result.wallSeconds)} s`);
  console.log(
    `node RSS   step ${a.fromStep} → ${a.toStep}: ${f(a.nodeRssMiB.start)} → ${f(a.nodeRssMiB.end)} MiB (range ${f(a.nodeRssMiB.min)}–${f(a.nodeRssMiB.max)}, slope ${a.nodeRssMiB.slopePer10kSteps.toFixed(2)} MiB / 10k steps)`,
  );
  if (a.nodeLiveHeapMiB)
    console.log(
      `node live heap after GC: ${f(a.nodeLiveHeapMiB.start)} → ${f(a.nodeLiveHeapMiB.end)} MiB (slope ${a.nodeLiveHeapMiB.slopePer10kSteps.toFixed(2)} MiB / 10k steps)`,
    );
  console.log(
    `node RSS, second half (from step ${a.nodeRssMiB.secondHalf.fromStep}): ${f(a.nodeRssMiB.secondHalf.start)} → ${f(a.nodeRssMiB.secondHalf.end)} MiB (slope ${a.nodeRssMiB.secondHalf.slopePer10kSteps.toFixed(2)} MiB / 10k steps)`,
  );
  console.log(
    `worker RSS step ${a.fromStep} → ${a.toStep}: ${f(a.workerRssMiB.start)} → ${f(a.workerRssMiB.end)} MiB (range ${f(a.workerRssMiB.min)}–${f(a.workerRssMiB.max)}, slope ${a.workerRssMiB.slopePer10kSteps.toFixed(2)} MiB / 10k steps)`,
  );
  console.log(`written to ${values.out}`);
} finally {
  await worker.close();
}

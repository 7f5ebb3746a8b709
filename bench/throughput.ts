// SDK throughput of one training configuration: TypeScript plans every step and keeps several in flight on the
// worker's Train stream, exactly as `mixmask pretrain` does, on synthetic uint8 images (content does not change the
// cost). Prints one JSON line. With --dump-plans FILE it also writes the CreateRun request and the timed steps' plans
// (length-prefixed protobuf) so bench/worker/plain_loop.py can replay the very same steps without TypeScript or gRPC.
//
//   npx tsx bench/throughput.ts --preset cpu --steps 30 --warmup 5 [--arch resnet18 --image-size 32 --source-size 32
//     --batch 256 --base-width 64 --precision bf16 --framework mocov2 --masker mixmask --device auto --threads 0
//     --compile default]
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { validatePretrainConfig } from "../src/config/pretrain-config.js";
import { resolveConfig, type PresetName } from "../src/config/presets.js";
import { channelMeanStd, type ImageDataset } from "../src/data/image-dataset.js";
import { Rng } from "../src/random/rng.js";
import { runRequest } from "../src/train/run-request.js";
import { StepPlanner } from "../src/train/step-planner.js";
import { StepStream } from "../src/train/step-stream.js";
import { mixmask } from "../src/worker/generated/mixmask.js";
import { encodeStepPlan } from "../src/worker/plan-encoding.js";
import { uploadDataset } from "../src/worker/upload-dataset.js";
import { Worker } from "../src/worker/worker.js";

const { values: a } = parseArgs({
  options: {
    preset: { type: "string", default: "cpu" },
    steps: { type: "string", default: "30" },
    warmup: { type: "string", default: "5" },
    count: { type: "string", default: "4096" },
    "source-size": { type: "string" },
    "source-channels": { type: "string", default: "3" },
    arch: { type: "string" },
    "image-size": { type: "string" },
    batch: { type: "string" },
    "base-width": { type: "string" },
    precision: { type: "string" },
    framework: { type: "string" },
    masker: { type: "string" },
    compile: { type: "string" },
    "cifar-stem": { type: "string" },
    "head-hidden": { type: "string" },
    "plans-in-flight": { type: "string" },
    "blur-probability": { type: "string" },
    device: { type: "string", default: "auto" },
    threads: { type: "string", default: "0" },
    "dump-plans": { type: "string" },
  },
});

const steps = Number(a.steps);
const warmup = Number(a.warmup);
const count = Number(a.count);
const given: Record<string, unknown> = { trainImages: count, testImages: 16, knnK: 8, device: a.device, threads: Number(a.threads) };
const numeric: [string, string | undefined][] = [["imageSize", a["image-size"]], ["batchSize", a.batch], ["baseWidth", a["base-width"]], ["headHiddenDim", a["head-hidden"]], ["plansInFlight", a["plans-in-flight"]], ["blurProbability", a["blur-probability"]]];
for (const [key, raw] of numeric) if (raw !== undefined) given[key] = Number(raw);
for (const [key, raw] of [["arch", a.arch], ["precision", a.precision], ["framework", a.framework], ["masker", a.masker], ["compile", a.compile]] as const) if (raw !== undefined) given[key] = raw;
if (a["cifar-stem"] !== undefined) given.cifarStem = a["cifar-stem"] === "true";
const preset = a.preset as PresetName;
const probe = validatePretrainConfig(resolveConfig(preset, given));
const perEpoch = Math.floor(count / probe.batchSize);
const config = validatePretrainConfig(resolveConfig(preset, { ...given, epochs: Math.ceil((warmup + steps) / perEpoch) + 1 }));

const side = Number(a["source-size"] ?? config.imageSize);
const channels = Number(a["source-channels"]) as 1 | 3;
const pixels = new Uint8Array(count * side * side * channels);
const rng = Rng.stream(0, "synthetic-pixels");
for (let i = 0; i < pixels.length; i += 4) {
  const word = rng.nextUint32();
  pixels[i] = word & 255;
  pixels[i + 1] = (word >>> 8) & 255;
  pixels[i + 2] = (word >>> 16) & 255;
  pixels[i + 3] = word >>> 24;
}
const train: ImageDataset = { name: "synthetic", split: "train", count, height: side, width: side, channels, pixels, labels: new Int32Array(count), numClasses: 1, classNames: ["x"] };

const planner = new StepPlanner(config, train);
// Planning cost alone: sampler + augmentation + masks + terms + wire encoding, per step.
const planT0 = performance.now();
for (let s = 0; s < warmup + steps; s++) mixmask.v1.StepPlan.encode(encodeStepPlan(planner.plan(s))).finish();
const planMsPerStep = (performance.now() - planT0) / (warmup + steps);

const worker = await Worker.spawn({ device: config.device, ...(config.threads > 0 ? { threads: config.threads } : {}) });
try {
  const upload = await uploadDataset(worker, train);
  const request = runRequest("bench", config, upload.id, channelMeanStd(train));
  await worker.client.createRun(request);
  if (a["dump-plans"]) {
    const records = [mixmask.v1.CreateRunRequest.encode(request).finish()];
    for (let s = 0; s < warmup + steps; s++) records.push(mixmask.v1.StepPlan.encode(encodeStepPlan(planner.plan(s))).finish());
    writeFileSync(a["dump-plans"], Buffer.concat(records.flatMap((r) => [lengthPrefix(r.length), Buffer.from(r)])));
  }
  const stream = new StepStream(worker, "bench", 600_000);
  let workerMs = 0;
  let t0 = performance.now();
  let received = 0;
  for (let s = 0; s < warmup + steps; s++) {
    while (stream.inFlight >= config.plansInFlight) {
      const r = await stream.next();
      received++;
      if (received > warmup) workerMs += r.workerMs;
      if (received === warmup) t0 = performance.now();
    }
    stream.submit(planner.plan(s));
  }
  while (stream.inFlight > 0) {
    const r = await stream.next();
    received++;
    if (received > warmup) workerMs += r.workerMs;
    if (received === warmup) t0 = performance.now();
  }
  const seconds = (performance.now() - t0) / 1000;
  stream.close();
  const result = {
    bench: "sdk",
    arch: config.arch,
    imageSize: config.imageSize,
    batchSize: config.batchSize,
    precision: config.precision,
    framework: config.framework,
    masker: config.masker,
    steps,
    stepsPerSecond: steps / seconds,
    samplesPerSecond: (steps * config.batchSize) / seconds,
    planMsPerStep,
    workerHostMsPerStep: workerMs / steps,
    device: worker.info.device,
    deviceName: worker.info.deviceName,
  };
  console.log(JSON.stringify(result));
} finally {
  await worker.close();
}

function lengthPrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

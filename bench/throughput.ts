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
import { channelMeanStd } from "../src/data/image-dataset.js";
import { runRequest } from "../src/train/run-request.js";
import { StepPlanner } from "../src/train/step-planner.js";
import { StepStream } from "../src/worker/step-stream.js";
import { mixmask } from "../src/worker/generated/mixmask.js";
import { encodeStepPlan } from "../src/worker/plan-encoding.js";
import { uploadDataset } from "../src/worker/upload-dataset.js";
import { Worker } from "../src/worker/worker.js";
import { benchConfig, lengthPrefixed, RUN_FLAGS, syntheticImages } from "./synthetic-run.js";

const { values: a } = parseArgs({
  options: {
    ...RUN_FLAGS,
    steps: { type: "string", default: "30" },
    warmup: { type: "string", default: "5" },
    "dump-plans": { type: "string" },
  },
});

const steps = Number(a.steps);
const warmup = Number(a.warmup);
const config = benchConfig(a, warmup + steps);
const train = syntheticImages(a, config);

const planner = new StepPlanner(config, train);
// Planning cost alone: sampler + augmentation + masks + terms + wire encoding, per step.
const planT0 = performance.now();
for (let s = 0; s < warmup + steps; s++) mixmask.v1.StepPlan.encode(encodeStepPlan(planner.plan(s))).finish();
const planMsPerStep = (performance.now() - planT0) / (warmup + steps);

const worker = await Worker.spawn({
  device: config.device,
  ...(config.threads > 0 ? { threads: config.threads } : {}),
});
try {
  const upload = await uploadDataset(worker, train);
  const request = runRequest("bench", config, upload.id, channelMeanStd(train));
  await worker.createRun(request);
  if (a["dump-plans"]) {
    const records = [mixmask.v1.CreateRunRequest.encode(request).finish()];
    for (let s = 0; s < warmup + steps; s++)
      records.push(mixmask.v1.StepPlan.encode(encodeStepPlan(planner.plan(s))).finish());
    writeFileSync(a["dump-plans"], lengthPrefixed(records));
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

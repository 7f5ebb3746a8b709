// Quick start: pretrain a ConvNet with MoCo v2 + MixMask on Fashion-MNIST, see what it learned with k-NN, and
// export it for use outside the training run.
//
//   npx tsx examples/01-quick-start.ts          # the CPU preset: 10 000 images, 8 epochs (about 6 minutes on 2 cores)
//   npx tsx examples/01-quick-start.ts --tiny   # 256 images, 2 epochs, a narrow network (CI)
import { CPU_PRESET, exportRun, pretrain, validatePretrainConfig, Worker } from "mixmask";
import { exampleDir, heading, sized, table, TINY, TINY_MODEL, WORKER_OPTIONS } from "./support/example-size.js";

heading("1. The run");
// Every option has a default in a preset; override only what the story needs. Validation names any bad option.
const config = validatePretrainConfig({
  ...CPU_PRESET,
  ...sized({}, { ...TINY_MODEL, trainImages: 256, testImages: 128, epochs: 2 }),
  runDir: exampleDir("quick-start"),
});
console.log(
  `${config.framework} + ${config.masker} (block mask ${config.maskGrid}×${config.maskGrid}, keep ${config.keepRatio}), ${config.arch} width ${config.baseWidth}`,
);
console.log(
  `${config.trainImages} training images, ${config.epochs} epochs of batch ${config.batchSize}; run folder ${config.runDir}`,
);

// One worker for the whole story: pretrain leaves it open when it is given one, and `await using` closes it.
await using worker = await Worker.spawn(WORKER_OPTIONS);
console.log(`worker: torch ${worker.info.torchVersion} on ${worker.info.device} (${worker.info.deviceName})`);

heading("2. Pretraining");
const summary = await pretrain(config, { worker });
table([
  ["", "untrained", "trained"],
  ["k-NN top-1 (test images)", summary.knnInit.top1.toFixed(4), summary.knnFinal.top1.toFixed(4)],
  ["loss, first → last epoch", summary.lossFirstEpoch.toFixed(3), summary.lossLastEpoch.toFixed(3)],
]);
console.log(
  `\n${summary.steps} steps at ${summary.stepsPerSecond.toFixed(2)} steps/s; metrics per step in ${config.runDir}/metrics.jsonl`,
);
if (TINY) console.log("(tiny size: the numbers above are noise; run without --tiny for a real result)");

heading("3. Export");
// The worker writes the backbone in four formats and checks each against the network it came from.
const exported = await exportRun(worker, { runDir: config.runDir, outDir: `${config.runDir}/export` });
table([
  ["format", "file", "MB", "checked against the eager network"],
  ...Object.entries(exported.files).map(([format, f]) => [
    format,
    f.file,
    (f.bytes / 1e6).toFixed(1),
    f.maxAbsDiff === null ? "every array equal" : `max |Δ| ${f.maxAbsDiff.toExponential(1)}`,
  ]),
]);
console.log(
  `\nexported ${Object.keys(exported.files).length} formats to ${config.runDir}/export (export.json: config, input spec, SHA-256s)`,
);
console.log(
  "next: examples/04-image-search.ts uses the ONNX file from Node; `npx mixmask export --help` does this from a shell",
);

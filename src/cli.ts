#!/usr/bin/env node
import { Command, Option } from "commander";
import { CLI_OPTIONS, parseFlagValue } from "./config/cli-options.js";
import { flagName, validatePretrainConfig, type PretrainConfig } from "./config/pretrain-config.js";
import { PRESETS, type PresetName } from "./config/presets.js";
import type { DatasetName } from "./data/dataset-names.js";
import { headOf, type DatasetSplits } from "./data/image-source.js";
import { openDataset } from "./data/open-dataset.js";
import { runDoctor } from "./doctor.js";
import { MixmaskError } from "./errors.js";
import { TerminalProgress } from "./train/progress.js";
import { pretrain, type PretrainSummary } from "./train/pretrain.js";
import { Worker } from "./worker/worker.js";

function pretrainCommand(): Command {
  const cmd = new Command("pretrain")
    .description("MoCo v2 + MixMask pretraining in a spawned PyTorch worker, with k-NN before and after")
    .addOption(new Option("--preset <name>", "defaults: cpu (quick, minutes on 2 cores) or gpu (full ResNet-18, full data); auto picks by device").choices(["auto", "cpu", "gpu"]).default("auto"))
    .option("--resume", "continue the run in --run-dir from its last checkpoint")
    .option("--print-config", "print the resolved options and exit");
  for (const [key, kind, help] of CLI_OPTIONS) {
    const placeholder = kind === "number" ? "<n>" : kind === "boolean" ? "<true|false>" : "<value>";
    cmd.option(`${flagName(key)} ${placeholder}`, help);
  }
  cmd.action(async (flags: Record<string, string | boolean>) => {
    const given: Partial<Record<keyof PretrainConfig, unknown>> = {};
    for (const [key, kind] of CLI_OPTIONS) {
      const raw = flags[key];
      if (typeof raw === "string") given[key] = parseFlagValue(kind, raw);
    }
    // Validate what the user typed before spending seconds on a worker (with any preset filling the rest).
    validatePretrainConfig({ ...PRESETS.cpu, ...given });
    const preset = flags.preset as PresetName | "auto";
    if (flags.printConfig) {
      console.log(JSON.stringify(validatePretrainConfig({ ...PRESETS[preset === "auto" ? "cpu" : preset], ...given }), null, 2));
      return;
    }
    const device = (given.device as PretrainConfig["device"] | undefined) ?? "auto";
    const progress = new TerminalProgress();
    // Open the data before starting a worker, so a missing or malformed dataset is reported at once with its fix.
    // (A synthetic dataset has no files; it is drawn once its size is known.)
    const dataset = (given.dataset as DatasetName | undefined) ?? PRESETS.cpu.dataset;
    const opened: DatasetSplits | undefined = dataset === "synthetic" ? undefined : await openDataset({
      dataset,
      dataDir: given.dataDir as string | undefined,
      decodeSize: given.decodeSize as number | undefined,
      skipBadImages: given.skipBadImages as boolean | undefined,
      seed: given.seed as number | undefined,
      log: (line) => progress.log(line),
    });
    const worker = await Worker.spawn({ device, ...(typeof given.threads === "number" && given.threads > 0 ? { threads: given.threads } : {}) });
    try {
      const chosen: PresetName = preset === "auto" ? (worker.info.device.startsWith("cuda") ? "gpu" : "cpu") : preset;
      // Views default to the images' own side (32 for CIFAR, 64 for Tiny-ImageNet) unless --image-size says otherwise.
      const side = opened
        ? opened.train.height === opened.train.width ? { imageSize: opened.train.height } : {}
        : { imageSize: (given.decodeSize as number | undefined) ?? 32 }; // synthetic: drawn at --decode-size, 32 by default
      const config = validatePretrainConfig({ ...PRESETS[chosen], ...side, ...given });
      progress.log(`preset ${chosen}${preset === "auto" ? " (auto: by device)" : ""}; run directory ${config.runDir}`);
      const splits = opened ?? (await openDataset({ ...config, log: (line) => progress.log(line) }));
      const datasets = { train: headOf(splits.train, config.trainImages), test: headOf(splits.test, config.testImages) };
      const summary = await pretrain(config, { worker, progress, datasets, resume: Boolean(flags.resume) });
      printSummary(summary);
    } finally {
      await worker.close();
    }
  });
  return cmd;
}

function printSummary(s: PretrainSummary): void {
  const rows: [string, string][] = [
    ["k-NN top-1, untrained encoder", s.knnInit.top1.toFixed(4)],
    ["k-NN top-1, trained encoder", s.knnFinal.top1.toFixed(4)],
    ["positive-key top-1, first epoch", s.positiveTop1FirstEpoch.toFixed(4)],
    ["positive-key top-1, last epoch", s.positiveTop1LastEpoch.toFixed(4)],
    ["loss, first → last epoch", `${s.lossFirstEpoch.toFixed(3)} → ${s.lossLastEpoch.toFixed(3)}`],
    ["steps, throughput", `${s.steps} steps, ${s.stepsPerSecond.toFixed(2)} steps/s, ${s.samplesPerSecond.toFixed(0)} images/s`],
    ["device", `${s.device} (${s.deviceName})`],
    ...(s.streaming ? [["streaming", `${s.streaming.lane} lane, at most ${s.streaming.worker.peakBufferedBatches} of ${s.streaming.capacityBatches} batches buffered`] as [string, string]] : []),
    ["wall time", `${s.wallSeconds.toFixed(0)} s`],
    ["summary", `${s.runDir}/summary.json`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}`);
}

const program = new Command("mixmask")
  .description("Self-supervised pretraining of ConvNets with MixMask, from TypeScript")
  .showSuggestionAfterError(true)
  .addCommand(pretrainCommand())
  .addCommand(new Command("doctor").description("print Node, Python, torch and device facts, and what is missing").action(async () => {
    process.exitCode = await runDoctor();
  }));

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof MixmaskError) {
    console.error(`mixmask: ${error.message}`);
    process.exit(2);
  }
  throw error;
});

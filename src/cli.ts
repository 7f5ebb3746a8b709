#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { CLI_OPTIONS, parseFlagValue } from "./config/cli-options.js";
import { flagName, validatePretrainConfig, type PretrainConfig } from "./config/pretrain-config.js";
import { PRESETS, type PresetName } from "./config/presets.js";
import { loadFashionMnist } from "./data/fashion-mnist.js";
import { firstImages } from "./data/image-dataset.js";
import { runDoctor } from "./doctor.js";
import { MixmaskError } from "./errors.js";
import { TerminalProgress } from "./train/progress.js";
import type { PretrainSummary } from "./train/pretrain.js";
import { pretrainWithRestarts } from "./train/restarting-pretrain.js";
import { TOKEN_ENV } from "./worker/worker-access.js";
import { Worker } from "./worker/worker.js";

function pretrainCommand(): Command {
  const cmd = new Command("pretrain")
    .description("MoCo v2 + MixMask pretraining in a spawned PyTorch worker, with k-NN before and after")
    .addOption(new Option("--preset <name>", "defaults: cpu (quick, minutes on 2 cores) or gpu (full ResNet-18, full data); auto picks by device").choices(["auto", "cpu", "gpu"]).default("auto"))
    .option("--resume", "continue the run in --run-dir from its last checkpoint")
    .option("--auto-restart <n>", "when the worker dies, start a fresh one and resume from the last checkpoint, at most n times", "0")
    .option("--worker <host:port>", `train on a worker already listening there (python -m mixmask_worker --listen ...); token from $${TOKEN_ENV} or --worker-token-file`)
    .option("--worker-token-file <path>", "file holding that worker's access token")
    .option("--worker-ca <pem>", "that worker serves TLS: the certificate (authority) to trust")
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
    // Read the data before starting a worker, so a missing dataset is reported at once with its fix.
    const all = await loadFashionMnist({ dir: typeof given.dataDir === "string" ? given.dataDir : undefined });
    const progress = new TerminalProgress();
    const restarts = Number(flags.autoRestart);
    if (!Number.isInteger(restarts) || restarts < 0) {
      throw new MixmaskError({ code: "INVALID_OPTION", path: "--auto-restart", message: "expected a number of restarts", expected: "an integer ≥ 0", received: String(flags.autoRestart) });
    }
    const spawnOptions = { device, ...(typeof given.threads === "number" && given.threads > 0 ? { threads: given.threads } : {}) };
    const remote = typeof flags.worker === "string" ? flags.worker : undefined;
    if (remote && restarts > 0) {
      throw new MixmaskError({ code: "INVALID_OPTION", path: "--auto-restart", message: "restarts need a worker this process starts; a --worker started elsewhere is not restarted from here", fix: "drop --auto-restart, or --worker" });
    }
    const worker = remote
      ? await Worker.connect(remote, {
          ...(typeof flags.workerTokenFile === "string" ? { token: readFileSync(flags.workerTokenFile, "utf8").trim() } : {}),
          ...(typeof flags.workerCa === "string" ? { tls: { caPath: flags.workerCa } } : {}),
        })
      : await Worker.spawn(spawnOptions);
    try {
      const chosen: PresetName = preset === "auto" ? (worker.info.device.startsWith("cuda") ? "gpu" : "cpu") : preset;
      const config = validatePretrainConfig({ ...PRESETS[chosen], ...given });
      progress.log(`preset ${chosen}${preset === "auto" ? " (auto: by device)" : ""}; run directory ${config.runDir}`);
      const datasets = { train: firstImages(all.train, config.trainImages), test: firstImages(all.test, config.testImages) };
      const summary = await pretrainWithRestarts(config, { worker, progress, datasets, resume: Boolean(flags.resume), maxRestarts: restarts, spawnWorker: () => Worker.spawn(spawnOptions) });
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
  if (error instanceof MixmaskError && error.code === "INTERRUPTED") {
    console.error(`mixmask: ${error.message}\n  fix: ${error.fix}`);
    // The worker is closed and the checkpoint written: end as the signal would have (status 130 for Ctrl-C).
    process.kill(process.pid, String(error.diagnostics?.signal ?? "SIGINT") as NodeJS.Signals);
    return;
  }
  if (error instanceof MixmaskError) {
    console.error(`mixmask: ${error.message}`);
    process.exit(2);
  }
  throw error;
});

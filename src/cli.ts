#!/usr/bin/env node
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { CLI_OPTIONS, parseFlagValue } from "./config/cli-options.js";
import { flagName, type PretrainConfig } from "./config/pretrain-config.js";
import { PRESETS, type PresetName } from "./config/presets.js";
import { dataSizeNote } from "./config/data-size-defaults.js";
import { presetOf, resolveRun, type RunFacts } from "./config/run-config.js";
import type { DatasetName } from "./data/dataset-names.js";
import { headOf, materialize, type DatasetSplits } from "./data/image-source.js";
import { openDataset } from "./data/open-dataset.js";
import { compare, type ComparisonResults } from "./compare/compare.js";
import { parseVariations } from "./compare/variations.js";
import { runDoctor } from "./doctor.js";
import { setupCommand } from "./setup-command.js";
import { evaluateRun, type EvaluationOverrides } from "./eval/evaluate-run.js";
import { labelPercent } from "./eval/labelled-subset.js";
import { writeComparisonReport } from "./report/comparison-report.js";
import { exportCommand } from "./export/export-command.js";
import {
  dashboardCommand,
  openTrainingDashboard,
  withDashboardOptions,
  type TrainingDashboard,
} from "./dashboard/dashboard-command.js";
import { writeFileAtomic } from "./io/atomic-write.js";
import { previewBatch } from "./preview/preview-batch.js";
import { renderPreviewPng } from "./preview/render-grid.js";
import { MixmaskError } from "./errors.js";
import { TerminalProgress } from "./train/progress.js";
import { defaultRunDir } from "./train/default-run-dir.js";
import { checkRunDirUse } from "./train/run-dir-guard.js";
import type { PretrainSummary } from "./train/pretrain.js";
import { pretrainWithRestarts } from "./train/restarting-pretrain.js";
import { SDK_VERSION } from "./worker/protocol-version.js";
import { endBySignal } from "./worker/interrupt-hooks.js";
import { readTokenFile, TOKEN_ENV } from "./worker/worker-access.js";
import { Worker, type WorkerOptions } from "./worker/worker.js";
import { openWorkerGroup } from "./distributed/open-worker-group.js";
import { pretrain } from "./train/pretrain.js";

type Given = Partial<Record<keyof PretrainConfig, unknown>>;

/** Adds --preset and one flag per config option; the command's action reads them back with `givenOptions`. */
function withConfigOptions(cmd: Command): Command {
  cmd.addOption(
    new Option(
      "--preset <name>",
      "defaults: cpu (quick, minutes on 2 cores), cpu-long (an hour on 2 cores, docs/CPU_LONG_RECIPE.md), gpu (full ResNet-18, full data), cifar (the lineage's CIFAR recipe), imagenet (the release's recipe); auto picks cpu or gpu by device",
    )
      .choices(["auto", ...Object.keys(PRESETS)])
      .default("auto"),
  );
  for (const [key, kind, help] of CLI_OPTIONS) {
    const placeholder =
      kind === "number" ? "<n>" : kind === "boolean" ? "<true|false>" : kind === "numbers" ? "<n,n,...>" : "<value>";
    cmd.option(`${flagName(key)} ${placeholder}`, help);
  }
  return cmd;
}

/** The options the user typed, validated at once (with the preset filling the rest) before a worker is spawned. */
function givenOptions(flags: Record<string, string | boolean>): { given: Given; preset: PresetName | "auto" } {
  const given: Given = {};
  for (const [key, kind] of CLI_OPTIONS) {
    const raw = flags[key];
    if (typeof raw === "string") given[key] = parseFlagValue(kind, raw);
  }
  const preset = flags.preset as PresetName | "auto";
  resolveRun(preset, given); // validates
  return { given, preset };
}

/**
 * Opens the dataset before a worker starts, so a missing or malformed dataset is reported at once with its fix.
 * A synthetic dataset has no files: it is drawn once its size is known (undefined here).
 */
async function openGivenDataset(
  given: Given,
  progress: TerminalProgress,
  preset: PresetName | "auto",
): Promise<DatasetSplits | undefined> {
  const dataset = (given.dataset as DatasetName | undefined) ?? PRESETS[presetOf(preset)].dataset;
  if (dataset === "synthetic") return undefined;
  return openDataset({
    dataset,
    dataDir: given.dataDir as string | undefined,
    decodeSize: given.decodeSize as number | undefined,
    skipBadImages: given.skipBadImages as boolean | undefined,
    seed: given.seed as number | undefined,
    log: (line) => progress.log(line),
  });
}

/** What resolveRun needs to know of an opened dataset (none for a synthetic one, drawn once its size is known). */
function datasetFacts(opened: DatasetSplits | undefined): RunFacts["dataset"] {
  return opened
    ? {
        train: { count: opened.train.count, height: opened.train.height, width: opened.train.width },
        test: { count: opened.test.count },
      }
    : undefined;
}

/** The run's options (src/config/run-config.ts), with what the resolution decided said on the terminal. */
function resolveAndSay(
  preset: PresetName | "auto",
  given: Given,
  facts: RunFacts,
  progress: TerminalProgress,
): PretrainConfig {
  const { config, notes } = resolveRun(preset, given, facts);
  for (const note of notes) progress.log(`note: ${note}`);
  return config;
}

/** The worker to spawn for the options: device and torch threads. */
function spawnOptionsOf(given: Given): WorkerOptions {
  const device = (given.device as PretrainConfig["device"] | undefined) ?? "auto";
  return { device, ...(typeof given.threads === "number" && given.threads > 0 ? { threads: given.threads } : {}) };
}

function pretrainCommand(): Command {
  const cmd = withConfigOptions(
    new Command("pretrain").description(
      "self-supervised pretraining (MoCo v2, SimCLR, BYOL or SimSiam, with MixMask, Un-Mix or erase masking) in a spawned PyTorch worker, with k-NN before and after",
    ),
  )
    .option("--resume", "continue the run in --run-dir from its last checkpoint")
    .option(
      "--overwrite",
      "replace the run in --run-dir: its files (metrics, checkpoints, summary, report) are removed first",
    )
    .option(
      "--auto-restart <n>",
      "when the worker dies, start a fresh one and resume from the last checkpoint, at most n times",
      "0",
    )
    .option(
      "--worker <host:port>",
      `train on a worker already listening there (python -m mixmask_worker --listen ...); token from $${TOKEN_ENV} or --worker-token-file`,
    )
    .option("--worker-token-file <path>", "file holding that worker's access token")
    .option("--worker-ca <pem>", "that worker serves TLS: the certificate (authority) to trust")
    .option(
      "--worker-endpoints <file>",
      "train on the ranks of a torchrun launch started elsewhere: its --endpoints-file (docs/DISTRIBUTED.md)",
    )
    .option("--print-config", "print the resolved options and exit")
    .option("--dashboard", "serve a live page of the run beside the training and print its URL (mixmask dashboard)");
  withDashboardOptions(cmd);
  cmd.action(async (flags: Record<string, string | boolean>) => {
    const { given, preset } = givenOptions(flags);
    const progress = new TerminalProgress();
    if (flags.printConfig) {
      // Resolved as the run resolves it: with the dataset opened (sizes, counts) when its files are there.
      const opened = await openGivenDataset(given, progress, preset).catch((error: unknown) => {
        if (!(error instanceof MixmaskError && error.code === "DATASET_MISSING")) throw error;
        progress.log(
          `note: the dataset is not there (${error.message.split("\n")[0]}); sizes below are the format's, counts unchecked`,
        );
        return undefined;
      });
      const { config, notes } = resolveRun(preset, given, { dataset: datasetFacts(opened) });
      for (const note of notes) progress.log(`note: ${note}`);
      console.log(JSON.stringify(config, null, 2));
      return;
    }
    const restarts = Number(flags.autoRestart);
    if (!Number.isInteger(restarts) || restarts < 0) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "--auto-restart",
        message: "expected a number of restarts",
        expected: "an integer ≥ 0",
        received: String(flags.autoRestart),
      });
    }
    checkRunDirUse({ resume: Boolean(flags.resume), overwrite: Boolean(flags.overwrite) }); // before any worker starts
    if (given.runDir === undefined) given.runDir = defaultRunDir(Boolean(flags.resume));
    const remote = typeof flags.worker === "string" ? flags.worker : undefined;
    if (remote && restarts > 0) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "--auto-restart",
        message: "restarts need a worker this process starts; a --worker started elsewhere is not restarted from here",
        fix: "drop --auto-restart, or --worker",
      });
    }
    const opened = await openGivenDataset(given, progress, preset);
    const spawnOptions = spawnOptionsOf(given);
    const group = await openWorkerGroup({
      ranks: typeof given.ranks === "number" ? given.ranks : 1,
      ...(typeof flags.workerEndpoints === "string" ? { endpointsFile: flags.workerEndpoints } : {}),
      ...(typeof flags.workerTokenFile === "string" ? { tokenFile: flags.workerTokenFile } : {}),
      ...(typeof flags.workerCa === "string" ? { caPath: flags.workerCa } : {}),
      spawn: spawnOptions,
      autoRestart: restarts,
      ...(remote ? { remoteWorker: remote } : {}),
    });
    const worker = group
      ? group.lead
      : remote
        ? await Worker.connect(remote, {
            ...(typeof flags.workerTokenFile === "string" ? { token: readTokenFile(flags.workerTokenFile) } : {}),
            ...(typeof flags.workerCa === "string" ? { tls: { caPath: flags.workerCa } } : {}),
          })
        : await Worker.spawn(spawnOptions);
    const chosen = presetOf(preset, worker.info.device);
    let dashboard: TrainingDashboard | undefined;
    try {
      const config = resolveAndSay(
        preset,
        given,
        { dataset: datasetFacts(opened), device: worker.info.device, ...(group ? { ranks: group.worldSize } : {}) },
        progress,
      );
      progress.log(`preset ${chosen}${preset === "auto" ? " (auto: by device)" : ""}; run directory ${config.runDir}`);
      const sizeNote = dataSizeNote(PRESETS[chosen], given, config);
      if (sizeNote) progress.log(sizeNote);
      dashboard = await openTrainingDashboard(flags, config.runDir, (line) => progress.log(line));
      const splits = opened ?? (await openDataset({ ...config, log: (line) => progress.log(line) }));
      const datasets = {
        train: headOf(splits.train, config.trainImages),
        test: headOf(splits.test, config.testImages),
      };
      const resume = Boolean(flags.resume);
      const overwrite = Boolean(flags.overwrite);
      const summary = await dashboard.watch(() =>
        group
          ? pretrain(config, { group, progress, datasets, resume, overwrite })
          : pretrainWithRestarts(config, {
              worker,
              progress,
              datasets,
              resume,
              overwrite,
              maxRestarts: restarts,
              spawnWorker: () => Worker.spawn(spawnOptions),
            }),
      );
      printSummary(summary);
    } finally {
      await (group ?? worker).close();
      await dashboard?.holdOpen();
    }
  });
  return cmd;
}

function previewCommand(): Command {
  const cmd = withConfigOptions(
    new Command("preview").description(
      "write a PNG of one batch as the worker trains on it: views, mask, mixed and complementary images",
    ),
  )
    .option("--out <file>", "PNG to write", "preview.png")
    .option("--step <n>", "which training step to show (drawn from the seed as in training)", "0")
    .option("--samples <n>", "samples (rows) to show", "8");
  cmd.action(async (flags: Record<string, string | boolean>) => {
    const { given, preset } = givenOptions(flags);
    const step = Number(flags.step);
    const samples = Number(flags.samples);
    for (const [flag, value] of [
      ["--step", step],
      ["--samples", samples],
    ] as const) {
      if (!(Number.isInteger(value) && value >= (flag === "--step" ? 0 : 1))) {
        throw new MixmaskError({
          code: "INVALID_OPTION",
          path: flag,
          message: `${flag} must be a whole number`,
          expected: flag === "--step" ? "integer ≥ 0" : "integer ≥ 1",
          received: String(flags[flag.slice(2)]),
        });
      }
    }
    const progress = new TerminalProgress();
    const opened = await openGivenDataset(given, progress, preset);
    const worker = await Worker.spawn(spawnOptionsOf(given));
    try {
      const config = resolveAndSay(
        preset,
        given,
        { dataset: datasetFacts(opened), device: worker.info.device },
        progress,
      );
      const splits = opened ?? (await openDataset({ ...config, log: (line) => progress.log(line) }));
      const train = await materialize(headOf(splits.train, config.trainImages));
      const batch = await previewBatch(worker, config, train, { step, samples });
      const out = String(flags.out);
      writeFileAtomic(out, renderPreviewPng(batch));
      const lambdas = batch.keptFractions.length
        ? `; λ = ${batch.keptFractions.map((l) => l.toFixed(3)).join(", ")}`
        : "";
      console.log(
        `${out}: ${batch.method}, step ${step}, ${batch.samples} samples × columns [${batch.columns.map((c) => c.name).join(", ")}]${lambdas}${batch.unmixLambda !== undefined ? `; Un-Mix λ_u = ${batch.unmixLambda.toFixed(3)}` : ""}`,
      );
    } finally {
      await worker.close();
    }
  });
  return cmd;
}

function compareCommand(): Command {
  const cmd = withConfigOptions(
    new Command("compare").description(
      "pretrain several configurations with several seeds on the same data and budget, one after another on one worker; writes results.json, report.md (mean ± std) and plots",
    ),
  )
    .option(
      "--vary <option=values>",
      "an option and the values to compare, e.g. masker=none,mixmask,erase; repeat to combine options (cartesian product)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option("--seeds <list>", "seeds, comma-separated; every configuration runs with each", "0,1,2")
    .option("--out <dir>", "output folder: results.json, report.md, plots/, runs/", "runs/compare")
    .option("--report-only", "redraw report.md and plots from --out's results.json without training");
  cmd.action(async (flags: Record<string, string | boolean | string[]>) => {
    const out = String(flags.out);
    if (flags.reportOnly) {
      const file = join(out, "results.json");
      if (!existsSync(file))
        throw new MixmaskError({
          code: "INVALID_OPTION",
          path: "--report-only",
          message: `${file} does not exist`,
          fix: "run the comparison first, or point --out at its folder",
        });
      const written = await writeComparisonReport(out, JSON.parse(readFileSync(file, "utf8")) as ComparisonResults);
      console.log(written.map((f) => join(out, f)).join("\n"));
      return;
    }
    const variations = parseVariations(flags.vary as string[]);
    const seeds = String(flags.seeds)
      .split(",")
      .map((s) => Number(s.trim()));
    if (
      seeds.length === 0 ||
      seeds.some((s) => !Number.isInteger(s) || s < 0) ||
      new Set(seeds).size !== seeds.length
    ) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "--seeds",
        message: "expected distinct seeds",
        expected: "comma-separated integers ≥ 0, e.g. 0,1,2",
        received: String(flags.seeds),
      });
    }
    const { given, preset } = givenOptions(flags as Record<string, string | boolean>);
    for (const v of variations) resolveRun(preset, { ...given, ...v.overrides });
    const progress = new TerminalProgress();
    const opened = await openGivenDataset(given, progress, preset);
    const worker = await Worker.spawn(spawnOptionsOf(given));
    try {
      const facts = { dataset: datasetFacts(opened), device: worker.info.device };
      const resolveVariation = (overrides: Given): PretrainConfig =>
        resolveRun(preset, { knnEvery: 1, ...given, ...overrides }, facts).config;
      const probe = resolveAndSay(preset, { knnEvery: 1, ...given }, facts, progress);
      const splits = opened ?? (await openDataset({ ...probe, log: (line) => progress.log(line) }));
      const datasets = { train: headOf(splits.train, probe.trainImages), test: headOf(splits.test, probe.testImages) };
      const command = `mixmask ${process.argv.slice(2).join(" ")}`;
      const results = await compare({
        variations,
        seeds,
        out,
        resolve: resolveVariation,
        worker,
        datasets,
        progress,
        command,
      });
      console.log(
        `\n${readFileSync(join(out, "report.md"), "utf8")
          .split("\n")
          .filter((l) => l.startsWith("|") || l.includes("does not beat the centred pixels"))
          .join("\n")}`,
      );
      console.log(
        `\n${join(out, "report.md")}, ${join(out, "results.json")} (${(results.wallSeconds / 60).toFixed(1)} min)`,
      );
    } finally {
      await worker.close();
    }
  });
  return cmd;
}

function evaluateCommand(): Command {
  const cmd = new Command("evaluate")
    .description(
      "evaluate a finished run again (its last checkpoint) with other protocols or settings; updates its summary.json and report.md",
    )
    .requiredOption("--run-dir <dir>", "the run to evaluate")
    .option("--knn-k <n>", "k-NN neighbours")
    .option("--knn-temperature <n>", "k-NN vote temperature")
    .option(
      "--linear-probe <true|false>",
      "run the linear probe (default: as the run was trained, true unless it was off)",
    )
    .option("--linear-probe-epochs <n>", "linear probe epochs (release protocol: 100)")
    .option("--semi-supervised <n,n,...>", "fine-tune with these label fractions, e.g. 0.01,0.1")
    .option("--device <value>", "auto | cpu | cuda (default: the run's)")
    .option("--threads <n>", "torch threads in the worker (default: the run's; 0 = torch's default)");
  cmd.action(async (flags: Record<string, string>) => {
    const overrides: Given = {};
    for (const [key, kind] of CLI_OPTIONS) {
      if (
        ["knnK", "knnTemperature", "linearProbe", "linearProbeEpochs", "semiSupervised", "device", "threads"].includes(
          key,
        ) &&
        typeof flags[key] === "string"
      )
        overrides[key] = parseFlagValue(kind, flags[key]);
    }
    const summary = await evaluateRun(flags.runDir!, overrides as EvaluationOverrides, {
      progress: new TerminalProgress(),
    });
    printSummary(summary);
  });
  return cmd;
}

function printSummary(s: PretrainSummary): void {
  const rows: [string, string][] = [
    ...(s.baselines
      ? [
          [
            `k-NN top-1 (k=${s.knnFinal.k}, T=${s.knnFinal.temperature}), centred pixels`,
            s.baselines.pixels.knn.top1.toFixed(4),
          ] as [string, string],
        ]
      : []),
    [`k-NN top-1 (k=${s.knnInit.k}, T=${s.knnInit.temperature}), untrained`, s.knnInit.top1.toFixed(4)],
    [`k-NN top-1 (k=${s.knnFinal.k}, T=${s.knnFinal.temperature}), trained`, s.knnFinal.top1.toFixed(4)],
    ...(s.evaluations.linearProbe
      ? [
          ["linear probe top-1, centred pixels", s.baselines?.pixels.linearProbe?.lastTop1.toFixed(4) ?? "—"] as [
            string,
            string,
          ],
          [
            "linear probe top-1, untrained → trained",
            `${s.evaluations.linearProbeInit?.lastTop1.toFixed(4) ?? "—"} → ${s.evaluations.linearProbe.lastTop1.toFixed(4)} (last of ${s.evaluations.linearProbe.settings.epochs} epochs; best ${s.evaluations.linearProbe.bestTop1.toFixed(4)})`,
          ] as [string, string],
        ]
      : []),
    ...s.evaluations.semiSupervised.map(
      (r) => [`fine-tuned on ${labelPercent(r.fraction)} of labels, top-1`, r.top1.toFixed(4)] as [string, string],
    ),
    ["positive top-1 (term 0), first epoch", s.positiveTop1FirstEpoch.toFixed(4)],
    ["positive top-1 (term 0), last epoch", s.positiveTop1LastEpoch.toFixed(4)],
    ["loss, first → last epoch", `${s.lossFirstEpoch.toFixed(3)} → ${s.lossLastEpoch.toFixed(3)}`],
    [
      "steps, throughput",
      `${s.steps} steps, ${s.stepsPerSecond.toFixed(2)} steps/s, ${s.samplesPerSecond.toFixed(0)} images/s`,
    ],
    ["device", `${s.device} (${s.deviceName})`],
    ...(s.streaming
      ? [
          [
            "streaming",
            `${s.streaming.lane} lane, at most ${s.streaming.worker.peakBufferedBatches} of ${s.streaming.capacityBatches} batches buffered`,
          ] as [string, string],
        ]
      : []),
    ["wall time", `${s.wallSeconds.toFixed(0)} s`],
    ["summary, report", `${s.runDir}/summary.json, ${s.runDir}/report.md`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}`);
  for (const shortfall of s.belowPixels ?? []) console.log(`warning: ${shortfall}`);
  for (const w of s.health ?? [])
    console.log(`health warning at step ${w.step}, ${w.check}: ${w.message}\n  fix: ${w.fix}`);
}

const program = new Command("mixmask")
  .description("Self-supervised pretraining of ConvNets with MixMask, from TypeScript")
  .version(SDK_VERSION)
  .showSuggestionAfterError(true)
  .addCommand(pretrainCommand())
  .addCommand(previewCommand())
  .addCommand(compareCommand())
  .addCommand(evaluateCommand())
  .addCommand(exportCommand())
  .addCommand(dashboardCommand())
  .addCommand(setupCommand())
  .addCommand(
    new Command("doctor")
      .description("print Node, Python, torch and device facts, and what is missing")
      .action(async () => {
        process.exitCode = await runDoctor();
      }),
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof MixmaskError && error.code === "INTERRUPTED") {
    console.error(`mixmask: ${error.message}`); // the message ends with its fix line
    // The worker is closed and the checkpoint written: end as the signal would have (status 130 for Ctrl-C).
    endBySignal(String(error.diagnostics?.signal ?? "SIGINT") as NodeJS.Signals);
    return;
  }
  if (error instanceof MixmaskError) {
    console.error(`mixmask: ${error.message}`);
    // A collapse stop (--on-collapse stop) is a run ended on purpose with a checkpoint, not a usage error: its own status.
    process.exit(error.code === "LEARNING_COLLAPSED" ? 3 : 2);
  }
  throw error;
});

import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { COLLAPSE_CHECKS, HealthMonitor, uniformLoss, type HealthCheck, type HealthWarning } from "./health-monitor.js";
import type { ProgressReporter } from "./progress.js";
import type { RunDirectory } from "./run-directory.js";
import type { StepPlan } from "./step-plan.js";
import type { StepResult } from "../worker/step-stream.js";
import { MixmaskError } from "../errors.js";
import { checkpointFileName } from "./checkpoint-manifest.js";
import type { TrainObserver } from "./train-loop.js";

const HEALTH_FILE = "health.jsonl";

/**
 * The learning-health monitor of one run: feeds it every step result (with the step's uniform loss from its plan) and
 * k-NN point, logs each warning with its fix, appends it to health.jsonl, and says when `--on-collapse stop` must end
 * the run.
 */
export class RunHealth implements TrainObserver {
  private readonly monitor: HealthMonitor;
  private readonly uniform = new Map<number, number | null>();
  /** The collapse warning that stops the run (`onCollapse: "stop"`), once seen. */
  stopReason: HealthWarning | undefined;
  /** The checks failing at the last observation, to log the ones that recover. */
  private reported: HealthCheck[] = [];

  constructor(
    private readonly config: PretrainConfig,
    stepsPerEpoch: number,
    private readonly runDir: RunDirectory,
    private readonly progress: ProgressReporter,
    options: { pixelKnn?: number; firstStep: number },
  ) {
    const queue = config.framework === "mocov2" ? config.queueSize : 0;
    const queueFill = queue > 0 ? Math.ceil(queue / config.batchSize) : 0;
    const positiveChance =
      queue > 0
        ? 1 / (queue + 1)
        : config.framework === "simclr"
          ? 1 / (2 * config.batchSize - 1)
          : 1 / config.batchSize;
    this.monitor = new HealthMonitor({
      stepsPerEpoch,
      warmupSteps: options.firstStep + Math.max(queueFill, stepsPerEpoch),
      positiveChance,
      ...(options.pixelKnn !== undefined ? { pixelKnn: options.pixelKnn } : {}),
    });
    if (options.firstStep === 0) writeFileAtomic(runDir.file(HEALTH_FILE), "");
    else this.truncate(options.firstStep);
  }

  planned(plan: StepPlan): void {
    this.uniform.set(plan.step, uniformLoss(plan.terms, this.config.queueSize, plan.indices.length));
  }

  /** The checks failing now, for the progress line: one that recovered (a k-NN back above the pixels) leaves it. */
  status(): string | undefined {
    const failing = this.monitor.failingChecks;
    return failing.length ? failing.join(", ") : undefined;
  }

  stop(done: number, total: number): MixmaskError | undefined {
    const w = this.stopReason;
    if (!w) return undefined;
    return new MixmaskError({
      code: "LEARNING_COLLAPSED",
      message: `stopped after step ${done} of ${total} (--on-collapse stop): ${w.check} at step ${w.step}: ${w.message}; checkpoint ${checkpointFileName(done, "pt")} written, warnings in ${this.runDir.file(HEALTH_FILE)}`,
      fix: w.fix,
      diagnostics: { check: w.check, step: w.step, value: w.value, threshold: w.threshold },
    });
  }

  step(r: StepResult, { epoch }: { epoch: number }): void {
    const uniformLoss = this.uniform.get(r.step) ?? null;
    this.uniform.delete(r.step);
    this.record(
      { step: r.step, epoch },
      this.monitor.observeStep({
        step: r.step,
        epoch,
        loss: r.loss,
        uniformLoss,
        positiveTop1: r.positiveTop1,
        embeddingStd: r.embeddingStd,
      }),
    );
  }

  knn(point: { epoch: number; step: number; top1: number }): void {
    this.record(point, this.monitor.observeKnn(point));
  }

  /** Every warning of this run directory's health.jsonl (a resumed run's included). */
  warnings(): HealthWarning[] {
    return readHealth(this.runDir.file(HEALTH_FILE));
  }

  private record(at: { step: number; epoch: number }, warnings: HealthWarning[]): void {
    const failing = this.monitor.failingChecks;
    for (const check of this.reported) {
      if (!failing.includes(check))
        this.progress.log(
          `health: ${check} recovered at step ${at.step} (epoch ${at.epoch}); health.jsonl keeps the warning`,
        );
    }
    this.reported = failing;
    for (const w of warnings) {
      appendFileSync(this.runDir.file(HEALTH_FILE), `${JSON.stringify(w)}\n`);
      this.progress.log(
        `health warning at step ${w.step} (epoch ${w.epoch}), ${w.check}: ${w.message}\n  fix: ${w.fix}`,
      );
      if ((this.config.onCollapse ?? "warn") === "stop" && !this.stopReason && COLLAPSE_CHECKS.includes(w.check))
        this.stopReason = w;
    }
  }

  private truncate(step: number): void {
    const kept = readHealth(this.runDir.file(HEALTH_FILE)).filter((w) => w.step < step);
    writeFileAtomic(this.runDir.file(HEALTH_FILE), kept.map((w) => `${JSON.stringify(w)}\n`).join(""));
  }
}

/** The warnings of a health.jsonl; none when the file is absent (runs older than the monitor). */
export function readHealth(file: string): HealthWarning[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as HealthWarning);
}

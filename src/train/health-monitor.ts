import type { LossTerm } from "../frameworks/loss-term.js";

/** The learning-health checks (health.jsonl `check`). */
export type HealthCheck = "loss-at-uniform" | "spread-collapse" | "positive-top1-pinned" | "knn-below-pixels";

/** One line of health.jsonl: a failure seen while training, with what to change. */
export interface HealthWarning {
  step: number;
  epoch: number;
  check: HealthCheck;
  /** The measured value: a windowed mean over recent steps, or the latest k-NN top-1. */
  value: number;
  /** The value the check compares against (its direction is in `message`). */
  threshold: number;
  message: string;
  fix: string;
}

/**
 * The checks that mean the embeddings collapsed; `--on-collapse stop` ends a run on these. A pinned positive top-1
 * comes with collapse but also with a task that is merely too easy, and a k-NN below the pixels with too short a
 * budget: both only warn.
 */
export const COLLAPSE_CHECKS: readonly HealthCheck[] = ["loss-at-uniform", "spread-collapse"];

export interface HealthSettings {
  stepsPerEpoch: number;
  /** Steps before the first step-level check: the queue must have filled and the first epoch passed. */
  warmupSteps: number;
  /** Chance level of term 0's positive-key top-1 (1/(K+1) with a queue): the "pinned near 0" check's scale. */
  positiveChance: number;
  /** k-NN top-1 of the centred pixels under the run's protocol; without it the k-NN check is off. */
  pixelKnn?: number;
  /** Steps averaged by the step-level checks. Default min(20, steps per epoch), at least 5. */
  window?: number;
  /** Consecutive k-NN monitor points below the pixels before warning. Default 3. */
  knnPatience?: number;
}

/** One training step as the monitor reads it (StepResult plus the plan's uniform loss). */
export interface HealthStep {
  step: number;
  epoch: number;
  loss: number;
  /** The step's loss when every logit is equal (`uniformLoss`); null when a term has no such value. */
  uniformLoss: number | null;
  positiveTop1: number;
  embeddingStd: number;
}

// Thresholds, measured against healthy CPU-preset runs (docs/EVALUATION.md, "Learning health"): their windowed loss
// stays below 0.92 of uniform and their spread above 0.025 even in the first epochs, where both dip the most.
const UNIFORM_FRACTION = 0.99;
const SPREAD_FLOOR = 0.01;
const TOP1_CEILING = 0.99;
const TOP1_FLOOR_CHANCES = 2;

/**
 * The loss of a step whose logits are all equal, from its plan's terms: Σ weight · mean(sample weights) · ln(C) with
 * C = K + 1 candidates for InfoNCE against a queue of K, and C = 2N − 1 for NT-Xent over a batch of N (each of the 2N
 * rows against the 2N − 1 others). Null when a term is a cosine kind (BYOL, SimSiam), whose collapse shows in the
 * spread instead.
 */
export function uniformLoss(terms: readonly LossTerm[], queueSize: number, batchSize: number): number | null {
  let total = 0;
  for (const t of terms) {
    const candidates = t.kind === "info_nce_queue" ? queueSize + 1 : t.kind === "nt_xent" ? 2 * batchSize - 1 : 0;
    if (candidates < 2) return null;
    const w = t.sampleWeights;
    const meanWeight = w && w.length ? w.reduce((a, b) => a + b, 0) / w.length : 1;
    total += t.weight * meanWeight * Math.log(candidates);
  }
  return total;
}

/**
 * Watches a run's step results and k-NN monitor for the failures users hit: a loss at its uniform value, embeddings
 * collapsing to one point, a positive-key top-1 pinned at 0 or 1, and a k-NN below the centred pixels. Pure: it
 * returns warnings and the caller logs, records and acts on them. Each check warns when it enters its failing state
 * and again only after it has left it.
 */
export class HealthMonitor {
  private readonly window: number;
  private readonly knnPatience: number;
  private readonly recent: HealthStep[] = [];
  private readonly failing = new Set<HealthCheck>();
  private knnBelow = 0;

  constructor(private readonly settings: HealthSettings) {
    this.window = settings.window ?? Math.max(5, Math.min(20, settings.stepsPerEpoch));
    this.knnPatience = settings.knnPatience ?? 3;
  }

  /** The checks failing now, in the order they started failing: a check that recovered is no longer listed. */
  get failingChecks(): HealthCheck[] {
    return [...this.failing];
  }

  observeStep(s: HealthStep): HealthWarning[] {
    this.recent.push(s);
    if (this.recent.length > this.window) this.recent.shift();
    if (s.step + 1 < this.settings.warmupSteps || this.recent.length < this.window) return [];
    const mean = (f: (x: HealthStep) => number): number =>
      this.recent.reduce((a, x) => a + f(x), 0) / this.recent.length;
    const out: HealthWarning[] = [];
    const at = { step: s.step, epoch: s.epoch };

    const uniform = s.uniformLoss;
    if (uniform !== null && this.recent.every((x) => x.uniformLoss !== null)) {
      const loss = mean((x) => x.loss);
      const threshold = UNIFORM_FRACTION * mean((x) => x.uniformLoss!);
      this.transition(out, "loss-at-uniform", loss >= threshold, () => ({
        ...at,
        check: "loss-at-uniform",
        value: loss,
        threshold,
        message: `loss ${loss.toFixed(3)} (mean of the last ${this.recent.length} steps) is at its uniform value ${(threshold / UNIFORM_FRACTION).toFixed(3)} (Σ weight · ln(candidates)): every logit alike, the encoder no longer tells images apart`,
        fix: "lower --lr, raise --key-momentum (0.999), or raise --temperature; with MixMask at a large --queue-size, try a smaller one (docs/EVALUATION.md, Learning health)",
      }));
    }
    const spread = mean((x) => x.embeddingStd);
    this.transition(out, "spread-collapse", spread < SPREAD_FLOOR, () => ({
      ...at,
      check: "spread-collapse",
      value: spread,
      threshold: SPREAD_FLOOR,
      message: `embedding spread ${spread.toFixed(4)} (std over the batch × √D, about 1 when healthy) is below ${SPREAD_FLOOR}: the embeddings of different images are collapsing onto one point`,
      fix: "lower --lr or --weight-decay, raise --key-momentum; BYOL/SimSiam: keep the predictor and its stop-gradient (docs/EVALUATION.md, Learning health)",
    }));
    const top1 = mean((x) => x.positiveTop1);
    const floor = TOP1_FLOOR_CHANCES * this.settings.positiveChance;
    const pinned = top1 >= TOP1_CEILING ? "high" : top1 <= floor ? "low" : undefined;
    this.transition(out, "positive-top1-pinned", pinned !== undefined, () => ({
      ...at,
      check: "positive-top1-pinned",
      value: top1,
      threshold: pinned === "high" ? TOP1_CEILING : floor,
      message:
        pinned === "high"
          ? `positive-key top-1 ${top1.toFixed(4)} is pinned near 1: each positive beats every negative, so the task teaches little (with a collapsing spread, by a vanishing margin)`
          : `positive-key top-1 ${top1.toFixed(4)} is pinned near 0 (chance ${this.settings.positiveChance.toPrecision(2)}): positives no longer beat the negatives`,
      fix:
        pinned === "high"
          ? "make the task harder: a larger --queue-size, stronger augmentation (--crop-scale-min 0.2), and keep shuffle-BN (--bn-splits > 1)"
          : "lower --lr or raise --key-momentum (0.999); check that the two views are of the same image (docs/EVALUATION.md, Learning health)",
    }));
    return out;
  }

  /** A k-NN monitor point; warns once the top-1 has stayed at or below the pixels' for `knnPatience` points. */
  observeKnn(p: { epoch: number; step: number; top1: number }): HealthWarning[] {
    const pixels = this.settings.pixelKnn;
    if (pixels === undefined) return [];
    this.knnBelow = p.top1 <= pixels ? this.knnBelow + 1 : 0;
    const out: HealthWarning[] = [];
    this.transition(out, "knn-below-pixels", this.knnBelow >= this.knnPatience, () => ({
      step: p.step,
      epoch: p.epoch,
      check: "knn-below-pixels",
      value: p.top1,
      threshold: pixels,
      message: `k-NN top-1 ${p.top1.toFixed(4)} has stayed at or below the centred pixels' ${pixels.toFixed(4)} for ${this.knnBelow} measurements: the encoder is not yet a better index than its input`,
      fix: "train longer (--epochs) with MoCo v2's crops (--crop-scale-min 0.2), a larger --queue-size and --temperature 0.1; on Fashion-MNIST and a CPU, --preset cpu-long does that and beat the pixels in about an hour (docs/CPU_LONG_RECIPE.md)",
    }));
    return out;
  }

  private transition(out: HealthWarning[], check: HealthCheck, failing: boolean, warning: () => HealthWarning): void {
    if (failing && !this.failing.has(check)) {
      this.failing.add(check);
      out.push(warning());
    } else if (!failing) {
      this.failing.delete(check);
    }
  }
}

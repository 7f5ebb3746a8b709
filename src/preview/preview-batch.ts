import type { PretrainConfig } from "../config/pretrain-config.js";
import { MixmaskError } from "../errors.js";
import { channelMeanStd, type ImageDataset } from "../data/image-dataset.js";
import type { InputName } from "../frameworks/loss-term.js";
import { describeMethod } from "../train/describe-method.js";
import { runRequest } from "../train/run-request.js";
import type { StepPlan } from "../train/step-plan.js";
import { StepPlanner } from "../train/step-planner.js";
import { INPUT, encodeStepPlan } from "../worker/plan-encoding.js";
import { uploadDataset } from "../worker/upload-dataset.js";
import type { Worker } from "../worker/worker.js";

/** One picture of the batch: M images of S×S RGB pixels, row-major HWC uint8. */
export interface PreviewColumn {
  /** "view0", "masked0", …, or "mask" (white = pixel kept from the original). */
  name: InputName | "mask";
  pixels: Uint8Array;
}

/** What the worker trains on at one step, for the first M samples of the batch. */
export interface PreviewBatch {
  step: number;
  samples: number;
  imageSize: number;
  /** view0, view1, mask, then the masked, complementary and Un-Mix images, in Input order. */
  columns: PreviewColumn[];
  /** e.g. "MoCo v2 + MixMask (block g=4)". */
  method: string;
  /** λ of the step: one value (a mask per batch) or one per shown sample. */
  keptFractions: number[];
  unmixLambda?: number;
}

export interface PreviewOptions {
  /** Which step of the run to show (its plan is drawn from the seed exactly as in training). Default 0. */
  step?: number;
  /** Samples shown (the first M of the batch). Default 8. */
  samples?: number;
}

const INPUT_NAMES = new Map<number, InputName>(
  Object.entries(INPUT).map(([name, value]) => [value, name as InputName]),
);

/**
 * Builds one step's plan from `config` and asks the worker for the images that step trains on — the same code path
 * as a training step (augmentation, mask, mix on the worker's device), de-normalised, without training anything.
 */
export async function previewBatch(
  worker: Worker,
  config: PretrainConfig,
  train: ImageDataset,
  options: PreviewOptions = {},
): Promise<PreviewBatch> {
  const step = options.step ?? 0;
  const samples = options.samples ?? 8;
  const upload = await uploadDataset(worker, train);
  const runId = `preview-${step}`;
  await worker.createRun(runRequest(runId, { ...config, compile: "off" }, upload.id, channelMeanStd(train))); // a preview trains nothing
  const plan = new StepPlanner(config, train).plan(step);
  return previewOfPlan(worker, runId, config, plan, samples);
}

/**
 * The images of one planned step on a run the worker already holds: `mixmask preview`'s own run, or a training run
 * between its steps (the dashboard's per-epoch preview; the worker's compute thread runs it in order with the steps).
 */
export async function previewOfPlan(
  worker: Worker,
  runId: string,
  config: PretrainConfig,
  plan: StepPlan,
  samples: number,
): Promise<PreviewBatch> {
  const step = plan.step;
  const reply = await worker.preview(runId, encodeStepPlan(plan), samples);
  const m = reply.samples;
  const s = reply.imageSize;
  const columns: PreviewColumn[] = reply.inputs.map((image) => {
    const name = INPUT_NAMES.get(image.input ?? 0);
    if (!name)
      throw new MixmaskError({
        code: "PROTOCOL_MISMATCH",
        path: "PreviewReply.inputs[].input",
        message: "the worker sent an image of an input this SDK does not know",
        expected: `one of ${[...INPUT_NAMES.values()].join(", ")}`,
        received: String(image.input),
        fix: "use an SDK and a worker of the same version",
      });
    return { name, pixels: image.pixels ?? new Uint8Array(0) };
  });
  if (reply.maskPixels && reply.maskPixels.length === m * s * s) {
    const rgb = new Uint8Array(m * s * s * 3);
    reply.maskPixels.forEach((kept, i) => rgb.fill(kept ? 255 : 0, i * 3, i * 3 + 3));
    columns.splice(2, 0, { name: "mask", pixels: rgb });
  }
  const kept = plan.mask ? Array.from(plan.mask.keptFractions) : [];
  return {
    step,
    samples: m,
    imageSize: s,
    columns,
    method: describeMethod(config),
    keptFractions: plan.mask?.perSample ? kept.slice(0, m) : kept,
    ...(plan.unmix ? { unmixLambda: plan.unmix.lambda } : {}),
  };
}

import { MixmaskError, type ErrorIssue } from "../errors.js";
import type { Rng } from "../random/rng.js";
import { sampleResizedCrop } from "./random-resized-crop.js";
import type { ViewParams } from "./view-params.js";

/**
 * The MoCo v2 augmentation recipe (Chen et al. 2020, "Improved Baselines with Momentum Contrastive Learning";
 * docs/METHODS.md#release-hyper-parameters): RandomResizedCrop → ColorJitter (p) → RandomGrayscale → GaussianBlur (p) → HorizontalFlip.
 * Every field is optional; the defaults are the ImageNet recipe. Presets for small images change them (the CIFAR
 * recipe has no blur: `blurProbability: 0`).
 */
export interface AugmentationOptions {
  /** Crop area range as a fraction of the source image's area, 0 < lo ≤ hi. Default [0.2, 1]. */
  cropScale?: [number, number];
  /** Crop aspect-ratio range (width/height), 0 < lo ≤ hi. Default [3/4, 4/3]. */
  cropRatio?: [number, number];
  /** Probability that colour jitter is applied to a sample, [0, 1]. Default 0.8. */
  jitterProbability?: number;
  /** Brightness strength b ≥ 0: factor ~ U[max(0, 1 − b), 1 + b]. Default 0.4. */
  brightness?: number;
  /** Contrast strength c ≥ 0: factor ~ U[max(0, 1 − c), 1 + c]. Default 0.4. */
  contrast?: number;
  /** Saturation strength s ≥ 0: factor ~ U[max(0, 1 − s), 1 + s]. Default 0.4. */
  saturation?: number;
  /** Hue strength h in [0, 0.5]: shift ~ U[−h, h] turns of the colour wheel. Default 0.1. */
  hue?: number;
  /** Probability of converting a sample to grey, [0, 1]. Default 0.2. */
  grayscaleProbability?: number;
  /** Probability of Gaussian blur, [0, 1]. Default 0.5. */
  blurProbability?: number;
  /**
   * Blur σ range in OUTPUT pixels, 0 < lo ≤ hi. Default [0.1, 2], the recipe's range at 224 px; σ is used as drawn
   * (not rescaled with imageSize), so presets for small images choose their own range.
   */
  blurSigma?: [number, number];
  /** Probability of a horizontal flip, [0, 1]. Default 0.5. */
  flipProbability?: number;
  /** Blur kernel size as a fraction of the output size: the odd number nearest to fraction·imageSize, at least 3. Default 0.1 (SimCLR's 10%). */
  blurKernelFraction?: number;
}

/** The defaults of every AugmentationOptions field: the MoCo v2 ImageNet recipe. */
export const MOCO_V2_AUGMENTATION: Readonly<Required<AugmentationOptions>> = Object.freeze<
  Required<AugmentationOptions>
>({
  cropScale: [0.2, 1],
  cropRatio: [3 / 4, 4 / 3],
  jitterProbability: 0.8,
  brightness: 0.4,
  contrast: 0.4,
  saturation: 0.4,
  hue: 0.1,
  grayscaleProbability: 0.2,
  blurProbability: 0.5,
  blurSigma: [0.1, 2],
  flipProbability: 0.5,
  blurKernelFraction: 0.1,
});

/**
 * Draws the parameters of one augmented view for `count` samples. Per sample, in this fixed order (the order of
 * torchvision's MoCo v2 pipeline): crop box; jitter applied?; if applied: op order = permutation(4), then brightness,
 * contrast, saturation and hue (ColorJitter.get_params; all four are drawn even when a strength is 0, so the stream
 * does not depend on the strengths); grayscale?; blur?, then σ if blurred; flip?.
 *
 * @param rng the view's stream, e.g. `Rng.stream(seed, "augment", step, view)`.
 * @param count N, samples in the batch (integer ≥ 0).
 * @param source size and channels of the source images (crop boxes are in source pixels).
 * @param imageSize S, the output side in pixels (crops are resized to S×S); sets the blur kernel size.
 * @param options the recipe; omitted fields take MOCO_V2_AUGMENTATION's values.
 */
export function planView(
  rng: Rng,
  count: number,
  source: { height: number; width: number; channels: 1 | 3 },
  imageSize: number,
  options: AugmentationOptions,
): ViewParams {
  const o = resolve(count, source, imageSize, options);
  // Grey sources: the worker repeats grey pixels to 3 equal channels, on which saturation (blend with the luma image,
  // which equals the image) and hue (rotation about the grey axis) are exact no-ops, and so is grayscale conversion.
  // They are still DRAWN, so a stream yields the same crops, flips and blurs whatever the channel count; then set to
  // identity so the plan states what actually happens. Brightness, contrast, crop, blur and flip act as on RGB.
  const grey = source.channels === 1;
  const crop = new Float32Array(4 * count);
  const flip = new Uint8Array(count);
  const jitter = new Float32Array(4 * count);
  const jitterOrder = new Uint8Array(4 * count);
  const grayscale = new Uint8Array(count);
  const blurSigma = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const box = sampleResizedCrop(rng, source.height, source.width, o.cropScale, o.cropRatio);
    crop.set([box.top, box.left, box.height, box.width], 4 * i);

    if (rng.bernoulli(o.jitterProbability)) {
      jitterOrder.set(rng.permutation(4), 4 * i);
      const brightness = rng.uniform(Math.max(0, 1 - o.brightness), 1 + o.brightness);
      const contrast = rng.uniform(Math.max(0, 1 - o.contrast), 1 + o.contrast);
      const saturation = rng.uniform(Math.max(0, 1 - o.saturation), 1 + o.saturation);
      const hue = rng.uniform(-o.hue, o.hue);
      jitter.set([brightness, contrast, grey ? 1 : saturation, grey ? 0 : hue], 4 * i);
    } else {
      jitterOrder.set(IDENTITY_ORDER, 4 * i);
      jitter.set(IDENTITY_JITTER, 4 * i);
    }

    const toGrey = rng.bernoulli(o.grayscaleProbability);
    grayscale[i] = toGrey && !grey ? 1 : 0;
    blurSigma[i] = rng.bernoulli(o.blurProbability) ? rng.uniform(o.blurSigma[0], o.blurSigma[1]) : 0;
    flip[i] = rng.bernoulli(o.flipProbability) ? 1 : 0;
  }
  // The odd number nearest to x is 2·floor(x/2) + 1 (ties, at even x, go up).
  const blurKernelSize = Math.max(3, 2 * Math.floor((o.blurKernelFraction * imageSize) / 2) + 1);
  return { crop, flip, jitter, jitterOrder, grayscale, blurSigma, blurKernelSize };
}

const IDENTITY_ORDER = [0, 1, 2, 3];
const IDENTITY_JITTER = [1, 1, 1, 0];

function resolve(
  count: number,
  source: { height: number; width: number; channels: 1 | 3 },
  imageSize: number,
  options: AugmentationOptions,
): Required<AugmentationOptions> {
  const o: Required<AugmentationOptions> = { ...MOCO_V2_AUGMENTATION, ...definedFields(options) };
  const issues: ErrorIssue[] = [];
  const check = (ok: boolean, path: string, expected: string, received: unknown): void => {
    if (!ok)
      issues.push({
        path,
        message: `${path} must be ${expected}`,
        expected,
        received: JSON.stringify(received) ?? String(received),
      });
  };
  check(Number.isInteger(count) && count >= 0, "count", "an integer ≥ 0", count);
  check(
    Number.isInteger(source.height) && source.height >= 1 && Number.isInteger(source.width) && source.width >= 1,
    "source",
    "positive integer height and width",
    source,
  );
  check(source.channels === 1 || source.channels === 3, "source.channels", "1 or 3", source.channels);
  check(Number.isInteger(imageSize) && imageSize >= 1, "imageSize", "an integer ≥ 1", imageSize);
  check(isRange(o.cropScale), "cropScale", "[lo, hi] with 0 < lo ≤ hi", o.cropScale);
  check(isRange(o.cropRatio), "cropRatio", "[lo, hi] with 0 < lo ≤ hi", o.cropRatio);
  check(isRange(o.blurSigma), "blurSigma", "[lo, hi] with 0 < lo ≤ hi (pixels)", o.blurSigma);
  for (const key of ["jitterProbability", "grayscaleProbability", "blurProbability", "flipProbability"] as const) {
    check(o[key] >= 0 && o[key] <= 1, key, "a probability in [0, 1]", o[key]);
  }
  for (const key of ["brightness", "contrast", "saturation"] as const) {
    check(o[key] >= 0 && Number.isFinite(o[key]), key, "a finite number ≥ 0", o[key]);
  }
  check(o.hue >= 0 && o.hue <= 0.5, "hue", "a number in [0, 0.5]", o.hue);
  check(
    o.blurKernelFraction > 0 && Number.isFinite(o.blurKernelFraction),
    "blurKernelFraction",
    "a finite number > 0",
    o.blurKernelFraction,
  );
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: first.path,
      message: first.message,
      expected: first.expected,
      received: first.received,
      issues,
    });
  }
  return o;
}

function isRange(range: [number, number]): boolean {
  return (
    Array.isArray(range) && range.length === 2 && range[0] > 0 && range[0] <= range[1] && Number.isFinite(range[1])
  );
}

/** Drops fields set to `undefined`, so `{ hue: undefined }` means the default rather than overriding it. */
function definedFields(options: AugmentationOptions): AugmentationOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as AugmentationOptions;
}

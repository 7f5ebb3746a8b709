import { MixmaskError } from "../errors.js";
import type { Rng } from "../random/rng.js";
import { roundHalfEven } from "../random/round-half-even.js";

/**
 * A crop box as torchvision's `RandomResizedCrop.get_params` draws it (torchvision/transforms/transforms.py), ported
 * line for line so the recipe's `scale` and `ratio` mean what they mean in every MoCo/SimCLR paper:
 *
 *     for 10 attempts:
 *         target_area = H·W · U(scale)                 aspect = exp(U(log ratio))
 *         w = round(sqrt(target_area · aspect))        h = round(sqrt(target_area / aspect))   (round half to even)
 *         if 0 < w ≤ W and 0 < h ≤ H:  top = randint(0, H − h), left = randint(0, W − w); return
 *     fallback: the central crop of the whole image, clamped to the ratio range
 *
 * @param rng the view's stream; consumes 2 draws per attempt plus 2 for the accepted position.
 * @param height H of the source image, pixels.
 * @param width W of the source image, pixels.
 * @param scale range of the crop's area as a fraction of the image's area, 0 < lo ≤ hi (the MoCo v2 recipe: [0.2, 1]).
 * @param ratio range of the crop's aspect ratio width/height, 0 < lo ≤ hi (recipe: [3/4, 4/3]).
 * @returns the box in source pixels; height and width are integers ≥ 1.
 */
export function sampleResizedCrop(
  rng: Rng,
  height: number,
  width: number,
  scale: [number, number],
  ratio: [number, number],
): { top: number; left: number; height: number; width: number } {
  validate(height, width, scale, ratio);
  const area = height * width;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.intInclusive(0, height - h);
      const left = rng.intInclusive(0, width - w);
      return { top, left, height: h, width: w };
    }
  }
  // Fallback (no attempt fitted): the largest central box whose aspect ratio is inside the range.
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) {
    h = roundHalfEven(w / ratio[0]);
  } else if (inRatio > ratio[1]) {
    w = roundHalfEven(h * ratio[1]);
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

function validate(height: number, width: number, scale: [number, number], ratio: [number, number]): void {
  const bad = (path: string, message: string, expected: string, received: string): never => {
    throw new MixmaskError({ code: "INVALID_OPTION", path, message, expected, received });
  };
  if (!(Number.isInteger(height) && height >= 1 && Number.isInteger(width) && width >= 1)) {
    bad(
      "source",
      "the source image size must be positive integers",
      "height, width integers ≥ 1",
      `${height}×${width}`,
    );
  }
  if (!(scale[0] > 0 && scale[0] <= scale[1] && Number.isFinite(scale[1]))) {
    bad(
      "cropScale",
      "the crop scale range must be positive and ordered",
      "[lo, hi] with 0 < lo ≤ hi, e.g. [0.2, 1]",
      `[${scale.join(", ")}]`,
    );
  }
  if (!(ratio[0] > 0 && ratio[0] <= ratio[1] && Number.isFinite(ratio[1]))) {
    bad(
      "cropRatio",
      "the crop aspect-ratio range must be positive and ordered",
      "[lo, hi] with 0 < lo ≤ hi, e.g. [3/4, 4/3]",
      `[${ratio.join(", ")}]`,
    );
  }
}

import { MixmaskError } from "../errors.js";
import type { BackboneSpec } from "../export/backbone-spec.js";
import type { ImageBatch } from "./image-batch.js";

/**
 * The network input of uint8 images, computed exactly as the worker computes it for k-NN and Embed
 * (python_worker/mixmask_worker/evaluation/knn.py `extract_features`), so that ONNX features in Node match the worker's:
 *
 *     x = float32(pixel) / 255            (grey images: the same value for the 3 channels)
 *     x = (x − mean_c) / std_c            (float32 arithmetic, mean and std as float32)
 *     layout [N, 3, S, S], channels first
 *
 * Each step is rounded to float32 as torch does it. An IEEE double holds more than twice float32's precision, so
 * computing a step in double and rounding once (Math.fround) gives the same float32 as torch's float32 operation:
 * the inputs are bit-identical, and only the network's own float summation order differs between the two runtimes.
 * The worker also resizes images that are not S × S (bilinear, antialiased); here they must be S × S already.
 */
export function modelInput(images: ImageBatch, spec: Pick<BackboneSpec, "imageSize" | "mean" | "std">): Float32Array {
  const s = spec.imageSize;
  if (images.height !== s || images.width !== s) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "images",
      message: "the ONNX path takes images at the size the network was trained on",
      expected: `${s}x${s} images`,
      received: `${images.height}x${images.width}`,
      fix: `resize them to ${s}x${s} first (e.g. sharp's resize), or embed through the worker (embed()), which resizes bilinearly with antialiasing as k-NN does`,
    });
  }
  const c = images.channels;
  const mean = spec.mean.map(Math.fround);
  const std = spec.std.map(Math.fround);
  const plane = s * s;
  const out = new Float32Array(images.count * 3 * plane);
  const pixels = images.pixels;
  for (let n = 0; n < images.count; n++) {
    const source = n * plane * c;
    const target = n * 3 * plane;
    for (let ch = 0; ch < 3; ch++) {
      const m = mean[ch]!;
      const d = std[ch]!;
      const from = c === 1 ? 0 : ch;
      const base = target + ch * plane;
      for (let p = 0; p < plane; p++) {
        const x = Math.fround(pixels[source + p * c + from]! / 255);
        out[base + p] = Math.fround(Math.fround(x - m) / d);
      }
    }
  }
  return out;
}

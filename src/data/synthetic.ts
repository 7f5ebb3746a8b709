import { MixmaskError, type ErrorIssue } from "../errors.js";
import { Rng } from "../random/rng.js";
import { checkIndices, type DatasetSplits, type ImageSource } from "./image-source.js";

/**
 * A seeded synthetic image dataset for tests and benchmarks: any size, no files, identical on every machine.
 * Each class has a prototype — a coarse 4×4 grid of colours drawn from the class's own stream — and image i is its
 * class's prototype shifted (with wrap-around), brightened or darkened, plus pixel noise, all drawn from the image's
 * own stream. Classes are therefore learnable (k-NN on raw pixels is well above chance) but not trivial. Images are
 * generated when read, so a synthetic dataset larger than memory streams with flat memory.
 */
export interface SyntheticOptions {
  /** Training images. Integer ≥ 1. */
  trainImages: number;
  /** Test images. Integer ≥ 1. */
  testImages: number;
  /** Side of the square images in pixels. Default 32. */
  size?: number;
  /** 1 (grey) or 3 (RGB). Default 3. */
  channels?: 1 | 3;
  /** Number of classes, ≥ 2. Default 10. */
  numClasses?: number;
  /** Seed of every draw. Default 0. */
  seed?: number;
}

const GRID = 4;
const NOISE = 24;

export function syntheticDataset(options: SyntheticOptions): DatasetSplits {
  const { trainImages, testImages, size = 32, channels = 3, numClasses = 10, seed = 0 } = options;
  const issues: ErrorIssue[] = [];
  const int = (path: string, value: number, lo: number, hi: number) => {
    if (!(Number.isInteger(value) && value >= lo && value <= hi))
      issues.push({
        path,
        message: `${path} out of range`,
        expected: `an integer in [${lo}, ${hi}]`,
        received: String(value),
      });
  };
  int("trainImages", trainImages, 1, 2 ** 31 - 1);
  int("testImages", testImages, 1, 2 ** 31 - 1);
  int("size", size, GRID, 4096);
  int("numClasses", numClasses, 2, 65_536);
  int("seed", seed, 0, Number.MAX_SAFE_INTEGER);
  if (channels !== 1 && channels !== 3)
    issues.push({
      path: "channels",
      message: "channels must be 1 or 3",
      expected: "1 or 3",
      received: String(channels),
    });
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
  const prototypes = Array.from({ length: numClasses }, (_, c) => {
    const rng = Rng.stream(seed, "synthetic-class", c);
    return Uint8Array.from({ length: GRID * GRID * channels }, () => 32 + rng.int(192));
  });
  const classNames = Array.from({ length: numClasses }, (_, c) => `class-${c}`);
  const split = (name: string, splitId: number, count: number): ImageSource => {
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) labels[i] = Rng.stream(seed, "synthetic-label", splitId, i).int(numClasses);
    const imageBytes = size * size * channels;
    const source: ImageSource = {
      name: "synthetic",
      split: name,
      count,
      height: size,
      width: size,
      channels,
      labels,
      numClasses,
      classNames,
      async read(indices) {
        checkIndices(source, indices);
        const out = new Uint8Array(indices.length * imageBytes);
        for (let k = 0; k < indices.length; k++) {
          const i = indices[k]!;
          drawImage(
            out,
            k * imageBytes,
            prototypes[labels[i]!]!,
            Rng.stream(seed, "synthetic-image", splitId, i),
            size,
            channels,
          );
        }
        return out;
      },
    };
    return source;
  };
  return { train: split("train", 0, trainImages), test: split("test", 1, testImages) };
}

function drawImage(out: Uint8Array, at: number, prototype: Uint8Array, rng: Rng, size: number, channels: number): void {
  const maxShift = Math.max(1, Math.floor(size / 8));
  const dy = rng.int(2 * maxShift + 1) - maxShift;
  const dx = rng.int(2 * maxShift + 1) - maxShift;
  const gain = rng.uniform(0.75, 1.25);
  for (let y = 0; y < size; y++) {
    const gy = Math.floor((((((y + dy) % size) + size) % size) * GRID) / size);
    for (let x = 0; x < size; x++) {
      const gx = Math.floor((((((x + dx) % size) + size) % size) * GRID) / size);
      for (let c = 0; c < channels; c++) {
        const value = prototype[(gy * GRID + gx) * channels + c]! * gain + (rng.int(2 * NOISE + 1) - NOISE);
        out[at + (y * size + x) * channels + c] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
      }
    }
  }
}

// Every example runs at two sizes: the story's own size (the default) and a tiny one that CI runs in seconds
// (`npx tsx examples/NAME.ts --tiny`, or MIXMASK_EXAMPLE_SIZE=tiny). Tiny runs show that the code works, not that
// the method does: their numbers are noise.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { PretrainConfig, WorkerOptions } from "mixmask";

export const TINY = process.argv.includes("--tiny") || process.env.MIXMASK_EXAMPLE_SIZE === "tiny";

/** `full` normally, `tiny` at the tiny size. */
export function sized<T>(full: T, tiny: T): T {
  return TINY ? tiny : full;
}

/** A narrow ResNet-18 and a small queue for the tiny size: seconds per run on two CPU cores. */
export const TINY_MODEL: Partial<PretrainConfig> = {
  baseWidth: 8,
  headHiddenDim: 32,
  headOutDim: 16,
  queueSize: 128,
  knnK: 20,
  batchSize: 64,
};

/**
 * The worker to spawn: any device at the full size; the CPU with one torch thread at the tiny size, because CI's two
 * cores are shared and two spinning torch threads per worker made tiny steps 10 times slower there (measured).
 */
export const WORKER_OPTIONS: WorkerOptions = sized({ device: "auto" }, { device: "cpu", threads: 1 });

/** A fresh folder for an example's run: runs/examples/NAME (emptied first), or a temporary folder at the tiny size. */
export function exampleDir(name: string): string {
  if (TINY) return mkdtempSync(join(tmpdir(), `mixmask-${name}-`));
  const dir = resolve("runs/examples", name);
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

/** Prints rows as an aligned two-or-more-column table. */
export function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  for (const r of rows)
    console.log(
      `  ${r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join("   ")
        .trimEnd()}`,
    );
}

export function heading(text: string): void {
  console.log(`\n## ${text}\n`);
}

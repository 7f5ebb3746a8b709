import { appendFileSync } from "node:fs";

/**
 * Inputs per property-based (fuzz) test. CI runs a fixed seed and budget, so a red build reproduces; a longer
 * campaign sets MIXMASK_FUZZ_RUNS (inputs per property) and MIXMASK_FUZZ_SEED (another seed, or "random").
 */
export const FUZZ_RUNS = Number(process.env.MIXMASK_FUZZ_RUNS ?? 500);
const seedSetting = process.env.MIXMASK_FUZZ_SEED;
export const FUZZ_SEED = seedSetting === "random" ? Date.now() % 2 ** 31 : Number(seedSetting ?? 20_240_007);

/** fast-check parameters for a property run with `fraction` of the budget. */
export function fuzzParameters(fraction = 1): { numRuns: number; seed: number } {
  return { numRuns: Math.max(10, Math.round(FUZZ_RUNS * fraction)), seed: FUZZ_SEED };
}

/** Counts the inputs a property actually saw (shrinking included), and reports them when the test is done. */
export class FuzzTally {
  private count = 0;
  constructor(readonly name: string) {}

  tried(): void {
    this.count++;
  }

  /** Prints `fuzz: NAME — N inputs (seed S)`; also appends a JSON line to $MIXMASK_FUZZ_REPORT when set. */
  report(): number {
    console.log(`fuzz: ${this.name} — ${this.count} inputs (seed ${FUZZ_SEED})`);
    if (process.env.MIXMASK_FUZZ_REPORT)
      appendFileSync(
        process.env.MIXMASK_FUZZ_REPORT,
        `${JSON.stringify({ name: this.name, inputs: this.count, seed: FUZZ_SEED })}\n`,
      );
    return this.count;
  }
}

// Must NOT compile: each option has the wrong type. The consumer test expects `tsc --strict` to name both lines.
import { defineConfig } from "mixmask";

export const wrongMasker = defineConfig({ masker: "cutout" });
export const wrongBatch = defineConfig({ batchSize: "64" });

// Which CPU-sized recipe gets a trained encoder closest to (or past) the untrained encoder's k-NN on Fashion-MNIST?
// Runs each candidate for the same number of steps on one spawned worker, one after another, and records k-NN top-1
// before/after, the progress signal and the wall time. Evaluation is fixed (k = 200, T = 0.1, bank = the training
// images, the first 2 000 test images) and never tuned.
//
//   npx tsx bench/cpu-recipe-search.ts [--epochs 3] [--only name,name]
// Writes bench/results/cpu-recipe-search.json (appends per candidate, so partial runs keep their rows).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { validatePretrainConfig, type PretrainConfig } from "../src/config/pretrain-config.js";
import { CPU_PRESET } from "../src/config/presets.js";
import { loadFashionMnist } from "../src/data/fashion-mnist.js";
import { pretrain } from "../src/train/pretrain.js";
import { Worker } from "../src/worker/worker.js";

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "3" },
    only: { type: "string" },
    out: { type: "string", default: "bench/results/cpu-recipe-search.json" },
  },
});
const epochs = Number(values.epochs);

/** The first guess (crop 0.2–1, jitter 0.4, T 0.2, K 4096, lr 0.06, m 0.99), then one or two changes each. */
const FIRST_GUESS: Partial<PretrainConfig> = {
  cropScaleMin: 0.2,
  jitterStrength: 0.4,
  jitterProbability: 0.8,
  temperature: 0.2,
  queueSize: 4096,
  lr: 0.06,
  keyMomentum: 0.99,
  baseWidth: 16,
};
const CANDIDATES: [string, Partial<PretrainConfig>][] = [
  ["first-guess", FIRST_GUESS],
  ["crop0.5", { ...FIRST_GUESS, cropScaleMin: 0.5 }],
  ["crop0.5-jitter0.2", { ...FIRST_GUESS, cropScaleMin: 0.5, jitterStrength: 0.2 }],
  ["crop0.8", { ...FIRST_GUESS, cropScaleMin: 0.8 }],
  ["crop0.5-jitter0.8", { ...FIRST_GUESS, cropScaleMin: 0.5, jitterStrength: 0.8 }],
  ["crop0.8-jitter0.8", { ...FIRST_GUESS, cropScaleMin: 0.8, jitterStrength: 0.8 }],
  ["crop0.5-T0.5", { ...FIRST_GUESS, cropScaleMin: 0.5, temperature: 0.5 }],
  ["crop0.5-none", { ...FIRST_GUESS, cropScaleMin: 0.5, masker: "none" }],
  ["crop0.8-none", { ...FIRST_GUESS, cropScaleMin: 0.8, masker: "none" }],
  ["crop0.8-lr0.03", { ...FIRST_GUESS, cropScaleMin: 0.8, lr: 0.03 }],
  ["crop0.8-K1024", { ...FIRST_GUESS, cropScaleMin: 0.8, queueSize: 1024 }],
  ["crop0.8-bn4", { ...FIRST_GUESS, cropScaleMin: 0.8, bnSplits: 4 }],
  // Does the K = 4096 rise of the MixMask loss depend on the key momentum (release: 0.999) or on the cell size?
  ["crop0.8-m0.999", { ...FIRST_GUESS, cropScaleMin: 0.8, keyMomentum: 0.999 }],
  ["crop0.8-grid7", { ...FIRST_GUESS, cropScaleMin: 0.8, maskGrid: 7 }],
  // The chosen default (src/config/presets.ts) and its plain MoCo v2 twin, at the default's own budget (--epochs 8).
  ["default", {}],
  ["default-none", { masker: "none" }],
];

const only = values.only?.split(",");
const rows: Record<string, unknown>[] = existsSync(values.out!) ? JSON.parse(readFileSync(values.out!, "utf8")) : [];
mkdirSync("bench/results", { recursive: true });
const data = await loadFashionMnist({ trainImages: CPU_PRESET.trainImages, testImages: CPU_PRESET.testImages });
const worker = await Worker.spawn({ device: "cpu", threads: 2 });
try {
  for (const [name, overrides] of CANDIDATES) {
    if (only && !only.includes(name)) continue;
    const config = validatePretrainConfig({
      ...CPU_PRESET,
      ...overrides,
      epochs,
      runDir: mkdtempSync(join(tmpdir(), `recipe-${name}-`)),
    });
    const t0 = performance.now();
    const s = await pretrain(config, { worker, datasets: data });
    const row = {
      name,
      overrides,
      epochs,
      steps: s.steps,
      batchSize: config.batchSize,
      trainImages: s.trainImages,
      testImages: s.testImages,
      knnInit: s.knnInit.top1,
      knnFinal: s.knnFinal.top1,
      delta: s.knnFinal.top1 - s.knnInit.top1,
      positiveTop1FirstEpoch: s.positiveTop1FirstEpoch,
      positiveTop1LastEpoch: s.positiveTop1LastEpoch,
      lossFirstEpoch: s.lossFirstEpoch,
      lossLastEpoch: s.lossLastEpoch,
      stepsPerSecond: s.stepsPerSecond,
      wallSeconds: (performance.now() - t0) / 1000,
      machine: `${worker.info.deviceName}, ${worker.info.torchThreads} threads`,
    };
    rows.push(row);
    writeFileSync(values.out!, `${JSON.stringify(rows, null, 2)}\n`);
    console.log(
      `${name.padEnd(22)} knn ${row.knnInit.toFixed(4)} → ${row.knnFinal.toFixed(4)} (${row.delta >= 0 ? "+" : ""}${row.delta.toFixed(4)})  pos-top1 ${row.positiveTop1FirstEpoch.toFixed(3)} → ${row.positiveTop1LastEpoch.toFixed(3)}  ${row.stepsPerSecond.toFixed(2)} steps/s  ${row.wallSeconds.toFixed(0)} s`,
    );
  }
} finally {
  await worker.close();
}

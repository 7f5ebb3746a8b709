// Comparing maskers: the same MoCo v2 run three times — no masking (the baseline), MixMask (masked cells filled from
// another image of the batch), and MSCN-style erase (masked cells zeroed) — on one worker, with one seed, so the
// sampler, the augmentations and the masks are the same draws in every run; only the masker differs.
//
//   npx tsx examples/02-compare-maskers.ts          # 5 000 images, 4 epochs per masker: 468 steps, about 5 minutes
//                                                   # at the 1.8 steps/s the README measured on 2 idle cores
//   npx tsx examples/02-compare-maskers.ts --tiny   # 256 images, 2 epochs per masker (CI)
//
// (A `mixmask compare` command with several seeds and confidence intervals is being built; this example shows the
// same comparison with the pretrain() API.)
import { CPU_PRESET, pretrain, validatePretrainConfig, Worker, type MaskerName, type PretrainSummary } from "mixmask";
import { exampleDir, heading, sized, table, TINY, TINY_MODEL, WORKER_OPTIONS } from "./support/example-size.js";

const MASKERS: MaskerName[] = ["none", "mixmask", "erase"];
const base = { ...CPU_PRESET, ...sized({ trainImages: 5_000, testImages: 1_000, epochs: 4 }, { ...TINY_MODEL, trainImages: 256, testImages: 128, epochs: 2 }) };

heading("The runs");
console.log(`${base.framework}, ${base.arch} width ${base.baseWidth}, ${base.trainImages} images × ${base.epochs} epochs, seed ${base.seed}; maskers: ${MASKERS.join(", ")}`);

await using worker = await Worker.spawn(WORKER_OPTIONS);
const results = new Map<MaskerName, PretrainSummary>();
for (const masker of MASKERS) {
  const config = validatePretrainConfig({ ...base, masker, runDir: exampleDir(`compare-${masker}`) });
  const summary = await pretrain(config, { worker });
  results.set(masker, summary);
  console.log(`  ${masker.padEnd(8)} done in ${summary.wallSeconds.toFixed(0)} s (${config.runDir})`);
}

heading("Results");
table([
  ["masker", "k-NN untrained", "k-NN trained", "loss first → last epoch", "steps/s"],
  ...MASKERS.map((m) => {
    const s = results.get(m)!;
    return [m, s.knnInit.top1.toFixed(4), s.knnFinal.top1.toFixed(4), `${s.lossFirstEpoch.toFixed(3)} → ${s.lossLastEpoch.toFixed(3)}`, s.stepsPerSecond.toFixed(2)];
  }),
]);
const best = [...results.entries()].sort((a, b) => b[1].knnFinal.top1 - a[1].knnFinal.top1)[0]!;
console.log(`\nhighest trained k-NN: ${best[0]} (${best[1].knnFinal.top1.toFixed(4)})`);
console.log("Read with care: one seed per masker, and the losses are not comparable across maskers (MixMask and erase add");
console.log("terms). Differences of a point or two are within seed-to-seed noise at this budget (docs/CPU_RECIPE.md).");
if (TINY) console.log("(tiny size: these numbers are noise)");

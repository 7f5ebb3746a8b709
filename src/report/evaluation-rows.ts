import { labelPercent } from "../eval/labelled-subset.js";
import type { RunBaselines } from "../eval/pixel-baseline.js";
import type { RunEvaluations } from "../eval/run-evaluator.js";

export interface EvaluationRow {
  protocol: string;
  /** The same protocol on centred pixels ("—" where not measured, e.g. runs older than baselines.json). */
  pixels: string;
  untrained: string;
  trained: string;
  how: string;
}

/** One table row per evaluation of a run, each naming its protocol and settings. */
export function evaluationRows(e: RunEvaluations, baselines?: RunBaselines): EvaluationRow[] {
  const pixels = baselines?.pixels;
  const f = (v: number | undefined): string => (v === undefined ? "—" : v.toFixed(4));
  const rows: EvaluationRow[] = [
    {
      protocol: "k-NN top-1",
      pixels: f(pixels?.knn.top1),
      untrained: f(e.knnInit.top1),
      trained: f(e.knnFinal.top1),
      how: `weighted k-NN (Wu et al. 2018), k = ${e.knnFinal.k}, T = ${e.knnFinal.temperature}, ${e.knnFinal.trainCount} bank / ${e.knnFinal.testCount} test images, no augmentation${e.knnInit.k !== e.knnFinal.k || e.knnInit.temperature !== e.knnFinal.temperature ? `; untrained measured at k = ${e.knnInit.k}, T = ${e.knnInit.temperature}` : ""}`,
    },
  ];
  if (e.linearProbe) {
    const p = e.linearProbe;
    rows.push({
      protocol: "linear probe top-1, last epoch",
      pixels: f(pixels?.linearProbe?.lastTop1),
      untrained: f(e.linearProbeInit?.lastTop1),
      trained: f(p.lastTop1),
      how: p.description,
    });
    rows.push({
      protocol: "linear probe top-1, best epoch",
      pixels: f(pixels?.linearProbe?.bestTop1),
      untrained: f(e.linearProbeInit?.bestTop1),
      trained: `${f(p.bestTop1)} (epoch ${p.bestEpoch})`,
      how: "the highest test top-1 over the probe's epochs, as the release reports it (chosen on the test set)",
    });
  }
  for (const s of e.semiSupervised) {
    rows.push({
      protocol: `semi-supervised ${labelPercent(s.fraction)} labels, top-1`,
      pixels: "—",
      untrained: "—",
      trained: f(s.top1),
      how: s.description,
    });
  }
  return rows;
}

import type { RunEvaluator } from "../eval/run-evaluator.js";
import type { ProgressReporter } from "./progress.js";
import type { RunDirectory } from "./run-directory.js";
import type { TrainObserver } from "./train-loop.js";

/**
 * The k-NN monitor (docs/EVALUATION.md): every `every` epochs (0: never), measured between epochs with no step in
 * flight, appended to knn.jsonl. A TrainObserver, so the loop leaves its time out of the throughput.
 */
export function knnMonitor(every: number, evaluator: RunEvaluator, runDir: RunDirectory, progress: ProgressReporter): TrainObserver {
  return {
    wantsEpochEnd: (epoch) => every > 0 && epoch % every === 0,
    epochEnd: async (epoch, step) => {
      const r = await evaluator.knn();
      runDir.appendKnnPoint({ epoch, step, top1: r.top1, top5: r.top5 });
      progress.log(`k-NN top-1 after epoch ${epoch}: ${r.top1.toFixed(4)}`);
    },
  };
}

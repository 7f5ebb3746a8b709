import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { MixmaskError } from "../errors.js";
import { RUN_LOCK_FILE } from "./run-lock.js";

/**
 * What a run writes into its directory (by itself and by the tools that read it back): `--overwrite` removes these
 * and nothing else, so a run directory pointed at a folder holding other work does not take that work with it.
 */
export const RUN_ENTRIES = [
  "checkpoints",
  "config.json",
  "metrics.jsonl",
  "knn-monitor.jsonl",
  "summary.json",
  "report.md",
  "plots",
  "divergence.json",
  "baselines.json",
  "health.jsonl",
  "tensorboard",
  "preview.png",
  "preview.json",
] as const;

export interface RunDirUse {
  /** Continue the run the directory holds. */
  resume?: boolean;
  /** Replace the run the directory holds (its files are removed first). */
  overwrite?: boolean;
}

/**
 * Makes sure a new run does not mix with what `dir` holds. Without `resume` or `overwrite` a directory with anything
 * in it is refused (RUN_DIR_NOT_EMPTY, listing what is there): starting afresh would replace the old run's metrics
 * and summary while leaving its checkpoints beside the new ones. With `overwrite` the old run's own files are removed
 * (checkpoints first, so an interrupted clearing is never mistaken for a resumable run); anything else stays and is
 * named in the returned note. Call it with the directory's lock held.
 */
export function prepareRunDir(dir: string, use: RunDirUse): string | undefined {
  checkRunDirUse(use);
  if (use.resume) return undefined;
  const present = occupied(dir);
  if (present.length === 0) return undefined;
  if (!use.overwrite) {
    const finished = present.includes("summary.json");
    const resumable = present.includes("checkpoints");
    throw new MixmaskError({
      code: "RUN_DIR_NOT_EMPTY",
      path: dir,
      message: `the run directory is not empty (${present.join(", ")})${finished ? ": it holds a finished run" : resumable ? ": it holds a run with checkpoints" : ""}`,
      fix: `${resumable && !finished ? "continue that run with --resume, " : ""}replace it with --overwrite, or choose another --run-dir`,
    });
  }
  for (const entry of RUN_ENTRIES) rmSync(join(dir, entry), { recursive: true, force: true });
  const kept = occupied(dir);
  return kept.length
    ? `--overwrite: removed the previous run's files from ${dir}; kept what is not a run's own: ${kept.join(", ")}`
    : undefined;
}

/** Refuses `resume` with `overwrite` (one continues the run, the other replaces it). */
export function checkRunDirUse(use: RunDirUse): void {
  if (use.resume && use.overwrite) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--overwrite",
      message: "--resume continues the run in --run-dir, --overwrite replaces it: choose one",
      fix: "drop --resume or --overwrite",
    });
  }
}

/** Entries of `dir` other than its lock and an empty checkpoints/ folder (which RunDirectory creates). */
function occupied(dir: string): string[] {
  return readdirSync(dir)
    .filter(
      (name) =>
        name !== RUN_LOCK_FILE &&
        !name.startsWith(`${RUN_LOCK_FILE}.`) &&
        !(name === "checkpoints" && readdirSync(join(dir, name)).length === 0),
    )
    .sort();
}

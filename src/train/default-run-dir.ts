import { existsSync, lstatSync, mkdirSync, renameSync, symlinkSync } from "node:fs";
import { join } from "node:path";

/** Where `mixmask pretrain` writes when no --run-dir is given, and the link that names the newest such run. */
export const RUNS_FOLDER = "runs";
export const LATEST_LINK = join(RUNS_FOLDER, "latest");

/**
 * The run directory of a `pretrain` without --run-dir. A new run gets a fresh folder `runs/<date>-<time>` and
 * `runs/latest` is re-pointed at it, so running `npm start` twice keeps both runs (a run directory that holds a run is
 * refused: src/train/run-dir-guard.ts) while `--run-dir runs/latest` still names the newest. `--resume` without
 * --run-dir continues `runs/latest`. A `runs/latest` that is a real folder (written by an earlier version) is left
 * alone and returned as it is.
 */
export function defaultRunDir(resume: boolean, base = ".", now: Date = new Date()): string {
  const latest = join(base, LATEST_LINK);
  if (resume || isRealFolder(latest)) return latest;
  const stamp = now.toISOString().slice(0, 19).replace("T", "-").replaceAll(":", "");
  let name = stamp;
  for (let i = 2; existsSync(join(base, RUNS_FOLDER, name)); i++) name = `${stamp}-${i}`;
  mkdirSync(join(base, RUNS_FOLDER, name), { recursive: true });
  // Re-point the link atomically: a new link beside it (relative, so the folder can move), renamed over it.
  const temporary = `${latest}.${process.pid}.tmp`;
  symlinkSync(name, temporary);
  renameSync(temporary, latest);
  return join(base, RUNS_FOLDER, name);
}

function isRealFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

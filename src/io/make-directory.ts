import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { MixmaskError } from "../errors.js";

/**
 * `mkdir -p` that reports what is wrong with the path as a MixmaskError naming `option` (e.g. `--run-dir`): a
 * component that is a file, a folder that cannot be created there (read-only, no permission, a pseudo-filesystem).
 * Node's own `mkdirSync(dir, { recursive: true })` is not used: under /proc it loops for ever (mkdir answers ENOENT
 * for a parent that exists), and for a file in the way it throws a bare ENOTDIR.
 */
export function makeDirectory(dir: string, option: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  for (let path = target; ; path = dirname(path)) {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw refusal(option, dir, path, error as NodeJS.ErrnoException);
    }
    if (isDirectory === false) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: option,
        message: `${path === target ? dir : `${path}, in ${dir},`} is a file, not a folder`,
        received: dir,
        fix: `choose another ${option}, or move that file away`,
      });
    }
    if (isDirectory) break;
    missing.unshift(path);
    if (dirname(path) === path) break;
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        throw refusal(option, dir, path, error as NodeJS.ErrnoException);
    }
  }
}

function refusal(option: string, dir: string, path: string, error: NodeJS.ErrnoException): MixmaskError {
  return new MixmaskError({
    code: "INVALID_OPTION",
    path: option,
    message: `cannot create the folder ${path}${path === resolve(dir) ? "" : ` (for ${dir})`}: ${error.message}`,
    received: dir,
    fix: `choose a ${option} in a writable folder of a disk (not /proc or /sys)`,
    cause: error,
  });
}

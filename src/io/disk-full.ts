import { closeSync, fstatSync, ftruncateSync, openSync, statfsSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { MixmaskError } from "../errors.js";

/** Whether a write failed because the filesystem (or the user's quota) ran out of space. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOSPC" || code === "EDQUOT" || (error instanceof MixmaskError && error.code === "DISK_FULL");
}

/** Bytes an unprivileged write can still use in the filesystem of `dir`; undefined when it cannot be asked. */
export function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;

/**
 * DISK_FULL for a write to `file` that needed `neededBytes`: names the folder, what it needs and what is free, and
 * says what was kept. `neededBytes` is what the run needs to go on (its next checkpoint), not only the failed write.
 */
export function diskFullError(
  file: string,
  neededBytes: number,
  cause: unknown,
  kept = "nothing partial was left behind",
): MixmaskError {
  const folder = dirname(file);
  const free = freeBytes(folder);
  return new MixmaskError({
    code: "DISK_FULL",
    path: file,
    message: `the disk is full (${(cause as NodeJS.ErrnoException)?.code ?? "ENOSPC"}): writing here needs about ${mib(neededBytes)} in ${folder}, which has ${free === undefined ? "an unknown amount" : mib(free)} free; ${kept}`,
    fix: `free at least ${mib(Math.max(neededBytes - (free ?? 0), 0) + 2 ** 20)} in ${folder} (or choose another --run-dir), then continue with --resume`,
    diagnostics: { folder, neededBytes, freeBytes: free ?? null },
    cause,
  });
}

/**
 * Appends `text` to `file`, all of it or nothing: a write cut short by a full disk is cut back to where it started,
 * so the file never ends in a torn line (truncating needs no space). The failure is DISK_FULL with `neededBytes`.
 */
export function appendWhole(
  file: string,
  text: string,
  neededBytes: () => number = () => Buffer.byteLength(text),
): void {
  const bytes = Buffer.from(text);
  const fd = openSync(file, "a");
  let start = 0;
  try {
    start = fstatSync(fd).size;
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } catch (error) {
    try {
      ftruncateSync(fd, start);
    } catch {
      // the file keeps a torn last line; readers drop it (RunDirectory)
    }
    throw isDiskFull(error)
      ? diskFullError(file, Math.max(neededBytes(), bytes.length), error, `${file} is kept as it was before this line`)
      : error;
  } finally {
    closeSync(fd);
  }
}

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname } from "node:path";
import { diskFullError, isDiskFull } from "./disk-full.js";

/**
 * Writes a file so that readers see the old content or the new one, never a torn mix: temporary file, fsync,
 * rename over the target, fsync the directory. A full disk fails before the rename and leaves the old file intact;
 * the temporary file is removed then, so a failed write does not keep holding the space it ran out of, and the
 * failure is DISK_FULL naming the folder and the space needed.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, "w");
    try {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      // writeSync may write less than asked (large buffers, signals): loop until everything is out.
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    if (!isDiskFull(error)) throw error;
    throw diskFullError(
      file,
      typeof data === "string" ? Buffer.byteLength(data) : data.length,
      error,
      `the previous ${basename(file)}, if any, is intact`,
    );
  }
  const dir = openSync(dirname(file), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

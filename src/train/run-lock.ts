import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { MixmaskError } from "../errors.js";
import { diskFullError, isDiskFull } from "../io/disk-full.js";
import { addExitCleanup } from "../worker/interrupt-hooks.js";

/** What `run.lock` holds: who trains in the run directory. */
export interface RunLockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** The command line of the owning process, for the person reading the refusal. */
  command: string;
}

export const RUN_LOCK_FILE = "run.lock";

/**
 * An exclusive claim on a run directory, held while a run trains in it, so two runs never interleave their
 * metrics and checkpoints. The file appears whole or not at all (written aside, then hard-linked into place, which
 * fails if a lock exists). A lock whose pid is gone on this host is stale — a run killed with SIGKILL or a power
 * loss leaves one — and is taken over with a note; a lock of another host cannot be checked from here and is refused.
 */
export class RunLock {
  private released = false;
  private readonly removeExitCleanup: () => void;

  private constructor(
    /** The locked run directory. */
    readonly dir: string,
    readonly file: string,
    readonly owner: RunLockOwner,
  ) {
    // A run ended by a signal (Ctrl-C twice, SIGTERM) still frees its directory.
    this.removeExitCleanup = addExitCleanup(() => this.release());
  }

  /** Takes the lock of `dir` or throws RUN_DIR_LOCKED naming the owner; `log` hears about a stale lock taken over. */
  static acquire(dir: string, log: (line: string) => void = () => {}): RunLock {
    const file = join(dir, RUN_LOCK_FILE);
    const owner: RunLockOwner = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      command: process.argv.slice(1).join(" "),
    };
    const aside = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      writeFileSync(aside, `${JSON.stringify(owner)}\n`);
    } catch (error) {
      rmSync(aside, { force: true });
      throw isDiskFull(error) ? diskFullError(file, 4096, error) : error;
    }
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          linkSync(aside, file);
          return new RunLock(dir, file, owner);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
          if (attempt > 0) throw lockedError(file, readOwner(file)); // another process took it over first
        }
        const held = readOwner(file);
        if (!held || !isStale(held)) throw lockedError(file, held);
        if (!takeAwayStale(file, held)) throw lockedError(file, readOwner(file));
        log(
          `${file}: removed a stale lock of pid ${held.pid} (no such process on ${held.host}; started ${held.startedAt})`,
        );
      }
    } finally {
      rmSync(aside, { force: true });
    }
  }

  /** Frees the directory; a lock that is no longer this one's (taken over by hand) is left alone. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.removeExitCleanup();
    const now = readOwner(this.file);
    if (now && now.pid === this.owner.pid && now.startedAt === this.owner.startedAt) rmSync(this.file, { force: true });
  }
}

/** The owner a lock file names; undefined when it is unreadable (then it is not ours to judge, and it is refused). */
export function readOwner(file: string): RunLockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(file, "utf8")) as RunLockOwner;
    return typeof o.pid === "number" && typeof o.host === "string" ? o : undefined;
  } catch {
    return undefined;
  }
}

function isStale(owner: RunLockOwner): boolean {
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH"; // EPERM: alive, another user's
  }
}

/**
 * Removes the stale lock `held`, unless another process replaced it meanwhile: the file is first renamed aside
 * (atomic: of two processes clearing the same stale lock, only one gets it), and put back if it is not `held`.
 */
function takeAwayStale(file: string, held: RunLockOwner): boolean {
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return true; // already gone: try to take it
  }
  const got = readOwner(aside);
  if (got && got.pid === held.pid && got.startedAt === held.startedAt) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    linkSync(aside, file); // a fresh lock of someone else: give it back
  } catch {
    // a third process took the directory meanwhile; it holds the lock now
  }
  rmSync(aside, { force: true });
  return false;
}

function lockedError(file: string, owner: RunLockOwner | undefined): MixmaskError {
  const who = owner
    ? `pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}${owner.command ? ` (${owner.command})` : ""}`
    : "an unreadable lock file";
  const sameHost = owner?.host === hostname();
  return new MixmaskError({
    code: "RUN_DIR_LOCKED",
    path: file,
    message: `another run is training in this directory: ${who}`,
    fix: sameHost
      ? "wait for it to finish (or stop it), or choose another --run-dir"
      : `choose another --run-dir; if that process is gone${owner ? ` from ${owner.host}` : ""}, delete ${file}`,
    ...(owner ? { diagnostics: { pid: owner.pid, host: owner.host, startedAt: owner.startedAt } } : {}),
  });
}

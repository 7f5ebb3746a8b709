import type { ChildProcess } from "node:child_process";
import { addExitCleanup } from "./interrupt-hooks.js";

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The bookkeeping every spawned Python process of the SDK needs (the worker, a torchrun launch): the tail of its
 * stderr for error messages, how it exited, a promise of that exit, signals to its process group (each is spawned
 * detached, leading a group of its own), and a clean-up that runs if this Node process exits first. The clean-up
 * is dropped as soon as the child exits, so a long-lived SDK process does not accumulate them.
 */
export class WatchedChild {
  readonly exited: Promise<void>;
  private stderr = "";
  private exitState: ChildExit | undefined;
  private readonly dropExitCleanup: () => void;

  constructor(
    private readonly child: ChildProcess,
    tailBytes: number,
    cleanupAtExit: () => void,
  ) {
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => {
      this.stderr = (this.stderr + text).slice(-tailBytes);
      if (process.env.MIXMASK_WORKER_LOG === "1") process.stderr.write(text);
    });
    this.exited = new Promise((done) => {
      const finish = (state: ChildExit): void => {
        this.exitState = state;
        this.dropExitCleanup();
        done();
      };
      child.once("exit", (code, signal) => finish({ code, signal }));
      child.once("error", (error) => {
        this.stderr += `\nspawn failed: ${error.message}`;
        finish({ code: -1, signal: null });
      });
    });
    this.dropExitCleanup = addExitCleanup(cleanupAtExit);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How the child exited; undefined while it runs. */
  exit(): ChildExit | undefined {
    return this.exitState;
  }

  stderrTail(): string {
    return this.stderr;
  }

  /** Waits up to `ms` for the exit; whether the child has exited. */
  async waitForExit(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((done) => (timer = setTimeout(done, ms)))]);
    clearTimeout(timer);
    return this.exitState !== undefined;
  }

  /** Signals the child's process group, unless the child already exited. */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.exitState || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

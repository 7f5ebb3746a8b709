import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Writable } from "node:stream";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MixmaskError } from "../errors.js";
import { mixmaskCacheDir } from "../io/cache-dir.js";
import { requireWorkerPython } from "./python-environment.js";
import { newToken, TOKEN_ENV } from "./worker-access.js";
import { WatchedChild, type ChildExit } from "./watched-child.js";
import type { ProcessState } from "./worker-error.js";

/**
 * The project root: the nearest folder above this module that holds python_worker/ (src/worker/ when run from
 * source, dist/ when bundled). The worker's Python package and the default .venv live there.
 */
export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
export const WORKER_PACKAGE_DIR = join(PROJECT_ROOT, "python_worker");

export interface SpawnOptions {
  /**
   * Python interpreter. Default: $MIXMASK_PYTHON, else a clone's `.venv/bin/python` (`npm run setup`), else the
   * managed environment in the mixmask cache, which `Worker.spawn()` makes when it is absent (`npx mixmask setup`
   * makes it ahead; $MIXMASK_AUTO_SETUP=0 turns that off). src/worker/python-environment.ts.
   */
  python?: string;
  /** Where tensors live: "auto" picks CUDA when available. Default "auto". */
  device?: "auto" | "cpu" | "cuda";
  /** torch intra-op threads; default: torch's own choice (all cores). */
  threads?: number;
  /** Extra environment for the worker process (a PYTHONPATH given here is searched after the worker package). */
  env?: Record<string, string>;
  /**
   * The worker's on-disk dataset cache (content-addressed; a restarted worker reloads an uploaded dataset instead of
   * receiving it again). Default `<mixmask cache>/worker-datasets` (src/io/cache-dir.ts); false: no disk cache.
   */
  datasetCacheDir?: string | false;
}

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "python_worker/mixmask_worker"))) return dir;
    if (dirname(dir) === dir) return resolve(start, "../..");
  }
}

const STDERR_TAIL_BYTES = 16 * 1024;

/** Finds the interpreter, or explains how to get one. */
export function resolvePython(python?: string): string {
  return requireWorkerPython(python).python;
}

/**
 * One worker process on a Unix socket in a private (0700) directory. Started in its own process group so the whole
 * group (the worker and anything it starts) is killed on close, on exit and on Ctrl-C; the worker also watches our
 * pid and exits if we die without cleaning up, so a forgotten close() leaves no orphan. Every worker gets a fresh
 * random access token through a pipe, and refuses calls without it: another process of the same user that
 * finds the socket still cannot drive it.
 */
export class WorkerProcess implements ProcessState {
  readonly socketPath: string;
  readonly address: string;
  /** The access token this worker requires on every call. */
  readonly token = newToken();
  private readonly child: WatchedChild;
  private readonly dir: string;
  readonly exited: Promise<void>;

  constructor(options: SpawnOptions = {}) {
    const python = resolvePython(options.python);
    this.dir = mkdtempSync(join(tmpdir(), "mixmask-"));
    this.socketPath = join(this.dir, "worker.sock");
    this.address = `unix:${this.socketPath}`;
    const args = [
      "-m",
      "mixmask_worker",
      "--socket",
      this.socketPath,
      "--parent-pid",
      String(process.pid),
      "--device",
      options.device ?? "auto",
    ];
    if (options.threads !== undefined) args.push("--threads", String(options.threads));
    const cacheDir = options.datasetCacheDir ?? join(mixmaskCacheDir(), "worker-datasets");
    if (cacheDir !== false) args.push("--dataset-cache", cacheDir);
    const pythonPath = [WORKER_PACKAGE_DIR, options.env?.PYTHONPATH ?? process.env.PYTHONPATH];
    // The token travels through a pipe (fd 3), not the environment: a process's initial environment stays readable
    // in /proc/PID/environ and is inherited by whatever it starts. A token of this process's own environment (for a
    // remote worker) is no business of the spawned one either.
    args.push("--token-file", "/dev/fd/3");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      PYTHONPATH: pythonPath.filter(Boolean).join(":"),
      PYTHONUNBUFFERED: "1",
    };
    delete env[TOKEN_ENV];
    const child = spawn(python, args, { detached: true, stdio: ["ignore", "ignore", "pipe", "pipe"], env });
    const tokenPipe = child.stdio[3] as Writable;
    tokenPipe.on("error", () => undefined); // a worker that died at once: reported by its exit, not here
    tokenPipe.end(this.token);
    this.child = new WatchedChild(child, STDERR_TAIL_BYTES, () => {
      this.kill("SIGKILL");
      this.removeDirectory();
    });
    this.exited = this.child.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  exit(): ChildExit | undefined {
    return this.child.exit();
  }

  stderrTail(): string {
    return this.child.stderrTail();
  }

  async waitForExit(ms: number): Promise<void> {
    await this.child.waitForExit(ms);
  }

  /** Removes the private directory (socket); safe to call more than once. */
  removeDirectory(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Kills the whole process group now. */
  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.child.signalGroup(signal);
  }

  /** Waits up to `ms` for the process to exit by itself, then kills the group; removes the private directory. */
  async stop(ms: number): Promise<void> {
    const timer = setTimeout(() => this.kill("SIGKILL"), ms);
    await this.exited;
    clearTimeout(timer);
    this.removeDirectory();
  }
}

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mixmaskCacheDir } from "../io/cache-dir.js";
import { WatchedChild, type ChildExit } from "../worker/watched-child.js";
import { newToken, TOKEN_ENV } from "../worker/worker-access.js";
import { resolvePython, WORKER_PACKAGE_DIR, type SpawnOptions } from "../worker/worker-process.js";

export interface TorchrunOptions extends SpawnOptions {
  /** Ranks (processes) on this machine: `torchrun --nproc-per-node`. */
  ranks: number;
  /** A collective that waits on a hung rank fails after this long (seconds). Default 600. */
  collectiveTimeoutS?: number;
}

const STDERR_TAIL_BYTES = 32 * 1024;

/**
 * A local torchrun launch of `ranks` workers (`python -m torch.distributed.run --standalone --nproc-per-node R
 * -m mixmask_worker --socket-dir DIR --endpoints-file DIR/endpoints.json`), in a private (0700) directory that
 * holds every rank's socket and the endpoints file. All ranks share one fresh access token.
 *
 * Processes: torchrun's agent runs in its own process group; it starts each rank in a session of its own and, when
 * one rank fails, stops the others and exits with a report naming the failure (torchrun-report.ts). The ranks
 * watch this process's pid and their agent, so none outlives both.
 */
export class TorchrunProcess {
  readonly dir: string;
  readonly endpointsFile: string;
  readonly token = newToken();
  private readonly child: WatchedChild;
  /** Rank pids, once the endpoints file named them: killed with the agent. */
  rankPids: number[] = [];
  readonly exited: Promise<void>;

  constructor(options: TorchrunOptions) {
    const python = resolvePython(options.python);
    this.dir = mkdtempSync(join(tmpdir(), "mixmask-"));
    this.endpointsFile = join(this.dir, "endpoints.json");
    const launcher = [
      "-m",
      "torch.distributed.run",
      "--standalone",
      "--nnodes",
      "1",
      "--nproc-per-node",
      String(options.ranks),
    ];
    const worker = [
      "-m",
      "mixmask_worker",
      "--socket-dir",
      this.dir,
      "--endpoints-file",
      this.endpointsFile,
      "--parent-pid",
      String(process.pid),
      "--device",
      options.device ?? "auto",
    ];
    worker.push("--collective-timeout-s", String(options.collectiveTimeoutS ?? 600));
    if (options.threads !== undefined) worker.push("--threads", String(options.threads));
    const cacheDir = options.datasetCacheDir ?? join(mixmaskCacheDir(), "worker-datasets");
    if (cacheDir !== false) worker.push("--dataset-cache", cacheDir);
    const pythonPath = [WORKER_PACKAGE_DIR, options.env?.PYTHONPATH ?? process.env.PYTHONPATH];
    // torchrun prints a banner about OMP_NUM_THREADS unless it is set; --threads sets torch's threads per rank anyway.
    const env = {
      OMP_NUM_THREADS: String(options.threads ?? 1),
      ...process.env,
      ...options.env,
      PYTHONPATH: pythonPath.filter(Boolean).join(":"),
      PYTHONUNBUFFERED: "1",
      [TOKEN_ENV]: this.token,
    };
    this.child = new WatchedChild(
      spawn(python, [...launcher, ...worker], { detached: true, stdio: ["ignore", "ignore", "pipe"], env }),
      STDERR_TAIL_BYTES,
      () => {
        this.killAll("SIGKILL");
        this.removeDirectory();
      },
    );
    this.exited = this.child.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  exit(): ChildExit | undefined {
    return this.child.exit();
  }

  /** The last output of the agent and of every rank (they share its stderr). */
  stderrTail(): string {
    return this.child.stderrTail();
  }

  async waitForExit(ms: number): Promise<boolean> {
    return this.child.waitForExit(ms);
  }

  /** Signals the agent's process group: SIGTERM lets it stop its ranks and report. */
  signalAgent(signal: NodeJS.Signals): void {
    this.child.signalGroup(signal);
  }

  /**
   * Whether the rank process `pid` of this launch still runs. Its command line names this launch's private
   * directory, which tells it apart from an unrelated process that reused the pid after the rank exited.
   */
  rankAlive(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && existsSync("/proc/self")) return false;
      try {
        process.kill(pid, 0); // no /proc (macOS): existence only
        return true;
      } catch {
        return false;
      }
    }
  }

  /** Kills the agent and every rank of this launch still running (each rank leads a session of its own). */
  killAll(signal: NodeJS.Signals = "SIGKILL"): void {
    this.signalAgent(signal);
    for (const pid of this.rankPids) {
      if (!this.rankAlive(pid)) continue;
      try {
        process.kill(-pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  /**
   * Waits up to `graceMs` for the launch to end by itself (after Shutdown), then SIGTERMs the agent (which stops
   * its ranks), then kills whatever remains; removes the private directory.
   */
  async stop(graceMs: number): Promise<void> {
    if (!(await this.waitForExit(graceMs))) {
      this.signalAgent("SIGTERM");
      if (!(await this.waitForExit(5_000))) this.killAll("SIGKILL");
      await this.exited;
    }
    this.killAll("SIGKILL"); // a rank orphaned by an agent that was killed
    this.removeDirectory();
  }

  removeDirectory(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

import { setTimeout as sleep } from "node:timers/promises";
import { MixmaskError } from "../errors.js";
import { PROTOCOL_VERSION } from "./protocol-version.js";
import { WorkerClient, type HelloReply } from "./worker-client.js";
import { WorkerProcess, type SpawnOptions } from "./worker-process.js";

export interface WorkerOptions extends SpawnOptions {
  /** How long to wait for the spawned worker to answer Hello (importing torch takes seconds). Default 90 000 ms. */
  readyTimeoutMs?: number;
  /** Protocol version announced in Hello. Only tests change it, to prove that a mismatch is refused. */
  protocolVersion?: number;
}

/** Facts the worker announced in its Hello. */
export interface WorkerInfo {
  protocolVersion: number;
  workerVersion: string;
  pythonVersion: string;
  torchVersion: string;
  device: string;
  deviceName: string;
  torchThreads: number;
  capabilities: string[];
  pid: number;
}

/**
 * A PyTorch worker the SDK spawned for you: `await Worker.spawn()`, use, then `await worker.close()` (or
 * `await using worker = await Worker.spawn()`). The process dies with this one in any case.
 */
export class Worker {
  private closed = false;

  private constructor(
    readonly client: WorkerClient,
    readonly info: WorkerInfo,
    private readonly process: WorkerProcess,
  ) {}

  static async spawn(options: WorkerOptions = {}): Promise<Worker> {
    const proc = new WorkerProcess(options);
    const client = new WorkerClient(proc.address, proc);
    try {
      const reply = await waitForHello(client, proc, options.readyTimeoutMs ?? 90_000, options.protocolVersion ?? PROTOCOL_VERSION);
      return new Worker(client, toInfo(reply), proc);
    } catch (error) {
      client.close();
      proc.kill("SIGKILL");
      await proc.stop(1_000);
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Kills the worker process group immediately (tests use it to simulate a crash). */
  kill(): void {
    this.process.kill("SIGKILL");
  }

  /** Asks the worker to shut down, waits briefly, then kills what remains. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.process.exit()) {
      await this.client.shutdown().catch(() => undefined);
    }
    this.client.close();
    await this.process.stop(5_000);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

async function waitForHello(client: WorkerClient, proc: WorkerProcess, timeoutMs: number, protocolVersion: number): Promise<HelloReply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exit()) throw startFailed(proc, "exited before answering Hello");
    try {
      const reply = await client.hello(protocolVersion, 2_000);
      if (reply.protocolVersion !== protocolVersion) {
        throw new MixmaskError({
          code: "PROTOCOL_MISMATCH",
          message: `the worker speaks protocol v${reply.protocolVersion}, this SDK v${protocolVersion}`,
          fix: "install matching versions of the mixmask npm package and python_worker",
        });
      }
      return reply;
    } catch (error) {
      if (error instanceof MixmaskError && error.code === "PROTOCOL_MISMATCH") throw error;
      if (proc.exit()) throw startFailed(proc, "exited before answering Hello");
      if (Date.now() > deadline) throw startFailed(proc, `did not answer Hello within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

function startFailed(proc: WorkerProcess, what: string): MixmaskError {
  const exit = proc.exit();
  const how = exit ? ` (${exit.signal ?? `exit code ${exit.code}`})` : "";
  return new MixmaskError({
    code: "WORKER_START_FAILED",
    message: `the worker ${what}${how}. Its stderr:\n${proc.stderrTail().trimEnd() || "    (empty)"}`,
    fix: "run `npx mixmask doctor` to check Python, torch and the device; `npm run setup` rebuilds .venv",
  });
}

function toInfo(reply: HelloReply): WorkerInfo {
  return {
    protocolVersion: reply.protocolVersion,
    workerVersion: reply.workerVersion,
    pythonVersion: reply.pythonVersion,
    torchVersion: reply.torchVersion,
    device: reply.device,
    deviceName: reply.deviceName,
    torchThreads: reply.torchThreads,
    capabilities: [...reply.capabilities],
    pid: reply.pid,
  };
}

import { setTimeout as sleep } from "node:timers/promises";
import { MixmaskError } from "../errors.js";
import { PROTOCOL_VERSION } from "./protocol-version.js";
import { ensureWorkerPython, PYTHON_FIX } from "./python-environment.js";
import { TOKEN_ENV, type WorkerAccess } from "./worker-access.js";
import type { mixmask } from "./generated/mixmask.js";
import {
  WorkerClient,
  type CreateRunMessage,
  type DeadlinesMs,
  type EmbedRequestMessage,
  type ExportReplyMessage,
  type HelloReply,
  type KnnReplyMessage,
  type KnnRequestMessage,
  type StepPlanMessage,
} from "./worker-client.js";
import { WorkerProcess, type SpawnOptions } from "./worker-process.js";

export interface WorkerOptions extends SpawnOptions {
  /** How long to wait for the spawned worker to answer Hello (importing torch takes seconds). Default 90 000 ms. */
  readyTimeoutMs?: number;
  /** Protocol version announced in Hello. Only tests change it, to prove that a mismatch is refused. */
  protocolVersion?: number;
  /** Per-call deadlines in ms, overriding DEFAULT_DEADLINES_MS field by field. */
  deadlinesMs?: Partial<DeadlinesMs>;
}

export interface ConnectOptions extends WorkerAccess {
  /** How long to keep trying to reach the worker. Default 10 000 ms. */
  readyTimeoutMs?: number;
  /** Per-call deadlines in ms, overriding DEFAULT_DEADLINES_MS field by field. */
  deadlinesMs?: Partial<DeadlinesMs>;
  /** Protocol version announced in Hello (tests only). */
  protocolVersion?: number;
}

// The messages of the typed methods below, by name, so that code outside src/worker/ never imports generated code.
export type {
  CreateRunMessage,
  EmbedRequestMessage,
  ExportReplyMessage,
  HelloReply,
  KnnReplyMessage,
  KnnRequestMessage,
  StepPlanMessage,
};
export type CreateRunReply = mixmask.v1.CreateRunReply;
export type SaveCheckpointReply = mixmask.v1.SaveCheckpointReply;
export type LoadCheckpointReply = mixmask.v1.LoadCheckpointReply;
export type LinearProbeRequest = mixmask.v1.ILinearProbeRequest;
export type LinearProbeReply = mixmask.v1.LinearProbeReply;
export type FineTuneRequest = mixmask.v1.IFineTuneRequest;
export type FineTuneReply = mixmask.v1.FineTuneReply;
export type LoadBackboneRequest = mixmask.v1.ILoadBackboneRequest;
export type LoadBackboneReply = mixmask.v1.LoadBackboneReply;
export type EmbedReply = mixmask.v1.EmbedReply;
export type PreviewReply = mixmask.v1.PreviewReply;
export type RankInfo = mixmask.v1.RankInfo;

/** Facts the worker announced in its Hello. */
export interface WorkerInfo {
  protocolVersion: number;
  workerVersion: string;
  pythonVersion: string;
  torchVersion: string;
  device: string;
  deviceName: string;
  torchThreads: number;
  /**
   * How the torch threads wait between parallel regions: "spin 1000, then sleep" (the worker's choice: fast on idle
   * cores, and no threads spinning against other processes), or the environment's, e.g. "OMP_WAIT_POLICY=PASSIVE,
   * from the environment". Empty from a worker older than this field.
   */
  threadWait: string;
  /** "retain" (the worker keeps freed memory for the next step) or "system (why)"; empty from an older worker. */
  mallocPolicy: string;
  /**
   * Cores that other processes kept busy while the worker started (its own and the SDK's CPU time left out); −1:
   * unknown (no /proc/stat); 0 also from a worker older than this field.
   */
  otherCoresBusy: number;
  /** Set when that load leaves torch threads without a core of their own: which `--threads` may be faster. */
  threadsAdvice: string;
  capabilities: string[];
  pid: number;
}

/**
 * A PyTorch worker: one the SDK spawned for you (`await Worker.spawn()`), or one already serving elsewhere
 * (`await Worker.connect("gpu-box:50051", { token })`). Use it, then `await worker.close()` (or
 * `await using worker = ...`). A spawned worker dies with this process in any case.
 */
export class Worker {
  private closed = false;

  private constructor(
    private readonly client: WorkerClient,
    readonly info: WorkerInfo,
    private readonly process?: WorkerProcess,
  ) {}

  static async spawn(options: WorkerOptions = {}): Promise<Worker> {
    const proc = new WorkerProcess({ ...options, python: await ensureWorkerPython(options.python) });
    const client = new WorkerClient(proc.address, proc, options.deadlinesMs, { token: proc.token });
    try {
      const reply = await waitForHello(
        client,
        proc,
        options.readyTimeoutMs ?? 90_000,
        options.protocolVersion ?? PROTOCOL_VERSION,
      );
      return new Worker(client, toInfo(reply), proc);
    } catch (error) {
      client.close();
      proc.kill("SIGKILL");
      await proc.stop(1_000);
      throw error;
    }
  }

  /**
   * Connects to a worker started by hand (`python -m mixmask_worker --listen HOST:PORT`), e.g. on a GPU machine.
   * `address` is `host:port` or `unix:/path`. The token defaults to $MIXMASK_WORKER_TOKEN. `close()` leaves that
   * worker running.
   */
  static async connect(address: string, options: ConnectOptions = {}): Promise<Worker> {
    const access: WorkerAccess = {
      token: options.token ?? process.env[TOKEN_ENV],
      ...(options.tls ? { tls: options.tls } : {}),
    };
    const client = new WorkerClient(address, undefined, options.deadlinesMs, access);
    try {
      const reply = await waitForHello(
        client,
        undefined,
        options.readyTimeoutMs ?? 10_000,
        options.protocolVersion ?? PROTOCOL_VERSION,
        address,
      );
      return new Worker(client, toInfo(reply));
    } catch (error) {
      client.close();
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Where the worker listens (`unix:/tmp/mixmask-XXXX/worker.sock` for a spawned one). */
  get address(): string {
    return this.client.address;
  }

  /** Whether this SDK started the worker process (and so may restart it). */
  get spawned(): boolean {
    return this.process !== undefined;
  }

  /** Kills a spawned worker's process group immediately (tests use it to simulate a crash). */
  kill(): void {
    this.process?.kill("SIGKILL");
  }

  /** A spawned worker: asks it to shut down, waits briefly, then kills what remains. A connected one: closes the channel. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.process && !this.process.exit()) {
      await this.client.shutdown().catch(() => undefined);
    }
    this.client.close();
    await this.process?.stop(5_000);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // --- The worker's RPCs, typed (proto/mixmask.proto). Each has a deadline; each failure is a MixmaskError. --------

  /** The handshake again: the worker's Hello reply (also a liveness check). */
  hello(): Promise<HelloReply> {
    return this.client.hello();
  }

  /** Builds a run's networks and optimiser (proto CreateRunRequest; src/train/run-request.ts writes one). */
  createRun(request: CreateRunMessage): Promise<CreateRunReply> {
    return this.client.createRun(request);
  }

  /** CreateRun of a run that every rank of a torchrun launch trains together; every rank must receive it. */
  createDistributedRun(request: CreateRunMessage, syncBatchNorm: boolean): Promise<CreateRunReply> {
    return this.client.createDistributedRun(request, syncBatchNorm);
  }

  /** Writes the run's whole training state to `file` (a path on the worker's machine). */
  saveCheckpoint(runId: string, file: string, step: number): Promise<SaveCheckpointReply> {
    return this.client.saveCheckpoint(runId, file, step);
  }

  /** Restores a run from a checkpoint file whose SHA-256 must be `sha256`. */
  loadCheckpoint(runId: string, file: string, sha256: string): Promise<LoadCheckpointReply> {
    return this.client.loadCheckpoint(runId, file, sha256);
  }

  /** Weighted k-NN of a run's (or a loaded backbone's) features (docs/EVALUATION.md). */
  knn(request: KnnRequestMessage): Promise<KnnReplyMessage> {
    return this.client.knn(request);
  }

  linearProbe(request: LinearProbeRequest): Promise<LinearProbeReply> {
    return this.client.linearProbe(request);
  }

  fineTune(request: FineTuneRequest): Promise<FineTuneReply> {
    return this.client.fineTune(request);
  }

  /** The inputs of one encoded plan as the training step builds them, de-normalised to uint8, for pictures. */
  preview(runId: string, plan: StepPlanMessage, maxSamples: number): Promise<PreviewReply> {
    return this.client.preview(runId, plan, maxSamples);
  }

  /** Writes a checkpoint's backbone in the given formats (src/worker/worker-client.ts#EXPORT_FORMAT_VALUES) into `outDir`. */
  exportBackbone(
    checkpointPath: string,
    sha256: string,
    outDir: string,
    formats: number[],
  ): Promise<ExportReplyMessage> {
    return this.client.exportBackbone(checkpointPath, sha256, outDir, formats);
  }

  loadBackbone(request: LoadBackboneRequest): Promise<LoadBackboneReply> {
    return this.client.loadBackbone(request);
  }

  embed(request: EmbedRequestMessage): Promise<EmbedReply> {
    return this.client.embed(request);
  }

  /** This worker's rank, world size and launch id (world size 1 for a worker not started by torchrun). */
  describeRank(deadlineMs?: number): Promise<RankInfo> {
    return this.client.describeRank(deadlineMs);
  }

  /** Asks the worker to exit (a group's ranks are shut down together before their launcher is stopped). */
  requestShutdown(deadlineMs?: number): Promise<void> {
    return this.client.shutdown(deadlineMs).then(() => undefined);
  }

  /** A failed call of `rpc` as a MixmaskError with the worker's code (waits briefly for a dying process's exit). */
  callError(error: unknown, rpc: string): Promise<MixmaskError> {
    return this.client.callError(error, rpc);
  }
}

/**
 * The transport of a worker, for src/worker/ only (bulk lanes, dataset streams, the training streams): everything
 * else uses Worker's typed methods. Not exported from the package.
 */
export function clientOf(worker: Worker): WorkerClient {
  // biome-ignore lint/complexity/useLiteralKeys: the private field is reached on purpose, from inside src/worker/ only
  return worker["client"];
}

async function waitForHello(
  client: WorkerClient,
  proc: WorkerProcess | undefined,
  timeoutMs: number,
  protocolVersion: number,
  address?: string,
): Promise<HelloReply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc?.exit()) throw startFailed(proc, "exited before answering Hello");
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
      if (error instanceof MixmaskError && (error.code === "PROTOCOL_MISMATCH" || error.code === "UNAUTHENTICATED"))
        throw error;
      if (!proc) {
        if (Date.now() > deadline) throw unreachable(address ?? client.address, timeoutMs, error);
        await sleep(100);
        continue;
      }
      if (proc.exit()) throw startFailed(proc, "exited before answering Hello");
      if (Date.now() > deadline) throw startFailed(proc, `did not answer Hello within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

function unreachable(address: string, timeoutMs: number, cause: unknown): MixmaskError {
  return new MixmaskError({
    code: "WORKER_START_FAILED",
    message: `no worker answered at ${address} within ${timeoutMs} ms (${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)})`,
    fix: "start it with `python -m mixmask_worker --listen HOST:PORT` (a token is required off loopback), check the address, the firewall, and TLS on both sides",
    cause,
  });
}

function startFailed(proc: WorkerProcess, what: string): MixmaskError {
  const exit = proc.exit();
  const how = exit ? ` (${exit.signal ?? `exit code ${exit.code}`})` : "";
  return new MixmaskError({
    code: "WORKER_START_FAILED",
    message: `the worker ${what}${how}. Its stderr:\n${proc.stderrTail().trimEnd() || "    (empty)"}`,
    fix: `run \`npx mixmask doctor\` to check Python, torch and the device; ${PYTHON_FIX}`,
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
    threadWait: reply.threadWait,
    mallocPolicy: reply.mallocPolicy,
    otherCoresBusy: reply.otherCoresBusy,
    threadsAdvice: reply.threadsAdvice,
    capabilities: [...reply.capabilities],
    pid: reply.pid,
  };
}

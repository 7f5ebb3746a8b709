import { MixmaskError, type ErrorIssue } from "../errors.js";
import { PROTOCOL_VERSION } from "../worker/protocol-version.js";
import { TOKEN_ENV, type WorkerAccess } from "../worker/worker-access.js";
import type { DeadlinesMs } from "../worker/worker-client.js";
import { Worker } from "../worker/worker.js";
import { waitForEndpointsFile, type EndpointsFile } from "./endpoints-file.js";
import { firstRankFailure } from "./torchrun-report.js";
import { TorchrunProcess, type TorchrunOptions } from "./torchrun-process.js";

/** One rank of a group: its worker (a gRPC connection) and where it runs. */
export interface RankWorker {
  readonly rank: number;
  readonly worker: Worker;
  readonly endpoint: string;
  readonly pid: number;
  readonly host: string;
}

export interface SpawnGroupOptions extends TorchrunOptions {
  /** How long to wait for every rank to serve (each imports torch and joins the group). Default 120 000 ms. */
  readyTimeoutMs?: number;
  /** Per-call deadlines in ms, overriding DEFAULT_DEADLINES_MS field by field, for every rank. */
  deadlinesMs?: Partial<DeadlinesMs>;
}

export interface ConnectGroupOptions extends WorkerAccess {
  /** How long to wait for the endpoints file and then for each rank's Hello. Default 120 000 ms. */
  readyTimeoutMs?: number;
  /** Refuse a launch of another world size. */
  expectedRanks?: number;
  deadlinesMs?: Partial<DeadlinesMs>;
}

/** Failures after which the group is judged by finding the rank that died, rather than reported as they came. */
const LOST_CODES = new Set(["WORKER_DIED", "WORKER_TIMEOUT"]);
/** How long to wait for torchrun's agent to stop the surviving ranks and print its report after a rank failed. */
const AGENT_REPORT_WAIT_MS = 20_000;
const STDERR_LINES_SHOWN = 20;

/**
 * The ranks of one torchrun launch, driven by this SDK (docs/DISTRIBUTED.md): `await WorkerGroup.spawn({ ranks: 2 })`
 * starts a local launch; `await WorkerGroup.connect("runs/a/endpoints.json")` joins one started by hand, on one
 * machine or several. Either way every rank answered Hello with this protocol, and all agree on the world size,
 * their ranks (0…R−1, each once) and the launch id. Rank 0 is the lead: it answers evaluation and writes
 * checkpoints. When a rank dies, `failure()` names it (rank, pid, endpoint, how it ended). `close()` stops a
 * spawned launch (all ranks); a connected one is left running unless a rank failed, which makes it unusable.
 */
export class WorkerGroup {
  private closed = false;
  private failed = false;

  private constructor(
    readonly ranks: readonly RankWorker[],
    readonly launchId: string,
    readonly backend: string,
    private readonly launch?: TorchrunProcess,
  ) {}

  static async spawn(options: SpawnGroupOptions): Promise<WorkerGroup> {
    if (!(Number.isInteger(options.ranks) && options.ranks >= 1)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "ranks",
        message: "a group needs a whole number of ranks",
        expected: "an integer ≥ 1",
        received: String(options.ranks),
      });
    }
    const launch = new TorchrunProcess(options);
    try {
      const timeoutMs = options.readyTimeoutMs ?? 120_000;
      const file = await waitForEndpointsFile(launch.endpointsFile, timeoutMs, () =>
        launch.exit() ? launchFailed(launch) : undefined,
      );
      launch.rankPids = file.ranks.map((r) => r.pid);
      const ranks = await connectRanks(
        file,
        launch.endpointsFile,
        { token: launch.token },
        {
          readyTimeoutMs: 10_000,
          expectedRanks: options.ranks,
          ...(options.deadlinesMs ? { deadlinesMs: options.deadlinesMs } : {}),
        },
      );
      return new WorkerGroup(ranks, file.launchId, file.backend, launch);
    } catch (error) {
      await launch.stop(0);
      throw error;
    }
  }

  /**
   * Joins a launch started elsewhere (`torchrun ... -m mixmask_worker --listen 0.0.0.0:PORT --endpoints-file FILE`):
   * waits for its endpoints file, then connects to every rank. The token defaults to $MIXMASK_WORKER_TOKEN.
   */
  static async connect(endpointsFile: string, options: ConnectGroupOptions = {}): Promise<WorkerGroup> {
    const timeoutMs = options.readyTimeoutMs ?? 120_000;
    const file = await waitForEndpointsFile(endpointsFile, timeoutMs);
    const access: WorkerAccess = {
      token: options.token ?? process.env[TOKEN_ENV],
      ...(options.tls ? { tls: options.tls } : {}),
    };
    const ranks = await connectRanks(file, endpointsFile, access, options);
    return new WorkerGroup(ranks, file.launchId, file.backend);
  }

  get worldSize(): number {
    return this.ranks.length;
  }

  /** Rank 0: evaluation, checkpoint writes, and any call that concerns one rank's state only. */
  get lead(): Worker {
    return this.ranks[0]!.worker;
  }

  /** Whether this SDK started the launch (and stops it on close). */
  get spawned(): boolean {
    return this.launch !== undefined;
  }

  /** Runs `call` on every rank at once; a failure of any rank becomes `failure()`'s error. */
  async onEveryRank<T>(rpc: string, call: (rank: RankWorker) => Promise<T>): Promise<T[]> {
    const calls = this.ranks.map((rank) =>
      call(rank).catch((error: unknown) => Promise.reject({ rank: rank.rank, error })),
    );
    calls.forEach((c) => c.catch(() => undefined)); // the first failure is reported; the others must not go unhandled
    try {
      return await Promise.all(calls);
    } catch (failed) {
      const { rank, error } = failed as { rank: number; error: unknown };
      throw await this.failure(error, rank, rpc);
    }
  }

  /**
   * The error to report for a failed call on `rank`. The worker's own errors (a NaN, an invalid plan) come back
   * as they are. A lost rank — a dropped connection, a collective that failed because a peer died, a timeout —
   * is traced to the rank that failed first: from torchrun's report for a spawned launch, else by asking every
   * rank whether it still answers.
   */
  async failure(error: unknown, rank: number, rpc: string): Promise<MixmaskError> {
    const worker = this.ranks[rank]?.worker ?? this.lead;
    const mapped = error instanceof MixmaskError ? error : await worker.callError(error, rpc);
    const lost =
      mapped.workerCode === "RANK_FAILED" ||
      LOST_CODES.has(mapped.code) ||
      (mapped.code === "WORKER_ERROR" && !mapped.workerCode);
    if (!lost) return mapped;
    this.failed = true;
    const dead = await this.findFailedRank();
    if (!dead) return mapped;
    const entry = this.ranks[dead.rank];
    const where = `pid ${dead.pid ?? entry?.pid}${entry ? `, ${entry.endpoint}${entry.host ? ` on ${entry.host}` : ""}` : ""}`;
    const tail = this.launch ? `\n${agentReport(this.launch.stderrTail())}` : "";
    return new MixmaskError({
      code: "WORKER_DIED",
      message: `rank ${dead.rank} of ${this.worldSize} (${where}) ${dead.how} during ${rpc}; ${this.launch ? "torchrun stopped the other ranks" : "the other ranks cannot go on without it"}${tail}`,
      fix: "read that rank's stderr; out-of-memory kills show as SIGKILL. Start a new launch and continue with --resume (checkpoints load into any world size)",
      diagnostics: {
        rank: dead.rank,
        pid: dead.pid ?? entry?.pid ?? null,
        endpoint: entry?.endpoint ?? null,
        how: dead.how,
        rpc,
      },
      cause: mapped,
    });
  }

  /** Kills rank `rank`'s process at once (a spawned launch; tests use it to simulate a crash). */
  kill(rank: number, signal: NodeJS.Signals = "SIGKILL"): void {
    const pid = this.ranks[rank]?.pid;
    if (this.launch && pid !== undefined && this.launch.rankAlive(pid)) process.kill(pid, signal);
  }

  /**
   * A spawned launch: asks every rank to shut down, then stops what remains (torchrun's agent, then the ranks).
   * A connected launch: closes the connections, and asks the ranks to shut down only after a rank failed (the
   * process group is broken then). Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.launch || this.failed) {
      await Promise.all(this.ranks.map((r) => r.worker.requestShutdown(2_000).catch(() => undefined)));
    }
    for (const r of this.ranks) await r.worker.close();
    await this.launch?.stop(10_000);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async findFailedRank(): Promise<{ rank: number; pid?: number; how: string } | undefined> {
    const launch = this.launch;
    if (launch) {
      await launch.waitForExit(AGENT_REPORT_WAIT_MS);
      const reported = firstRankFailure(launch.stderrTail());
      if (reported) {
        const how = reported.signal ? `was killed by ${reported.signal}` : `exited with code ${reported.exitCode}`;
        return { rank: reported.rank, pid: reported.pid, how };
      }
      const gone = this.ranks.find((r) => !launch.rankAlive(r.pid));
      return gone ? { rank: gone.rank, pid: gone.pid, how: "exited" } : undefined;
    }
    const answers = await Promise.all(
      this.ranks.map((r) =>
        r.worker.describeRank(2_000).then(
          () => true,
          () => false,
        ),
      ),
    );
    const silent = answers.indexOf(false);
    return silent >= 0 ? { rank: silent, how: "stopped answering" } : undefined;
  }
}

/** Connects to every rank of an endpoints file and checks that they form one launch with this protocol. */
async function connectRanks(
  file: EndpointsFile,
  path: string,
  access: WorkerAccess,
  options: ConnectGroupOptions,
): Promise<RankWorker[]> {
  if (file.protocolVersion !== PROTOCOL_VERSION) {
    throw new MixmaskError({
      code: "PROTOCOL_MISMATCH",
      path,
      message: `the launch speaks protocol v${file.protocolVersion}, this SDK v${PROTOCOL_VERSION}`,
      fix: `update ${file.protocolVersion < PROTOCOL_VERSION ? "the python_worker on every node" : "the mixmask npm package"} so both sides match`,
    });
  }
  const issues: ErrorIssue[] = [];
  const ranks = file.ranks.map((r) => r.rank).sort((a, b) => a - b);
  if (ranks.length !== file.worldSize || ranks.some((r, i) => r !== i)) {
    issues.push({
      path: `${path}:ranks`,
      message: "every rank 0…R−1 must appear once",
      expected: `ranks 0…${file.worldSize - 1}`,
      received: `ranks ${ranks.join(", ")}`,
    });
  }
  if (options.expectedRanks !== undefined && file.worldSize !== options.expectedRanks) {
    issues.push({
      path: `${path}:worldSize`,
      message: "the launch has another world size than the run",
      expected: String(options.expectedRanks),
      received: String(file.worldSize),
    });
  }
  if (issues.length) throw ranksMismatch(issues);
  const entries = [...file.ranks].sort((a, b) => a.rank - b.rank);
  const settled = await Promise.allSettled(
    entries.map((entry) =>
      Worker.connect(entry.endpoint, {
        ...access,
        readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
        ...(options.deadlinesMs ? { deadlinesMs: options.deadlinesMs } : {}),
      }),
    ),
  );
  const connected: RankWorker[] = [];
  settled.forEach((s, i) => {
    const entry = entries[i]!;
    if (s.status === "fulfilled")
      connected.push({ rank: entry.rank, worker: s.value, endpoint: entry.endpoint, pid: entry.pid, host: entry.host });
  });
  try {
    const refused = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (refused) throw refused.reason;
    const infos = await Promise.all(connected.map((r) => r.worker.describeRank()));
    infos.forEach((info, i) => {
      const entry = connected[i]!;
      const at = `${entry.endpoint}`;
      if (info.rank !== entry.rank)
        issues.push({
          path: at,
          message: "answers as another rank than the endpoints file says",
          expected: `rank ${entry.rank}`,
          received: `rank ${info.rank}`,
        });
      if (info.worldSize !== file.worldSize)
        issues.push({
          path: at,
          message: "belongs to a group of another size",
          expected: `world size ${file.worldSize}`,
          received: `world size ${info.worldSize}`,
        });
      if (info.launchId !== file.launchId)
        issues.push({
          path: at,
          message: "belongs to another launch (a stale endpoints file, or a worker started separately)",
          expected: `launch ${file.launchId}`,
          received: `launch ${info.launchId || "(none: not started by torchrun)"}`,
        });
    });
    if (issues.length) throw ranksMismatch(issues);
    return connected;
  } catch (error) {
    for (const r of connected) await r.worker.close();
    throw error;
  }
}

function ranksMismatch(issues: ErrorIssue[]): MixmaskError {
  return new MixmaskError({
    code: "RANKS_MISMATCH",
    message: `the ranks do not form one launch (${issues.length} issue${issues.length > 1 ? "s" : ""})`,
    issues,
    fix: "start all ranks with one torchrun launch (same --nnodes, --rdzv-endpoint and --endpoints-file) and point the SDK at that launch's endpoints file",
  });
}

function launchFailed(launch: TorchrunProcess): MixmaskError {
  const exit = launch.exit();
  const how = exit ? (exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`) : "";
  return new MixmaskError({
    code: "WORKER_START_FAILED",
    message: `the torchrun launch ended before every rank served (${how}). Its last stderr lines:\n${lastLines(launch.stderrTail())}`,
    fix: "run `npx mixmask doctor` to check Python, torch and the device; `npm run setup` rebuilds .venv",
  });
}

/** torchrun's failure report when it printed one (the Python traceback above it says nothing), else the last lines. */
function agentReport(stderr: string): string {
  const report = stderr.lastIndexOf("ChildFailedError");
  if (report >= 0) return `torchrun's report:\n${lastLines(stderr.slice(stderr.indexOf("\n", report) + 1))}`;
  return `The launch's last stderr lines:\n${lastLines(stderr)}`;
}

function lastLines(text: string): string {
  const lines = text.trimEnd().split("\n");
  return (
    lines
      .slice(-STDERR_LINES_SHOWN)
      .map((l) => `    ${l}`)
      .join("\n") || "    (empty)"
  );
}

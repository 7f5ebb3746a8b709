import { SHARD_CHANNEL, StepStream, type ShardPlanMessage, type StepResult } from "../worker/step-stream.js";
import type { StepPlan } from "../train/step-plan.js";
import { shardStepPlan, type RankStepPlan } from "./shard-plan.js";
import type { WorkerGroup } from "./worker-group.js";

/**
 * Training on every rank of a group: each global plan is sharded (shard-plan.ts) and every rank's shard goes down
 * that rank's TrainShard stream, in step order, so each rank reaches each step's collectives (no rank waits for a
 * plan that was not sent). A step's result combines the ranks': each rank's losses are means over its n samples,
 * so the global batch's losses are their mean; so is term 0's positive top-1. The embedding spread is the mean of
 * the ranks' spreads (each over its shard), and the worker time the slowest rank's.
 */
export class GroupStepStream {
  private readonly streams: StepStream<RankStepPlan, ShardPlanMessage>[];

  constructor(
    private readonly group: WorkerGroup,
    runId: string,
    idleTimeoutMs: number,
    /** The run keeps MoCo's queue: every rank needs the order in which gathered keys enter it. */
    private readonly hasQueue: boolean,
  ) {
    this.streams = group.ranks.map((r) => new StepStream(r.worker, runId, idleTimeoutMs, SHARD_CHANNEL));
  }

  /** Global plans sent whose results have not been taken yet. */
  get inFlight(): number {
    return Math.max(...this.streams.map((s) => s.inFlight));
  }

  submit(plan: StepPlan): void {
    const shards = shardStepPlan(plan, this.streams.length, this.hasQueue);
    this.streams.forEach((stream, rank) => stream.submit(shards[rank]!));
  }

  /** The next global step's result; a failed rank rejects with the error naming the rank that failed first. */
  async next(): Promise<StepResult> {
    const pending = this.streams.map((stream, rank) =>
      stream.next().catch((error: unknown) => Promise.reject({ rank, error })),
    );
    pending.forEach((p) => p.catch(() => undefined)); // the first failure is reported; the others must not go unhandled
    let results: StepResult[];
    try {
      results = await Promise.all(pending);
    } catch (failed) {
      const { rank, error } = failed as { rank: number; error: unknown };
      throw await this.group.failure(error, rank, "Train");
    }
    const mean = (pick: (r: StepResult) => number): number =>
      results.reduce((sum, r) => sum + pick(r), 0) / results.length;
    const first = results[0]!;
    return {
      step: first.step,
      loss: mean((r) => r.loss),
      termLosses: first.termLosses.map((_, t) => mean((r) => r.termLosses[t]!)),
      positiveTop1: mean((r) => r.positiveTop1),
      embeddingStd: mean((r) => r.embeddingStd),
      workerMs: Math.max(...results.map((r) => r.workerMs)),
    };
  }

  close(): void {
    for (const stream of this.streams) stream.close();
  }

  abort(): void {
    for (const stream of this.streams) stream.abort();
  }
}

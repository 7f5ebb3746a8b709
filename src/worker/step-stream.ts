import type { ClientDuplexStream } from "@grpc/grpc-js";
import { MixmaskError } from "../errors.js";
import type { RankStepPlan } from "../distributed/shard-plan.js";
import type { mixmask } from "./generated/mixmask.js";
import { encodeStepPlan } from "./plan-encoding.js";
import { encodeShardStepPlan } from "./shard-plan-encoding.js";
import type { StepPlanMessage, StepResultMessage } from "./worker-client.js";
import { clientOf, type Worker } from "./worker.js";
import type { StepPlan } from "../train/step-plan.js";

/** How plans of type P reach a worker: the stream to open and each plan's wire message W. */
export interface StepChannel<P, W> {
  open(worker: Worker, runId: string): ClientDuplexStream<W, StepResultMessage>;
  encode(plan: P): W;
}

/** Whole step plans on the `Train` stream (one worker holds the batch). */
export const TRAIN_CHANNEL: StepChannel<StepPlan, StepPlanMessage> = {
  open: (worker, runId) => clientOf(worker).train(runId),
  encode: encodeStepPlan,
};

export type ShardPlanMessage = mixmask.v1.IShardStepPlan;

/** One rank's shards of whole plans on its `TrainShard` stream (src/distributed/group-step-stream.ts). */
export const SHARD_CHANNEL: StepChannel<RankStepPlan, ShardPlanMessage> = {
  open: (worker, runId) => clientOf(worker).trainShard(runId),
  encode: encodeShardStepPlan,
};

/** What the worker reports for one step (proto StepResult), read back lazily on its side. */
export interface StepResult {
  step: number;
  loss: number;
  /**
   * Each loss term's mean per-sample loss ℓ over the batch, unweighted: neither the term's weight (a per-batch λ)
   * nor per-sample λᵢ enter it, so it means the same for every mask granularity. `loss` is the weighted sum.
   */
  termLosses: number[];
  positiveTop1: number;
  /** Std over the batch of term 0's unit anchors × √D: about 1 when healthy, towards 0 when the embeddings collapse. */
  embeddingStd: number;
  workerMs: number;
}

/**
 * The `Train` stream with a bounded number of plans in flight: `submit` sends without waiting for the step to run,
 * `next` yields results in order. Keeping a few plans ahead means the worker never waits for TypeScript planning or
 * the network, while the bound keeps memory flat and progress honest.
 */
export class StepStream<P = StepPlan, W = StepPlanMessage> {
  private readonly call: ClientDuplexStream<W, StepResultMessage>;
  private readonly results: StepResult[] = [];
  private waiter: { resolve: (r: StepResult) => void; reject: (e: unknown) => void } | undefined;
  private failure: MixmaskError | undefined;
  private sent = 0;
  private received = 0;

  constructor(
    worker: Worker,
    runId: string,
    private readonly idleTimeoutMs: number,
    // Without a channel P is StepPlan (the default type argument), whose channel is Train's.
    private readonly channel: StepChannel<P, W> = TRAIN_CHANNEL as unknown as StepChannel<P, W>,
  ) {
    this.call = channel.open(worker, runId);
    this.call.on("data", (r: StepResultMessage) => {
      this.received++;
      const result: StepResult = {
        step: Number(r.step),
        loss: r.loss,
        termLosses: [...r.termLosses],
        positiveTop1: r.positiveTop1,
        embeddingStd: r.embeddingStd,
        workerMs: r.workerMs,
      };
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve(result);
      } else this.results.push(result);
    });
    this.call.on("error", (error) => {
      void clientOf(worker)
        .callError(error, "Train")
        .then((mapped) => this.fail(mapped));
    });
    // The final status, not "end": a stream the worker ended with an error emits "end" first and "error" (with the
    // worker's code, or the death of its process) after it; only a clean end with results missing is judged here.
    this.call.on("status", (status: { code: number }) => {
      if (status.code === 0 && (this.received < this.sent || this.waiter)) {
        this.fail(
          new MixmaskError({
            code: "WORKER_DIED",
            message: `the Train stream ended after ${this.received} of ${this.sent} results`,
          }),
        );
      }
    });
  }

  /** Plans sent whose results have not been taken yet. */
  get inFlight(): number {
    return this.sent - this.received + this.results.length;
  }

  submit(plan: P): void {
    if (this.failure) throw this.failure;
    this.sent++;
    this.call.write(this.channel.encode(plan));
  }

  private fail(error: MixmaskError): void {
    this.failure ??= error;
    this.waiter?.reject(this.failure);
    this.waiter = undefined;
  }

  /** The next result in step order; rejects with the worker's error, or WORKER_TIMEOUT after the idle timeout. */
  next(): Promise<StepResult> {
    const ready = this.results.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter)
      return Promise.reject(new Error("StepStream.next() called again before the previous result arrived"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(
          new MixmaskError({
            code: "WORKER_TIMEOUT",
            message: `no training result for ${this.idleTimeoutMs} ms (${this.inFlight} plans in flight)`,
            fix: "the worker may be overloaded or stuck; raise the idle timeout for very slow steps, or check `mixmask doctor`",
          }),
        );
      }, this.idleTimeoutMs);
      this.waiter = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /** Ends the stream after all results were taken. */
  close(): void {
    this.call.end();
  }

  /** Cancels the call, so the worker stops reading plans (after a failure or timeout on our side). */
  abort(): void {
    this.call.cancel();
  }
}

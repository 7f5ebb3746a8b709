import { afterEach, describe, expect, it } from "vitest";
import { processAlive } from "../helpers/process-alive.js";
import { MixmaskError } from "../../src/errors.js";
import { PROTOCOL_VERSION } from "../../src/worker/protocol-version.js";
import { Worker } from "../../src/worker/worker.js";

async function rejection(promise: Promise<unknown>): Promise<MixmaskError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MixmaskError) return error;
    throw error;
  }
  throw new Error("expected a MixmaskError");
}

describe("worker lifecycle (real worker process)", () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
  });

  it("spawns on a private Unix socket and answers Hello with versions and device", async () => {
    const worker = await Worker.spawn({ device: "cpu", threads: 1 });
    workers.push(worker);
    expect(worker.info.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(worker.info.device).toBe("cpu");
    expect(worker.info.torchVersion).toMatch(/^\d+\.\d+/);
    expect(worker.info.pythonVersion).toMatch(/^3\.\d+/);
    expect(worker.info.torchThreads).toBe(1);
    expect(worker.info.pid).toBe(worker.pid);
    // The process policies the worker chose as it started (python_worker/mixmask_worker/service/thread_policy.py,
    // malloc_policy.py), unless this test's environment chose for it.
    if (!process.env.OMP_WAIT_POLICY && !process.env.GOMP_SPINCOUNT && !process.env.KMP_BLOCKTIME)
      expect(worker.info.threadWait).toBe("spin 1000, then sleep");
    if (process.platform === "linux" && !process.env.MIXMASK_WORKER_MALLOC && !process.env.LD_PRELOAD)
      expect(worker.info.mallocPolicy).toBe("retain");
    expect(worker.info.otherCoresBusy).toBeGreaterThanOrEqual(0); // measured across the worker's start-up
    const again = await worker.hello();
    expect(again.pid).toBe(worker.info.pid);
  });

  it("close() ends the worker process", async () => {
    const worker = await Worker.spawn({ device: "cpu", threads: 1 });
    const pid = worker.info.pid;
    expect(processAlive(pid)).toBe(true);
    await worker.close();
    expect(processAlive(pid)).toBe(false);
  });

  it("refuses a protocol mismatch with a message saying which side to update", async () => {
    const error = await rejection(Worker.spawn({ device: "cpu", threads: 1, protocolVersion: PROTOCOL_VERSION + 1 }));
    expect(error.code).toBe("PROTOCOL_MISMATCH");
    expect(error.message).toContain(`v${PROTOCOL_VERSION + 1}`);
    expect(error.message).toMatch(/update/);
  });

  it("shows the worker's stderr when it dies before answering (CUDA asked for on a machine without it)", async (ctx) => {
    const probe = await Worker.spawn({ device: "auto", threads: 1 });
    const hasCuda = probe.info.capabilities.includes("cuda");
    await probe.close();
    if (hasCuda) ctx.skip();
    const error = await rejection(Worker.spawn({ device: "cuda", readyTimeoutMs: 30_000 }));
    expect(error.code).toBe("WORKER_START_FAILED");
    expect(error.message).toMatch(/exit code 3/);
    expect(error.message).toMatch(/CUDA/);
  });

  it("names the missing interpreter and the fix", async () => {
    const error = await rejection(Worker.spawn({ python: "/nonexistent/python3" }));
    expect(error.code).toBe("PYTHON_MISSING");
    expect(error.fix).toContain("npm run setup");
  });

  it("reports a killed worker as WORKER_DIED on the next call", async () => {
    const worker = await Worker.spawn({ device: "cpu", threads: 1 });
    workers.push(worker);
    worker.kill();
    // No waiting here: the client must itself wait for the exit status before calling the worker dead.
    const error = await rejection(worker.hello());
    expect(error.code).toBe("WORKER_DIED");
    expect(error.message).toContain("SIGKILL");
  });
});

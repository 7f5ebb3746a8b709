import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { Worker } from "../../src/worker/worker.js";

describe("worker errors reach the user as the worker reported them (real worker process)", () => {
  let worker: Worker;
  beforeAll(async () => {
    worker = await Worker.spawn({ device: "cpu", threads: 1 });
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
  });

  it("keeps the worker's code and lists each issue of an invalid request on its own", async () => {
    const error = await worker.createRun({ runId: "empty" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MixmaskError);
    const failure = error as MixmaskError;
    expect(failure.code).toBe("INVALID_ARGUMENT");
    expect(failure.workerCode).toBe("INVALID_ARGUMENT");
    const paths = failure.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["run.backbone.base_width", "run.head.out_dim", "run.image_size"]));
    expect(new Set(paths).size).toBe(paths.length);
    const width = failure.issues.find((issue) => issue.path === "run.backbone.base_width");
    expect(width).toMatchObject({ expected: "a first-stage width >= 1 (64 in torchvision)", received: "0" });
  });

  it("passes a not-found code through instead of a generic WORKER_ERROR", async () => {
    const error = await worker.knn({ runId: "no-such-run", trainDatasetId: "a", testDatasetId: "b" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "RUN_NOT_FOUND", workerCode: "RUN_NOT_FOUND" });
  });
});

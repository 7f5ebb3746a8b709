import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageDataset } from "../../src/data/image-dataset.js";
import { materialize } from "../../src/data/image-source.js";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { MixmaskError } from "../../src/errors.js";
import { laneValue, type LaneKind } from "../../src/worker/bulk-lane.js";
import { chooseLane } from "../../src/worker/choose-lane.js";
import { contentSha256, uploadDataset, type TransferProgress } from "../../src/worker/upload-dataset.js";
import { clientOf, Worker } from "../../src/worker/worker.js";

/** Uploads over both lanes to real workers: the worker hashes what arrives, so a lane that lost or reordered a byte fails. */
describe("dataset uploads over the zeromq and the gRPC lane (real workers)", () => {
  let root = "";
  let cacheDir = "";
  let worker: Worker;
  let data: ImageDataset;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "mixmask-lanes-"));
    cacheDir = join(root, "worker-datasets");
    worker = await Worker.spawn({ device: "cpu", threads: 1, datasetCacheDir: cacheDir });
    // 9 MB: several chunks on either lane (4 MiB each).
    data = await materialize(syntheticDataset({ trainImages: 3000, testImages: 1, size: 32, seed: 5 }).train);
  });
  afterAll(async () => {
    await worker?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("the worker announces the zeromq lane (pyzmq is in .venv)", () => {
    expect(worker.info.capabilities).toContain("zmq");
  });

  it.each<LaneKind>(["zmq", "grpc"])(
    "sends a dataset once on the %s lane; the same content again is not sent",
    async (lane) => {
      const ds = { ...data, name: `lane-${lane}`, pixels: data.pixels.slice() };
      ds.pixels[0] = lane === "zmq" ? 1 : 2; // distinct content per lane: each upload really moves its bytes
      const seen: TransferProgress[] = [];
      const first = await uploadDataset(worker, ds, { lane, onProgress: (p) => seen.push(p) });
      expect([first.lane, first.cached, first.bytesSent, first.placement]).toEqual([
        lane,
        false,
        ds.pixels.length,
        "cpu",
      ]);
      expect(first.id).toMatch(new RegExp(`^lane-${lane}-train-[0-9a-f]{16}$`));
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen.at(-1)!.sentBytes).toBe(ds.pixels.length);
      expect(seen.every((p, i) => i === 0 || p.sentBytes > seen[i - 1]!.sentBytes)).toBe(true);
      const again = await uploadDataset(worker, ds, { lane });
      expect([again.id, again.cached, again.bytesSent]).toEqual([first.id, "resident", 0]);
    },
  );

  it.each<LaneKind>(["zmq", "grpc"])(
    "the %s lane reports the worker's refusal of bytes that do not match their hash",
    async (lane) => {
      const ds = {
        ...data,
        name: `mismatch-${lane}`,
        count: 100,
        pixels: data.pixels.slice(0, 100 * 3072),
        labels: data.labels.subarray(0, 100),
      };
      ds.pixels[0] = lane === "zmq" ? 3 : 4; // the cache is by content, not name: distinct content per lane
      const header = {
        datasetId: "mismatch",
        count: 100,
        height: 32,
        width: 32,
        channels: 3,
        labels: [...ds.labels],
        totalBytes: ds.pixels.length,
      };
      const claimed = contentSha256({ ...ds, pixels: ds.pixels.map((v) => 255 - v) });
      const begun = await clientOf(worker).beginUpload({ header, contentSha256: claimed, lane: laneValue(lane) });
      const error = await chooseLane(clientOf(worker), worker.info.capabilities, lane)
        .sendUpload(begun, ds.pixels)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(MixmaskError);
      expect((error as MixmaskError).workerCode).toBe("INVALID_ARGUMENT");
      expect((error as MixmaskError).message).toContain("content_sha256");
      // Refused content is neither resident nor cached: the honest upload of the same id goes through.
      expect((await uploadDataset(worker, ds, { lane })).cached).toBe(false);
    },
  );

  it("auto picks zeromq when the worker has it", async () => {
    const small = {
      ...data,
      name: "auto",
      count: 10,
      pixels: data.pixels.subarray(0, 10 * 3072),
      labels: data.labels.subarray(0, 10),
    };
    expect((await uploadDataset(worker, small)).lane).toBe("zmq");
  });

  it("a restarted worker with the same dataset cache is not sent the same bytes again", async () => {
    const ds = { ...data, name: "restart" };
    const first = await uploadDataset(worker, ds, { lane: "grpc" });
    expect(first.cached).toBe(false);
    await worker.close(); // graceful: the worker finishes writing its cache first
    worker = await Worker.spawn({ device: "cpu", threads: 1, datasetCacheDir: cacheDir });
    const again = await uploadDataset(worker, ds, { lane: "zmq" });
    expect([again.id, again.cached, again.bytesSent]).toEqual([first.id, "disk", 0]);
    // Without the cache the restarted worker would need the bytes again.
    const bare = await Worker.spawn({ device: "cpu", threads: 1, datasetCacheDir: false });
    try {
      expect((await uploadDataset(bare, ds)).cached).toBe(false);
    } finally {
      await bare.close();
    }
  });
});

describe("a worker whose Python lacks pyzmq (as on the GPU machines)", () => {
  it("announces no zeromq lane; uploads go over gRPC; asking for zeromq says why it cannot", async () => {
    const blocker = await mkdtemp(join(tmpdir(), "mixmask-no-pyzmq-"));
    await mkdir(join(blocker, "zmq"));
    await writeFile(join(blocker, "zmq", "__init__.py"), 'raise ImportError("pyzmq is blocked by the test")\n');
    const worker = await Worker.spawn({
      device: "cpu",
      threads: 1,
      datasetCacheDir: false,
      env: { PYTHONPATH: blocker },
    });
    try {
      expect(worker.info.capabilities).not.toContain("zmq");
      const ds = await materialize(syntheticDataset({ trainImages: 20, testImages: 1, size: 8 }).train);
      const up = await uploadDataset(worker, ds);
      expect([up.lane, up.cached]).toEqual(["grpc", false]);
      const error = await uploadDataset(worker, ds, { lane: "zmq" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MixmaskError);
      expect((error as MixmaskError).message).toContain("pyzmq");
      expect((error as MixmaskError).fix).toContain("pip install pyzmq");
    } finally {
      await worker.close();
      await rm(blocker, { recursive: true, force: true });
    }
  });
});

// Upload throughput of the zeromq lane against the gRPC lane, side by side in one run, to one spawned CPU worker.
// Each measurement moves a dataset of --mb MB whose content differs from every earlier one (so the worker's
// content-hash cache never answers), from BeginUpload's reply to the worker's DatasetInfo: the bytes crossed the lane,
// were hashed on arrival and checked, and the dataset is resident. The client's own hashing (done once per dataset,
// before BeginUpload) is reported apart. Lanes alternate, so drift on a shared machine hits both alike.
//
//   npx tsx bench/upload-lanes.ts [--mb 64,256] [--repeats 3] [--out bench/results/upload-lanes.json]
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { ImageDataset } from "../src/data/image-dataset.js";
import { laneValue, type LaneKind } from "../src/worker/bulk-lane.js";
import { chooseLane } from "../src/worker/choose-lane.js";
import { GRPC_CHUNK_BYTES } from "../src/worker/grpc-lane.js";
import { contentSha256 } from "../src/worker/upload-dataset.js";
import { clientOf, Worker } from "../src/worker/worker.js";
import { ZMQ_CHUNK_BYTES } from "../src/worker/zmq-lane.js";

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "64,256" },
    repeats: { type: "string", default: "3" },
    out: { type: "string", default: "bench/results/upload-lanes.json" },
  },
});
const sizesMb = values.mb.split(",").map(Number);
const repeats = Number(values.repeats);
const LANES: LaneKind[] = ["zmq", "grpc"];
const IMAGE = 32 * 32 * 3;

/** A dataset of about `mb` MB of 32×32 RGB images; pixels from a cheap LCG (content does not matter to a lane). */
function dataset(mb: number): ImageDataset {
  const count = Math.round((mb * 1e6) / IMAGE);
  const pixels = new Uint8Array(count * IMAGE);
  let x = 12345;
  for (let i = 0; i < pixels.length; i += 4) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    pixels[i] = x;
    pixels[i + 1] = x >>> 8;
    pixels[i + 2] = x >>> 16;
    pixels[i + 3] = x >>> 24;
  }
  return {
    name: "bench",
    split: "train",
    count,
    height: 32,
    width: 32,
    channels: 3,
    pixels,
    labels: new Int32Array(count),
    numClasses: 1,
    classNames: ["x"],
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const loadBefore = loadavg()[0]!;
const worker = await Worker.spawn({ device: "cpu", threads: 1, datasetCacheDir: false });
const rows: {
  sizeMb: number;
  mb: number;
  lane: LaneKind;
  run: number;
  seconds: number;
  mbPerSecond: number;
  clientHashSeconds: number;
}[] = [];
try {
  if (!worker.info.capabilities.includes("zmq"))
    throw new Error("the worker has no zeromq lane (pyzmq missing in .venv?)");
  for (const mb of sizesMb) {
    const ds = dataset(mb);
    for (let run = 0; run < repeats; run++) {
      for (const lane of LANES) {
        ds.pixels[0] = (ds.pixels[0]! + 1) % 256; // new content: the worker must receive it
        const h0 = performance.now();
        const sha = contentSha256(ds);
        const clientHashSeconds = (performance.now() - h0) / 1000;
        const bulk = chooseLane(clientOf(worker), worker.info.capabilities, lane);
        const header = {
          datasetId: `bench-${lane}`,
          count: ds.count,
          height: 32,
          width: 32,
          channels: 3,
          labels: ds.labels as unknown as number[],
          totalBytes: ds.pixels.length,
        };
        const begun = await clientOf(worker).beginUpload({ header, contentSha256: sha, lane: laneValue(lane) });
        if (begun.cached) throw new Error("unexpected cache hit");
        const t0 = performance.now();
        await bulk.sendUpload(begun, ds.pixels);
        const seconds = (performance.now() - t0) / 1000;
        const row = {
          sizeMb: mb,
          mb: ds.pixels.length / 1e6,
          lane,
          run,
          seconds,
          mbPerSecond: ds.pixels.length / 1e6 / seconds,
          clientHashSeconds,
        };
        rows.push(row);
        console.error(
          `${row.mb.toFixed(0)} MB ${lane.padEnd(4)} run ${run}: ${seconds.toFixed(3)} s, ${row.mbPerSecond.toFixed(0)} MB/s`,
        );
      }
    }
  }
} finally {
  await worker.close();
}

const summary = sizesMb.map((mb) => {
  const of = (lane: LaneKind) =>
    median(rows.filter((r) => r.lane === lane && r.sizeMb === mb).map((r) => r.mbPerSecond));
  const zmq = of("zmq");
  const grpc = of("grpc");
  return {
    mb,
    zmqMbPerSecond: Math.round(zmq),
    grpcMbPerSecond: Math.round(grpc),
    zmqOverGrpc: Number((zmq / grpc).toFixed(2)),
  };
});
const result = {
  bench: "upload-lanes",
  command: `npx tsx bench/upload-lanes.ts --mb ${values.mb} --repeats ${repeats}`,
  date: new Date().toISOString(),
  // The development machines are shared: the 1-minute load average says how busy the 2 cores were meanwhile.
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    loadAverage1m: { before: loadBefore, after: loadavg()[0] },
    node: process.version,
    worker: { python: worker.info.pythonVersion, torch: worker.info.torchVersion, device: worker.info.device },
  },
  method:
    "median MB/s (1 MB = 1e6 bytes) from BeginUpload's reply to the worker's DatasetInfo (bytes over the lane, hashed on arrival, checked, resident); one CPU worker on a Unix socket / ipc:// endpoint on the same machine",
  chunks: { zmqFrameBytes: ZMQ_CHUNK_BYTES, grpcMessageBytes: GRPC_CHUNK_BYTES },
  summary,
  runs: rows,
};
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nsize      zeromq lane   gRPC lane   zeromq/gRPC   (median of ${repeats}, MB/s)`);
for (const s of summary)
  console.log(
    `${`${s.mb} MB`.padEnd(9)} ${String(s.zmqMbPerSecond).padStart(11)} ${String(s.grpcMbPerSecond).padStart(11)} ${s.zmqOverGrpc.toFixed(2).padStart(13)}`,
  );
console.log(`wrote ${values.out}`);

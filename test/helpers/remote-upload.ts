/**
 * Runs inside the test's client network namespace (test/integration/remote-worker-netns.test.ts): connects to a
 * worker on another "machine" over TCP with the token from $MIXMASK_WORKER_TOKEN, uploads a small dataset and then
 * streams two batches on the lane asked for, and prints one JSON line: what each transfer did, or the error.
 *
 * `--through-forward` reaches gRPC through a local TCP forward (as an ssh tunnel does), which the worker's zeromq
 * port is not: the zeromq lane is then unreachable from here.
 */
import { createConnection, createServer, type AddressInfo } from "node:net";
import { uploadDataset } from "../../src/worker/upload-dataset.js";
import { DatasetStream } from "../../src/worker/dataset-stream.js";
import { Worker } from "../../src/worker/worker.js";
import type { LanePreference } from "../../src/worker/bulk-lane.js";
import type { MixmaskError } from "../../src/errors.js";

const [address, lane, mode] = process.argv.slice(2) as [string, LanePreference, string | undefined];

async function forward(target: string): Promise<string> {
  const [host, port] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
  const server = createServer((inbound) => {
    const outbound = createConnection({ host, port });
    inbound.pipe(outbound).pipe(inbound);
    const close = () => (inbound.destroy(), outbound.destroy());
    inbound.on("error", close);
    outbound.on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const notes: string[] = [];
const t0 = performance.now();
try {
  const dialled = mode === "--through-forward" ? await forward(address) : address;
  await using worker = await Worker.connect(dialled);
  const count = 64;
  const pixels = new Uint8Array(count * 8 * 8).map((_, i) => (i * 7 + process.pid) % 251); // new content each run
  const labels = new Int32Array(count).map((_, i) => i % 4);
  const ds = {
    name: "netns",
    split: "train",
    count,
    height: 8,
    width: 8,
    channels: 1 as const,
    pixels,
    labels,
    numClasses: 4,
    classNames: ["a", "b", "c", "d"],
  };
  const upload = await uploadDataset(worker, ds, { lane, log: (line) => notes.push(line) });
  const shape = { name: "netns", split: "train", count, height: 8, width: 8, channels: 1 as const };
  const stream = await DatasetStream.open(worker, shape, { capacityBatches: 4, lane, log: (line) => notes.push(line) });
  for (const step of [0, 1]) await stream.push(step, Uint32Array.from([0, 1, 2, 3]), pixels.subarray(0, 4 * 64));
  await stream.abort();
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      ok: true,
      upload: { lane: upload.lane, cached: upload.cached, bytesSent: upload.bytesSent },
      streamLane: stream.lane,
      notes,
      seconds,
    }),
  );
} catch (error) {
  const e = error as MixmaskError;
  console.log(
    JSON.stringify({
      ok: false,
      code: e.code,
      message: e.message,
      fix: e.fix,
      notes,
      seconds: (performance.now() - t0) / 1000,
    }),
  );
}

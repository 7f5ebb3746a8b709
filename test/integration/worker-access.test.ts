import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { WorkerClient } from "../../src/worker/worker-client.js";
import { resolvePython, WORKER_PACKAGE_DIR } from "../../src/worker/worker-process.js";
import { uploadDataset } from "../../src/worker/upload-dataset.js";
import { Worker } from "../../src/worker/worker.js";

const TOKEN = "f".repeat(16) + "0123456789abcdef";

async function refusal(promise: Promise<unknown>): Promise<MixmaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MixmaskError);
  return error as MixmaskError;
}

/** `python -m mixmask_worker --listen 127.0.0.1:0` with a token and TLS; resolves with the port it bound. */
function listeningWorker(cert: string, key: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    resolvePython(),
    [
      "-m",
      "mixmask_worker",
      "--listen",
      "127.0.0.1:0",
      "--device",
      "cpu",
      "--threads",
      "1",
      "--parent-pid",
      String(process.pid),
      "--tls-cert",
      cert,
      "--tls-key",
      key,
    ],
    {
      env: { ...process.env, PYTHONPATH: WORKER_PACKAGE_DIR, MIXMASK_WORKER_TOKEN: TOKEN },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
      const ready = /mixmask worker ready on 127\.0\.0\.1:(\d+) \(.*token, tls\)/.exec(stderr);
      if (ready) resolve({ child, port: Number(ready[1]) });
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}:\n${stderr}`)));
  });
}

describe("no one else drives the worker (real worker processes)", () => {
  let tcp: { child: ChildProcess; port: number };
  let cert: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "mixmask-tls-"));
    cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    const made = spawnSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ]);
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    tcp = await listeningWorker(cert, key);
  });
  afterAll(() => {
    tcp?.child.kill("SIGKILL");
  });

  it("a TCP worker with TLS refuses calls without its token or with a wrong one, and serves the right one", async () => {
    const address = `localhost:${tcp.port}`;
    const tls = { caPath: cert };
    const none = await refusal(Worker.connect(address, { tls, token: "" }));
    expect(none.code).toBe("UNAUTHENTICATED");
    expect(none.message).toContain("requires an access token");
    expect(none.fix).toContain("token");
    const wrong = await refusal(Worker.connect(address, { tls, token: TOKEN.replace(/f/g, "e") }));
    expect(wrong.code).toBe("UNAUTHENTICATED");
    const almost = await refusal(Worker.connect(address, { tls, token: TOKEN.slice(0, -1) }));
    expect(almost.code).toBe("UNAUTHENTICATED");
    const worker = await Worker.connect(address, { tls, token: TOKEN });
    expect(worker.info.pid).toBe(tcp.child.pid);
    expect(worker.spawned).toBe(false);
    // The zeromq lane has no TLS: "auto" keeps this worker's bytes (and the token of zeromq's handshake) on gRPC.
    expect(worker.info.capabilities).toContain("zmq");
    const pixels = new Uint8Array(4 * 8 * 8).fill(7);
    const ds = {
      name: "tls",
      split: "train",
      count: 4,
      height: 8,
      width: 8,
      channels: 1 as const,
      pixels,
      labels: new Int32Array(4),
      numClasses: 1,
      classNames: ["a"],
    };
    expect((await uploadDataset(worker, ds)).lane).toBe("grpc");
    await worker.close(); // leaves a connected worker running
    expect(tcp.child.exitCode).toBe(null);
    // Without TLS the same port gives no answer at all.
    const plain = await refusal(Worker.connect(`127.0.0.1:${tcp.port}`, { token: TOKEN, readyTimeoutMs: 1_000 }));
    expect(plain.code).toBe("WORKER_START_FAILED");
  });

  it("a spawned worker listens in a directory only this user can enter, and wants its own token on every call", async () => {
    const worker = await Worker.spawn({ device: "cpu", threads: 1 });
    try {
      const socket = worker.address.replace(/^unix:/, "");
      const dir = statSync(dirname(socket));
      expect(dir.mode & 0o777).toBe(0o700);
      expect(dir.uid).toBe(process.getuid!());
      expect(statSync(socket).isSocket()).toBe(true);
      // Another client of the same user that finds the socket, without the token this SDK gave the worker.
      const stranger = new WorkerClient(worker.address);
      try {
        const hello = await refusal(stranger.hello());
        expect(hello.code).toBe("UNAUTHENTICATED");
        const stream = await new Promise<MixmaskError>((resolve) => {
          const call = stranger.train("pretrain");
          call.on("error", (e) => void stranger.callError(e, "Train").then(resolve));
          call.end();
        });
        expect(stream.code).toBe("UNAUTHENTICATED");
      } finally {
        stranger.close();
      }
      expect((await worker.hello()).pid).toBe(worker.pid);
    } finally {
      await worker.close();
    }
  });
});

/**
 * A worker on another machine, for real: the worker runs in a network namespace of its own (and a mount namespace
 * with a private temporary folder) and the SDK in a second network namespace, joined by a veth pair with a private
 * /30 that exists only inside the two namespaces (no address or route is added outside them). The SDK reaches the worker over TCP with a token, as `--worker HOST:PORT` does.
 *
 * Needs root (network namespaces) and iproute2, as CI has (.ci/run).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT, WORKER_PACKAGE_DIR } from "../../src/worker/worker-process.js";

const id = process.pid % 100_000;
const subnet = 1 + (process.pid % 250);
const WORKER_NS = `mmw-${id}`;
const CLIENT_NS = `mmc-${id}`;
const WORKER_IP = `10.231.${subnet}.1`;
const CLIENT_IP = `10.231.${subnet}.2`;
const TOKEN = "0123456789abcdef0123456789abcdef";
const PYTHON = process.env.MIXMASK_PYTHON ?? join(PROJECT_ROOT, ".venv/bin/python");

const canMakeNamespaces =
  process.getuid?.() === 0 &&
  (() => {
    try {
      execFileSync("ip", ["-V"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function removeNamespaces(): void {
  for (const ns of [WORKER_NS, CLIENT_NS]) {
    try {
      ip("netns", "delete", ns); // takes its end of the veth pair with it, and so the pair
    } catch {
      // absent: nothing to remove
    }
  }
}

interface ClientReport {
  ok: boolean;
  upload?: { lane: string; cached: string | false; bytesSent: number };
  streamLane?: string;
  code?: string;
  message?: string;
  fix?: string;
  notes: string[];
  seconds: number;
}

/** Runs test/helpers/remote-upload.ts inside the client namespace and returns its report. */
function runClient(address: string, lane: string, mode?: string): Promise<ClientReport> {
  const args = [
    "netns",
    "exec",
    CLIENT_NS,
    process.execPath,
    "--import",
    "tsx",
    "test/helpers/remote-upload.ts",
    address,
    lane,
    ...(mode ? [mode] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("ip", args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MIXMASK_WORKER_TOKEN: TOKEN },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    // On today's main the zeromq lane waits 120 s before failing: the test's own limit is well below that.
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", () => {
      clearTimeout(timer);
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as ClientReport);
      } catch {
        reject(new Error(`the client printed no report within 60 s:\n${out}\n${err}`));
      }
    });
  });
}

describe.skipIf(!canMakeNamespaces)("a worker in another network namespace, over TCP with a token", () => {
  let worker: ChildProcess | undefined;
  let address = "";
  const stderr: string[] = [];

  const workerTmp = mkdtempSync(join(tmpdir(), "mixmask-netns-"));

  beforeAll(async () => {
    removeNamespaces(); // left by an earlier run of this pid that was killed
    try {
      ip("netns", "add", WORKER_NS);
      ip("netns", "add", CLIENT_NS);
      ip("link", "add", `mmw${id}`, "type", "veth", "peer", "name", `mmc${id}`);
      ip("link", "set", `mmw${id}`, "netns", WORKER_NS);
      ip("link", "set", `mmc${id}`, "netns", CLIENT_NS);
      for (const [ns, dev, addr] of [
        [WORKER_NS, `mmw${id}`, WORKER_IP],
        [CLIENT_NS, `mmc${id}`, CLIENT_IP],
      ] as const) {
        ip("-n", ns, "addr", "add", `${addr}/30`, "dev", dev);
        ip("-n", ns, "link", "set", dev, "up");
        ip("-n", ns, "link", "set", "lo", "up");
      }
      // Another machine has other files too: the worker's temporary folder is a tmpfs of its own mount namespace,
      // so a path it advertises there (an ipc:// endpoint) means nothing to the client, as on a real remote host.
      const privateTmp = `mount -t tmpfs -o size=16m,mode=700 mixmask-netns-test "$TMPDIR" && exec "$@"`;
      const command = [
        PYTHON,
        "-m",
        "mixmask_worker",
        "--listen",
        `${WORKER_IP}:0`,
        "--device",
        "cpu",
        "--threads",
        "1",
        "--parent-pid",
        String(process.pid),
      ];
      worker = spawn(
        "ip",
        [
          "netns",
          "exec",
          WORKER_NS,
          "unshare",
          "--mount",
          "--propagation",
          "private",
          "sh",
          "-c",
          privateTmp,
          "sh",
          ...command,
        ],
        {
          env: {
            ...process.env,
            PYTHONPATH: WORKER_PACKAGE_DIR,
            MIXMASK_WORKER_TOKEN: TOKEN,
            OMP_NUM_THREADS: "1",
            TMPDIR: workerTmp,
          },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the worker did not get ready:\n${stderr.join("")}`)), 90_000);
        worker!.stderr!.on("data", (d: Buffer) => {
          stderr.push(d.toString());
          const ready = /mixmask worker ready on (\S+)/.exec(stderr.join(""));
          if (ready) {
            clearTimeout(timer);
            resolve(ready[1]!);
          }
        });
        worker!.on("exit", (code) => reject(new Error(`the worker exited (${code}):\n${stderr.join("")}`)));
      });
    } catch (error) {
      worker?.kill("SIGKILL");
      removeNamespaces();
      throw error;
    }
  }, 120_000);

  afterAll(async () => {
    worker?.kill("SIGTERM");
    await new Promise((done) => (worker && worker.exitCode === null ? worker.once("exit", done) : done(undefined)));
    removeNamespaces();
    rmSync(workerTmp, { recursive: true, force: true }); // the tmpfs went with the worker's mount namespace
  });

  it("--lane auto uploads and streams over zeromq on TCP, reachable from the other namespace", async () => {
    expect(address).toBe(`${WORKER_IP}:${address.split(":")[1]}`);
    const report = await runClient(address, "auto");
    expect(report, JSON.stringify(report)).toMatchObject({
      ok: true,
      upload: { lane: "zmq", cached: false, bytesSent: 64 * 64 },
      streamLane: "zmq",
    });
    expect(report.notes).toEqual([]);
    expect(report.seconds).toBeLessThan(30);
  }, 70_000);

  it("with the gRPC port reached through a forward, auto falls back to gRPC with a note, and --lane zmq fails fast", async () => {
    const auto = await runClient(address, "auto", "--through-forward");
    expect(auto, JSON.stringify(auto)).toMatchObject({ ok: true, upload: { lane: "grpc" }, streamLane: "grpc" });
    expect(auto.notes).toHaveLength(1); // said once; the stream then went to gRPC at once
    expect(auto.notes[0]).toMatch(/zeromq endpoint tcp:\/\/127\.0\.0\.1:\d+ cannot be reached.*using the gRPC lane/);
    const zmq = await runClient(address, "zmq", "--through-forward");
    expect(zmq, JSON.stringify(zmq)).toMatchObject({ ok: false, code: "WORKER_TIMEOUT" });
    expect(zmq.message).toMatch(/cannot be reached from here/);
    expect(zmq.fix).toMatch(/lane "grpc"/);
    expect(zmq.seconds).toBeLessThan(15);
  }, 130_000);
});

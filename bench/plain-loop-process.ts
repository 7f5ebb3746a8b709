// bench/worker/plain_loop.py --serve as a child process: the same plans as the SDK's, replayed in-process by Python,
// one block of steps per request, the run kept warm between blocks.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { createInterface } from "node:readline";
import { resolvePython, WORKER_PACKAGE_DIR } from "../src/worker/worker-process.js";

export class PlainLoop {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: AsyncIterator<string>;
  readonly ready: Promise<void>;

  constructor(
    plans: string,
    count: number,
    side: number,
    channels: number,
    device: string,
    threads: number,
    inFlight: number,
  ) {
    const args = [
      "bench/worker/plain_loop.py",
      "--serve",
      "--plans",
      plans,
      "--count",
      String(count),
      "--source-size",
      String(side),
      "--source-channels",
      String(channels),
      "--device",
      device,
      "--in-flight",
      String(inFlight),
      ...(threads > 0 ? ["--threads", String(threads)] : []),
    ];
    this.child = spawn(resolvePython(), args, {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, PYTHONPATH: WORKER_PACKAGE_DIR },
    });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
    this.ready = this.reply().then(() => undefined);
  }

  /** Runs plans[start, start + count) with the SDK's lag: the block's wall-clock seconds, and those inside the steps. */
  async run(start: number, count: number): Promise<{ seconds: number; stepSeconds: number }> {
    this.child.stdin.write(`${start} ${count}\n`);
    const reply = await this.reply();
    return { seconds: reply.seconds as number, stepSeconds: reply.hostSeconds as number };
  }

  close(): void {
    this.child.stdin.end("\n");
  }

  private async reply(): Promise<Record<string, unknown>> {
    const line = await this.lines.next();
    if (line.done)
      throw new Error(`bench/worker/plain_loop.py exited (code ${this.child.exitCode}); its stderr is above`);
    return JSON.parse(line.value) as Record<string, unknown>;
  }
}

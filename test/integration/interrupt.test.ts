import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { PretrainConfig } from "../../src/config/pretrain-config.js";
import { loadFashionMnist } from "../../src/data/fashion-mnist.js";
import { firstImages } from "../../src/data/image-dataset.js";
import { pretrain } from "../../src/train/pretrain.js";
import { Worker } from "../../src/worker/worker.js";
import { stepLosses, tinyCliFlags } from "../helpers/tiny-run.js";

const TINY_FLAGS = tinyCliFlags(6, ["--checkpoint-every", "0"]);

const metricLines = (dir: string): number =>
  existsSync(join(dir, "metrics.jsonl"))
    ? readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n").filter(Boolean).length
    : 0;

describe("Ctrl-C during pretraining (the real CLI and worker)", () => {
  it("writes a checkpoint of the steps done before exiting, and the resumed run reproduces the uninterrupted one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mixmask-sigint-"));
    // One Node process (tsx as a loader, not a wrapper), so the signal reaches the CLI itself. The worker it spawns
    // pauses 3 s before step 8 (an injected stall changes no number), so the signal surely arrives mid-training.
    const env = { ...process.env, MIXMASK_WORKER_FAULTS: "stall@8:3" };
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", "pretrain", ...TINY_FLAGS, "--run-dir", dir],
      { stdio: ["ignore", "pipe", "pipe"], env },
    );
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once("exit", (code, signal) => resolve(signal ?? code)),
    );
    // Only periodic checkpoints at the end (--checkpoint-every 0): any checkpoint before that is the interrupt's.
    // Up to 2 min for 5 steps: a CI machine shared with other runs can be that slow to start the CLI and the worker.
    for (let i = 0; i < 2_400 && metricLines(dir) < 5; i++) await sleep(50);
    expect(metricLines(dir)).toBeGreaterThanOrEqual(5);
    child.kill("SIGINT");
    expect(await exited).toBe("SIGINT");
    expect(stderr).toMatch(/SIGINT: finishing the steps in flight and writing a checkpoint/);
    expect(stderr).toMatch(/\[INTERRUPTED\] stopped by SIGINT after step \d+ of 24; checkpoint step-\d+\.pt written/);
    const latest = JSON.parse(readFileSync(join(dir, "checkpoints/latest.json"), "utf8")) as {
      step: number;
      config: PretrainConfig;
    };
    expect(latest.step).toBeGreaterThanOrEqual(5);
    expect(latest.step).toBeLessThan(24);
    expect(metricLines(dir)).toBe(latest.step); // every step done is in the checkpoint, none is lost

    const all = await loadFashionMnist();
    const datasets = { train: firstImages(all.train, 128), test: firstImages(all.test, 64) };
    const worker = await Worker.spawn({ device: "cpu", threads: 1 });
    try {
      const resumed = await pretrain(latest.config, { worker, datasets, resume: true });
      expect(resumed.resumedFromStep).toBe(latest.step);
      const straightDir = mkdtempSync(join(tmpdir(), "mixmask-straight-"));
      await pretrain({ ...latest.config, runDir: straightDir }, { worker, datasets });
      expect(stepLosses(dir)).toEqual(stepLosses(straightDir));
    } finally {
      await worker.close();
    }
  }, 300_000);
});

import { execFileSync, spawnSync } from "node:child_process";
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFashionMnist } from "../../src/data/fashion-mnist.js";
import type { ImageDataset } from "../../src/data/image-dataset.js";
import { MixmaskError } from "../../src/errors.js";
import { pretrain } from "../../src/train/pretrain.js";
import { silentProgress, type ProgressReporter } from "../../src/train/progress.js";
import { Worker } from "../../src/worker/worker.js";
import { stepLosses, tinyConfig } from "../helpers/tiny-run.js";

/**
 * A full disk on a real filesystem: each run directory lies on a 20 MiB tmpfs (mounting needs root, as in CI and on
 * the development machines), and the disk is filled at a chosen moment of the run — right after the checkpoint of
 * step 4 — either completely (the next metrics line fails mid-epoch) or up to less than one checkpoint (the worker's
 * torch.save of step 8 fails). Each must be DISK_FULL naming the folder and the space needed, leave no temporary
 * file or torn line, and resume to the uninterrupted run's losses once space is freed.
 */
const mounts: string[] = [];
function smallDisk(): string {
  const dir = mkdtempSync(join(tmpdir(), "mixmask-tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=20m", "tmpfs", dir]);
  mounts.push(dir);
  return dir;
}

/** Fills `dir`'s filesystem until about `leaveBytes` are free (0: until a write fails with ENOSPC). */
function fill(dir: string, leaveBytes: number): void {
  const fd = openSync(join(dir, "filler"), "w");
  const block = Buffer.alloc(1 << 16);
  try {
    for (;;) {
      const s = statfsSync(dir);
      const free = s.bavail * s.bsize - leaveBytes;
      if (free <= 0) break;
      writeSync(fd, block, 0, Math.min(block.length, free));
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
}

/** A progress reporter that runs `onCheckpoint4` once, right after the checkpoint of step 4 is written. */
const fillAfterCheckpoint4 = (onCheckpoint4: () => void): ProgressReporter => {
  let done = false;
  return {
    ...silentProgress,
    log: (line) => {
      if (!done && /^checkpoint step-0000004\.pt/.test(line)) {
        done = true;
        onCheckpoint4();
      }
    },
  };
};

const allFiles = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: "utf8" });

describe("a full disk on a real 20 MiB tmpfs (real worker)", () => {
  let worker: Worker;
  let data: { train: ImageDataset; test: ImageDataset };
  let straightDir: string;

  beforeAll(async () => {
    worker = await Worker.spawn({ device: "cpu", threads: 1 });
    data = await loadFashionMnist({ trainImages: 128, testImages: 64 });
    straightDir = mkdtempSync(join(tmpdir(), "mixmask-straight-"));
    await pretrain(tinyConfig(straightDir, { epochs: 3, linearProbe: false }), { worker, datasets: data });
  });
  afterAll(async () => {
    await worker?.close();
    for (const m of mounts) spawnSync("umount", ["-l", m]);
  });

  it("full during an epoch: DISK_FULL from the metrics append, no torn line, and --resume succeeds after freeing", async () => {
    const disk = smallDisk();
    const dir = join(disk, "run");
    mkdirSync(dir);
    const config = tinyConfig(dir, { epochs: 3, linearProbe: false });
    // The next line must need a new block, and half of it fit into the last one (a short write, then ENOSPC): blank
    // lines, which readers skip, fill metrics.jsonl up to 100 bytes before its block's end.
    const fillMidLine = (): void => {
      const file = join(dir, "metrics.jsonl");
      appendFileSync(file, "\n".repeat(4096 - (statSync(file).size % 4096) - 100));
      fill(disk, 0);
    };
    const error = await pretrain(config, { worker, datasets: data, progress: fillAfterCheckpoint4(fillMidLine) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MixmaskError);
    const e = error as MixmaskError;
    expect(e.code, e.message).toBe("DISK_FULL");
    expect(e.path).toBe(join(dir, "metrics.jsonl"));
    expect(e.message).toContain(`needs about`);
    expect(e.message).toContain(`in ${dir}, which has`);
    expect(Number(e.diagnostics?.neededBytes)).toBeGreaterThan(1e6); // one more checkpoint, not one line
    // Every line whole; nothing temporary left.
    const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n").filter(Boolean);
    for (const l of lines) JSON.parse(l);
    expect(allFiles(dir).filter((f) => /\.tmp/.test(f))).toEqual([]);

    rmSync(join(disk, "filler"));
    const logs: string[] = [];
    const resumed = await pretrain(config, {
      worker,
      datasets: data,
      resume: true,
      progress: { ...silentProgress, log: (l) => logs.push(l) },
    });
    expect(resumed.resumedFromStep).toBe(4);
    expect(stepLosses(dir)).toEqual(stepLosses(straightDir));
  });

  it("full at a checkpoint: torch.save's failure is DISK_FULL with the folder and size, no .pt.tmp, and the run resumes", async () => {
    const disk = smallDisk();
    const dir = join(disk, "run");
    mkdirSync(dir);
    const config = tinyConfig(dir, { epochs: 3, linearProbe: false });
    // Room for the metrics of epoch 2, not for the checkpoint of step 8.
    const error = await pretrain(config, {
      worker,
      datasets: data,
      progress: fillAfterCheckpoint4(() => fill(disk, 256 << 10)),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MixmaskError);
    const e = error as MixmaskError;
    expect(e.code, e.message).toBe("DISK_FULL");
    expect(e.workerCode).toBe("DISK_FULL");
    expect(e.message).toMatch(
      new RegExp(
        `checkpoint step-0000008\\.pt needs about \\d+\\.\\d MiB in ${join(dir, "checkpoints")}, which has \\d+\\.\\d MiB free`,
      ),
    );
    expect(readdirSync(join(dir, "checkpoints")).sort()).toEqual([
      "latest.json",
      "step-0000004.json",
      "step-0000004.pt",
    ]);

    rmSync(join(disk, "filler"));
    await pretrain(config, { worker, datasets: data, resume: true });
    expect(stepLosses(dir)).toEqual(stepLosses(straightDir));
  });

  it("a torn last line (a crash mid-write) is dropped on --resume with a note", async () => {
    // Written by hand: a full disk no longer leaves one (the append is cut back), but power loss can.
    const dir = mkdtempSync(join(tmpdir(), "mixmask-torn-"));
    const config = tinyConfig(dir, { epochs: 2, linearProbe: false, checkpointEvery: 1 });
    const error = await pretrain(config, {
      worker,
      datasets: data,
      progress: fillAfterCheckpoint4(() => {
        throw new Error("stop here"); // leaves the checkpoint of step 4 and its metrics
      }),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).toContain("stop here");
    const metrics = join(dir, "metrics.jsonl");
    writeSync(openSync(metrics, "a"), '{"step":4,"loss":12.3,"termLo');
    const logs: string[] = [];
    await pretrain(config, {
      worker,
      datasets: data,
      resume: true,
      progress: { ...silentProgress, log: (l) => logs.push(l) },
    });
    expect(logs.join("\n")).toContain("metrics.jsonl: dropped 1 torn line(s)");
    expect(stepLosses(dir).map(([s]) => s)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunDirectory } from "../../src/train/run-directory.js";

describe("RunDirectory k-NN monitor", () => {
  it("appends points, and a resumed run drops those measured after its checkpoint", () => {
    const dir = new RunDirectory(mkdtempSync(join(tmpdir(), "mixmask-rundir-")));
    expect(dir.knnMonitor()).toEqual([]);
    dir.resetKnnMonitor();
    for (const epoch of [1, 2, 3]) dir.appendKnnPoint({ epoch, step: epoch * 10, top1: 0.5 + epoch / 100, top5: 0.9 });
    expect(dir.knnMonitor().map((p) => p.epoch)).toEqual([1, 2, 3]);
    dir.truncateKnnMonitor(20); // resumed from the checkpoint of step 20: epoch 3 is measured again
    expect(dir.knnMonitor().map((p) => p.step)).toEqual([10, 20]);
    expect(readFileSync(dir.file("knn-monitor.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
  });
});

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import type { KnnResult } from "../../src/eval/knn.js";
import {
  checkpointFileName,
  pruneCheckpoints,
  readCheckpointManifest,
  signManifest,
  WORKER_STATE_PARTS,
  writeCheckpointManifest,
  type CheckpointManifest,
} from "../../src/train/checkpoint-manifest.js";
import { RunDirectory } from "../../src/train/run-directory.js";
import { StepPlanner } from "../../src/train/step-planner.js";
import { captureTrainerState, verifyTrainerState } from "../../src/train/trainer-state.js";
import { tinyConfig } from "../helpers/tiny-run.js";

const SOURCE = { count: 128, height: 28, width: 28, channels: 1 as const };
const KNN: KnnResult = {
  protocol: "weighted-knn",
  k: 20,
  temperature: 0.1,
  top1: 0.5,
  top5: 0.9,
  trainCount: 128,
  testCount: 64,
  seconds: 1,
};

function runWithCheckpoint(
  step: number,
  dir = mkdtempSync(join(tmpdir(), "mixmask-manifest-")),
): { runDir: RunDirectory; manifest: CheckpointManifest } {
  const runDir = new RunDirectory(dir);
  const config = tinyConfig(dir, { epochs: 3 });
  const file = checkpointFileName(step, "pt");
  writeFileSync(join(runDir.checkpointsDir, file), "worker state");
  const manifest = signManifest({
    sdkVersion: "0.1.0",
    protocolVersion: 1,
    writtenAt: "2026-01-01T00:00:00.000Z",
    step,
    config,
    trainer: captureTrainerState(config, new StepPlanner(config, SOURCE), step, "fashion-mnist-train-abc", 128),
    worker: { file, bytes: 12, sha256: "0".repeat(64), holds: WORKER_STATE_PARTS },
    knnInit: KNN,
  });
  writeCheckpointManifest(runDir, manifest);
  return { runDir, manifest };
}

function invalid(run: () => unknown): MixmaskError {
  try {
    run();
  } catch (error) {
    if (error instanceof MixmaskError) return error;
    throw error;
  }
  throw new Error("expected a MixmaskError");
}

describe("checkpoint manifest", () => {
  it("holds the trainer state (step, sampler, every random stream, schedule, config) and the worker file, and reads back verified", () => {
    const { runDir, manifest } = runWithCheckpoint(6);
    const read = readCheckpointManifest(runDir)!;
    expect(read).toEqual(manifest);
    expect(read).toMatchObject({ format: "mixmask-checkpoint", version: 2, step: 6 });
    expect(read.trainer).toMatchObject({
      step: 6,
      epoch: 1,
      stepInEpoch: 2,
      stepsPerEpoch: 4,
      totalSteps: 12,
      sampler: { seed: read.config.seed, epoch: 1, batchInEpoch: 2 },
    });
    expect(read.trainer.rng.streams.map((s) => s.name)).toEqual([
      "sampler",
      "augment",
      "mask",
      "pairing",
      "unmix",
      "key-shuffle",
    ]);
    expect(read.trainer.schedule.nextLr).toBeGreaterThan(0);
    expect(read.trainer.lastPlanSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(read.worker.holds).toContain("momentum encoder (MoCo, BYOL)");
    // The step's own manifest sits beside its worker file, a fallback when latest.json is damaged.
    expect(readdirSync(runDir.checkpointsDir).sort()).toEqual(["latest.json", "step-0000006.json", "step-0000006.pt"]);
  });

  it("refuses a corrupt, edited, old or orphaned manifest with the reason and the fix", () => {
    const { runDir } = runWithCheckpoint(4);
    const latest = runDir.file("checkpoints/latest.json");
    const good = readFileSync(latest, "utf8");

    writeFileSync(latest, good.slice(0, good.length / 2));
    const torn = invalid(() => readCheckpointManifest(runDir));
    expect(torn.code).toBe("INVALID_FILE");
    expect(torn.message).toMatch(/corrupt \(not JSON/);
    expect(torn.fix).toContain("checkpoints/step-0000004.json");

    writeFileSync(latest, good.replace('"step": 4', '"step": 8'));
    expect(invalid(() => readCheckpointManifest(runDir)).message).toMatch(/checksum does not match/);

    writeFileSync(latest, JSON.stringify({ version: 1, step: 4, file: "step-0000004.pt" }));
    expect(invalid(() => readCheckpointManifest(runDir)).message).toMatch(/version 1; this SDK reads version 2/);

    writeFileSync(latest, JSON.stringify({ hello: "world" }));
    expect(invalid(() => readCheckpointManifest(runDir)).message).toMatch(/not a mixmask checkpoint manifest/);

    writeFileSync(latest, good);
    expect(readCheckpointManifest(runDir)?.step).toBe(4);
    rmSync(runDir.file("checkpoints/step-0000004.pt"));
    const orphan = invalid(() => readCheckpointManifest(runDir));
    expect(orphan.message).toMatch(/names the worker state step-0000004.pt, which is missing/);
    // Its own step's manifest names the same missing file: no way out there.
    expect(orphan.fix).not.toContain("step-0000004.json");
    expect(orphan.fix).toContain("start a new run directory");
  });

  it("a resume refuses a planner that would not continue the run exactly", () => {
    const { manifest } = runWithCheckpoint(6);
    const same = tinyConfig("/tmp/x", { epochs: 3 });
    const planner = new StepPlanner(same, SOURCE);
    verifyTrainerState(
      manifest.trainer,
      captureTrainerState(same, planner, 6, "fashion-mnist-train-abc", 128),
      "latest.json",
    );

    const otherData = invalid(() =>
      verifyTrainerState(
        manifest.trainer,
        captureTrainerState(same, planner, 6, "fashion-mnist-train-def", 128),
        "latest.json",
      ),
    );
    expect(otherData.issues.map((i) => i.path)).toEqual(["trainer.datasetId"]);

    const reseeded = tinyConfig("/tmp/x", { epochs: 3, seed: 7 });
    const error = invalid(() =>
      verifyTrainerState(
        manifest.trainer,
        captureTrainerState(reseeded, new StepPlanner(reseeded, SOURCE), 6, "fashion-mnist-train-abc", 128),
        "latest.json",
      ),
    );
    expect(error.issues.map((i) => i.path)).toEqual(["trainer.rng", "trainer.sampler", "trainer.lastPlanSha256"]);
    expect(error.message).toContain("would not reproduce the interrupted run");

    // Same options, but a planner that draws differently (e.g. another SDK version): only the plan fingerprint tells.
    const tampered = { ...manifest.trainer, lastPlanSha256: "f".repeat(64) };
    expect(
      invalid(() =>
        verifyTrainerState(
          tampered,
          captureTrainerState(same, planner, 6, "fashion-mnist-train-abc", 128),
          "latest.json",
        ),
      ).issues.map((i) => i.path),
    ).toEqual(["trainer.lastPlanSha256"]);
  });

  it("a full disk while writing the manifest keeps the previous one and leaves no temporary file", () => {
    const { runDir, manifest } = runWithCheckpoint(4);
    const latest = runDir.file("checkpoints/latest.json");
    const before = readFileSync(latest, "utf8");
    const tmp = `${latest}.tmp-${process.pid}`;
    symlinkSync("/dev/full", tmp); // every write fails with ENOSPC
    const next = signManifest({ ...manifest, step: 8 });
    expect(() => writeCheckpointManifest(runDir, next)).toThrow(/ENOSPC/);
    expect(readFileSync(latest, "utf8")).toBe(before);
    expect(existsSync(tmp)).toBe(false);
    expect(readCheckpointManifest(runDir)?.step).toBe(4);
  });

  it("pruning keeps the newest checkpoints and never the one latest.json names", () => {
    const { runDir } = runWithCheckpoint(12);
    for (const step of [4, 8, 16]) {
      writeFileSync(join(runDir.checkpointsDir, checkpointFileName(step, "pt")), "");
      writeFileSync(join(runDir.checkpointsDir, checkpointFileName(step, "json")), "{}");
    }
    pruneCheckpoints(runDir, 1, "step-0000012.pt");
    expect(readdirSync(runDir.checkpointsDir).sort()).toEqual([
      "latest.json",
      "step-0000012.json",
      "step-0000012.pt",
      "step-0000016.json",
      "step-0000016.pt",
    ]);
  });
});

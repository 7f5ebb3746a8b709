import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFashionMnist } from "../../src/data/fashion-mnist.js";
import type { ImageDataset } from "../../src/data/image-dataset.js";
import { embed } from "../../src/embed/embed.js";
import type { Embeddings } from "../../src/embed/embeddings.js";
import { loadBackbone } from "../../src/embed/load-backbone.js";
import { OnnxEmbedder } from "../../src/embed/onnx-embedder.js";
import { readExportManifest } from "../../src/export/export-manifest.js";
import { exportRun } from "../../src/export/export-run.js";
import { pretrain } from "../../src/train/pretrain.js";
import { uploadDataset } from "../../src/worker/upload-dataset.js";
import { Worker } from "../../src/worker/worker.js";
import { tinyConfig } from "../helpers/tiny-run.js";

/**
 * Parity tolerance between the worker (PyTorch, eager) and onnxruntime-node on the exported graph, for the same
 * uint8 images: max |Δ| ≤ 1e-4 · (1 + max |f|) per feature and cosine ≥ 1 − 1e-6 per row.
 * Why: the inputs are bit-identical (src/embed/model-input.ts reproduces evaluation/knn.py's float32 steps), so only the two
 * runtimes' float32 summation orders differ — about 1e-7 relative per operation, growing with depth to ≈ 1e-6 of the
 * features' scale through a ResNet-18 (measured here: see the log line). The bound leaves two orders of magnitude
 * above that and is the same one the worker applies to its own export check; a wrong channel order, mean/std,
 * layout or BN mode moves features by 1e-2 or more of their scale and fails it.
 */
const RELATIVE_TOLERANCE = 1e-4;
const MIN_COSINE = 1 - 1e-6;

function compare(a: Embeddings, b: Embeddings): { maxAbs: number; scale: number; minCosine: number } {
  expect([a.count, a.dim]).toEqual([b.count, b.dim]);
  let maxAbs = 0;
  let scale = 0;
  let minCosine = 1;
  for (let i = 0; i < a.count; i++) {
    const x = a.row(i);
    const y = b.row(i);
    let dot = 0;
    let xx = 0;
    let yy = 0;
    for (let j = 0; j < a.dim; j++) {
      maxAbs = Math.max(maxAbs, Math.abs(x[j]! - y[j]!));
      scale = Math.max(scale, Math.abs(x[j]!));
      dot += x[j]! * y[j]!;
      xx += x[j]! * x[j]!;
      yy += y[j]! * y[j]!;
    }
    minCosine = Math.min(minCosine, dot / Math.sqrt(xx * yy));
  }
  return { maxAbs, scale, minCosine };
}

describe("export and embeddings against a real worker", () => {
  let worker: Worker;
  let data: { train: ImageDataset; test: ImageDataset };
  let runDir: string;
  let exportDir: string;
  beforeAll(async () => {
    worker = await Worker.spawn({ device: "cpu", threads: 1 });
    data = await loadFashionMnist({ trainImages: 128, testImages: 64 });
    runDir = mkdtempSync(join(tmpdir(), "mixmask-run-"));
    exportDir = mkdtempSync(join(tmpdir(), "mixmask-export-"));
    await pretrain(tinyConfig(runDir, { epochs: 1 }), { worker, datasets: data });
  });
  afterAll(async () => {
    await worker.close();
  });

  it("exports every format, each checked by the worker, with export.json describing the run and its files", async () => {
    const manifest = await exportRun(worker, { runDir, outDir: exportDir });
    expect(Object.keys(manifest.files).sort()).toEqual(["detectron2", "onnx", "safetensors", "torchscript"]);
    expect(manifest.files.safetensors!.maxAbsDiff).toBe(0);
    expect(manifest.files.onnx!.maxAbsDiff).toBeLessThan(1e-4);
    expect(manifest.files.detectron2!.check).toContain("release's detectron2 names");
    expect(manifest.run.step).toBe(4);
    expect(manifest.run.config.baseWidth).toBe(8);
    expect(manifest.input).toMatchObject({ name: "images", layout: "NCHW", imageSize: 28, channels: 3 });
    expect(manifest.backbone).toMatchObject({ arch: "resnet18", baseWidth: 8, cifarStem: true, featureDim: 64 });
    expect(manifest.detectron2?.["MODEL.RESNETS.STRIDE_IN_1X1"]).toBe(false);
    expect(manifest.onnxOpset).toBe(17);
    // Read back, every file checked against its recorded size and SHA-256.
    expect(readExportManifest(exportDir, { verify: true })).toEqual(manifest);
  });

  it("embeds through the worker and through onnxruntime-node with the same features, within the stated tolerance", async () => {
    const live = await embed(worker, "pretrain", data.test);
    const fromExport = await embed(worker, await loadBackbone(worker, { exportDir }), data.test);
    const fromCheckpoint = await embed(worker, await loadBackbone(worker, { runDir }), data.test);
    expect([live.count, live.dim]).toEqual([64, 64]);
    // The same weights loaded into the same runtime: identical features. The live run computes its eval-mode batch
    // norm with the grouped module in channels_last (training/step_formulation.py), a loaded backbone with plain
    // BatchNorm2d: the same function, summed in another order (seen: 0.43891644 vs 0.43891662).
    expect(fromCheckpoint.data).toEqual(fromExport.data);
    const liveVsLoaded = compare(live, fromExport);
    expect(liveVsLoaded.maxAbs).toBeLessThanOrEqual(1e-5 * (1 + liveVsLoaded.scale));

    const onnx = await OnnxEmbedder.open(exportDir, { intraOpThreads: 1 });
    try {
      const inNode = await onnx.embed(data.test, { batchSize: 17 }); // a batch size the graph was not traced with
      const { maxAbs, scale, minCosine } = compare(live, inNode);
      console.log(
        `parity worker vs onnxruntime-node, ${live.count} images × ${live.dim}: max |Δ| ${maxAbs.toExponential(2)} (max |f| ${scale.toFixed(3)}, relative ${(maxAbs / (1 + scale)).toExponential(2)}), min cosine 1 − ${(1 - minCosine).toExponential(2)}`,
      );
      expect(maxAbs).toBeLessThanOrEqual(RELATIVE_TOLERANCE * (1 + scale));
      expect(minCosine).toBeGreaterThanOrEqual(MIN_COSINE);
      const unit = await onnx.embed(data.test, { normalize: true });
      const unitWorker = await embed(worker, "pretrain", data.test, { normalize: true });
      expect(compare(unitWorker, unit).maxAbs).toBeLessThanOrEqual(RELATIVE_TOLERANCE * 2);
    } finally {
      await onnx.close();
    }
  });

  it("embeds an uploaded dataset by id like inline images, and refuses what the ONNX path cannot take", async () => {
    const uploaded = await uploadDataset(worker, data.test);
    const byId = await embed(worker, "pretrain", { datasetId: uploaded.id, indices: [5, 0] });
    const inline = await embed(worker, "pretrain", data.test);
    expect(Array.from(byId.row(0))).toEqual(Array.from(inline.row(5)));
    expect(Array.from(byId.row(1))).toEqual(Array.from(inline.row(0)));

    const onnx = await OnnxEmbedder.open(exportDir);
    try {
      const small = { count: 1, height: 14, width: 14, channels: 1 as const, pixels: new Uint8Array(14 * 14) };
      await expect(onnx.embed(small)).rejects.toThrow(/expected: 28x28 images[\s\S]*embed through the worker/);
    } finally {
      await onnx.close();
    }
    const damaged = mkdtempSync(join(tmpdir(), "mixmask-export-"));
    for (const f of ["export.json", "backbone.onnx"]) copyFileSync(join(exportDir, f), join(damaged, f));
    const bytes = readFileSync(join(damaged, "backbone.onnx"));
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 0xff, bytes.length - 10);
    writeFileSync(join(damaged, "backbone.onnx"), bytes);
    await expect(OnnxEmbedder.open(damaged)).rejects.toMatchObject({
      code: "INVALID_FILE",
      message: expect.stringMatching(/changed or damaged after export/),
    });
    await expect(embed(worker, "no-such-run", data.test)).rejects.toMatchObject({ workerCode: "RUN_NOT_FOUND" });
  });

  it("`mixmask export` writes the formats asked for and prints each file's check", () => {
    const out = mkdtempSync(join(tmpdir(), "mixmask-export-"));
    const r = spawnSync(
      process.execPath,
      ["bin/mixmask.js", "export", "--run-dir", runDir, "--out", out, "--format", "safetensors,onnx"],
      { encoding: "utf8", timeout: 300_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/safetensors\s+backbone\.safetensors .*strict=True/);
    expect(r.stdout).toMatch(/onnx\s+backbone\.onnx .*onnxruntime/);
    expect(Object.keys(readExportManifest(out, { verify: true }).files).sort()).toEqual(["onnx", "safetensors"]);
    const bad = spawnSync(
      process.execPath,
      ["bin/mixmask.js", "export", "--run-dir", runDir, "--out", out, "--format", "keras"],
      { encoding: "utf8" },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("[INVALID_OPTION] --format: unknown export format");
  });
});

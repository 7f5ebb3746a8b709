import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFormats, parseWorkerFlags } from "../../src/export/export-command.js";
import { detectron2Config, readExportManifest } from "../../src/export/export-manifest.js";

describe("export.json and export options", () => {
  it("describes detectron2's config as the release's detection config does, in 0–255 pixel units", () => {
    const r50 = detectron2Config({
      arch: "resnet50",
      baseWidth: 64,
      cifarStem: false,
      imageSize: 224,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      featureDim: 2048,
    });
    expect(r50).toMatchObject({
      "MODEL.RESNETS.DEPTH": 50,
      "MODEL.RESNETS.RES2_OUT_CHANNELS": 256,
      "MODEL.RESNETS.STRIDE_IN_1X1": false,
      "MODEL.PIXEL_MEAN": [123.675, 116.28, 103.53],
      "MODEL.PIXEL_STD": [58.395, 57.12, 57.375],
      "INPUT.FORMAT": "RGB",
    });
    const small = detectron2Config({
      arch: "resnet18",
      baseWidth: 16,
      cifarStem: true,
      imageSize: 28,
      mean: [0.3, 0.3, 0.3],
      std: [0.3, 0.3, 0.3],
      featureDim: 128,
    });
    expect(small["MODEL.RESNETS.RES2_OUT_CHANNELS"]).toBe(16);
    expect(String(small.note)).toContain("CIFAR stem");
  });

  it("refuses a folder without export.json, and one of another format, with the fix", () => {
    const dir = mkdtempSync(join(tmpdir(), "mixmask-export-"));
    expect(() => readExportManifest(dir)).toThrow(/no export.json[\s\S]*mixmask export --run-dir/);
    writeFileSync(join(dir, "export.json"), JSON.stringify({ format: "something-else", version: 9 }));
    expect(() => readExportManifest(dir)).toThrow(
      /not a mixmask export manifest[\s\S]*format "mixmask-export", version 1/,
    );
  });

  it("parses --format lists and names the accepted values for a wrong one", () => {
    expect(parseFormats("onnx, SafeTensors")).toEqual(["onnx", "safetensors"]);
    expect(() => parseFormats("onnx,keras")).toThrow(
      /expected: a comma-separated subset of safetensors, torchscript, onnx, detectron2[\s\S]*received: onnx,keras/,
    );
  });

  it("takes --device and --threads for the export worker, naming the flag of a wrong value", () => {
    expect(parseWorkerFlags({ device: "cpu", threads: "0" })).toEqual({ device: "cpu" });
    expect(parseWorkerFlags({ device: "auto", threads: "2" })).toEqual({ device: "auto", threads: 2 });
    expect(() => parseWorkerFlags({ device: "tpu", threads: "0" })).toThrow(/--device[\s\S]*received: tpu/);
    expect(() => parseWorkerFlags({ device: "cpu", threads: "0x2" })).toThrow(/--threads[\s\S]*received: 0x2/);
  });
});

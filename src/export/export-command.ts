import { Command } from "commander";
import { MixmaskError } from "../errors.js";
import { Worker } from "../worker/worker.js";
import { EXPORT_FORMATS, type ExportFormat, type ExportManifest } from "./export-manifest.js";
import { exportRun } from "./export-run.js";

/** `mixmask export`: the backbone of a run's latest checkpoint as safetensors, TorchScript, ONNX and detectron2 files. */
export function exportCommand(): Command {
  return new Command("export")
    .description(
      "write the trained backbone of a run as safetensors (torchvision keys), TorchScript, ONNX and detectron2 files, with export.json (config, input spec, SHA-256s)",
    )
    .requiredOption("--run-dir <dir>", "the pretraining run to export (its latest checkpoint)")
    .requiredOption("--out <dir>", "folder to write the files into (created when missing)")
    .option("--format <list>", `comma-separated subset of ${EXPORT_FORMATS.join(",")}`, EXPORT_FORMATS.join(","))
    .option("--device <value>", "auto | cpu | cuda: where the worker checks each file against the network", "cpu")
    .option("--threads <n>", "torch threads in the worker (0 = torch's default)", "0")
    .action(async (flags: { runDir: string; out: string; format: string; device: string; threads: string }) => {
      const formats = parseFormats(flags.format);
      const worker = await Worker.spawn(parseWorkerFlags(flags));
      try {
        printExport(await exportRun(worker, { runDir: flags.runDir, outDir: flags.out, formats }), flags.out);
      } finally {
        await worker.close();
      }
    });
}

/** `--device` and `--threads` of `mixmask export`, checked as `pretrain` checks them. */
export function parseWorkerFlags(flags: { device: string; threads: string }): {
  device: "auto" | "cpu" | "cuda";
  threads?: number;
} {
  const devices = ["auto", "cpu", "cuda"] as const;
  const device = devices.find((d) => d === flags.device);
  if (!device) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--device",
      message: "unknown device",
      expected: devices.join(" | "),
      received: flags.device,
    });
  }
  const threads = /^\d+$/.test(flags.threads) ? Number(flags.threads) : Number.NaN;
  if (!Number.isInteger(threads) || threads > 1024) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--threads",
      message: "expected a number of torch threads",
      expected: "an integer from 0 (torch's default) to 1024",
      received: flags.threads,
    });
  }
  return threads > 0 ? { device, threads } : { device };
}

export function parseFormats(list: string): ExportFormat[] {
  const names = list
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((n) => !(EXPORT_FORMATS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--format",
      message: "unknown export format",
      expected: `a comma-separated subset of ${EXPORT_FORMATS.join(", ")}`,
      received: list,
    });
  }
  return names as ExportFormat[];
}

function printExport(m: ExportManifest, out: string): void {
  const lines = [
    `${m.backbone.arch} (base width ${m.backbone.baseWidth}${m.backbone.cifarStem ? ", CIFAR stem" : ""}) of ${m.run.dir}, step ${m.run.step}`,
  ];
  lines.push(
    `input  ${m.input.name} [N, 3, ${m.input.imageSize}, ${m.input.imageSize}] float32, mean ${fmt(m.input.mean)}, std ${fmt(m.input.std)}`,
  );
  lines.push(`output ${m.output.name} [N, ${m.backbone.featureDim}]`);
  for (const [format, f] of Object.entries(m.files)) {
    lines.push(`${format.padEnd(12)} ${f.file.padEnd(24)} ${(f.bytes / 1e6).toFixed(1).padStart(7)} MB  ${f.check}`);
  }
  lines.push(`export.json in ${out}`);
  console.log(lines.join("\n"));
}

function fmt(values: number[]): string {
  return `[${values.map((v) => v.toFixed(4)).join(", ")}]`;
}

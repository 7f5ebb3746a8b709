/**
 * Small faults a new user met (docs/RELIABILITY.md, "Remote workers and small faults"): numbers in other bases, the
 * README's worker command, and the error for an image folder of mixed sizes.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFlagValue } from "../src/config/cli-options.js";
import { dataSizeNote } from "../src/config/data-size-defaults.js";
import { PRESETS, resolveConfig } from "../src/config/presets.js";
import { validatePretrainConfig } from "../src/config/pretrain-config.js";
import { LISTED_BAD_IMAGES } from "../src/data/decoded-image-source.js";
import { loadImageFolder } from "../src/data/image-folder.js";
import { MixmaskError } from "../src/errors.js";
import { writeSolidImage } from "./fixtures/image-files.js";
import { PROJECT_ROOT, resolvePython } from "../src/worker/worker-process.js";

describe("small faults", () => {
  it("evaluate's help says the probe follows the run, and evaluate takes --device and --threads", () => {
    const cli = join(PROJECT_ROOT, "bin/mixmask.js");
    const help = spawnSync(process.execPath, [cli, "evaluate", "--help"], { encoding: "utf8", timeout: 60_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--linear-probe <true\|false>\s+run the linear probe \(default: as the run was/);
    expect(help.stdout).not.toMatch(/default true\)/);
    expect(help.stdout).toMatch(/--device <value>/);
    expect(help.stdout).toMatch(/--threads <n>/);
  }, 90_000);

  it("reads numbers only as decimals: --lr 0x10 is not 16", () => {
    for (const raw of ["0x10", "0b11", "0o7", "Infinity", "1_000", ""]) expect(parseFlagValue("number", raw)).toBe(raw);
    for (const [raw, value] of [
      ["0.03", 0.03],
      ["1e-4", 1e-4],
      [".5", 0.5],
      ["-1", -1],
      ["10", 10],
    ] as const) {
      expect(parseFlagValue("number", raw)).toBe(value);
    }
    expect(parseFlagValue("numbers", "0.01,0x10")).toBe("0.01,0x10");
    expect(parseFlagValue("numbers", "0.01, 0.1")).toEqual([0.01, 0.1]);
  });

  it("the README's command for a remote worker starts the worker as written (from the repository folder)", () => {
    const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
    const line = readme.split("\n").find((l) => /python -m mixmask_worker --listen/.test(l));
    expect(line).toBeDefined();
    // Everything up to the module name, as typed: environment assignments, then `python -m mixmask_worker`.
    const words = line!.slice(0, line!.indexOf("mixmask_worker") + "mixmask_worker".length).split(/\s+/);
    const env: Record<string, string> = { PATH: process.env.PATH ?? "" };
    while (/^[A-Z_]+=/.test(words[0]!)) {
      const [name, value] = words.shift()!.split("=") as [string, string];
      env[name] = value;
    }
    expect(words).toEqual(["python", "-m", "mixmask_worker"]);
    // `python` is whichever has torch and grpcio: this repository's; no PYTHONPATH unless the README sets it.
    const run = spawnSync(resolvePython(), ["-m", "mixmask_worker", "--help"], {
      cwd: PROJECT_ROOT,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.stderr).not.toMatch(/No module named/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("--listen");
  }, 130_000);

  it("an image folder of mixed sizes lists the first bad images and counts the rest, instead of a line per image", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mixmask-mixed-sizes-"));
    try {
      await writeSolidImage(join(dir, "train", "a", "0.png"), 8, 8, [200, 20, 30]);
      for (let i = 1; i <= 14; i++) await writeSolidImage(join(dir, "train", "a", `${i}.png`), 9, 8, [10, 40, 220]);
      await writeSolidImage(join(dir, "val", "a", "v.png"), 8, 8, [200, 20, 30]);
      const error = await loadImageFolder({ dir, cacheDir: join(dir, "cache") }).then(
        () => undefined,
        (e: unknown) => e as MixmaskError,
      );
      expect(error).toBeInstanceOf(MixmaskError);
      expect(error!.message).toContain("14 of 15");
      expect(error!.issues).toHaveLength(LISTED_BAD_IMAGES + 1);
      expect(error!.issues.at(-1)!.message).toBe(
        `and ${14 - LISTED_BAD_IMAGES} more images that cannot be used (not listed)`,
      );
      expect(error!.message.split("\n").length).toBeLessThan(LISTED_BAD_IMAGES + 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--train-images below the default k = 200 lowers k with a note; an explicit --knn-k too large names the flags", () => {
    const given = { trainImages: 150 };
    const config = validatePretrainConfig(resolveConfig("cpu", given));
    expect(config.knnK).toBe(150);
    expect(dataSizeNote(PRESETS.cpu, given, config)).toMatch(/k = 150, all 150 training images .*set --knn-k/);
    expect(dataSizeNote(PRESETS.cpu, {}, validatePretrainConfig(resolveConfig("cpu", {})))).toBeUndefined();
    let error: MixmaskError | undefined;
    try {
      validatePretrainConfig(resolveConfig("cpu", { trainImages: 150, knnK: 180 }));
    } catch (e) {
      error = e as MixmaskError;
    }
    expect(error?.issues).toHaveLength(1);
    const issue = error!.issues[0]!;
    expect(issue.path).toBe("--knn-k");
    expect(issue.message).toContain("lower --knn-k or raise --train-images");
    // The field's own range (1..10000) holds 180: quoting it beside the refusal contradicted the message.
    expect(issue.expected).toBeUndefined();
  });

  it("--run-dir under /proc or on a file is an INVALID_OPTION naming it, not a hang or a bare ENOTDIR", () => {
    const dir = mkdtempSync(join(tmpdir(), "mixmask-run-dir-"));
    try {
      const file = join(dir, "a-file");
      writeFileSync(file, "");
      // In a child process: on the old code the /proc case never returns, and a test cannot interrupt a sync loop.
      const script = `import { RunDirectory } from "./src/train/run-directory.ts";
        for (const d of process.argv.slice(1)) { try { new RunDirectory(d); console.log("made " + d); } catch (e) { console.log(e.code + " " + e.path + " " + e.message.split("\\n")[0]); } }`;
      const run = spawnSync(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", script, "/proc/mixmask-x", file, join(file, "run")],
        { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 30_000 },
      );
      expect(run.signal, run.stderr).toBeNull();
      const lines = run.stdout.trim().split("\n");
      expect(lines[0]).toMatch(/^INVALID_OPTION --run-dir .*cannot create the folder \/proc\/mixmask-x/);
      expect(lines[1]).toBe(`INVALID_OPTION --run-dir [INVALID_OPTION] --run-dir: ${file} is a file, not a folder`);
      expect(lines[2]).toContain(`${file}, in ${join(file, "run")}, is a file, not a folder`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

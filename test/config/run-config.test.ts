import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { resolveRun } from "../../src/config/run-config.js";

/** The one resolver behind a run and its --print-config: what is printed is what trains, and what it was told. */
describe("resolveRun", () => {
  it("takes the view size from the dataset's format, or --decode-size where the format is decoded", () => {
    expect(resolveRun("cpu", { dataset: "tiny-imagenet", dataDir: "/d" }).config.imageSize).toBe(64);
    expect(resolveRun("cpu", { dataset: "tiny-imagenet", dataDir: "/d", decodeSize: 48 }).config.imageSize).toBe(48);
    expect(resolveRun("cpu", { dataset: "image-folder", dataDir: "/d", decodeSize: 96 }).config.imageSize).toBe(96);
    expect(resolveRun("cpu", { dataset: "cifar10", dataDir: "/d" }).config.imageSize).toBe(32);
    expect(resolveRun("cpu", {}).config.imageSize).toBe(28);
    expect(resolveRun("cpu", { dataset: "cifar10", dataDir: "/d", imageSize: 24 }).config.imageSize).toBe(24); // asked for
    // The opened dataset has the last word (an image folder's own side).
    const opened = { train: { count: 500, height: 40, width: 40 }, test: { count: 100 } };
    expect(resolveRun("cpu", { dataset: "image-folder", dataDir: "/d" }, { dataset: opened }).config.imageSize).toBe(
      40,
    );
  });

  it("clamps image counts to the splits and records what is trained on, with a note", () => {
    const splits = { train: { count: 60_000, height: 28, width: 28 }, test: { count: 10_000 } };
    const r = resolveRun("cpu", { trainImages: 99_999_999 }, { dataset: splits });
    expect(r.config.trainImages).toBe(60_000);
    expect(r.notes.join("\n")).toContain(
      "--train-images 99999999 is more than the split holds: using all 60000 images, and recording 60000",
    );
    expect(resolveRun("cpu", { trainImages: 512 }, { dataset: splits }).config.trainImages).toBe(512);
  });

  it("says that --preset auto resolves by the worker's device, and resolves it once the device is known", () => {
    expect(resolveRun("auto", {}).notes.join("\n")).toMatch(
      /--preset auto is resolved by the worker's device when the run starts/,
    );
    expect(resolveRun("auto", {}, { device: "cuda:0" }).preset).toBe("gpu");
    expect(resolveRun("auto", {}, { device: "cpu" })).toMatchObject({ preset: "cpu", notes: [] });
  });

  it("--preset cifar trains on CIFAR-10 (imagenet on an image folder); another dataset is said to be upsampled", () => {
    expect(resolveRun("cifar", { dataDir: "/d" }).config.dataset).toBe("cifar10");
    expect(resolveRun("imagenet", { dataDir: "/d" }).config.dataset).toBe("image-folder");
    const fmnist = resolveRun("cifar", { dataset: "fashion-mnist", imageSize: 32 });
    expect(fmnist.notes.join("\n")).toContain(
      "fashion-mnist's images are 28 px: the 32-px views of --preset cifar / --image-size are upsampled",
    );
  });

  it("--print-config prints that resolution (the real CLI)", () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", "pretrain", ...args, "--print-config"], {
        encoding: "utf8",
      });
    const tiny = cli(
      "--dataset",
      "tiny-imagenet",
      "--data-dir",
      "/nonexistent",
      "--decode-size",
      "48",
      "--train-images",
      "99999999",
    );
    expect(tiny.status, tiny.stderr).toBe(0);
    expect(JSON.parse(tiny.stdout)).toMatchObject({ dataset: "tiny-imagenet", imageSize: 48, decodeSize: 48 });
    expect(tiny.stderr).toMatch(/note: the dataset is not there .*counts unchecked/);
    expect(tiny.stderr).toMatch(/note: --preset auto is resolved by the worker's device/);
    const cifar = cli("--preset", "cifar");
    expect(cifar.status).not.toBe(0);
    expect(cifar.stderr).toMatch(/--data-dir: is required with --dataset cifar10/);
  }, 60_000);
});

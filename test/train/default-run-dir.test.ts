import { mkdirSync, mkdtempSync, readlinkSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultRunDir } from "../../src/train/default-run-dir.js";

describe("the run directory of a pretrain without --run-dir", () => {
  it("is a fresh folder per run, with runs/latest pointing at the newest", () => {
    const base = mkdtempSync(join(tmpdir(), "mixmask-default-run-dir-"));
    const now = new Date("2026-12-01T18:50:07Z");
    const first = defaultRunDir(false, base, now);
    const second = defaultRunDir(false, base, now); // the same second: a suffix, not the same folder
    expect(first).toBe(join(base, "runs", "2026-12-01-185007"));
    expect(second).toBe(join(base, "runs", "2026-12-01-185007-2"));
    expect(readlinkSync(join(base, "runs", "latest"))).toBe("2026-12-01-185007-2");
    expect(realpathSync(join(base, "runs", "latest"))).toBe(realpathSync(second));
  });

  it("continues runs/latest with --resume, and leaves a real runs/latest folder of an earlier version alone", () => {
    const base = mkdtempSync(join(tmpdir(), "mixmask-default-run-dir-"));
    expect(defaultRunDir(true, base)).toBe(join(base, "runs", "latest"));
    mkdirSync(join(base, "runs", "latest"), { recursive: true });
    expect(defaultRunDir(false, base)).toBe(join(base, "runs", "latest"));
  });
});

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * bench/bridge-overhead.ts at a tiny size: the SDK and the plain Python loop (bench/worker/plain_loop.py --serve)
 * alternate blocks of the same plans, each in its own real process. This checks the bench still runs end to end and
 * reports what RESULTS.md quotes; its numbers at this size mean nothing.
 */
describe("bench/bridge-overhead.ts", () => {
  const dir = mkdtempSync(join(tmpdir(), "mixmask-bridge-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("alternates SDK and plain blocks in ABBA order and reports per-round and pooled ratios", async () => {
    const out = join(dir, "bridge.json");
    const args = [
      "--import",
      "tsx",
      "bench/bridge-overhead.ts",
      "--preset",
      "cpu",
      "--batch",
      "16",
      "--base-width",
      "4",
      "--count",
      "256",
      "--source-size",
      "28",
      "--threads",
      "1",
      "--rounds",
      "2",
      "--block",
      "2",
      "--warmup",
      "1",
      "--out",
      out,
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(readFileSync(out, "utf8"));
    expect(summary.rows.map((r: { order: string }) => r.order)).toEqual(["sdk,plain", "plain,sdk"]);
    for (const row of summary.rows) {
      expect(row.sdkSeconds).toBeGreaterThan(0);
      expect(row.ratio).toBeCloseTo(row.plainSeconds / row.sdkSeconds, 10);
      expect(row.sdkStepSeconds).toBeGreaterThan(0);
      expect(row.sdkStepSeconds).toBeLessThanOrEqual(row.sdkSeconds);
      expect(row.plainStepSeconds).toBeLessThanOrEqual(row.plainSeconds);
    }
    expect(summary.pooledRatio).toBeGreaterThan(0);
    expect(summary.config).toMatchObject({
      batchSize: 16,
      baseWidth: 4,
      framework: "mocov2",
      masker: "mixmask",
      threads: 1,
    });
    expect(stdout).toMatch(
      /^\| [\d.]+ \| [\d.]+ \| [\d.]+ \([\d.]+–[\d.]+\) \| [\d.]+ \| \d\/2 \| \d+ of \d+, \d+ of \d+ \| [\d.]+ \|$/m,
    );
    expect(stderr).toMatch(/round 2\/2: SDK [\d.]+ steps\/s, plain [\d.]+, SDK\/plain [\d.]+/);
  }, 120_000);
});

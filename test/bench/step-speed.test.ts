import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvePython } from "../../src/worker/worker-process.js";

const run = promisify(execFile);

/**
 * bench/worker/step_speed.py and bench/worker/busy_machine.py at a tiny size, on plans dumped by bench/throughput.ts:
 * each row in its own real process under its malloc policy, rounds interleaved. This checks the benches still run end
 * to end and report what bench/RESULTS.md quotes (losses against legacy, FLOPs, page faults, the policies in effect);
 * their timings at this size mean nothing.
 */
describe("bench/worker step benches", () => {
  const dir = mkdtempSync(join(tmpdir(), "mixmask-step-speed-test-"));
  const plans = join(dir, "tiny.plans");
  const shape = ["--count", "256", "--source-size", "28"];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const tiny = ["--preset", "cpu", "--batch", "16", "--base-width", "4", "--threads", "1", ...shape];
    const dump = ["--steps", "6", "--warmup", "1", "--dump-plans", plans];
    await run(process.execPath, ["--import", "tsx", "bench/throughput.ts", ...tiny, ...dump]);
  }, 120_000);

  it("step_speed.py: one process per row, losses equal to legacy's, FLOPs and page faults per step", async () => {
    const rows = "legacy:system,fused:retain,ceiling-channels_last:retain";
    const args = ["bench/worker/step_speed.py", "--plans", plans, ...shape, "--rounds", "2", "--steps", "1"];
    const { stdout } = await run(resolvePython(), [...args, "--rows", rows], { maxBuffer: 16 << 20 });
    // Round lines (one JSON object each), then the result, indented, then the table.
    const result = JSON.parse(stdout.slice(stdout.indexOf("\n{\n") + 1, stdout.lastIndexOf("\n}\n") + 2));
    expect(Object.keys(result.rows)).toEqual([
      "tiny legacy [system]",
      "tiny fused [retain]",
      "tiny ceiling-channels_last [retain]",
    ]);
    const legacy = result.rows["tiny legacy [system]"];
    const fused = result.rows["tiny fused [retain]"];
    expect(legacy.malloc).toBe("system (MIXMASK_WORKER_MALLOC)");
    if (process.platform === "linux") expect(fused.malloc).toBe("retain");
    expect(legacy.speedupCpu).toBe(1);
    expect(legacy.cpuRounds).toHaveLength(2);
    expect(fused.lossRelDiffVsLegacy).toBeLessThan(1e-5); // the formulations compute the same losses
    expect(fused.gflop).toBeGreaterThan(0);
    expect(result.rows["tiny ceiling-channels_last [retain]"].gflop).toBeGreaterThan(0);
    for (const row of Object.values(result.rows) as { pageFaultsPerStep: number; peakRssMb: number }[]) {
      expect(row.pageFaultsPerStep).toBeGreaterThanOrEqual(0);
      expect(row.peakRssMb).toBeGreaterThan(0);
    }
    expect(result.peakGflops.gemm).toBeGreaterThan(0);
    expect(stdout).toMatch(/^tiny fused \[retain\] +\d+ +\d+ +[\d.]+ +[\d.]+ +\d+ +\d+ +\d+$/m);
  }, 240_000);

  it("busy_machine.py: each configuration in a fresh process, beside the competitors asked for", async () => {
    const args = ["bench/worker/busy_machine.py", "--plans", plans, ...shape, "--rounds", "1", "--steps", "1"];
    const configs = "1;2:OMP_WAIT_POLICY=PASSIVE";
    const { stdout } = await run(resolvePython(), [...args, "--competitors", "0,1", "--configs", configs]);
    const lines = stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.competitors, l.config])).toEqual([
      [0, "1 thread"],
      [0, "2 threads, OMP_WAIT_POLICY=PASSIVE"],
      [1, "1 thread"],
      [1, "2 threads, OMP_WAIT_POLICY=PASSIVE"],
    ]);
    for (const line of lines) expect(line.wallMs).toBeGreaterThan(0);
    expect(stdout).toMatch(/^ +1 +2 threads, OMP_WAIT_POLICY=PASSIVE +\d+ +\d+$/m);
  }, 240_000);
});

import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { processAlive } from "../helpers/process-alive.js";

describe("worker process group on Ctrl-C", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} to the SDK's process kills the worker and ends the process with the same signal`, async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/hold-worker.ts"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
        child.once("exit", (code) => reject(new Error(`fixture exited early with ${code}`)));
      });
      expect(processAlive(pid)).toBe(true);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, s) => resolve(s)));
      // One Node process (tsx as a loader, not a wrapper): its hook kills the worker group, then re-raises the signal.
      child.kill(signal);
      expect(await exited).toBe(signal);
      for (let i = 0; i < 50 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      expect(processAlive(pid)).toBe(false);
    });
  }
});

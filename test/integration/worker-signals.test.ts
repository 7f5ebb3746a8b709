import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("worker process group on Ctrl-C", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} to the SDK's process kills the worker and ends the process with the same signal`, async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/hold-worker.ts"], { stdio: ["ignore", "pipe", "inherit"] });
      const pid = await new Promise<number>((resolve, reject) => {
        child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
        child.once("exit", (code) => reject(new Error(`fixture exited early with ${code}`)));
      });
      expect(alive(pid)).toBe(true);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, s) => resolve(s)));
      // One Node process (tsx as a loader, not a wrapper): its hook kills the worker group, then re-raises the signal.
      child.kill(signal);
      expect(await exited).toBe(signal);
      for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      expect(alive(pid)).toBe(false);
    });
  }
});

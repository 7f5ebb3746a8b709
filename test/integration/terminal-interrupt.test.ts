import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { tinyCliFlags } from "../helpers/tiny-run.js";

/**
 * Ctrl-C as a terminal sends it: SIGINT to every process of the foreground process group — the launcher (npx, npm,
 * the bin), any wrapper below it, and the CLI — at once. Each launcher is started in a process group of its own
 * (detached) and the whole group is signalled, several times per launcher, because a lost checkpoint depended on
 * which of the copies (the terminal's, a relaying parent's) arrived when.
 */
const TINY_FLAGS = tinyCliFlags(3, ["--checkpoint-every", "0", "--linear-probe", "false"]);
const TRIES = Number(process.env.MIXMASK_CTRL_C_TRIES ?? 2);

const LAUNCHERS: Record<string, (args: string[]) => [string, string[]]> = {
  "npx mixmask": (args) => ["npx", ["--no-install", "mixmask", "pretrain", ...args]],
  // --ignore-scripts: not prestart's setup check (it is not what is tested, and it would reinstall node_modules).
  "npm start": (args) => ["npm", ["start", "--silent", "--ignore-scripts", "--", ...args]],
  "node bin/mixmask.js": (args) => [process.execPath, ["bin/mixmask.js", "pretrain", ...args]],
  "node --import tsx src/cli.ts": (args) => [process.execPath, ["--import", "tsx", "src/cli.ts", "pretrain", ...args]],
};

const metricLines = (dir: string): number =>
  existsSync(join(dir, "metrics.jsonl"))
    ? readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n").filter(Boolean).length
    : 0;

/** One Ctrl-C to the launcher's whole process group mid-training; what the user is left with. */
async function ctrlCOnce(
  launcher: string,
): Promise<{ exit: NodeJS.Signals | number | null; stderr: string; checkpointStep?: number; metricLines: number }> {
  const dir = mkdtempSync(join(tmpdir(), "mixmask-ctrl-c-"));
  const [command, args] = LAUNCHERS[launcher]!([...TINY_FLAGS, "--run-dir", dir]);
  // The worker pauses 3 s before step 8, so the signal surely arrives while steps are in flight.
  const env = { ...process.env, MIXMASK_WORKER_FAULTS: "stall@8:3" };
  const child = spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  child.stdout!.resume();
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ?? code)),
  );
  try {
    for (let i = 0; i < 2_400 && metricLines(dir) < 5; i++) await sleep(50);
    process.kill(-child.pid!, "SIGINT");
    const exit = await exited;
    const latest = join(dir, "checkpoints/latest.json");
    const checkpointStep = existsSync(latest)
      ? (JSON.parse(readFileSync(latest, "utf8")) as { step: number }).step
      : undefined;
    return { exit, stderr, metricLines: metricLines(dir), ...(checkpointStep !== undefined ? { checkpointStep } : {}) };
  } finally {
    try {
      process.kill(-child.pid!, "SIGKILL"); // anything of the group still alive after a failed try
    } catch {
      // the group is gone: the expected case
    }
  }
}

describe("Ctrl-C from a terminal, through every launcher (SIGINT to the process group)", () => {
  for (const launcher of Object.keys(LAUNCHERS)) {
    it(
      `${launcher}: writes the checkpoint of every step done, ${TRIES} tries out of ${TRIES}`,
      async () => {
        for (let t = 0; t < TRIES; t++) {
          const r = await ctrlCOnce(launcher);
          expect(r.stderr, `try ${t + 1}`).toMatch(
            /\[INTERRUPTED\] stopped by SIGINT after step \d+ of 12; checkpoint step-\d+\.pt written/,
          );
          expect(r.checkpointStep, `try ${t + 1}: ${r.stderr}`).toBeGreaterThanOrEqual(5);
          expect(r.metricLines).toBe(r.checkpointStep);
          expect(
            r.stderr.match(/fix: continue with the same options and --resume/g),
            "the fix is printed once",
          ).toHaveLength(1);
          // npm reports a script killed by a signal with its own exit status instead of re-raising it.
          if (launcher !== "npm start") expect(r.exit).toBe("SIGINT");
        }
      },
      90_000 * TRIES,
    );
  }
});

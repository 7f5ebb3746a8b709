#!/usr/bin/env node
// The `mixmask` command: runs the TypeScript CLI through tsx, so no build step stands between a clone and a run.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx/cli");
const child = spawn(process.execPath, [tsx, join(here, "../src/cli.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
// Ctrl-C reaches every process of the terminal's group, the CLI included, which then checkpoints before it stops:
// this wrapper must outlive it rather than die at once and hand the terminal back mid-checkpoint. Signals sent to
// this process alone (kill, a process manager) are passed on.
process.on("SIGINT", () => {});
for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});

#!/usr/bin/env node
// The `mixmask` command. In the installed package it runs the compiled CLI (dist/cli.js) in this process: no tsx, no
// second Node. In a clone of the repository (src/cli.ts beside dist/) it runs the sources through tsx, so no build
// step stands between an edit and a run and a stale dist/ is never used.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src/cli.ts");
if (!existsSync(source)) {
  await import(pathToFileURL(join(root, "dist/cli.js")).href);
} else {
  const tsx = createRequire(import.meta.url).resolve("tsx/cli");
  const child = spawn(process.execPath, [tsx, source, ...process.argv.slice(2)], { stdio: "inherit" });
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
}

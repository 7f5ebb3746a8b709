#!/usr/bin/env node
// Runs the project's venv Python with the worker package importable: node scripts/run-python.mjs -m pytest ...
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const python = process.env.MIXMASK_PYTHON_RUN ?? join(root, ".venv/bin/python");
const env = {
  ...process.env,
  PYTHONPATH: [join(root, "python_worker"), process.env.PYTHONPATH].filter(Boolean).join(":"),
};
const r = spawnSync(python, process.argv.slice(2), { cwd: root, stdio: "inherit", env });
process.exit(r.status ?? 1);

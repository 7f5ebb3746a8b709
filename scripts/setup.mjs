#!/usr/bin/env node
// Brings a clone to a runnable state: npm dependencies and the worker's Python virtual environment.
// Idempotent and a fast no-op when current: each part is redone only when its lock/requirements file changed.
// Uses only Node's standard library, because it runs before `npm ci` on a clean clone.
//   MIXMASK_PYTHON   interpreter to build .venv from (default: python3)
//   MIXMASK_SKIP_VENV=1   skip the virtual environment (when the worker runs on another machine)
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const quiet = process.argv.includes("--quiet");
const log = (msg) => {
  if (!quiet) console.log(msg);
};
const hashFiles = (...files) => {
  const h = createHash("sha256");
  for (const f of files) h.update(readFileSync(join(root, f)));
  return h.digest("hex");
};
const stampOk = (stamp, hash) => existsSync(stamp) && readFileSync(stamp, "utf8").trim() === hash;

// pip warns about every local index folder that lacks a package ("Location ... is ignored"): noise, not news.
const NOISE = /is ignored: it is neither a file nor a directory/;

function run(cmd, args, what) {
  console.log(`[mixmask setup] ${what}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
  process.stderr.write(
    r.stderr
      .split("\n")
      .filter((l) => l && !NOISE.test(l))
      .map((l) => `${l}\n`)
      .join(""),
  );
  if (r.status !== 0) {
    console.error(`[mixmask setup] failed: ${cmd} ${args.join(" ")} (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

// 1. npm dependencies
// onnxruntime-node ships its CPU binaries in the package; its postinstall would download a CUDA provider from outside
// the npm registry (fails offline). package.json's allowScripts denies it on npm ≥ 11; this covers older npm.
process.env.ONNXRUNTIME_NODE_INSTALL ??= "skip";
const npmHash = hashFiles("package.json", "package-lock.json");
const npmStamp = join(root, "node_modules/.mixmask-setup");
if (!stampOk(npmStamp, npmHash)) {
  run("npm", ["ci", "--no-audit", "--no-fund"], "installing npm dependencies (npm ci)");
  writeFileSync(npmStamp, npmHash);
} else log("[mixmask setup] npm dependencies current");

// 2. Python virtual environment for the worker
if (process.env.MIXMASK_SKIP_VENV === "1") process.exit(0);
const venv = join(root, ".venv");
const venvPython = join(venv, "bin/python");
const pyHash = hashFiles("python_worker/requirements.txt", "python_worker/requirements-dev.txt");
const pyStamp = join(venv, ".mixmask-setup");
if (stampOk(pyStamp, pyHash) && existsSync(venvPython)) {
  log("[mixmask setup] python venv current");
  process.exit(0);
}
const python = process.env.MIXMASK_PYTHON ?? "python3";
const version = spawnSync(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
if (version.status !== 0) {
  console.error(
    `[mixmask setup] no Python found as '${python}'. Fix: install Python >= 3.10 or set MIXMASK_PYTHON=/path/to/python3.`,
  );
  process.exit(1);
}
const [major, minor] = version.stdout.trim().split(".").map(Number);
if (major !== 3 || minor < 10) {
  console.error(
    `[mixmask setup] '${python}' is Python ${version.stdout.trim()}; the worker needs >= 3.10. Fix: set MIXMASK_PYTHON.`,
  );
  process.exit(1);
}
if (!existsSync(venvPython)) {
  rmSync(venv, { recursive: true, force: true });
  run(python, ["-m", "venv", venv], `creating ${venv} with ${python} ${version.stdout.trim()}`);
}
run(
  venvPython,
  ["-m", "pip", "install", "--quiet", ...indexArgs(), "-r", join(root, "python_worker/requirements-dev.txt")],
  "installing the worker's Python packages (torch, grpcio, protobuf, numpy, pyzmq, pytest)",
);
writeFileSync(pyStamp, pyHash);

// A machine whose pip lists local (file://) indexes only as extras would first try the unreachable default index
// for every package (five retries each). Make the first local index primary when the user has not chosen one.
function indexArgs() {
  if (process.env.PIP_INDEX_URL) return [];
  let extras = [];
  try {
    const out = execFileSync(venvPython, ["-m", "pip", "config", "list"], { encoding: "utf8" });
    const line = out.split("\n").find((l) => /extra-index-url=/.test(l));
    if (line) extras = line.split("=").slice(1).join("=").replace(/^'|'$/g, "").split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
  const local = extras.filter((u) => u.startsWith("file:"));
  if (local.length === 0) return [];
  return ["--index-url", local[0], ...local.slice(1).flatMap((u) => ["--extra-index-url", u])];
}

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MixmaskError } from "../errors.js";
import { mixmaskCacheDir } from "../io/cache-dir.js";

/**
 * The Python that runs the worker, and the virtual environment the SDK makes for it when none is configured.
 *
 * Which interpreter, first match wins: the `python` option; $MIXMASK_PYTHON; a clone's own `.venv` (made by
 * `npm run setup`); the managed environment `<mixmask cache>/python/<hash>` (made by `npx mixmask setup`, or by the
 * first `Worker.spawn()`). The managed environment is keyed by the SHA-256 of the worker's requirements.txt shipped in
 * the package, so a mixmask release with other pins gets its own environment and one with the same pins reuses it.
 * The worker's code itself is never copied into it: it is imported from the package (PYTHONPATH), so upgrading mixmask
 * without changing the pins needs no new environment.
 */

/** The package (or clone) root: the nearest folder above this module that holds python_worker/mixmask_worker. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
const REQUIREMENTS = join(PACKAGE_ROOT, "python_worker/requirements.txt");
/** Written last into a managed environment: one without it is incomplete and is rebuilt. */
const READY_STAMP = ".mixmask-ready";
const MIN_PYTHON: readonly [number, number] = [3, 10];

export type PythonSource = "option" | "MIXMASK_PYTHON" | "clone .venv" | "managed";

export interface WorkerPython {
  python: string;
  source: PythonSource;
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "python_worker/mixmask_worker"))) return dir;
    if (dirname(dir) === dir) return resolve(start, "../..");
  }
}

/** SHA-256 (hex, first 16 digits) of the worker's requirements.txt: the managed environment's key. */
export function requirementsHash(): string {
  return createHash("sha256").update(readFileSync(REQUIREMENTS)).digest("hex").slice(0, 16);
}

/** Where the managed environment for this package's requirements lives (it may not exist yet). */
export function managedEnvironmentDir(): string {
  return join(mixmaskCacheDir(), "python", requirementsHash());
}

function managedPython(): string | undefined {
  const dir = managedEnvironmentDir();
  return existsSync(join(dir, READY_STAMP)) ? join(dir, "bin/python") : undefined;
}

/** The interpreter chosen by options, environment and what exists on disk; undefined when nothing is set up yet. */
export function configuredWorkerPython(python?: string): WorkerPython | undefined {
  if (python) return { python, source: "option" };
  if (process.env.MIXMASK_PYTHON) return { python: process.env.MIXMASK_PYTHON, source: "MIXMASK_PYTHON" };
  const cloneVenv = join(PACKAGE_ROOT, ".venv/bin/python");
  if (existsSync(cloneVenv)) return { python: cloneVenv, source: "clone .venv" };
  const managed = managedPython();
  return managed ? { python: managed, source: "managed" } : undefined;
}

/** What to do when no interpreter works; one text for every error and for doctor. */
export const PYTHON_FIX = existsSync(join(PACKAGE_ROOT, "scripts/setup.mjs"))
  ? "run `npm run setup` (makes .venv in this clone), or set MIXMASK_PYTHON / the `python` option to a Python that has torch, grpcio, protobuf and numpy"
  : "run `npx mixmask setup` (makes the worker's Python environment with torch, grpcio, protobuf and numpy in the " +
    "mixmask cache), or set MIXMASK_PYTHON / the `python` option to a Python that has them";

/** The configured interpreter, checked to exist when it is a path; PYTHON_MISSING with the fix otherwise. */
export function requireWorkerPython(python?: string): WorkerPython {
  const chosen = configuredWorkerPython(python);
  if (!chosen) {
    throw new MixmaskError({
      code: "PYTHON_MISSING",
      message: `no Python for the worker is set up (no ${managedEnvironmentDir()})`,
      fix: PYTHON_FIX,
    });
  }
  if (chosen.python.includes("/") && !existsSync(chosen.python)) {
    const where = chosen.source === "option" ? "the `python` option" : chosen.source;
    throw new MixmaskError({
      code: "PYTHON_MISSING",
      path: where,
      message: `no Python interpreter at ${chosen.python} (${where})`,
      fix: PYTHON_FIX,
    });
  }
  return chosen;
}

export interface SetupOptions {
  /** The Python to make the environment from. Default: $MIXMASK_SETUP_PYTHON, else `python3` on PATH. */
  basePython?: string;
  /** Rebuild even when a complete environment exists. */
  force?: boolean;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/**
 * Makes the managed environment unless it is complete: `python -m venv`, then pip installs requirements.txt. Built
 * in a temporary sibling folder and renamed into place, so an interrupted setup leaves nothing that looks finished,
 * and two processes setting up at once both end with the one environment. Returns its interpreter.
 */
export async function setupWorkerEnvironment(options: SetupOptions = {}): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = managedEnvironmentDir();
  if (!options.force && managedPython()) {
    log(`[mixmask setup] the worker's Python environment is current: ${dir}`);
    return join(dir, "bin/python");
  }
  const base = options.basePython ?? process.env.MIXMASK_SETUP_PYTHON ?? "python3";
  const version = checkBasePython(base);
  const started = Date.now();
  log(
    `[mixmask setup] making the worker's Python environment in ${dir} from ${base} (Python ${version}): ` +
      "torch, grpcio, protobuf, numpy, pyzmq — about 1 GB, a minute or more the first time",
  );
  mkdirSync(dirname(dir), { recursive: true });
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    await run(base, ["-m", "venv", partial], "python -m venv");
    const python = join(partial, "bin/python");
    await run(
      python,
      ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...indexArgs(python), "-r", REQUIREMENTS],
      "pip install -r requirements.txt",
    );
    writeFileSync(join(partial, READY_STAMP), `${requirementsHash()}\n`);
    if (options.force) rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(partial, dir);
    } catch (error) {
      // Another process finished the same environment first: keep theirs.
      if (!managedPython()) throw error;
      rmSync(partial, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  log(`[mixmask setup] done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${join(dir, "bin/python")}`);
  return join(dir, "bin/python");
}

/**
 * The interpreter for a spawned worker: the configured one, else the managed environment, made now (with a progress
 * line) when it does not exist yet and $MIXMASK_AUTO_SETUP is not "0".
 */
export async function ensureWorkerPython(python?: string, log?: (line: string) => void): Promise<string> {
  if (configuredWorkerPython(python) || process.env.MIXMASK_AUTO_SETUP === "0")
    return requireWorkerPython(python).python;
  return setupWorkerEnvironment({ log: log ?? ((line) => process.stderr.write(`${line}\n`)) });
}

function checkBasePython(base: string): string {
  const probe = spawnSync(base, ["-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"], {
    encoding: "utf8",
  });
  if (probe.status !== 0) {
    throw new MixmaskError({
      code: "PYTHON_MISSING",
      path: base,
      message: `no usable Python as '${base}' to make the worker's environment from (${(probe.error?.message ?? probe.stderr).trim() || `exit ${probe.status}`})`,
      fix: "install Python ≥ 3.10 with its venv module (Debian: apt-get install python3-venv), or pass `mixmask setup --python /path/to/python3`",
    });
  }
  const text = probe.stdout.trim();
  const [major, minor] = text.split(".").map(Number) as [number, number];
  if (major !== MIN_PYTHON[0] || minor < MIN_PYTHON[1]) {
    throw new MixmaskError({
      code: "PYTHON_MISSING",
      path: base,
      message: `'${base}' is Python ${text}`,
      expected: `Python ≥ ${MIN_PYTHON.join(".")}`,
      received: text,
      fix: "pass `mixmask setup --python /path/to/python3.10+`",
    });
  }
  return text;
}

// pip warns about every local index folder that lacks a package ("Location ... is ignored"): noise, not news.
const PIP_NOISE = /is ignored: it is neither a file nor a directory/;

function run(command: string, args: string[], what: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-16_384);
    });
    child.on("error", (error) => reject(setupFailed(what, error.message, error)));
    child.on("exit", (code, signal) => {
      if (code === 0) resolvePromise();
      else {
        const tail = stderr
          .split("\n")
          .filter((l) => l && !PIP_NOISE.test(l))
          .slice(-20)
          .join("\n");
        reject(setupFailed(what, `${signal ?? `exit code ${code}`}\n${tail}`));
      }
    });
  });
}

function setupFailed(what: string, detail: string, cause?: unknown): MixmaskError {
  return new MixmaskError({
    code: "PYTHON_MISSING",
    message: `making the worker's Python environment failed at ${what}: ${detail}`,
    fix: "check that pip reaches a package index with torch (PIP_INDEX_URL), then run `npx mixmask setup` again; or set MIXMASK_PYTHON to a Python that has the worker's packages",
    cause,
  });
}

/**
 * A machine whose pip lists local (file://) indexes only as extras would first try the unreachable default index for
 * every package (five retries each). Make the first local index primary when the user has not chosen one.
 */
function indexArgs(python: string): string[] {
  if (process.env.PIP_INDEX_URL) return [];
  let extras: string[] = [];
  try {
    const out = execFileSync(python, ["-m", "pip", "config", "list"], { encoding: "utf8" });
    const line = out.split("\n").find((l) => /extra-index-url=/.test(l));
    if (line) extras = line.split("=").slice(1).join("=").replace(/^'|'$/g, "").split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
  const local = extras.filter((u) => u.startsWith("file:"));
  if (local.length === 0) return [];
  return ["--index-url", local[0]!, ...local.slice(1).flatMap((u) => ["--extra-index-url", u])];
}

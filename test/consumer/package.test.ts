import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * mixmask as a dependency, outside this repository: `npm pack`, install the tarball into a temporary app that cannot
 * see this repo's node_modules, then use it as an app developer would: a plain .mjs script through a managed worker
 * environment, `tsc --strict` on the app's TypeScript, and the bundled CLI in a folder with no node_modules at all.
 *
 * The managed environment lives in a cache folder shared between runs ($MIXMASK_CONSUMER_CACHE, default
 * <tmp>/mixmask-consumer-cache), keyed like every user's by the requirements' hash: the first run on a machine (CI's
 * fresh one) really makes it with `npx mixmask setup` (pip installs torch: a minute or more), later runs reuse it.
 */
const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const APP_FILES = join(ROOT, "test/consumer/app");
const CACHE = process.env.MIXMASK_CONSUMER_CACHE ?? join(tmpdir(), "mixmask-consumer-cache");
const TINY =
  "--train-images 64 --test-images 32 --batch-size 32 --epochs 1 --warmup-epochs 0 --base-width 8 --head-hidden-dim 32 --head-out-dim 16 --queue-size 64 --knn-k 20 --threads 1 --device cpu --linear-probe false".split(
    " ",
  );

let work = "";
let app = "";
// The app's environment: nothing of this repo (no MIXMASK_PYTHON, no NODE_PATH), its own cache folder.
const appEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, MIXMASK_CACHE_DIR: CACHE, OMP_NUM_THREADS: "1" };
  for (const key of ["MIXMASK_PYTHON", "NODE_PATH", "NODE_OPTIONS", "PYTHONPATH", "VITEST", "VITEST_WORKER_ID"])
    delete env[key];
  return env;
};
const timed = async <T>(what: string, body: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const result = await body();
  console.log(`consumer: ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return result;
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "mixmask-consumer-"));
  app = join(work, "app");
  mkdirSync(app);
  const packed = await timed("npm pack (runs the build)", () =>
    run("npm", ["pack", "--silent", "--pack-destination", work], { cwd: ROOT }),
  );
  const tarball = join(work, packed.stdout.trim().split("\n").pop()!);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "consumer-app", private: true, type: "module" }, null, 2),
  );
  for (const file of readdirSync(APP_FILES)) cpSync(join(APP_FILES, file), join(app, file));
  // What the README tells an app developer to type. The env var is onnxruntime-node's documented switch that skips
  // its download of a CUDA provider from outside the npm registry (without it, npm drops that optional package).
  await timed("npm install mixmask", () =>
    run(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, "typescript@5.9", "@types/node@20"],
      { cwd: app, env: { ...appEnv(), ONNXRUNTIME_NODE_INSTALL: "skip" } },
    ),
  );
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed package in a fresh app", () => {
  it("installs only compiled files, the worker package and the embedded data", () => {
    const pkg = join(app, "node_modules/mixmask");
    expect(existsSync(join(pkg, "dist/index.js"))).toBe(true);
    expect(existsSync(join(pkg, "dist/index.d.ts"))).toBe(true);
    expect(existsSync(join(pkg, "src"))).toBe(false);
    expect(existsSync(join(pkg, "python_worker/mixmask_worker/__main__.py"))).toBe(true);
    expect(existsSync(join(pkg, "python_worker/tests"))).toBe(false);
    expect(existsSync(join(pkg, "data/fashion-mnist-subset/train-images-idx3-ubyte.gz"))).toBe(true);
    expect(existsSync(join(app, "node_modules/tsx"))).toBe(false);
    expect(existsSync(join(app, "node_modules/onnxruntime-node"))).toBe(true);
  });

  it("sets up a managed worker, then a plain .mjs script pretrains two steps and embeds four images", async () => {
    const setup = await timed("npx mixmask setup", () => run("npx", ["mixmask", "setup"], { cwd: app, env: appEnv() }));
    expect(setup.stdout).toMatch(new RegExp(`worker Python: ${CACHE}/python/[0-9a-f]{16}/bin/python`));
    const doctor = await run("npx", ["mixmask", "doctor"], { cwd: app, env: appEnv() }).catch(
      (e: { stdout: string }) => e,
    );
    expect(doctor.stdout).toMatch(/python .*the managed environment, made by `npx mixmask setup`/);
    expect(doctor.stdout).not.toMatch(/npm run setup/);
    const { stdout } = await timed("node pretrain-and-embed.mjs", () =>
      run(process.execPath, ["pretrain-and-embed.mjs"], { cwd: app, env: appEnv() }),
    );
    const result = JSON.parse(stdout.trim().split("\n").pop()!) as { steps: number; embedded: number; dim: number };
    expect(result).toMatchObject({ steps: 2, embedded: 4 });
    expect(result.dim).toBeGreaterThan(0);
    expect(existsSync(join(app, "runs/app/summary.json"))).toBe(true);
  }, 900_000);

  it.each(["nodenext", "bundler"])(
    "typechecks under --strict with moduleResolution %s, and refuses a misused config",
    async (resolution) => {
      const tsc = join(app, "node_modules/typescript/bin/tsc");
      const module = resolution === "bundler" ? "esnext" : "nodenext";
      // One compiler run per resolution: correct.ts must compile, misuse.ts must fail on both of its lines and nothing
      // else. The nodenext run also checks every .d.ts of the package and its dependencies (skipLibCheck false, about a
      // minute on two busy cores); the bundler run skips that, as most apps do.
      const libCheck = resolution === "nodenext" ? "false" : "true";
      const flags = [
        "--noEmit",
        "--strict",
        "--module",
        module,
        "--moduleResolution",
        resolution,
        "--target",
        "es2022",
        "--types",
        "node",
        "--skipLibCheck",
        libCheck,
      ];
      const out = await run(process.execPath, [tsc, ...flags, "correct.ts", "misuse.ts"], { cwd: app }).then(
        () => undefined,
        (e: { stdout: string }) => e.stdout,
      );
      expect(out, "misuse.ts compiled").toBeDefined();
      const errors = out!.split("\n").filter((line) => /error TS\d+/.test(line));
      expect(errors, out).toHaveLength(2);
      expect(errors[0]).toMatch(/^misuse\.ts\(4,\d+\): error TS2322: Type '"cutout"' is not assignable/);
      expect(errors[1]).toMatch(/^misuse\.ts\(5,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
    },
    300_000,
  );

  it("the bundled CLI pretrains in a folder without node_modules", async () => {
    await timed("npm run bundle", () => run(process.execPath, ["scripts/bundle.mjs"], { cwd: ROOT }));
    const box = join(work, "box");
    mkdirSync(join(box, "dist"), { recursive: true });
    cpSync(join(ROOT, "dist/mixmask.mjs"), join(box, "dist/mixmask.mjs"));
    cpSync(join(ROOT, "python_worker/mixmask_worker"), join(box, "python_worker/mixmask_worker"), { recursive: true });
    cpSync(join(ROOT, "python_worker/requirements.txt"), join(box, "python_worker/requirements.txt"));
    cpSync(join(ROOT, "data"), join(box, "data"), { recursive: true });
    // The GPU-box recipe: the worker's Python is the machine's own, named by MIXMASK_PYTHON.
    const env = { ...appEnv(), MIXMASK_PYTHON: join(ROOT, ".venv/bin/python") };
    const { stdout, stderr } = await timed("bundled pretrain", () =>
      run(process.execPath, ["dist/mixmask.mjs", "pretrain", ...TINY, "--run-dir", "runs/box"], { cwd: box, env }),
    );
    expect(stdout).toMatch(/2 steps/);
    expect(stderr).toMatch(/plots are written as SVG, not PNG: .*sharp/);
    expect(readFileSync(join(box, "runs/box/report.md"), "utf8")).toMatch(/plots\/loss\.svg/);
    const exported = await run(
      process.execPath,
      ["dist/mixmask.mjs", "export", "--run-dir", "runs/box", "--out", "runs/box/export", "--format", "safetensors"],
      { cwd: box, env },
    );
    expect(exported.stdout).toMatch(/safetensors/);
  }, 300_000);
});

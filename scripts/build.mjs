#!/usr/bin/env node
// Compiles src/ to dist/ (ES modules, .d.ts, source maps) with tsconfig.build.json: what the npm package ships and
// what its `exports` and `bin` point at. The protobufjs module in src/worker/generated/ is already JavaScript (with
// its .d.ts), so it is copied beside the compiled code. The bundle (scripts/bundle.mjs) also writes into dist/;
// only the compiled tree is replaced here.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const bundles = new Set(["mixmask.mjs", "bench-throughput.mjs"]);
if (existsSync(dist))
  for (const name of readdirSync(dist))
    if (!bundles.has(name)) rmSync(join(dist, name), { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")],
  { cwd: root, stdio: "inherit" },
);
for (const file of ["mixmask.js", "mixmask.d.ts"])
  cpSync(join(root, "src/worker/generated", file), join(dist, "worker/generated", file));

// Every file the package's exports and bin name must now exist, or the published package would be broken.
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const targets = [
  ...Object.values(pkg.exports).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e))),
  pkg.types,
];
const absent = targets.filter((t) => !existsSync(join(root, t)));
if (absent.length > 0) {
  console.error(`build: package.json names files the build did not write: ${absent.join(", ")}`);
  process.exit(1);
}
console.log(`build: dist/ written (${targets.length} export targets present)`);

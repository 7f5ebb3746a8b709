#!/usr/bin/env node
// Bundles the CLI and its pure-JS dependencies into dist/mixmask.mjs, for machines that get a copy of the tree but
// no npm registry (the GPU machine): `node dist/mixmask.mjs pretrain ...` next to python_worker/.
import { build } from "esbuild";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The CLI, and the throughput benchmark that bench/gpu/check-performance.sh runs on the GPU machine.
for (const [entry, outfile] of [
  ["src/cli.ts", "dist/mixmask.mjs"],
  ["bench/throughput.ts", "dist/bench-throughput.mjs"],
])
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, outfile),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Some bundled CommonJS dependencies call require(); give the ES module one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    // Native addons stay outside and are loaded on first use only (zeromq lane, JPEG/PNG decoding), so the bundle runs
    // on a machine that has none of them: the gRPC lane, readers that decode nothing, SVG plots (optional-dependency.ts).
    external: ["zeromq", "pythonia", "sharp", "onnxruntime-node"],
    logLevel: "warning",
  });
console.log("wrote dist/mixmask.mjs and dist/bench-throughput.mjs");

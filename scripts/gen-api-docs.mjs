#!/usr/bin/env node
// Regenerates docs/api/ (the API reference of `mixmask` and `mixmask/interop`) from the TSDoc comments of the public
// exports, with TypeDoc and typedoc-plugin-markdown (typedoc.json). Committed, like the protocol code, so the reference
// is readable on GitHub and in a clone without building anything.
// `--check` generates into a temporary folder and fails when the committed docs/api/ differs (CI: .ci/run).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const committed = join(root, "docs/api");
const check = process.argv.includes("--check");

function listFiles(dir, prefix = "") {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

const tmp = mkdtempSync(join(tmpdir(), "mixmask-api-docs-"));
try {
  const out = join(tmp, "api");
  // --logLevel Error: the reference lists what the SDK exports; warnings about internal types it mentions are not news.
  execFileSync(
    join(root, "node_modules/.bin/typedoc"),
    ["--options", join(root, "typedoc.json"), "--out", out, "--logLevel", "Error"],
    { cwd: root, stdio: "inherit" },
  );
  if (check) {
    const names = new Set([...listFiles(committed), ...listFiles(out)]);
    const stale = [...names].filter((n) => {
      const a = existsSync(join(committed, n)) ? readFileSync(join(committed, n), "utf8") : null;
      const b = existsSync(join(out, n)) ? readFileSync(join(out, n), "utf8") : null;
      return a !== b;
    });
    if (stale.length > 0) {
      console.error(
        `The API reference is stale: ${stale.map((n) => `docs/api/${n}`).join(", ")}.\nFix: run \`npm run docs:api\` and commit the result.`,
      );
      process.exit(1);
    }
    console.log("API reference (docs/api/) is current");
  } else {
    rmSync(committed, { recursive: true, force: true });
    cpSync(out, committed, { recursive: true });
    console.log(`regenerated docs/api/ (${listFiles(committed).length} files)`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

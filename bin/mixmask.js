#!/usr/bin/env node
// The `mixmask` command, always one process: a wrapper that relays Ctrl-C to a child (tsx's CLI does, and kills a
// child that does not answer within 60 ms) could end the CLI while it writes its checkpoint. In the installed package
// it runs the compiled CLI (dist/cli.js); in a clone of the repository (src/cli.ts beside dist/) it loads the sources
// through tsx's loader in this same process, so no build step stands between an edit and a run and a stale dist/ is
// never used.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src/cli.ts");
if (!existsSync(source)) {
  await import(pathToFileURL(join(root, "dist/cli.js")).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(source).href);
}

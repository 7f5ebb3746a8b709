#!/usr/bin/env node
// The `mixmask` command: loads the TypeScript CLI through tsx's loader in this same process, so no build step stands
// between a clone and a run. One process, not a wrapper around a child: a wrapper that relays Ctrl-C (tsx's CLI
// does, and kills a child that does not answer within 60 ms) could end the CLI while it writes its checkpoint.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");

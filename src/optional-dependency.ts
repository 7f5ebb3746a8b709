import { createRequire } from "node:module";
import { MixmaskError } from "./errors.js";

/**
 * The npm packages only some features need. They are optionalDependencies in package.json (a failed native build or
 * download must not fail `npm install mixmask`) and are loaded with `import()` on first use only, so the core path
 * (pretraining over gRPC, k-NN, reports) and the bundled CLI run without any of them.
 */
export const OPTIONAL_DEPENDENCIES = {
  sharp: { feature: "PNG plots and decoding JPEG/PNG image folders", install: "npm install sharp" },
  zeromq: { feature: "the zeromq bulk lane (--lane zmq)", install: "npm install zeromq" },
  "onnxruntime-node": {
    feature: "OnnxEmbedder (running an exported backbone.onnx in Node)",
    // Its install script downloads a CUDA provider from outside the npm registry; "skip" keeps the CPU build it ships.
    install: "ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node",
  },
  pythonia: { feature: "mixmask/interop (calling Python libraries from TypeScript)", install: "npm install pythonia" },
} as const;

export type OptionalDependency = keyof typeof OPTIONAL_DEPENDENCIES;

const loaded = new Map<OptionalDependency, Promise<unknown>>();

/**
 * Imports an optional package, or throws DEPENDENCY_MISSING naming the feature that needs it and the command that
 * installs it. A failed load is not remembered, so installing the package mid-session is picked up by the next call.
 */
export function importOptional<T>(name: OptionalDependency, importer: () => Promise<T>): Promise<T> {
  let pending = loaded.get(name) as Promise<T> | undefined;
  if (!pending) {
    pending = importer().catch((error: unknown) => {
      loaded.delete(name);
      throw dependencyMissing(name, error);
    });
    loaded.set(name, pending);
  }
  return pending;
}

export function dependencyMissing(name: OptionalDependency, cause: unknown): MixmaskError {
  const { feature, install } = OPTIONAL_DEPENDENCIES[name];
  const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
  return new MixmaskError({
    code: "DEPENDENCY_MISSING",
    path: name,
    message: `${feature} needs the optional npm package ${name}, which did not load (${reason})`,
    fix: `run \`${install}\` in your app`,
    cause,
  });
}

/** Whether an optional package can be loaded here (doctor's report; the PNG-or-SVG choice of reports). */
export async function hasOptional(name: OptionalDependency, importer: () => Promise<unknown>): Promise<boolean> {
  try {
    await importOptional(name, importer);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether an optional package can be found from here, without loading it: for choices that must be made at once and
 * have a fallback (lane "auto" uses gRPC when zeromq is not installed, as in the bundled CLI).
 */
export function isInstalled(name: OptionalDependency): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

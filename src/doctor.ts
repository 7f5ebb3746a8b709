import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { embeddedFashionMnistDir } from "./data/embedded-fashion-mnist.js";
import { FASHION_MNIST_DIR } from "./data/fashion-mnist.js";
import { hasOptional, OPTIONAL_DEPENDENCIES, type OptionalDependency } from "./optional-dependency.js";
import { MixmaskError } from "./errors.js";
import { PROTOCOL_VERSION, SDK_VERSION } from "./worker/protocol-version.js";
import { managedEnvironmentDir, requireWorkerPython, type PythonSource } from "./worker/python-environment.js";
import { Worker } from "./worker/worker.js";

// Literal import() calls, so that bundlers leave each package external and loaded only here.
const OPTIONAL_LOADERS: [OptionalDependency, () => Promise<unknown>][] = [
  ["sharp", () => import("sharp")],
  ["zeromq", () => import("zeromq")],
  ["onnxruntime-node", () => import("onnxruntime-node")],
];

const PYTHON_SOURCES: Record<PythonSource, string> = {
  option: "the `python` option",
  MIXMASK_PYTHON: "from $MIXMASK_PYTHON",
  "clone .venv": "this clone's .venv, made by `npm run setup`",
  managed: "the managed environment, made by `npx mixmask setup`",
};

/** Prints what this machine has for mixmask and what is missing, with the fix for each. Returns an exit code. */
export async function runDoctor(): Promise<number> {
  const missing: string[] = [];
  const row = (k: string, v: string) => console.log(`${k.padEnd(16)} ${v}`);
  row("mixmask", `${SDK_VERSION} (protocol v${PROTOCOL_VERSION})`);
  row("node", `${process.version} on ${process.platform}-${process.arch}`);

  let python: string | undefined;
  try {
    const chosen = requireWorkerPython();
    python = chosen.python;
    const v = spawnSync(python, ["--version"], { encoding: "utf8" });
    row("python", `${python} (${(v.stdout || v.stderr).trim() || "not runnable"}; ${PYTHON_SOURCES[chosen.source]})`);
  } catch (error) {
    row("python", `missing (none configured; the managed environment would be ${managedEnvironmentDir()})`);
    missing.push(error instanceof MixmaskError ? (error.fix ?? error.message) : String(error));
  }

  if (python) {
    try {
      const worker = await Worker.spawn({ python, readyTimeoutMs: 60_000 });
      const i = worker.info;
      row("torch", i.torchVersion);
      row("device", `${i.device} (${i.deviceName}), ${i.torchThreads} threads`);
      if (i.threadWait) row("thread wait", i.threadWait);
      if (i.mallocPolicy) row("malloc", i.mallocPolicy);
      if (i.threadsAdvice) row("note", i.threadsAdvice);
      row("capabilities", i.capabilities.join(", ") || "none");
      if (!i.capabilities.includes("zmq"))
        row("bulk lane", "gRPC streams (pyzmq not installed in the worker's Python)");
      if (!i.capabilities.includes("compile"))
        row("--compile", "off only (inductor needs g++ and python3-dev beside the worker; triton on CUDA)");
      await worker.close();
    } catch (error) {
      row("worker", "does not start");
      missing.push(error instanceof Error ? error.message : String(error));
    }
  }

  const files = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
  ];
  const present = files.filter((f) => existsSync(join(FASHION_MNIST_DIR, f)));
  const embedded = embeddedFashionMnistDir();
  if (present.length === files.length) row("fashion-mnist", `${FASHION_MNIST_DIR} (all 60000 / 10000)`);
  else if (embedded)
    row(
      "fashion-mnist",
      `the subset shipped with mixmask (first 10000 / 2000; ${embedded}); all of it: apt-get install dataset-fashion-mnist`,
    );
  else {
    row("fashion-mnist", `missing (${present.length}/4 files in ${FASHION_MNIST_DIR})`);
    missing.push("Fashion-MNIST: apt-get install dataset-fashion-mnist, or pass --data-dir DIR");
  }
  for (const [name, load] of OPTIONAL_LOADERS) {
    const { feature, install } = OPTIONAL_DEPENDENCIES[name];
    row(
      name,
      (await hasOptional(name, load)) ? "loads" : `not installed — needed only for ${feature} (\`${install}\`)`,
    );
  }

  if (missing.length === 0) {
    console.log("\nall set");
    return 0;
  }
  console.log(`\nmissing:\n${missing.map((m) => `  - ${m}`).join("\n")}`);
  return 1;
}

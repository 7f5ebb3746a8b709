import type { ChildProcess } from "node:child_process";
import { importOptional } from "../optional-dependency.js";

/**
 * The parts of `pythonia` (JSPyBridge) this SDK uses, typed here because its own declarations are `any` and omit
 * `com`. Importing the package spawns its Python process at once, with the interpreter named by $PYTHON_BIN; after
 * `python.exit()` the next `com.start()` spawns a new one.
 */
export interface PythoniaModule {
  python: {
    /** Imports a Python module by name (or a .py file by absolute path) and returns its proxy. */
    (module: string): Promise<unknown>;
    /** Ends the bridge and sends SIGTERM to the Python process. */
    exit(): void;
  };
  /** Template tag evaluating a Python expression with the interpolated values (proxies or JSON values) as locals. */
  py(strings: TemplateStringsArray, ...values: unknown[]): Promise<unknown>;
  /** The transport: `proc` is the Python child process while it runs, null after `python.exit()`. */
  com: { proc: ChildProcess | null; start(): void };
}

/** Loads pythonia (spawning its interpreter) with the `import()` default export of a CommonJS package. */
export async function importPythonia(): Promise<PythoniaModule> {
  const loaded = (await importOptional("pythonia", () => import("pythonia"))) as unknown as { default: PythoniaModule };
  return loaded.default;
}

/**
 * Lets Node exit while the interpreter is idle, so a script that forgets `close()` ends (and its exit clean-up kills
 * the interpreter) instead of hanging — pythonia's known failure. Three things hold the event loop: the child process,
 * its IPC channel and pythonia's 1 s object-freeing interval (reachable only as `globalThis.__pythonBridge.loop`).
 * During a call the session's timeout timer keeps Node alive until the answer arrives.
 */
export function letNodeExitWhileIdle(child: ChildProcess): void {
  child.unref();
  (child.channel as { unref?: () => void } | null | undefined)?.unref?.();
  const bridge = (globalThis as { __pythonBridge?: { loop?: { unref?: () => void } } }).__pythonBridge;
  bridge?.loop?.unref?.();
}

/**
 * `mixmask/interop`: Python analysis libraries called from TypeScript through pythonia, for notebook-like scripts
 * (opt-in: never imported by the SDK's training path). See `PythonSessionOptions` for what it adds to pythonia.
 *
 * @module mixmask/interop
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { isAbsolute, resolve } from "node:path";
import { MixmaskError } from "../errors.js";
import { addExitCleanup } from "../worker/interrupt-hooks.js";
import { resolvePython } from "../worker/worker-process.js";
import { importPythonia, letNodeExitWhileIdle, type PythoniaModule } from "./pythonia-module.js";
import { timedValue, unwrapped, type CallGuard } from "./timed-proxy.js";

/**
 * Python analysis libraries (scikit-learn, numpy, matplotlib…) called from TypeScript through `pythonia`, for
 * notebook-like scripts: never on the training path (measured: 0.3 ms per call, 34–50 MB/s for bytes).
 *
 * What this adds to pythonia, whose own failure modes are hangs:
 * - the **worker's interpreter** (`$MIXMASK_PYTHON`, else the project's `.venv/bin/python`), so the packages
 *   `npm run setup` installed are the ones you import;
 * - a **timeout on every round trip** (each call, each awaited attribute, each import): a call that outlives it ends
 *   the interpreter and rejects with `INTEROP_TIMEOUT`;
 * - a **guaranteed exit**: `close()` (or `withPython`, or `await using`) ends the interpreter; a forgotten close,
 *   process exit, Ctrl-C, SIGTERM or SIGHUP kill it too, so nothing keeps Node alive or outlives it;
 * - Python exceptions as `MixmaskError`s (`INTEROP_FAILED`) carrying the Python error line, and an interpreter
 *   that dies mid-call rejects the call instead of crashing Node.
 *
 * pythonia runs one interpreter per Node process, so one session is open at a time.
 *
 * ```ts
 * import { withPython } from "mixmask/interop";
 * interface LinearModel { LogisticRegression$(kwargs: { max_iter: number }): Promise<Classifier> }
 * interface Classifier { fit(x: number[][], y: number[]): Promise<Classifier>; score(x: number[][], y: number[]): Promise<number> }
 * const accuracy = await withPython(async (py) => {
 *   const lm = await py.import<LinearModel>("sklearn.linear_model");
 *   const clf = await lm.LogisticRegression$({ max_iter: 1000 });   // `name$` passes keyword arguments
 *   await clf.fit(xTrain, yTrain);
 *   return clf.score(xTest, yTest);
 * });
 * ```
 * The interfaces describe the Python API you call (nothing checks them): declare only what you use.
 */
export interface PythonSessionOptions {
  /** Interpreter to run. Default: the worker's, `$MIXMASK_PYTHON`, else `<project>/.venv/bin/python`. */
  python?: string;
  /** Longest time one round trip to Python may take (a call, an awaited attribute, an import). Default 60 000 ms. */
  callTimeoutMs?: number;
}

export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
/** How long `close()` waits for the interpreter to leave after SIGTERM before it sends SIGKILL. */
const EXIT_GRACE_MS = 2_000;

let openSession: PythonSession | undefined;

export class PythonSession {
  private closed = false;
  private readonly pending = new Set<(error: MixmaskError) => void>();
  private readonly dropExitCleanup: () => void;
  private readonly guard: CallGuard;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly bridge: PythoniaModule,
    private readonly child: ChildProcess,
    /** Absolute path of the interpreter running. */
    readonly interpreter: string,
    /** The timeout of each round trip, in ms. */
    readonly callTimeoutMs: number,
  ) {
    this.guard = { timed: (what, call) => this.timed(what, call) };
    // A dead interpreter rejects what is in flight; pythonia's own later writes to it must not crash Node.
    child.on("error", () => undefined);
    this.exited = new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", (code, signal) => {
        this.failPending(
          `the Python interpreter ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`,
          "INTEROP_FAILED",
        );
        done();
      });
    });
    this.dropExitCleanup = addExitCleanup(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    letNodeExitWhileIdle(child);
  }

  /** Starts the interpreter. Refused while another session is open (pythonia runs one interpreter per process). */
  static async open(options: PythonSessionOptions = {}): Promise<PythonSession> {
    if (openSession && !openSession.closed) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "PythonSession.open",
        message: "a Python session is already open in this process",
        fix: "close it first (pythonia runs one interpreter per Node process), or use it",
      });
    }
    const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    if (!(Number.isFinite(callTimeoutMs) && callTimeoutMs > 0)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "callTimeoutMs",
        message: "expected a timeout in milliseconds",
        expected: "a finite number > 0",
        received: String(callTimeoutMs),
      });
    }
    const interpreter = interpreterPath(options.python);
    // pythonia reads the interpreter from $PYTHON_BIN when it spawns (on first import, and on restart after exit),
    // and its own 100 s request timeout from $REQ_TIMEOUT when loaded: 0 leaves timing to this session.
    const saved = { PYTHON_BIN: process.env.PYTHON_BIN, REQ_TIMEOUT: process.env.REQ_TIMEOUT };
    process.env.PYTHON_BIN = interpreter;
    process.env.REQ_TIMEOUT ??= "0";
    let bridge: PythoniaModule;
    try {
      bridge = await importPythonia();
      if (!bridge.com.proc) bridge.com.start();
    } finally {
      restoreEnv(saved);
    }
    const child = bridge.com.proc;
    if (!child)
      throw new MixmaskError({
        code: "INTEROP_FAILED",
        message: `pythonia did not start ${interpreter}`,
        fix: "check that the interpreter runs: `" + interpreter + " --version`",
      });
    const session = new PythonSession(bridge, child, interpreter, callTimeoutMs);
    openSession = session;
    return session;
  }

  /** The interpreter's process id (undefined once it has exited). */
  get pid(): number | undefined {
    return this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /**
   * Imports a Python module (`"sklearn.linear_model"`) or a `.py` file (a path, resolved against the current
   * directory) and returns its proxy, typed as the interface you describe it with.
   */
  async import<T>(module: string): Promise<T> {
    this.assertOpen(`import ${module}`);
    const name = module.endsWith(".py") && !isAbsolute(module) ? resolve(module) : module;
    const proxy = await this.timed(`import ${name}`, this.bridge.python(name));
    return timedValue(proxy, this.guard, module) as T;
  }

  /**
   * Evaluates a Python expression; interpolated values (proxies, numbers, strings, arrays, plain objects) become its
   * locals: ``await py.eval`float(${x}.mean())` ``. Returns a proxy, or a JavaScript value for JSON-like results.
   */
  async eval<T>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T> {
    this.assertOpen("eval");
    const what = strings.join("…").trim().slice(0, 60);
    const result = await this.timed(`eval ${what}`, this.bridge.py(strings, ...values.map(unwrapped)));
    return timedValue(result, this.guard, what) as T;
  }

  /**
   * A Python value as plain JavaScript: numbers, strings, booleans, None → null, and (nested) lists, tuples, dicts,
   * numpy arrays and numpy scalars (through `.tolist()`), for results like `clf.predict(x)`.
   */
  async value<T>(object: unknown): Promise<T> {
    if (typeof object !== "function") return object as T;
    // numpy values become Python lists / numbers first: pythonia's own JSON conversion cannot encode them.
    const plain = await this.eval<unknown>`(${object}).tolist() if hasattr(${object}, "tolist") else ${object}`;
    if (typeof plain !== "function") return plain as T;
    return (await (plain as unknown as { valueOf(): Promise<unknown> }).valueOf()) as T; // pythonia: valueOf() reads JSON
  }

  /**
   * Ends the interpreter: pythonia's exit (SIGTERM), then SIGKILL if it has not left within 2 s. Calls still in
   * flight reject. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return this.exited;
    this.closed = true;
    if (openSession === this) openSession = undefined;
    this.failPending("the Python session was closed", "INTEROP_FAILED");
    if (this.bridge.com.proc === this.child) this.bridge.python.exit();
    else if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), EXIT_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
    this.dropExitCleanup();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private timed<T>(what: string, call: Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError(what));
    return new Promise<T>((resolvePromise, reject) => {
      const fail = (error: MixmaskError): void => {
        clearTimeout(timer);
        this.pending.delete(fail);
        reject(error);
      };
      const timer = setTimeout(() => {
        fail(
          new MixmaskError({
            code: "INTEROP_TIMEOUT",
            message: `${what} did not return within ${this.callTimeoutMs} ms; the Python interpreter was ended (its state is unknown after an abandoned call)`,
            fix: "raise callTimeoutMs for long computations, or send less data per call (pythonia moves 34–50 MB/s), then open a new session",
          }),
        );
        void this.close();
      }, this.callTimeoutMs);
      this.pending.add(fail);
      call.then(
        (value) => {
          clearTimeout(timer);
          this.pending.delete(fail);
          resolvePromise(value);
        },
        (error: unknown) => fail(pythonError(what, error, this.interpreter)),
      );
    });
  }

  private failPending(message: string, code: "INTEROP_FAILED"): void {
    for (const fail of [...this.pending])
      fail(new MixmaskError({ code, message, fix: "see the Python output above; open a new session to continue" }));
  }

  private assertOpen(what: string): void {
    if (this.closed) throw closedError(what);
  }
}

/** Runs `body` with a fresh session and always ends the interpreter afterwards, whether `body` returns or throws. */
export async function withPython<T>(
  body: (python: PythonSession) => Promise<T>,
  options: PythonSessionOptions = {},
): Promise<T> {
  const session = await PythonSession.open(options);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

/** The interpreter as an absolute path, checked by running it (a bare name like `python3` is looked up in PATH). */
function interpreterPath(python: string | undefined): string {
  const chosen = resolvePython(python);
  const probe = spawnSync(chosen, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8", timeout: 30_000 });
  const executable = probe.status === 0 ? probe.stdout.trim() : "";
  if (!executable) {
    throw new MixmaskError({
      code: "PYTHON_MISSING",
      message: `the Python interpreter ${chosen} does not run (${probe.error?.message ?? (probe.stderr.trim() || `exit ${probe.status}`)})`,
      fix: "run `npm run setup` (creates .venv), or set the `python` option / MIXMASK_PYTHON to a working Python ≥ 3.10",
    });
  }
  // The venv's own path, not the base interpreter its symlink points to: the venv's packages must be importable.
  return isAbsolute(chosen) ? chosen : executable;
}

function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

function closedError(what: string): MixmaskError {
  return new MixmaskError({
    code: "INTEROP_FAILED",
    message: `${what}: the Python session is closed`,
    fix: "open a new session (PythonSession.open or withPython)",
  });
}

/** pythonia's PythonException keeps the Python error only in its (coloured) stack text: take its last error line. */
function pythonError(what: string, error: unknown, interpreter: string): MixmaskError {
  if (error instanceof MixmaskError) return error;
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
  // eslint-disable-next-line no-control-regex -- removing the terminal colour codes pythonia adds
  const plain = text.replace(/\u001b\[[0-9;]*m/g, "");
  const marked = plain.split("\n").find((line) => line.includes("🌉") || line.includes("*** JS ***"));
  const line = (marked ?? plain.split("\n").find((l) => l.trim()) ?? "unknown error")
    .replace("🌉", "")
    .replace("*** JS ***", "")
    .trim();
  const missing = /ModuleNotFoundError: No module named '([^']+)'/.exec(line)?.[1];
  return new MixmaskError({
    code: "INTEROP_FAILED",
    message: `${what} failed in Python: ${line}`,
    fix: missing
      ? `install it into ${interpreter}: \`${interpreter} -m pip install ${missing}\` (npm run setup installs python_worker/requirements-dev.txt)`
      : "see the Python traceback in the error's cause",
    cause: error,
  });
}

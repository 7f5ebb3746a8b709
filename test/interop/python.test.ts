import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { PythonSession, withPython } from "../../src/interop/python.js";
import { processAlive } from "../helpers/process-alive.js";

interface NumpyModule {
  array(values: number[][]): Promise<{ mean(): Promise<unknown>; T: Promise<unknown> }>;
  float64(x: number): Promise<unknown>;
}
interface TimeModule {
  sleep(seconds: number): Promise<null>;
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !processAlive(pid);
}

/** Starts test/fixtures/hold-python.ts; resolves with the interpreter's pid once the session answered. */
async function holdPython(...args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/hold-python.ts", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
    void exited.then(({ code }) => reject(new Error(`fixture exited early with ${code}`)));
  });
  const [pid, root] = line.split(" ").map(Number);
  return { child, exited, pid: pid!, root };
}

describe("Python interop through pythonia", () => {
  it("calls numpy in the worker's interpreter, reads results as JavaScript values and ends the interpreter on close", async () => {
    const session = await PythonSession.open();
    const pid = session.pid!;
    expect(session.interpreter).toMatch(/\.venv\/bin\/python$/);
    const np = await session.import<NumpyModule>("numpy");
    const a = await np.array([
      [1, 2],
      [3, 4],
    ]);
    expect(await session.value(await a.mean())).toBe(2.5); // a numpy scalar
    expect(await session.value(await a.T)).toEqual([
      [1, 3],
      [2, 4],
    ]); // an awaited attribute holding an array
    expect(await session.eval<number>`${a}.shape[0] + ${40}`).toBe(42);
    await expect(PythonSession.open()).rejects.toThrow(/already open/);
    await session.close();
    expect(await gone(pid)).toBe(true);
    await session.close(); // idempotent
    await expect(np.float64(1)).rejects.toThrow(/session is closed/);
  });

  it("turns Python exceptions into INTEROP_FAILED with the Python error, and names the package a failed import needs", async () => {
    await withPython(async (py) => {
      const math = await py.import<{ sqrt(x: number): Promise<number> }>("math");
      await expect(math.sqrt(-1)).rejects.toMatchObject({
        code: "INTEROP_FAILED",
        message: expect.stringContaining("ValueError: math domain error"),
      });
      const error = await py.import("no_such_package_here").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MixmaskError);
      expect((error as MixmaskError).fix).toMatch(/-m pip install no_such_package_here/);
      expect(await math.sqrt(16)).toBe(4); // the session survives a Python exception
    });
  });

  it("ends the interpreter when a call outlives its timeout, and withPython ends it when the body throws", async () => {
    const session = await PythonSession.open({ callTimeoutMs: 300 });
    const pid = session.pid!;
    const time = await session.import<TimeModule>("time");
    const started = Date.now();
    await expect(time.sleep(30)).rejects.toMatchObject({ code: "INTEROP_TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await gone(pid)).toBe(true);
    await expect(time.sleep(0)).rejects.toThrow(/session is closed/);

    let inside = 0;
    await expect(
      withPython(async (py) => {
        inside = py.pid!;
        throw new Error("the notebook cell failed");
      }),
    ).rejects.toThrow("the notebook cell failed");
    expect(await gone(inside)).toBe(true);
  });

  it("SIGTERM to the process holding a session kills the interpreter and ends the process with the signal", async () => {
    const { child, exited, pid, root } = await holdPython();
    expect(root).toBe(3);
    expect(processAlive(pid)).toBe(true);
    child.kill("SIGTERM");
    expect((await exited).signal).toBe("SIGTERM");
    expect(await gone(pid)).toBe(true);
  });

  it("a script that forgets close() still ends, and takes its interpreter with it", async () => {
    const { exited, pid } = await holdPython("forget");
    expect((await exited).code).toBe(0);
    expect(await gone(pid)).toBe(true);
  });
});

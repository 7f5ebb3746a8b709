import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { prepareRunDir } from "../../src/train/run-dir-guard.js";
import { RunLock } from "../../src/train/run-lock.js";

const fresh = (): string => mkdtempSync(join(tmpdir(), "mixmask-lock-"));
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (error) {
    return error instanceof MixmaskError ? `${error.code}: ${error.message}` : String(error);
  }
  return undefined;
};
/** The pid of a process that has certainly exited. */
const deadPid = (): number =>
  Number(spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout.trim());

describe("run.lock", () => {
  it("holds pid, host and start time; a second taker is refused with the owner named; release frees it", () => {
    const dir = fresh();
    const lock = RunLock.acquire(dir);
    const owner = JSON.parse(readFileSync(join(dir, "run.lock"), "utf8")) as {
      pid: number;
      host: string;
      startedAt: string;
    };
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Date.parse(owner.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(codeOf(() => RunLock.acquire(dir))).toMatch(
      new RegExp(`^RUN_DIR_LOCKED: .*pid ${process.pid} on ${hostname()}, since ${owner.startedAt}`),
    );
    lock.release();
    expect(existsSync(join(dir, "run.lock"))).toBe(false);
    RunLock.acquire(dir).release();
    expect(readdirSync(dir)).toEqual([]); // nothing left aside
  });

  it("takes over a stale lock (its pid is gone on this host) with a note, and refuses another host's", () => {
    const dir = fresh();
    const pid = deadPid();
    writeFileSync(
      join(dir, "run.lock"),
      JSON.stringify({ pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z", command: "x" }),
    );
    const notes: string[] = [];
    const lock = RunLock.acquire(dir, (l) => notes.push(l));
    expect(notes.join("\n")).toMatch(new RegExp(`removed a stale lock of pid ${pid}`));
    expect(JSON.parse(readFileSync(join(dir, "run.lock"), "utf8")).pid).toBe(process.pid);
    lock.release();

    writeFileSync(
      join(dir, "run.lock"),
      JSON.stringify({ pid, host: "gpu-box-7", startedAt: "2026-01-01T00:00:00.000Z", command: "x" }),
    );
    expect(codeOf(() => RunLock.acquire(dir))).toMatch(
      /^RUN_DIR_LOCKED: .*pid \d+ on gpu-box-7[\s\S]*fix: .*delete .*run\.lock/,
    );
    writeFileSync(join(dir, "run.lock"), "{torn");
    expect(codeOf(() => RunLock.acquire(dir))).toMatch(/^RUN_DIR_LOCKED: .*an unreadable lock file/);
  });
});

describe("a non-empty run directory", () => {
  const finishedRun = (): string => {
    const dir = fresh();
    for (const f of ["config.json", "metrics.jsonl", "summary.json", "report.md"]) writeFileSync(join(dir, f), "{}");
    mkdirSync(join(dir, "checkpoints"));
    writeFileSync(join(dir, "checkpoints/step-0000004.pt"), "x");
    mkdirSync(join(dir, "plots"));
    return dir;
  };

  it("is refused without --resume or --overwrite, naming what it holds and both flags", () => {
    const dir = finishedRun();
    expect(codeOf(() => prepareRunDir(dir, {}))).toMatch(
      /^RUN_DIR_NOT_EMPTY: .*not empty \(checkpoints, config\.json, metrics\.jsonl, plots, report\.md, summary\.json\): it holds a finished run[\s\S]*--overwrite/,
    );
    expect(readdirSync(dir).length).toBe(6); // nothing touched
    expect(prepareRunDir(dir, { resume: true })).toBeUndefined();
    expect(codeOf(() => prepareRunDir(dir, { resume: true, overwrite: true }))).toMatch(
      /^INVALID_OPTION: .*--overwrite: --resume continues/,
    );
    const empty = fresh();
    mkdirSync(join(empty, "checkpoints")); // what RunDirectory creates
    expect(prepareRunDir(empty, {})).toBeUndefined();
  });

  it("--overwrite removes the old run's files and nothing else, and says what it kept", () => {
    const dir = finishedRun();
    writeFileSync(join(dir, "my-notes.txt"), "keep me");
    expect(prepareRunDir(dir, { overwrite: true })).toMatch(/kept what is not a run's own: my-notes\.txt/);
    expect(readdirSync(dir)).toEqual(["my-notes.txt"]);
  });
});

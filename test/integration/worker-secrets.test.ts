/**
 * The access token stays a secret on this machine: a token file others can read is refused, and a spawned worker
 * gets its token through a pipe, so it is in no process's environment (/proc/PID/environ) and nothing the worker
 * starts inherits it — not even a token of this process's own environment meant for a remote worker.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { readTokenFile, TOKEN_ENV } from "../../src/worker/worker-access.js";
import { Worker } from "../../src/worker/worker.js";

const dir = mkdtempSync(join(tmpdir(), "mixmask-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the access token stays secret", () => {
  it("refuses a --worker-token-file that other users can read, naming the chmod", () => {
    const file = join(dir, "token");
    writeFileSync(file, "0123456789abcdef0123456789abcdef\n");
    chmodSync(file, 0o644);
    const error = (() => {
      try {
        readTokenFile(file);
      } catch (e) {
        return e as MixmaskError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MixmaskError);
    expect(error).toMatchObject({ code: "INVALID_OPTION", path: "--worker-token-file", received: "mode 0644" });
    expect(error!.fix).toContain(`chmod 600 ${file}`);
    chmodSync(file, 0o600);
    expect(readTokenFile(file)).toBe("0123456789abcdef0123456789abcdef");
    expect(() => readTokenFile(join(dir, "missing"))).toThrow(/cannot read .*missing/);
  });

  it("a spawned worker has no token in its environment: its own came through a pipe", async () => {
    const before = process.env[TOKEN_ENV];
    process.env[TOKEN_ENV] = "remote-worker-secret-0123456789abcdef";
    try {
      await using worker = await Worker.spawn({ device: "cpu", threads: 1, datasetCacheDir: false });
      const environ = readFileSync(`/proc/${worker.info.pid}/environ`, "latin1").split("\0");
      expect(environ.filter((entry) => entry.startsWith(`${TOKEN_ENV}=`))).toEqual([]);
      expect(environ.some((entry) => entry.startsWith("PYTHONPATH="))).toBe(true); // the right file was read
    } finally {
      if (before === undefined) delete process.env[TOKEN_ENV];
      else process.env[TOKEN_ENV] = before;
    }
  }, 120_000);
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEndpointsFile, waitForEndpointsFile } from "../../src/distributed/endpoints-file.js";
import { MixmaskError } from "../../src/errors.js";

const VALID = {
  format: "mixmask-endpoints",
  version: 1,
  protocolVersion: 3,
  launchId: "abc",
  worldSize: 2,
  backend: "gloo",
  ranks: [
    { rank: 0, localRank: 0, host: "a", pid: 10, endpoint: "unix:/tmp/x/rank-0.sock" },
    { rank: 1, localRank: 1, host: "a", pid: 11, endpoint: "unix:/tmp/x/rank-1.sock" },
  ],
};

describe("endpoints file", () => {
  it("parses the file rank 0 writes and refuses foreign or torn files with INVALID_FILE", () => {
    expect(parseEndpointsFile("e.json", JSON.stringify(VALID)).ranks[1]!.endpoint).toBe("unix:/tmp/x/rank-1.sock");
    expect(() => parseEndpointsFile("e.json", "{")).toThrow(/e.json: is not JSON/);
    const foreign = (() => {
      try {
        parseEndpointsFile("e.json", JSON.stringify({ ...VALID, format: "other", worldSize: "2" }));
      } catch (e) {
        return e as MixmaskError;
      }
    })();
    expect(foreign?.code).toBe("INVALID_FILE");
    expect(foreign?.issues.map((i) => i.path)).toEqual(["e.json:format", "e.json:worldSize"]);
  });

  it("waits for the file, and stops waiting when the launch failed or the time is up", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mixmask-ep-"));
    const path = join(dir, "endpoints.json");
    setTimeout(() => writeFileSync(path, JSON.stringify(VALID)), 150);
    await expect(waitForEndpointsFile(path, 5_000)).resolves.toMatchObject({ launchId: "abc" });
    const failed = new MixmaskError({ code: "WORKER_START_FAILED", message: "launch ended" });
    await expect(waitForEndpointsFile(join(dir, "never.json"), 5_000, () => failed)).rejects.toBe(failed);
    await expect(waitForEndpointsFile(join(dir, "never.json"), 150)).rejects.toThrow(/no endpoints file after 150 ms/);
  });
});

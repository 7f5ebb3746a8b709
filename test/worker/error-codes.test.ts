import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/errors.js";
import { mixmask } from "../../src/worker/generated/mixmask.js";

/** The `ErrorCode` enum of proto/mixmask/v1/worker.proto as written there, name -> number. */
function protoErrorCodes(): Map<string, number> {
  const proto = readFileSync(new URL("../../proto/mixmask/v1/worker.proto", import.meta.url), "utf8");
  const body = /enum ErrorCode \{([\s\S]*?)\n\}/.exec(proto)?.[1] ?? "";
  return new Map([...body.matchAll(/^\s*([A-Z_]+)\s*=\s*(\d+);/gm)].map((m) => [m[1]!, Number(m[2])]));
}

describe("the one error-code table", () => {
  it("the ErrorCode union of src/errors.ts names exactly the proto's ErrorCode enum", () => {
    const proto = [...protoErrorCodes().keys()].filter((name) => name !== "ERROR_CODE_UNSPECIFIED");
    expect(proto.length).toBeGreaterThan(20);
    expect([...ERROR_CODES].sort()).toEqual(proto.sort());
  });

  it("the generated code carries the same enum as the .proto (npm run gen was run)", () => {
    const generated = Object.entries(mixmask.v1.ErrorCode).filter(([name]) => Number.isNaN(Number(name)));
    expect(new Map(generated)).toEqual(protoErrorCodes());
  });
});

import { describe, expect, it } from "vitest";
import { MixmaskError } from "../src/errors.js";
import { importOptional, isInstalled } from "../src/optional-dependency.js";

describe("optional npm packages", () => {
  it("a package that does not load is DEPENDENCY_MISSING naming the feature and the install command", async () => {
    const error = await importOptional("onnxruntime-node", () =>
      Promise.reject(new Error("Cannot find package 'onnxruntime-node'")),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MixmaskError);
    expect(error).toMatchObject({ code: "DEPENDENCY_MISSING", path: "onnxruntime-node" });
    expect((error as MixmaskError).message).toMatch(/OnnxEmbedder .*Cannot find package/);
    expect((error as MixmaskError).fix).toBe(
      "run `ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node` in your app",
    );
  });

  it("a failed load is not remembered: installing the package mid-session is picked up", async () => {
    await expect(importOptional("pythonia", () => Promise.reject(new Error("absent")))).rejects.toThrow(
      /DEPENDENCY_MISSING/,
    );
    await expect(importOptional("pythonia", () => Promise.resolve("loaded now"))).resolves.toBe("loaded now");
  });

  it("isInstalled finds what this repo installed, without loading it", () => {
    expect(isInstalled("zeromq")).toBe(true);
    expect(isInstalled("sharp")).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { CPU_PRESET } from "../../src/config/presets.js";
import { validatePretrainConfig } from "../../src/config/pretrain-config.js";
import { MixmaskError } from "../../src/errors.js";
import { assertWorkerCompiles, runRequest } from "../../src/train/run-request.js";
import { mixmask } from "../../src/worker/generated/mixmask.js";

const NORMALISATION = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };

/** The CreateRunRequest the worker decodes from what the SDK sends. */
function onTheWire(config: unknown): mixmask.v1.CreateRunRequest {
  const request = runRequest("run", validatePretrainConfig(config), "train", NORMALISATION);
  return mixmask.v1.CreateRunRequest.decode(mixmask.v1.CreateRunRequest.encode(request).finish());
}

describe("runRequest", () => {
  it("sends the compile mode to the worker, and 'off' for a config that does not name one", () => {
    expect(onTheWire({ ...CPU_PRESET, compile: "reduce-overhead" }).compile).toBe("reduce-overhead");
    expect(onTheWire(CPU_PRESET).compile).toBe("off");
    const { compile: _omitted, ...older } = CPU_PRESET;
    expect(onTheWire(older).compile).toBe("off");
  });

  it("refuses a compile the worker does not announce, and lets 'off' through any worker", () => {
    expect(() => assertWorkerCompiles({ compile: "default" }, ["zmq", "compile"])).not.toThrow();
    expect(() => assertWorkerCompiles({ compile: "off" }, [])).not.toThrow();
    expect(() => assertWorkerCompiles({}, [])).not.toThrow();
    let caught: unknown;
    try {
      assertWorkerCompiles({ compile: "max-autotune" }, ["zmq"]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MixmaskError);
    expect(caught).toMatchObject({ code: "INVALID_OPTION", path: "--compile", received: '"max-autotune"' });
    expect((caught as MixmaskError).fix).toMatch(/--compile off/);
  });
});

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * Every notebook-like script in examples/ runs as a user would run it (`npx tsx examples/NAME.ts`), at the tiny size
 * CI can afford, in a real subprocess with a real worker. The checks are the lines a reader looks for, not numbers:
 * tiny runs prove the code path, not the method.
 */
async function runExample(name: string): Promise<{ stdout: string; seconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", `examples/${name}.ts`, "--tiny"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const seconds = (performance.now() - started) / 1000;
  console.log(`examples/${name}.ts --tiny: ${seconds.toFixed(1)} s`);
  expect(stderr, `stderr of examples/${name}.ts`).toBe("");
  expect(code, `exit code of examples/${name}.ts\n${stdout}`).toBe(0);
  return { stdout, seconds };
}

describe("examples/ at the tiny size", () => {
  it("01-quick-start pretrains, compares k-NN before and after, and exports four formats", async () => {
    const { stdout } = await runExample("01-quick-start");
    expect(stdout).toMatch(/k-NN top-1 \(test images\)\s+0\.\d{4}\s+0\.\d{4}/);
    expect(stdout).toMatch(/safetensors\s+backbone\.safetensors/);
    expect(stdout).toMatch(/onnx\s+backbone\.onnx\s+[\d.]+\s+max \|Δ\| /);
    expect(stdout).toContain("exported 4 formats");
  });

  it("02-compare-maskers prints one row per masker with mean ± std over two seeds, and writes a report", async () => {
    const { stdout } = await runExample("02-compare-maskers");
    for (const masker of ["none", "mixmask", "erase"])
      expect(stdout).toMatch(
        new RegExp(`^\\s+masker=${masker}\\s+0\\.\\d{4} ± 0\\.\\d{4}\\s+0\\.\\d{4} ± 0\\.\\d{4}`, "m"),
      );
    expect(stdout).toMatch(/highest mean k-NN: masker=(none|mixmask|erase)/);
    const report = /report with plots: (\S+)/.exec(stdout)?.[1];
    expect(report && existsSync(report)).toBe(true);
  });

  it("03-custom-image-folder draws a folder of PNGs, reads it and pretrains on it", async () => {
    const { stdout } = await runExample("03-custom-image-folder");
    expect(stdout).toMatch(/train\s+90\s+circles, squares, stripes\s+32 × 32 × 3/);
    expect(stdout).toMatch(/test\s+30\s+/);
    expect(stdout).toMatch(/chance 0\.333\)\s+0\.\d{4}\s+0\.\d{4}/);
  });

  it("04-image-search embeds a gallery with onnxruntime-node and writes the neighbours of each query", async () => {
    const { stdout } = await runExample("04-image-search");
    expect(stdout).toMatch(/128 images → 128 × 64 unit vectors/);
    expect(stdout).toMatch(/query 0 \(Ankle boot\):\n\s+1\.\s+#\d+/);
    expect(stdout).toMatch(/precision@5 over all 128 queries: 0\.\d{3}/);
    const sheet = /contact sheet .*: (\S+\.png)/.exec(stdout)?.[1];
    expect(sheet && existsSync(sheet)).toBe(true);
  });

  it("05-sklearn-linear-probe fits scikit-learn through pythonia and prints it beside our k-NN", async () => {
    const { stdout } = await runExample("05-sklearn-linear-probe");
    expect(stdout).toMatch(/StandardScaler \+ LogisticRegression \(scikit-learn \d+\.\d+/);
    expect(stdout).toMatch(/weighted k-NN, worker \(k = 20, T = 0\.1\)\s+0\.\d{4}/);
    expect(stdout).toMatch(/logistic regression, scikit-learn\s+0\.\d{4}/);
    expect(stdout).toMatch(/linear probe, worker \(100 epochs, SGD lr 30, last epoch\)\s+0\.\d{4}/);
    expect(stdout).toMatch(/our probe − scikit-learn: [+-]\d+\.\d points/);
  });
});

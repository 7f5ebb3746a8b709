// Must compile under --strict with both moduleResolution nodenext and bundler: the package's types as an app sees them.
import { defineConfig, MixmaskError, pretrain, Worker, type PretrainConfig, type PretrainSummary } from "mixmask";
import { withPython } from "mixmask/interop";

export const config: PretrainConfig = defineConfig({ masker: "mixmask", batchSize: 64, epochs: 1 });
export async function run(): Promise<PretrainSummary> {
  const worker = await Worker.spawn();
  try {
    return await pretrain(config, { worker });
  } catch (error) {
    if (error instanceof MixmaskError && error.code === "DEPENDENCY_MISSING") console.error(error.fix);
    throw error;
  } finally {
    await worker.close();
  }
}
export const interop: typeof withPython = withPython;

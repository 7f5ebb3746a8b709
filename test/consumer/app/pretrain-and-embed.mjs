// A plain Node ES module, as an app that ran `npm install mixmask` writes it: no TypeScript, no tsx, no build.
import { defineConfig, embed, loadFashionMnist, pretrain, Worker } from "mixmask";

const config = defineConfig({
  trainImages: 64,
  testImages: 32,
  batchSize: 32,
  epochs: 1,
  warmupEpochs: 0,
  baseWidth: 8,
  headHiddenDim: 32,
  headOutDim: 16,
  queueSize: 64,
  knnK: 20,
  threads: 1,
  runDir: "runs/app",
});
const data = await loadFashionMnist({ trainImages: config.trainImages, testImages: config.testImages });
const worker = await Worker.spawn({ threads: 1, device: "cpu" });
try {
  const summary = await pretrain(config, { worker, datasets: data });
  const four = { ...data.test, count: 4, pixels: data.test.pixels.subarray(0, 4 * 28 * 28) };
  const features = await embed(worker, "pretrain", four, { normalize: true });
  console.log(
    JSON.stringify({
      steps: summary.steps,
      embedded: features.count,
      dim: features.dim,
      source: data.source.kind,
      torch: worker.info.torchVersion,
    }),
  );
} finally {
  await worker.close();
}

// A second opinion on our linear probe: scikit-learn's logistic regression, trained through pythonia in the worker's
// Python on the same frozen embeddings of our pretrained backbone, beside the worker's own linear probe (the release's
// protocol: SGD, lr 30, 100 epochs) and its weighted k-NN. Two implementations of a linear read-out of the same
// features should land close to each other; a large gap would point at a bug in one of them.
//
//   npx tsx examples/05-sklearn-linear-probe.ts          # the CPU preset: 10 000 images, 8 epochs (about 6 minutes)
//   npx tsx examples/05-sklearn-linear-probe.ts --tiny   # 256 training images, 2 epochs (CI)
import {
  CPU_PRESET,
  embed,
  evaluateKnn,
  loadFashionMnist,
  pretrain,
  uploadDataset,
  validatePretrainConfig,
  Worker,
} from "mixmask";
import { withPython } from "mixmask/interop";
import { exampleDir, heading, sized, table, TINY, TINY_MODEL, WORKER_OPTIONS } from "./support/example-size.js";

// The slice of scikit-learn this story calls, described for TypeScript (pythonia passes arrays as Python lists and
// `name$({...})` as keyword arguments). Nothing checks these against Python: declare only what you call.
interface Pipeline {
  fit(x: number[][], y: number[]): Promise<Pipeline>;
  score(x: number[][], y: number[]): Promise<number>;
}
interface SklearnPipeline {
  make_pipeline(...steps: unknown[]): Promise<Pipeline>;
}
interface SklearnPreprocessing {
  StandardScaler(): Promise<unknown>;
}
interface SklearnLinearModel {
  LogisticRegression$(kwargs: { max_iter: number; C: number }): Promise<unknown>;
}

heading("1. Pretrain");
const config = validatePretrainConfig({
  ...CPU_PRESET,
  ...sized({}, { ...TINY_MODEL, trainImages: 256, testImages: 128, epochs: 2 }),
  runDir: exampleDir("sklearn-probe"),
});
const data = await loadFashionMnist({ trainImages: config.trainImages, testImages: config.testImages });
await using worker = await Worker.spawn(WORKER_OPTIONS);
const summary = await pretrain(config, { worker, datasets: data });
console.log(
  `${config.trainImages} images, ${summary.steps} steps; k-NN top-1 ${summary.knnInit.top1.toFixed(4)} → ${summary.knnFinal.top1.toFixed(4)}`,
);

heading("2. Embeddings from the worker");
// "pretrain" is the id of the run on this worker; its backbone embeds with the k-NN preprocessing, in eval mode.
const train = await embed(worker, "pretrain", data.train);
const test = await embed(worker, "pretrain", data.test);
console.log(`train ${train.count} × ${train.dim}, test ${test.count} × ${test.dim} float32 features`);

heading("3. scikit-learn through pythonia");
const started = performance.now();
const probe = await withPython(async (py) => {
  const { make_pipeline } = await py.import<SklearnPipeline>("sklearn.pipeline");
  const { StandardScaler } = await py.import<SklearnPreprocessing>("sklearn.preprocessing");
  const { LogisticRegression$ } = await py.import<SklearnLinearModel>("sklearn.linear_model");
  const version = await py.eval<string>`__import__("sklearn").__version__`;
  const model = await make_pipeline(await StandardScaler(), await LogisticRegression$({ max_iter: 1000, C: 1.0 }));
  await model.fit(train.toArrays(), Array.from(data.train.labels));
  return { version, accuracy: await model.score(test.toArrays(), Array.from(data.test.labels)) };
}); // the Python interpreter has exited here, even if a call above had thrown
console.log(
  `StandardScaler + LogisticRegression (scikit-learn ${probe.version}), fitted in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

heading("4. Two readers of the same features");
// Our k-NN once more on exactly these splits (pretrain's was on the same images; this one is explicit).
const bank = await uploadDataset(worker, data.train);
const queries = await uploadDataset(worker, data.test);
const knn = await evaluateKnn(worker, "pretrain", bank.id, queries.id, {
  k: config.knnK,
  temperature: config.knnTemperature,
});
const ours = summary.evaluations.linearProbe!;
table([
  ["reader", "test top-1"],
  [
    `linear probe, worker (${ours.settings.epochs} epochs, SGD lr ${ours.settings.lr}, last epoch)`,
    ours.lastTop1.toFixed(4),
  ],
  ["logistic regression, scikit-learn", probe.accuracy.toFixed(4)],
  [`weighted k-NN, worker (k = ${knn.k}, T = ${knn.temperature})`, knn.top1.toFixed(4)],
  ["linear probe of the untrained encoder", summary.evaluations.linearProbeInit!.lastTop1.toFixed(4)],
]);
const gap = ours.lastTop1 - probe.accuracy;
console.log(
  `\nour probe − scikit-learn: ${gap >= 0 ? "+" : ""}${(gap * 100).toFixed(1)} points (scikit-learn standardises the features and uses L2-regularised`,
);
console.log("L-BFGS; ours is the release's SGD recipe on raw features, so a few points either way are expected).");
if (TINY) console.log("(tiny size: these numbers are noise)");

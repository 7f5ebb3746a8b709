/**
 * The mixmask SDK, for app developers: pretrain a ConvNet (`pretrain`, presets, config validation), compare
 * configurations, evaluate and export a run, embed images with the trained encoder, the workers that do the tensor
 * work, the dataset loaders, progress reporters and errors. The method's building blocks (planners, masks, maskers,
 * frameworks, loss terms, random streams, report pieces) live at `mixmask/method`; Python interop for notebook-like
 * scripts at `mixmask/interop`.
 *
 * @module mixmask
 */
export { MixmaskError, type ErrorCode, type ErrorIssue, type Diagnostics } from "./errors.js";
export { validatePretrainConfig, PretrainConfigSchema, type PretrainConfig } from "./config/pretrain-config.js";
export { defineConfig, type PretrainConfigInput } from "./config/define-config.js";
export {
  PRESETS,
  CPU_PRESET,
  GPU_PRESET,
  CIFAR_PRESET,
  IMAGENET_PRESET,
  resolveConfig,
  frameworkDefaults,
  type PresetName,
} from "./config/presets.js";
export type { FrameworkName } from "./frameworks/framework.js";
export type { MaskerName } from "./maskers/masker.js";
export { pretrain, type PretrainOptions, type PretrainSummary } from "./train/pretrain.js";
export { pretrainWithRestarts, type RestartingPretrainOptions } from "./train/restarting-pretrain.js";
export { TerminalProgress, silentProgress, type ProgressReporter, type ProgressSnapshot } from "./train/progress.js";
export { readCheckpointManifest, type CheckpointManifest } from "./train/checkpoint-manifest.js";
export { Worker, type WorkerOptions, type WorkerInfo, type ConnectOptions } from "./worker/worker.js";
export type { WorkerAccess } from "./worker/worker-access.js";
export type { DeadlinesMs } from "./worker/worker-client.js";
export {
  WorkerGroup,
  type RankWorker,
  type SpawnGroupOptions,
  type ConnectGroupOptions,
} from "./distributed/worker-group.js";
export {
  compare,
  type CompareOptions,
  type ComparisonResults,
  type ComparisonConfiguration,
  type ComparisonRun,
} from "./compare/compare.js";
export { parseVariations, type Variation } from "./compare/variations.js";
export { writeComparisonReport, comparisonRows, type ComparisonRow } from "./report/comparison-report.js";
export { evaluateRun, type EvaluationOverrides } from "./eval/evaluate-run.js";
export { evaluateKnn, type FeatureSource, type KnnOptions, type KnnResult } from "./eval/knn.js";
export {
  evaluateLinearProbe,
  RELEASE_LINEAR_PROBE,
  type LinearProbeOptions,
  type LinearProbeResult,
} from "./eval/linear-probe.js";
export {
  evaluateSemiSupervised,
  SIMCLR_SEMI_SUPERVISED,
  type SemiSupervisedOptions,
  type SemiSupervisedResult,
} from "./eval/semi-supervised.js";
export type { RunEvaluations, KnnPoint } from "./eval/run-evaluator.js";
export type { BaselineKnn, BaselineResults, RunBaselines } from "./eval/pixel-baseline.js";
export type { HealthCheck, HealthWarning } from "./train/health-monitor.js";
export { exportRun, type ExportOptions } from "./export/export-run.js";
export {
  readExportManifest,
  verifyExportedFile,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportManifest,
  type ExportedFile,
} from "./export/export-manifest.js";
export { embed, type EmbedOptions, type UploadedImages } from "./embed/embed.js";
export { loadBackbone, type LoadedBackbone, type BackboneSource } from "./embed/load-backbone.js";
export { Embeddings } from "./embed/embeddings.js";
export type { ImageBatch } from "./embed/image-batch.js";
export { OnnxEmbedder, type OnnxEmbedderOptions } from "./embed/onnx-embedder.js";
export { previewBatch, type PreviewBatch, type PreviewColumn, type PreviewOptions } from "./preview/preview-batch.js";
export { renderPreviewPng } from "./preview/render-grid.js";
export type { ImageDataset } from "./data/image-dataset.js";
export { materialize, sourceOf, type ImageSource, type DatasetSplits } from "./data/image-source.js";
export { openDataset, type OpenDatasetOptions } from "./data/open-dataset.js";
export { DATASET_NAMES, type DatasetName } from "./data/dataset-names.js";
export { loadFashionMnist, FASHION_MNIST_DIR } from "./data/fashion-mnist.js";
export { loadCifar10, loadCifar100, type CifarOptions, type Cifar100Options } from "./data/cifar.js";
export { loadTinyImagenet, type TinyImagenetOptions } from "./data/tiny-imagenet.js";
export { loadImageFolder, type ImageFolderOptions } from "./data/image-folder.js";
export type { DecodeReport } from "./data/decoded-image-source.js";
export { loadIdxDataset, type IdxDatasetOptions } from "./data/idx-dataset.js";
export { syntheticDataset, type SyntheticOptions } from "./data/synthetic.js";
export {
  uploadDataset,
  type UploadOptions,
  type UploadResult,
  type TransferProgress,
} from "./worker/upload-dataset.js";
export type { LaneKind, LanePreference } from "./worker/bulk-lane.js";

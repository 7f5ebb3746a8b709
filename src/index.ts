/**
 * The mixmask SDK: pretraining (`pretrain`, presets, config validation), datasets, the method's planners (masks,
 * augmentation, loss terms), workers, checkpoints, k-NN, and using the trained encoder afterwards (`exportRun`,
 * `embed`, `loadBackbone`, `OnnxEmbedder`). Python interop for notebook-like scripts lives at `mixmask/interop`.
 *
 * @module mixmask
 */
export { MixmaskError, type ErrorCode, type ErrorIssue, type Diagnostics } from "./errors.js";
export { validatePretrainConfig, PretrainConfigSchema, type PretrainConfig } from "./config/pretrain-config.js";
export { PRESETS, CPU_PRESET, GPU_PRESET, CIFAR_PRESET, IMAGENET_PRESET, resolveConfig, frameworkDefaults, type PresetName } from "./config/presets.js";
export { pretrain, type PretrainOptions, type PretrainSummary } from "./train/pretrain.js";
export { TerminalProgress, silentProgress, type ProgressReporter, type ProgressSnapshot } from "./train/progress.js";
export { Worker, type WorkerOptions, type WorkerInfo, type ConnectOptions } from "./worker/worker.js";
export type { WorkerAccess } from "./worker/worker-access.js";
export type { DeadlinesMs } from "./worker/worker-client.js";
export { pretrainWithRestarts, type RestartingPretrainOptions } from "./train/restarting-pretrain.js";
export { readCheckpointManifest, type CheckpointManifest } from "./train/checkpoint-manifest.js";
export type { TrainerState } from "./train/trainer-state.js";
export { evaluateKnn, type KnnOptions, type KnnResult } from "./eval/knn.js";
export { evaluateLinearProbe, RELEASE_LINEAR_PROBE, type LinearProbeOptions, type LinearProbeResult } from "./eval/linear-probe.js";
export { evaluateSemiSupervised, semiSupervisedEpochs, SIMCLR_SEMI_SUPERVISED, type SemiSupervisedOptions, type SemiSupervisedResult } from "./eval/semi-supervised.js";
export { labelledSubset } from "./eval/labelled-subset.js";
export { RunEvaluator, evaluationOptions, type RunEvaluations, type KnnPoint } from "./eval/run-evaluator.js";
export { evaluateRun, type EvaluationOverrides } from "./eval/evaluate-run.js";
export { compare, type CompareOptions, type ComparisonResults, type ComparisonConfiguration, type ComparisonRun } from "./compare/compare.js";
export { parseVariations, type Variation } from "./compare/variations.js";
export { meanStd, type MeanStd } from "./compare/stats.js";
export { writeRunReport } from "./report/run-report.js";
export { writeComparisonReport, comparisonRows, type ComparisonRow } from "./report/comparison-report.js";
export { lineChart, histogram, type ChartSpec, type LineChartInput, type LineSeries, type HistogramInput } from "./report/charts/chart-spec.js";
export { chartSvg, writeChartPng } from "./report/charts/render-chart.js";
export { writeSvgAsPng } from "./report/png-file.js";
export { loadFashionMnist, FASHION_MNIST_DIR } from "./data/fashion-mnist.js";
export { readIdx, parseIdx, type IdxArray } from "./data/idx.js";
export type { ImageDataset } from "./data/image-dataset.js";
export { materialize, sourceOf, headOf, type ImageSource, type DatasetSplits } from "./data/image-source.js";
export { openDataset, type OpenDatasetOptions } from "./data/open-dataset.js";
export { DATASET_NAMES, type DatasetName } from "./data/dataset-names.js";
export { loadCifar10, loadCifar100, type CifarOptions, type Cifar100Options } from "./data/cifar.js";
export { loadTinyImagenet, type TinyImagenetOptions } from "./data/tiny-imagenet.js";
export { loadImageFolder, type ImageFolderOptions } from "./data/image-folder.js";
export type { DecodeReport } from "./data/decoded-image-source.js";
export { loadIdxDataset, type IdxDatasetOptions } from "./data/idx-dataset.js";
export { syntheticDataset, type SyntheticOptions } from "./data/synthetic.js";
export { uploadDataset, contentSha256, type UploadOptions, type UploadResult, type TransferProgress } from "./worker/upload-dataset.js";
export { DatasetStream, type DatasetStreamOptions, type WorkerStreamStats } from "./worker/dataset-stream.js";
export type { LaneKind, LanePreference } from "./worker/bulk-lane.js";
export { Rng } from "./random/rng.js";
export { drawBlockMask, validateBlockMask, type BlockMaskOptions } from "./masking/block-mask.js";
export { keptPixelFraction } from "./masking/kept-fraction.js";
export { drawDiscreteMask, type DiscreteMaskOptions } from "./masking/discrete-mask.js";
export { planStepMasks, maskerIssues, MASKERS, type MaskerName, type MaskerOptions, type StepMasks } from "./masking/masker.js";
export type { CellMask, MaskFill, MaskShape, Pairing } from "./masking/cell-mask.js";
export type { UnmixMixture, UnmixOptions } from "./masking/unmix.js";
export { FRAMEWORKS } from "./frameworks/frameworks.js";
export type { Framework, FrameworkName } from "./frameworks/framework.js";
export { composeTerms, type QueryPiece, type ComposeOptions } from "./frameworks/compose-terms.js";
export type { LossTerm, BranchRef, InputName, EncoderName, TermKind } from "./frameworks/loss-term.js";
export { previewBatch, type PreviewBatch, type PreviewColumn, type PreviewOptions } from "./preview/preview-batch.js";
export { renderPreviewPng } from "./preview/render-grid.js";
export { StepPlanner } from "./train/step-planner.js";
export type { StepPlan } from "./train/step-plan.js";
export { WorkerGroup, type RankWorker, type SpawnGroupOptions, type ConnectGroupOptions } from "./distributed/worker-group.js";
export { ShardLayout } from "./distributed/shard-layout.js";
export { shardStepPlan, type RankShard, type RankStepPlan } from "./distributed/shard-plan.js";
export { exportRun, type ExportOptions } from "./export/export-run.js";
export { readExportManifest, verifyExportedFile, EXPORT_FORMATS, type ExportFormat, type ExportManifest, type ExportedFile } from "./export/export-manifest.js";
export type { BackboneSpec } from "./export/backbone-spec.js";
export { embed, type EmbedOptions, type UploadedImages } from "./embed/embed.js";
export { loadBackbone, type LoadedBackbone, type BackboneSource } from "./embed/load-backbone.js";
export { Embeddings } from "./embed/embeddings.js";
export type { ImageBatch } from "./embed/image-batch.js";
export { modelInput } from "./embed/model-input.js";
export { OnnxEmbedder, type OnnxEmbedderOptions } from "./embed/onnx-embedder.js";

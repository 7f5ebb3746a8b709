/**
 * The method's building blocks, for research code that plans or inspects steps itself (`mixmask/method`): the step
 * planner and its plan, the masks (src/masks/) and maskers (src/maskers/), the frameworks and their loss terms, the
 * seeded random streams, distributed sharding, the run evaluator, raw IDX files, dataset streams, and the report and
 * chart writers. An app that only trains, evaluates and uses a model needs the root `mixmask` instead.
 * docs/METHODS.md defines every piece; docs/ARCHITECTURE.md shows where each lives.
 *
 * @module mixmask/method
 */
export { StepPlanner, augmentationOptions, type SourceShape } from "./train/step-planner.js";
export type { StepPlan } from "./train/step-plan.js";
export type { TrainerState } from "./train/trainer-state.js";
export { Rng } from "./random/rng.js";
export { MASKERS, MASKER_NAMES, maskerIssues, planStepMasks, validatedMasker } from "./maskers/maskers.js";
export {
  maskStreams,
  type Masker,
  type MaskerOptions,
  type MaskStreams,
  type QueryPiece,
  type StepMasks,
} from "./maskers/masker.js";
export { drawBlockMask, validateBlockMask, type BlockMaskOptions } from "./masks/block-mask.js";
export { drawDiscreteMask, validateDiscreteMask, type DiscreteMaskOptions } from "./masks/discrete-mask.js";
export { keptPixelFraction, cellIndex } from "./masks/kept-fraction.js";
export { reversePartner, randomPartner, pairWithinShards, inversePermutation } from "./masks/partner.js";
export { maskRuleIssues, type MaskGeometry, type MaskRulePaths } from "./masks/mask-rules.js";
export { keepRatioAt } from "./masks/keep-ratio.js";
export {
  planCellMask,
  type CellMask,
  type CellMaskOptions,
  type MaskFill,
  type MaskShape,
  type Pairing,
} from "./masks/cell-mask.js";
export { planUnmix, type UnmixMixture, type UnmixOptions } from "./masks/unmix-mixture.js";
export { FRAMEWORKS } from "./frameworks/frameworks.js";
export type { Framework } from "./frameworks/framework.js";
export { composeTerms, type ComposeOptions } from "./frameworks/compose-terms.js";
export type { LossTerm, BranchRef, InputName, EncoderName, TermKind } from "./frameworks/loss-term.js";
export { ShardLayout } from "./distributed/shard-layout.js";
export { shardStepPlan, type RankShard, type RankStepPlan } from "./distributed/shard-plan.js";
export { RunEvaluator, evaluationOptions } from "./eval/run-evaluator.js";
export { labelledSubset } from "./eval/labelled-subset.js";
export { semiSupervisedEpochs } from "./eval/semi-supervised.js";
export { modelInput } from "./embed/model-input.js";
export type { BackboneSpec } from "./export/backbone-spec.js";
export { readIdx, parseIdx, type IdxArray } from "./data/idx.js";
export { headOf } from "./data/image-source.js";
export { contentSha256 } from "./worker/upload-dataset.js";
export { DatasetStream, type DatasetStreamOptions, type WorkerStreamStats } from "./worker/dataset-stream.js";
export { meanStd, type MeanStd } from "./compare/stats.js";
export { writeRunReport } from "./report/run-report.js";
export {
  lineChart,
  histogram,
  type ChartSpec,
  type LineChartInput,
  type LineSeries,
  type HistogramInput,
} from "./report/charts/chart-spec.js";
export { chartSvg, writeChartPng } from "./report/charts/render-chart.js";
export { writeSvgAsPng } from "./report/png-file.js";

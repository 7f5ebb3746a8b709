import type { BackboneSpecMessage } from "../worker/worker-client.js";

/** How to run a trained backbone: the network, and the input it expects (proto BackboneSpec). */
export interface BackboneSpec {
  /** "resnet18" | "resnet34" | "resnet50". */
  arch: string;
  /** Width of the first stage; 64 is torchvision's ResNet. */
  baseWidth: number;
  /** 3x3 stride-1 stem without max-pool (small images) instead of torchvision's 7x7 stride-2 stem. */
  cifarStem: boolean;
  /** S: the network was trained on S x S views; the ONNX path needs images of exactly this size. */
  imageSize: number;
  /** 3 per-channel means in [0, 1] units (float32 values): input = (pixel / 255 − mean) / std. */
  mean: number[];
  /** 3 per-channel standard deviations in [0, 1] units (float32 values). */
  std: number[];
  /** F: the width of the pooled features. */
  featureDim: number;
}

export function specFromMessage(message: BackboneSpecMessage | null | undefined): BackboneSpec {
  return {
    arch: message?.backbone?.arch ?? "",
    baseWidth: message?.backbone?.baseWidth ?? 0,
    cifarStem: message?.backbone?.cifarStem ?? false,
    imageSize: message?.imageSize ?? 0,
    mean: [...(message?.mean ?? [])],
    std: [...(message?.std ?? [])],
    featureDim: message?.featureDim ?? 0,
  };
}

export function specToMessage(spec: BackboneSpec): BackboneSpecMessage {
  return {
    backbone: { arch: spec.arch, baseWidth: spec.baseWidth, cifarStem: spec.cifarStem },
    imageSize: spec.imageSize,
    mean: spec.mean,
    std: spec.std,
    featureDim: spec.featureDim,
  };
}

/**
 * The augmentation parameters of one view for every sample of a batch: exactly what travels in a proto ViewPlan.
 * N is the batch size; arrays are flat, sample-major. Grey images are repeated to 3 channels by the worker before any
 * op, so every op is defined on RGB. Ops are applied in the MoCo v2 order: crop → colour jitter → grayscale → blur →
 * flip.
 */
export interface ViewParams {
  /** 4N: top, left, height, width of the crop box in source pixels (torchvision RandomResizedCrop.get_params); the box is resized to the output size. */
  crop: Float32Array;
  /** N: 1 = flip horizontally, 0 = keep. */
  flip: Uint8Array;
  /**
   * 4N: brightness, contrast and saturation factors (1 = identity) and hue shift in turns of the colour wheel
   * (0 = identity, range [−0.5, 0.5]), as torchvision's ColorJitter.get_params.
   */
  jitter: Float32Array;
  /** 4N: per sample, a permutation of 0…3 giving the order of the jitter ops (0 brightness, 1 contrast, 2 saturation, 3 hue). */
  jitterOrder: Uint8Array;
  /** N: 1 = convert to grey (ITU-R 601-2 luma), kept 3-channel. */
  grayscale: Uint8Array;
  /** N: Gaussian blur σ in output pixels; 0 = no blur. */
  blurSigma: Float32Array;
  /** Odd kernel size (pixels) used for every blurred sample of the view. */
  blurKernelSize: number;
}

import protobuf from "protobufjs";

/**
 * TensorBoard's Event and Summary messages, encoded with protobufjs' Writer by field number — the three messages
 * and the fields TensorBoard reads of them, from tensorflow/core/util/event.proto and
 * tensorflow/core/framework/summary.proto (they have not changed since TensorFlow 1.x):
 *
 *     Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 *     Summary { repeated Value value = 1; }
 *     Value   { string tag = 1; float simple_value = 2; Image image = 4; HistogramProto histo = 5; }
 *     Image   { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
 *     HistogramProto { double min = 1; double max = 2; double num = 3; double sum = 4; double sum_squares = 5;
 *                      repeated double bucket_limit = 6 [packed]; repeated double bucket = 7 [packed]; }
 */
export type SummaryValue =
  | { tag: string; scalar: number }
  | { tag: string; png: { bytes: Uint8Array; width: number; height: number } }
  | { tag: string; histogram: Histogram };

export interface Histogram {
  min: number;
  max: number;
  count: number;
  sum: number;
  sumSquares: number;
  /** Upper edge of each bucket (the last is +∞ in TensorBoard's own writer; any increasing edges work). */
  bucketLimits: number[];
  bucketCounts: number[];
}

/** A histogram of `values` over `bins` equal buckets of [lo, hi] (values outside go to the nearest end bucket). */
export function histogramOf(values: number[], lo: number, hi: number, bins: number): Histogram {
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.max(0, Math.min(bins - 1, Math.floor((v - lo) / width)))]! += 1;
  return {
    min: values.length ? Math.min(...values) : 0,
    max: values.length ? Math.max(...values) : 0,
    count: values.length,
    sum: values.reduce((a, v) => a + v, 0),
    sumSquares: values.reduce((a, v) => a + v * v, 0),
    bucketLimits: counts.map((_, b) => lo + (b + 1) * width),
    bucketCounts: counts,
  };
}

export function encodeEvent(event: {
  wallTimeS: number;
  step: number;
  fileVersion?: string;
  values?: SummaryValue[];
}): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 1).double(event.wallTimeS);
  w.uint32((2 << 3) | 0).int64(event.step);
  if (event.fileVersion !== undefined) w.uint32((3 << 3) | 2).string(event.fileVersion);
  if (event.values?.length) {
    w.uint32((5 << 3) | 2).fork();
    for (const v of event.values) {
      w.uint32((1 << 3) | 2).fork();
      w.uint32((1 << 3) | 2).string(v.tag);
      if ("scalar" in v) w.uint32((2 << 3) | 5).float(v.scalar);
      else if ("png" in v) {
        w.uint32((4 << 3) | 2).fork();
        w.uint32((1 << 3) | 0).int32(v.png.height);
        w.uint32((2 << 3) | 0).int32(v.png.width);
        w.uint32((3 << 3) | 0).int32(3); // RGB
        w.uint32((4 << 3) | 2).bytes(v.png.bytes);
        w.ldelim();
      } else {
        const h = v.histogram;
        w.uint32((5 << 3) | 2).fork();
        w.uint32((1 << 3) | 1).double(h.min);
        w.uint32((2 << 3) | 1).double(h.max);
        w.uint32((3 << 3) | 1).double(h.count);
        w.uint32((4 << 3) | 1).double(h.sum);
        w.uint32((5 << 3) | 1).double(h.sumSquares);
        packedDoubles(w, 6, h.bucketLimits);
        packedDoubles(w, 7, h.bucketCounts);
        w.ldelim();
      }
      w.ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}

function packedDoubles(w: protobuf.Writer, field: number, values: number[]): void {
  w.uint32((field << 3) | 2).fork();
  for (const v of values) w.double(v);
  w.ldelim();
}

import { MixmaskError } from "../errors.js";

/** N feature vectors of width D in one row-major Float32Array: what `embed` and `OnnxEmbedder.embed` return. */
export class Embeddings {
  constructor(
    /** N, the number of rows (images). */
    readonly count: number,
    /** D, the width of each row (the backbone's feature dimension). */
    readonly dim: number,
    /** N·D values, row i at [i·D, (i+1)·D). */
    readonly data: Float32Array,
  ) {
    if (data.length !== count * dim) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "Embeddings.data",
        message: "length does not match count × dim",
        expected: String(count * dim),
        received: String(data.length),
      });
    }
  }

  /** Row i (a view, no copy). */
  row(i: number): Float32Array {
    if (!(Number.isInteger(i) && i >= 0 && i < this.count)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "Embeddings.row",
        message: "row index out of range",
        expected: `an integer in [0, ${this.count})`,
        received: String(i),
      });
    }
    return this.data.subarray(i * this.dim, (i + 1) * this.dim);
  }

  /** A copy with every row scaled to unit L2 norm (rows of zeros stay zero), what cosine similarity compares. */
  normalized(): Embeddings {
    const out = new Float32Array(this.data);
    for (let i = 0; i < this.count; i++) {
      const row = out.subarray(i * this.dim, (i + 1) * this.dim);
      let squares = 0;
      for (const v of row) squares += v * v;
      const norm = Math.sqrt(squares);
      if (norm > 0) for (let j = 0; j < row.length; j++) row[j] = row[j]! / norm;
    }
    return new Embeddings(this.count, this.dim, out);
  }

  /** Row i as a plain array (e.g. for JSON, or Python through pythonia). */
  toArrays(): number[][] {
    return Array.from({ length: this.count }, (_, i) => Array.from(this.row(i)));
  }
}

import type { InferenceSession } from "onnxruntime-node";
import { importOptional } from "../optional-dependency.js";
import { MixmaskError } from "../errors.js";
import type { BackboneSpec } from "../export/backbone-spec.js";
import {
  readExportManifest,
  specOfExport,
  verifyExportedFile,
  type ExportManifest,
} from "../export/export-manifest.js";
import { Embeddings } from "./embeddings.js";
import { checkBatch, sliceBatch, type ImageBatch } from "./image-batch.js";
import { modelInput } from "./model-input.js";

export interface OnnxEmbedderOptions {
  /** Threads onnxruntime may use inside one inference. Default: onnxruntime's choice (all cores). */
  intraOpThreads?: number;
}

/**
 * An exported backbone (backbone.onnx) run in Node by onnxruntime-node, without Python or a worker: for a Node
 * service or a search index. Inputs are built by `modelInput` exactly as the worker builds them, so its features
 * match the worker's `embed` to float32 summation-order error (test/integration/embedding-parity.test.ts states
 * the tolerance). onnxruntime-node (a native addon) is loaded on first use.
 */
export class OnnxEmbedder {
  private constructor(
    private readonly session: InferenceSession,
    private readonly tensor: typeof import("onnxruntime-node").Tensor,
    /** The network and the input it expects, from export.json. */
    readonly spec: BackboneSpec,
    /** The export's export.json. */
    readonly manifest: ExportManifest,
  ) {}

  /** Opens `<exportDir>/backbone.onnx` after checking its SHA-256 against export.json. */
  static async open(exportDir: string, options: OnnxEmbedderOptions = {}): Promise<OnnxEmbedder> {
    const manifest = readExportManifest(exportDir);
    const file = verifyExportedFile(exportDir, manifest, "onnx");
    const ort = await importOptional("onnxruntime-node", () => import("onnxruntime-node"));
    const session = await ort.InferenceSession.create(file, {
      executionProviders: ["cpu"],
      ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    });
    return new OnnxEmbedder(session, ort.Tensor, specOfExport(manifest), manifest);
  }

  /** Features of S × S images, one row per image, in order; `normalize` scales rows to unit length. */
  async embed(images: ImageBatch, options: { normalize?: boolean; batchSize?: number } = {}): Promise<Embeddings> {
    checkBatch(images, "OnnxEmbedder.embed images");
    const batch = options.batchSize ?? 64;
    const { imageSize: s, featureDim: d } = this.spec;
    const data = new Float32Array(images.count * d);
    for (let start = 0; start < images.count; start += batch) {
      const part = sliceBatch(images, start, batch);
      const input = new this.tensor("float32", modelInput(part, this.spec), [part.count, 3, s, s]);
      const output = (await this.session.run({ images: input })).features;
      if (
        !output ||
        output.type !== "float32" ||
        output.dims.length !== 2 ||
        output.dims[0] !== part.count ||
        output.dims[1] !== d
      ) {
        throw new MixmaskError({
          code: "INVALID_FILE",
          path: "backbone.onnx",
          message: "the graph's output is not the features export.json describes",
          expected: `features float32 [${part.count}, ${d}]`,
          received: output ? `${output.type} [${output.dims.join(", ")}]` : "no output named features",
          fix: "export the run again",
        });
      }
      data.set(output.data as Float32Array, start * d);
    }
    const embeddings = new Embeddings(images.count, d, data);
    return options.normalize ? embeddings.normalized() : embeddings;
  }

  /** Releases the onnxruntime session. */
  async close(): Promise<void> {
    await this.session.release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { MixmaskError } from "../errors.js";

/**
 * The file rank 0 of a torchrun launch writes once every rank serves (python_worker/mixmask_worker/distributed/
 * rank_endpoints.py): where each rank listens. It is written atomically (temporary file and rename), so a file
 * that exists is complete.
 */
export const EndpointsFileSchema = z.object({
  format: z.literal("mixmask-endpoints"),
  version: z.literal(1),
  protocolVersion: z.number().int(),
  /** Drawn by rank 0, the same on every rank of the launch. */
  launchId: z.string().min(1),
  worldSize: z.number().int().min(1),
  backend: z.string(),
  ranks: z.array(
    z.object({
      rank: z.number().int().min(0),
      localRank: z.number().int().min(0),
      host: z.string(),
      pid: z.number().int(),
      /** `unix:/path/rank-r.sock` or `host:port`. */
      endpoint: z.string().min(1),
    }),
  ),
});

export type EndpointsFile = z.infer<typeof EndpointsFileSchema>;

/** Parses an endpoints file; a damaged or foreign file is INVALID_FILE naming what is wrong. */
export function parseEndpointsFile(path: string, text: string): EndpointsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path,
      message: `is not JSON (${(error as Error).message})`,
      fix: "point the SDK at the --endpoints-file the torchrun launch writes (rank 0 writes it once every rank serves)",
    });
  }
  const parsed = EndpointsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path,
      message: "is not a mixmask endpoints file",
      issues: parsed.error.issues.map((issue) => ({ path: `${path}:${issue.path.join(".")}`, message: issue.message })),
      fix: "point the SDK at the --endpoints-file the torchrun launch writes (format mixmask-endpoints, version 1)",
    });
  }
  return parsed.data;
}

/**
 * Waits for the endpoints file to appear (the ranks import torch, join the group and bind first), checking
 * `stillStarting` between polls so that a launch that failed is reported at once rather than at the timeout.
 */
export async function waitForEndpointsFile(
  path: string,
  timeoutMs: number,
  stillStarting: () => MixmaskError | undefined = () => undefined,
): Promise<EndpointsFile> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let text: string | undefined;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        throw new MixmaskError({
          code: "INVALID_FILE",
          path,
          message: `cannot be read: ${(error as Error).message}`,
          cause: error,
        });
    }
    if (text !== undefined) return parseEndpointsFile(path, text);
    const failed = stillStarting();
    if (failed) throw failed;
    if (Date.now() > deadline) {
      throw new MixmaskError({
        code: "WORKER_START_FAILED",
        path,
        message: `no endpoints file after ${timeoutMs} ms: not every rank of the launch started serving`,
        fix: "check that all nodes started torchrun with the same --nnodes/--rdzv-endpoint and this --endpoints-file (on a shared file system for several machines), and read the ranks' stderr",
      });
    }
    await sleep(100);
  }
}

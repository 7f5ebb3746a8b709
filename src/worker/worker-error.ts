import type { ServiceError } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { MixmaskError, type Diagnostics } from "../errors.js";

/** What the launcher knows about the worker process when a call fails. */
export interface ProcessState {
  /** Exit code or signal when the worker process has exited, undefined while it runs. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The last lines the worker wrote to stderr. */
  stderrTail(): string;
  /** Resolves when the process has exited, or after `ms` — whichever comes first. */
  waitForExit(ms: number): Promise<void>;
}

/**
 * Turns a gRPC failure into a MixmaskError that keeps the worker's own error code (trailer `mixmask-error-code`),
 * and tells a dead worker apart from a failed call, with the worker's last stderr lines.
 */
export function toMixmaskError(error: ServiceError, rpc: string, process?: ProcessState): MixmaskError {
  const workerCode = error.metadata?.get("mixmask-error-code")[0]?.toString();
  const diagnostics = workerDetails(error);
  const exited = process?.exit();
  if (exited || (error.code === status.UNAVAILABLE && process)) {
    const how = exited ? (exited.signal ? `killed by ${exited.signal}` : `exited with code ${exited.code}`) : "stopped answering";
    return new MixmaskError({
      code: "WORKER_DIED",
      message: `the worker ${how} during ${rpc}. Its last stderr lines:\n${indent(process?.stderrTail() ?? "")}`,
      fix: "read the worker's stderr above; out-of-memory kills show as SIGKILL (reduce batchSize or model width)",
      cause: error,
    });
  }
  if (error.code === status.DEADLINE_EXCEEDED) {
    return new MixmaskError({ code: "WORKER_TIMEOUT", message: `${rpc} exceeded its deadline`, fix: "raise the timeout option or check the worker's load", cause: error });
  }
  if (workerCode === "UNAUTHENTICATED" || error.code === status.UNAUTHENTICATED) {
    return new MixmaskError({
      code: "UNAUTHENTICATED",
      workerCode,
      message: `the worker refused ${rpc}: ${error.details}`,
      fix: "give the SDK the token the worker was started with (the `token` option of Worker.connect, or MIXMASK_WORKER_TOKEN)",
      cause: error,
    });
  }
  if (workerCode === "DISK_FULL") {
    return new MixmaskError({ code: "DISK_FULL", workerCode, diagnostics, message: error.details, fix: "free the space the message names (or choose another --run-dir), then continue with --resume", cause: error });
  }
  if (workerCode === "CHECKPOINT_WRITE_FAILED") {
    return new MixmaskError({ code: "CHECKPOINT_FAILED", workerCode, diagnostics, message: error.details, fix: "free disk space or choose a writable --run-dir, then continue with --resume", cause: error });
  }
  if (workerCode === "PROTOCOL_MISMATCH") {
    return new MixmaskError({ code: "PROTOCOL_MISMATCH", workerCode, message: error.details, fix: "install matching versions of the mixmask npm package and python_worker", cause: error });
  }
  return new MixmaskError({ code: "WORKER_ERROR", workerCode, diagnostics, message: `${rpc} failed${workerCode ? ` (${workerCode})` : ""}: ${error.details}`, cause: error });
}

/** The worker's `mixmask-error-details` trailer: a JSON object of facts (non-finite numbers spelled "nan", "inf"). */
function workerDetails(error: ServiceError): Diagnostics | undefined {
  const raw = error.metadata?.get("mixmask-error-details")[0]?.toString();
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Diagnostics) : undefined;
  } catch {
    return undefined; // a damaged trailer must not hide the error itself
  }
}

function indent(text: string): string {
  return text.trimEnd().split("\n").map((l) => `    ${l}`).join("\n");
}

import type { ServiceError } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { isErrorCode, MixmaskError, type Diagnostics, type ErrorCode, type ErrorIssue } from "../errors.js";

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
 * Turns a gRPC failure into a MixmaskError whose code is the worker's own (trailer `mixmask-error-code`, one name of
 * the proto's ErrorCode table) and whose issues are the worker's one by one (trailer `mixmask-error-issues`), and
 * tells a dead worker apart from a failed call, with the worker's last stderr lines.
 */
export function toMixmaskError(error: ServiceError, rpc: string, process?: ProcessState): MixmaskError {
  const workerCode = error.metadata?.get("mixmask-error-code")[0]?.toString();
  const diagnostics = workerDetails(error);
  const issues = workerIssues(error);
  const exited = process?.exit();
  if (exited || (error.code === status.UNAVAILABLE && process)) {
    const how = exited
      ? exited.signal
        ? `killed by ${exited.signal}`
        : `exited with code ${exited.code}`
      : "stopped answering";
    return new MixmaskError({
      code: "WORKER_DIED",
      message: `the worker ${how} during ${rpc}. Its last stderr lines:\n${indent(process?.stderrTail() ?? "")}`,
      fix: "read the worker's stderr above; out-of-memory kills show as SIGKILL (reduce batchSize or model width)",
      cause: error,
    });
  }
  if (error.code === status.DEADLINE_EXCEEDED) {
    return new MixmaskError({
      code: "WORKER_TIMEOUT",
      message: `${rpc} exceeded its deadline`,
      fix: "raise the timeout option or check the worker's load",
      cause: error,
    });
  }
  if (workerCode === "UNAUTHENTICATED" || error.code === status.UNAUTHENTICATED) {
    return new MixmaskError({
      code: "UNAUTHENTICATED",
      workerCode,
      issues,
      message: `the worker refused ${rpc}: ${error.details}`,
      fix: "give the SDK the token the worker was started with (the `token` option of Worker.connect, or MIXMASK_WORKER_TOKEN)",
      cause: error,
    });
  }
  const code: ErrorCode = isErrorCode(workerCode) ? workerCode : "WORKER_ERROR";
  const fix = WORKER_FIXES[code];
  if (code === "PROTOCOL_MISMATCH" || code === "CHECKPOINT_WRITE_FAILED" || code === "DISK_FULL") {
    return new MixmaskError({ code, workerCode, diagnostics, issues, message: error.details, fix, cause: error });
  }
  const message = `${rpc} failed${workerCode ? ` (${workerCode})` : ""}: ${error.details}`;
  return new MixmaskError({ code, workerCode, diagnostics, issues, message, fix, cause: error });
}

/** What to do about a worker code, where the worker's message cannot know (it does not know the SDK's options). */
const WORKER_FIXES: Partial<Record<ErrorCode, string>> = {
  CHECKPOINT_WRITE_FAILED: "free disk space or choose a writable --run-dir, then continue with --resume",
  PROTOCOL_MISMATCH: "install matching versions of the mixmask npm package and python_worker",
  DISK_FULL: "free the space the message names (or choose another --run-dir), then continue with --resume",
};

/** The worker's `mixmask-error-issues` trailer: a JSON array of {path, message, expected?, received?}. */
function workerIssues(error: ServiceError): ErrorIssue[] | undefined {
  const raw = error.metadata?.get("mixmask-error-issues")[0]?.toString();
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return undefined;
    return parsed
      .filter(isIssue)
      .map((i) => ({ path: i.path, message: i.message, expected: i.expected, received: i.received }));
  } catch {
    return undefined; // a damaged trailer must not hide the error itself
  }
}

function isIssue(value: unknown): value is ErrorIssue {
  const v = value as Record<string, unknown> | null;
  const optional = (x: unknown) => x === undefined || typeof x === "string";
  return (
    !!v && typeof v.path === "string" && typeof v.message === "string" && optional(v.expected) && optional(v.received)
  );
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
  return text
    .trimEnd()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

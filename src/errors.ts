/**
 * One error type for everything a user can get wrong or the worker can report (zod's lesson: errors are data).
 * `code` is stable and searchable; `path` says where (an option path, or a file and byte offset);
 * `expected`/`received` say what; `fix` says what to do. `issues` lists every problem found, not only the first.
 */
export const ERROR_CODES = [
  // Reported by the worker (trailer `mixmask-error-code`) and passed to the user unchanged.
  "PROTOCOL_MISMATCH",
  "INVALID_ARGUMENT",
  "DATASET_NOT_FOUND",
  "RUN_NOT_FOUND",
  "CHECKPOINT_INVALID",
  "NON_FINITE_LOSS",
  "DEVICE_UNAVAILABLE",
  "INTERNAL",
  "UNAUTHENTICATED",
  "CHECKPOINT_WRITE_FAILED",
  "RANK_FAILED",
  "MODEL_NOT_FOUND",
  "EXPORT_FAILED",
  "DISK_FULL",
  // Raised by the SDK only.
  "INVALID_OPTION",
  "INVALID_FILE",
  "DATASET_MISSING",
  "WORKER_START_FAILED",
  "WORKER_DIED",
  "WORKER_TIMEOUT",
  "WORKER_ERROR",
  "PYTHON_MISSING",
  "INTERRUPTED",
  "CHECKPOINT_FAILED",
  "RANKS_MISMATCH",
  // Interop with Python analysis libraries (src/interop/python.ts): a call that outlived its timeout, a Python error.
  "INTEROP_TIMEOUT",
  "INTEROP_FAILED",
  // An optional npm package a feature needs (sharp, zeromq, onnxruntime-node, pythonia) is not installed or did not load.
  "DEPENDENCY_MISSING",
  // The learning-health monitor saw the embeddings collapse and the run asked to stop on it (--on-collapse stop).
  "LEARNING_COLLAPSED",
  // The run directory: another run holds its run.lock; a new run in a directory that holds one (src/train/run-dir-guard.ts).
  "RUN_DIR_LOCKED",
  "RUN_DIR_NOT_EMPTY",
] as const;

/**
 * The one table of error codes is the `ErrorCode` enum of proto/mixmask/v1/worker.proto; this union mirrors it
 * (test/error-codes.test.ts fails when they disagree), so a worker's code reaches the user as it is.
 */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** True when `name` is one of the ErrorCode names (e.g. a worker's trailer). */
export function isErrorCode(name: string | undefined): name is ErrorCode {
  return name !== undefined && (ERROR_CODES as readonly string[]).includes(name);
}

export interface ErrorIssue {
  /** Option path (`pretrain.batchSize`) or file location (`train-images-idx3-ubyte.gz@16`). */
  path: string;
  message: string;
  expected?: string;
  received?: string;
}

export interface MixmaskErrorInit {
  code: ErrorCode;
  message: string;
  path?: string;
  expected?: string;
  received?: string;
  fix?: string;
  issues?: ErrorIssue[];
  /** The worker's own error code (proto ErrorCode name) when the error came from the worker. */
  workerCode?: string;
  /** Machine-readable facts, e.g. the step, term and lr of a NON_FINITE_LOSS. */
  diagnostics?: Diagnostics;
  cause?: unknown;
}

export type Diagnostics = Readonly<Record<string, string | number | boolean | null>>;

export class MixmaskError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly expected?: string;
  readonly received?: string;
  readonly fix?: string;
  readonly issues: ErrorIssue[];
  readonly workerCode?: string;
  readonly diagnostics?: Diagnostics;

  constructor(init: MixmaskErrorInit) {
    super(formatMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "MixmaskError";
    this.code = init.code;
    this.path = init.path;
    this.expected = init.expected;
    this.received = init.received;
    this.fix = init.fix;
    this.issues =
      init.issues ??
      (init.path ? [{ path: init.path, message: init.message, expected: init.expected, received: init.received }] : []);
    this.workerCode = init.workerCode;
    this.diagnostics = init.diagnostics;
  }
}

function formatMessage(init: MixmaskErrorInit): string {
  const lines = [`[${init.code}] ${init.path ? `${init.path}: ` : ""}${init.message}`];
  if (init.expected !== undefined) lines.push(`  expected: ${init.expected}`);
  if (init.received !== undefined) lines.push(`  received: ${init.received}`);
  for (const issue of init.issues ?? []) {
    if (issue.path === init.path && issue.message === init.message) continue;
    if (init.message.includes(issue.message)) continue; // a worker's message spells its issues out already
    lines.push(
      `  - ${issue.path}: ${issue.message}${issue.expected ? ` (expected ${issue.expected}` + (issue.received ? `, received ${issue.received})` : ")") : ""}`,
    );
  }
  if (init.fix) lines.push(`  fix: ${init.fix}`);
  return lines.join("\n");
}

/**
 * One error type for everything a user can get wrong or the worker can report (zod's lesson: errors are data).
 * `code` is stable and searchable; `path` says where (an option path, or a file and byte offset);
 * `expected`/`received` say what; `fix` says what to do. `issues` lists every problem found, not only the first.
 */
export type ErrorCode =
  | "INVALID_OPTION"
  | "INVALID_FILE"
  | "DATASET_MISSING"
  | "WORKER_START_FAILED"
  | "WORKER_DIED"
  | "WORKER_TIMEOUT"
  | "PROTOCOL_MISMATCH"
  | "WORKER_ERROR"
  | "PYTHON_MISSING"
  | "UNAUTHENTICATED"
  | "NON_FINITE_LOSS"
  | "INTERRUPTED"
  | "CHECKPOINT_FAILED"
  | "RANKS_MISMATCH"
  // The run directory: another run holds its lock; it holds a run and neither --resume nor --overwrite was given.
  | "RUN_DIR_LOCKED"
  | "RUN_DIR_NOT_EMPTY"
  // A write ran out of space (ENOSPC, or torch.save's "unexpected pos" on a full filesystem): names folder and size.
  | "DISK_FULL"
  // Interop with Python analysis libraries (src/interop/python.ts): a call that outlived its timeout, a Python error.
  | "INTEROP_TIMEOUT"
  | "INTEROP_FAILED";

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
    this.issues = init.issues ?? (init.path ? [{ path: init.path, message: init.message, expected: init.expected, received: init.received }] : []);
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
    lines.push(`  - ${issue.path}: ${issue.message}${issue.expected ? ` (expected ${issue.expected}` + (issue.received ? `, received ${issue.received})` : ")") : ""}`);
  }
  if (init.fix) lines.push(`  fix: ${init.fix}`);
  return lines.join("\n");
}

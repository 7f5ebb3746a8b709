/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP while the SDK holds workers or trains. Two kinds of listeners:
 *
 * - exit clean-ups (the launcher: kill a worker's process group, remove its socket directory) run when the process
 *   ends, by a signal or normally;
 * - an interrupt handler (the trainer: finish the steps in flight, write a checkpoint, then stop) takes the FIRST
 *   signal instead of ending the process; a second signal ends it at once, clean-ups included.
 *
 * A terminal's Ctrl-C reaches every process of its group, so a CLI started through a launcher (npm, npx, a wrapper
 * such as tsx's) gets the terminal's copy and, moments later, the launcher's relayed one. Repeats that arrive within
 * `REPEAT_WINDOW_MS` of the first taken interrupt are therefore the same keypress, not a second Ctrl-C, whichever
 * process sent them; only a signal after that window ends the process at once.
 *
 * After the clean-ups the signal is raised again with no listener left, so the process ends as if the SDK had never
 * listened (exit status "killed by SIGINT", which shells report as 130). Listeners exist only while something is
 * registered, so an application that closed its workers gets its signals back.
 */
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

const cleanups = new Set<() => void>();
const interruptHandlers: ((signal: NodeJS.Signals) => void)[] = [];
let interruptTaken = false;
let installed = false;
/** When the first interrupt was taken (performance.now()), for telling a relayed copy from a second Ctrl-C. */
let takenAt: number | undefined;

/**
 * How long after the first interrupt further signals count as copies of it. Relays come within tens of
 * milliseconds (tsx's after 30 ms without an answer, npm's at once), but a busy event loop delivers them late;
 * a person pressing Ctrl-C again to stop at once takes longer than this.
 */
export const REPEAT_WINDOW_MS = 1_000;

/** Registers a clean-up for the end of the process; returns its removal. */
export function addExitCleanup(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  sync();
  return () => {
    cleanups.delete(cleanup);
    sync();
  };
}

/**
 * Lets `handler` take the next interrupt signal instead of it ending the process (the newest registration wins).
 * Returns its removal. A further signal, while the handler is still registered, ends the process at once.
 */
export function onFirstInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  interruptHandlers.push(handler);
  interruptTaken = false;
  sync();
  return () => {
    const at = interruptHandlers.lastIndexOf(handler);
    if (at >= 0) interruptHandlers.splice(at, 1);
    sync();
  };
}

/**
 * Ends the process by `signal` now, after the exit clean-ups: how a CLI that took an interrupt and wrote its
 * checkpoint stops "as the signal would have". Unlike `process.kill` of itself, it is not mistaken for a relayed copy.
 */
export function endBySignal(signal: NodeJS.Signals): void {
  runCleanups();
  uninstall();
  process.kill(process.pid, signal);
}

function runCleanups(): void {
  for (const cleanup of [...cleanups]) cleanup();
}

function onSignal(signal: NodeJS.Signals): void {
  const handler = interruptHandlers[interruptHandlers.length - 1];
  if (handler && !interruptTaken) {
    interruptTaken = true;
    takenAt = performance.now();
    handler(signal);
    return;
  }
  // Also after the handler is gone (the checkpoint is being written): a relayed copy must not end that write.
  if (takenAt !== undefined && performance.now() - takenAt < REPEAT_WINDOW_MS) return;
  runCleanups();
  uninstall();
  // With our listeners gone, the default action ends the process with the signal.
  process.kill(process.pid, signal);
}

function sync(): void {
  const wanted = cleanups.size > 0 || interruptHandlers.length > 0;
  if (wanted && !installed) {
    installed = true;
    process.on("exit", runCleanups);
    for (const s of SIGNALS) process.on(s, onSignal);
  } else if (!wanted && installed) uninstall();
}

function uninstall(): void {
  installed = false;
  process.off("exit", runCleanups);
  for (const s of SIGNALS) process.off(s, onSignal);
}

import cliProgress from "cli-progress";

export interface ProgressSnapshot {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  positiveTop1: number;
  stepsPerSecond: number;
}

/** Receives training progress; the CLI draws a bar, library users may log or ignore it. */
export interface ProgressReporter {
  start(totalSteps: number, firstStep: number): void;
  update(p: ProgressSnapshot): void;
  stop(): void;
  log(line: string): void;
}

const formatEta = (s: number): string => (Number.isFinite(s) ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s` : "?");

/** A live bar on a terminal; on a pipe (CI, logs) one line every `everySteps` steps instead of redraws. */
export class TerminalProgress implements ProgressReporter {
  private bar: cliProgress.SingleBar | undefined;
  private lastLogged = -1;
  private readonly stream = process.stderr;

  constructor(private readonly everySteps = 25) {}

  start(totalSteps: number, firstStep: number): void {
    if (this.stream.isTTY) {
      this.bar = new cliProgress.SingleBar({
        stream: this.stream,
        format: "pretrain |{bar}| step {value}/{total} | epoch {epoch} | {sps} steps/s | loss {loss} | pos-top1 {top1} | ETA {eta_h}",
        hideCursor: true,
        barsize: 24,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(totalSteps, firstStep, { epoch: 0, sps: "-", loss: "-", top1: "-", eta_h: "?" });
    }
  }

  update(p: ProgressSnapshot): void {
    const eta = formatEta((p.totalSteps - p.step) / p.stepsPerSecond);
    const fields = { epoch: p.epoch, sps: p.stepsPerSecond.toFixed(2), loss: p.loss.toFixed(3), top1: p.positiveTop1.toFixed(3), eta_h: eta };
    if (this.bar) {
      this.bar.update(p.step, fields);
    } else if (p.step - this.lastLogged >= this.everySteps || p.step === p.totalSteps) {
      this.lastLogged = p.step;
      this.stream.write(`step ${p.step}/${p.totalSteps} | epoch ${p.epoch} | ${fields.sps} steps/s | loss ${fields.loss} | pos-top1 ${fields.top1} | ETA ${eta}\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  log(line: string): void {
    if (this.bar) {
      // Print above the bar without breaking it.
      this.stream.write(`\r\x1b[K${line}\n`);
    } else this.stream.write(`${line}\n`);
  }
}

/** Reports nothing (library use, tests). */
export const silentProgress: ProgressReporter = { start() {}, update() {}, stop() {}, log() {} };

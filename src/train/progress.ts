import cliProgress from "cli-progress";
import type { TransferProgress } from "../worker/upload-dataset.js";

export interface ProgressSnapshot {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  positiveTop1: number;
  stepsPerSecond: number;
  /** The latest learning-health warning's check (health.jsonl), shown on the progress line until the run ends. */
  health?: string;
}

/** Receives training progress; the CLI draws a bar, library users may log or ignore it. */
export interface ProgressReporter {
  start(totalSteps: number, firstStep: number): void;
  update(p: ProgressSnapshot): void;
  stop(): void;
  log(line: string): void;
  /** Bytes of a dataset upload leaving for the worker (optional: reporters may ignore uploads). */
  transfer?(p: TransferProgress): void;
}

const formatEta = (s: number): string =>
  Number.isFinite(s) ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s` : "?";

/** A live bar on a terminal; on a pipe (CI, logs) one line every `everySteps` steps instead of redraws. */
export class TerminalProgress implements ProgressReporter {
  private bar: cliProgress.SingleBar | undefined;
  private lastLogged = -1;
  private readonly stream = process.stderr;

  constructor(private readonly everySteps = 25) {}

  start(totalSteps: number, firstStep: number): void {
    if (this.stream.isTTY) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format:
            "pretrain |{bar}| step {value}/{total} | epoch {epoch} | {sps} steps/s | loss {loss} | pos-top1 {top1} | ETA {eta_h}{health}",
          hideCursor: true,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(totalSteps, firstStep, { epoch: 0, sps: "-", loss: "-", top1: "-", eta_h: "?", health: "" });
    }
  }

  update(p: ProgressSnapshot): void {
    const eta = formatEta((p.totalSteps - p.step) / p.stepsPerSecond);
    const fields = {
      epoch: p.epoch,
      sps: p.stepsPerSecond.toFixed(2),
      loss: p.loss.toFixed(3),
      top1: p.positiveTop1.toFixed(3),
      eta_h: eta,
      health: p.health ? ` | health: ${p.health}` : "",
    };
    if (this.bar) {
      this.bar.update(p.step, fields);
    } else if (p.step - this.lastLogged >= this.everySteps || p.step === p.totalSteps) {
      this.lastLogged = p.step;
      this.stream.write(
        `step ${p.step}/${p.totalSteps} | epoch ${p.epoch} | ${fields.sps} steps/s | loss ${fields.loss} | pos-top1 ${fields.top1} | ETA ${eta}${fields.health}\n`,
      );
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private transferBar: { label: string; bar?: cliProgress.SingleBar; started: number } | undefined;

  /** An upload bar (MB sent, MB/s, lane) on a terminal; nothing on a pipe (pretrain logs each upload's outcome). */
  transfer(p: TransferProgress): void {
    const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
    if (this.transferBar?.label !== p.label) {
      this.transferBar?.bar?.stop();
      const bar = this.stream.isTTY
        ? new cliProgress.SingleBar(
            {
              stream: this.stream,
              format: "upload {label} |{bar}| {sent}/{totalMb} MB | {rate} MB/s | {lane} lane",
              hideCursor: true,
              barsize: 24,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      bar?.start(p.totalBytes, 0, { label: p.label, sent: "0.0", totalMb: mb(p.totalBytes), rate: "-", lane: p.lane });
      this.transferBar = { label: p.label, bar, started: performance.now() };
    }
    const t = this.transferBar;
    const seconds = (performance.now() - t.started) / 1000;
    const rate = seconds > 0 ? (p.sentBytes / 1e6 / seconds).toFixed(0) : "-";
    t.bar?.update(p.sentBytes, { sent: mb(p.sentBytes), rate });
    if (p.sentBytes >= p.totalBytes) {
      t.bar?.stop();
      this.transferBar = undefined;
    }
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

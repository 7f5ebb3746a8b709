import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { tfRecord } from "./crc32c.js";
import { encodeEvent, type SummaryValue } from "./event-encoding.js";

/**
 * Appends TensorBoard events to one `events.out.tfevents.<time>.<host>.<pid>` file in `dir`, so that
 * `tensorboard --logdir runs` shows a run. A new file per writer (per process): a resumed run adds a file and
 * TensorBoard merges them by step. Appends are whole records; a record cut short by a crash is dropped by readers.
 */
export class EventFileWriter {
  readonly file: string;
  private pending: Buffer[] = [];

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    const seconds = Math.floor(Date.now() / 1000);
    this.file = join(dir, `events.out.tfevents.${seconds}.${hostname()}.${process.pid}`);
    writeFileSync(
      this.file,
      tfRecord(encodeEvent({ wallTimeS: Date.now() / 1000, step: 0, fileVersion: "brain.Event:2" })),
    );
  }

  add(step: number, values: SummaryValue[], wallTimeS = Date.now() / 1000): void {
    if (values.length) this.pending.push(tfRecord(encodeEvent({ wallTimeS, step, values })));
  }

  /** Writes what was added since the last flush in one append. */
  flush(): void {
    if (this.pending.length === 0) return;
    appendFileSync(this.file, Buffer.concat(this.pending));
    this.pending = [];
  }
}

import { open, stat } from "node:fs/promises";
import { MixmaskError } from "../errors.js";
import { checkIndices, imageBytes, type ImageSource } from "./image-source.js";

/**
 * Fixed-size records in binary files, one image per record, as CIFAR's binary version stores them: a few label
 * bytes, then the pixels in planes (CHW: all of red, all of green, all of blue), row-major. Labels are read and
 * checked when the source is opened; pixels are read on demand with positional reads and transposed to HWC.
 */
export interface RecordLayout {
  /** Label bytes at the start of each record (CIFAR-10: 1; CIFAR-100: 2, coarse then fine). */
  labelBytes: number;
  /** Which of the label bytes is the label of this source (0-based). */
  labelByte: number;
  /** Exclusive upper bound of each label byte, checked for every record: [10] or [20, 100]. */
  labelLimits: number[];
  /** What each label byte means, for error messages: ["label"] or ["coarse label", "fine label"]. */
  labelNames: string[];
  height: number;
  width: number;
  channels: 1 | 3;
}

export interface RecordFileSourceInit {
  name: string;
  split: string;
  files: string[];
  layout: RecordLayout;
  classNames: string[];
}

/** The part of a dataset one file holds: its records are images [first, first + records). */
interface RecordFile {
  file: string;
  first: number;
  records: number;
}

/** Labels are scanned in reads of this many records (≈ 12 MiB for CIFAR), so opening stays flat in memory. */
const SCAN_RECORDS = 4096;

/** Opens a record-file dataset: checks every file's size and every label, then reads pixels on demand. */
export async function openRecordFiles(init: RecordFileSourceInit): Promise<ImageSource> {
  const { layout } = init;
  const pixelBytes = imageBytes(layout);
  const recordBytes = layout.labelBytes + pixelBytes;
  const parts: RecordFile[] = [];
  let total = 0;
  for (const file of init.files) {
    const size = (await stat(file)).size;
    const records = Math.floor(size / recordBytes);
    if (size === 0) {
      throw invalidFile(
        `${file}@0`,
        "the file is empty",
        `records of ${recordBytes} bytes`,
        "0 bytes",
        "re-extract the dataset archive",
      );
    }
    if (size % recordBytes !== 0) {
      throw invalidFile(
        `${file}@${records * recordBytes}`,
        `truncated file: it ends inside record ${records} (${size % recordBytes} of its ${recordBytes} bytes present)`,
        `a multiple of ${recordBytes} bytes (${layout.labelBytes} label byte${layout.labelBytes > 1 ? "s" : ""} + ${layout.channels}×${layout.height}×${layout.width} pixels per record)`,
        `${size} bytes`,
        "re-extract the dataset archive; a download or copy was cut short",
      );
    }
    parts.push({ file, first: total, records });
    total += records;
  }

  const labels = new Int32Array(total);
  for (const part of parts) await scanLabels(part, layout, recordBytes, labels);

  return {
    name: init.name,
    split: init.split,
    count: total,
    height: layout.height,
    width: layout.width,
    channels: layout.channels,
    labels,
    numClasses: init.classNames.length,
    classNames: init.classNames,
    read: (indices) => readRecords(init, parts, indices, total),
  };
}

async function scanLabels(
  part: RecordFile,
  layout: RecordLayout,
  recordBytes: number,
  labels: Int32Array,
): Promise<void> {
  const handle = await open(part.file, "r");
  try {
    const buffer = Buffer.allocUnsafe(SCAN_RECORDS * recordBytes);
    for (let r = 0; r < part.records; r += SCAN_RECORDS) {
      const n = Math.min(SCAN_RECORDS, part.records - r);
      await readFully(handle, buffer, n * recordBytes, r * recordBytes, part.file);
      for (let k = 0; k < n; k++) {
        const at = k * recordBytes;
        for (let b = 0; b < layout.labelBytes; b++) {
          const value = buffer[at + b]!;
          if (value >= layout.labelLimits[b]!) {
            const record = r + k;
            throw invalidFile(
              `${part.file}@${record * recordBytes + b}`,
              `${layout.labelNames[b]} of record ${record} is out of range`,
              `${layout.labelNames[b]} in [0, ${layout.labelLimits[b]! - 1}]`,
              String(value),
              "the file is not this dataset's binary format, or it is corrupt: re-extract the archive",
            );
          }
        }
        labels[part.first + r + k] = buffer[at + layout.labelByte]!;
      }
    }
  } finally {
    await handle.close();
  }
}

async function readRecords(
  init: RecordFileSourceInit,
  parts: RecordFile[],
  indices: ArrayLike<number>,
  total: number,
): Promise<Uint8Array> {
  checkIndices({ name: init.name, split: init.split, count: total }, indices);
  const { layout } = init;
  const pixelBytes = imageBytes(layout);
  const recordBytes = layout.labelBytes + pixelBytes;
  const out = new Uint8Array(indices.length * pixelBytes);
  // Group the wanted records by file, then read each run of consecutive records with one positional read (a
  // repeated index starts a new run, so every position is filled).
  const byFile = new Map<RecordFile, number[]>();
  for (let i = 0; i < indices.length; i++) {
    const part = partOf(parts, indices[i]!);
    let list = byFile.get(part);
    if (!list) {
      list = [];
      byFile.set(part, list);
    }
    list.push(i);
  }
  for (const [part, positions] of byFile) {
    positions.sort((a, b) => indices[a]! - indices[b]!);
    const handle = await open(part.file, "r");
    try {
      let k = 0;
      while (k < positions.length) {
        let end = k + 1;
        while (end < positions.length && indices[positions[end]!]! === indices[positions[end - 1]!]! + 1) end++;
        const firstRecord = indices[positions[k]!]! - part.first;
        const runRecords = indices[positions[end - 1]!]! - indices[positions[k]!]! + 1;
        const buffer = Buffer.allocUnsafe(runRecords * recordBytes);
        await readFully(handle, buffer, buffer.length, firstRecord * recordBytes, part.file);
        for (let j = k; j < end; j++) {
          const record = indices[positions[j]!]! - indices[positions[k]!]!;
          planarToInterleaved(
            buffer,
            record * recordBytes + layout.labelBytes,
            out,
            positions[j]! * pixelBytes,
            layout,
          );
        }
        k = end;
      }
    } finally {
      await handle.close();
    }
  }
  return out;
}

function partOf(parts: RecordFile[], index: number): RecordFile {
  let lo = 0;
  let hi = parts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (parts[mid]!.first <= index) lo = mid;
    else hi = mid - 1;
  }
  return parts[lo]!;
}

/** CHW planes at `from` → HWC at `to`: CIFAR stores all red, then all green, then all blue. */
function planarToInterleaved(src: Uint8Array, from: number, dst: Uint8Array, to: number, layout: RecordLayout): void {
  const c = layout.channels;
  const plane = layout.height * layout.width;
  for (let ch = 0; ch < c; ch++) {
    const base = from + ch * plane;
    for (let p = 0; p < plane; p++) dst[to + p * c + ch] = src[base + p]!;
  }
}

async function readFully(
  handle: import("node:fs/promises").FileHandle,
  buffer: Buffer,
  length: number,
  position: number,
  file: string,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) {
      throw invalidFile(
        `${file}@${position + done}`,
        "the file ended while reading: it was truncated after the dataset was opened",
        `${length} bytes from offset ${position}`,
        `${done} bytes`,
        "re-extract the dataset archive",
      );
    }
    done += bytesRead;
  }
}

function invalidFile(path: string, message: string, expected: string, received: string, fix: string): MixmaskError {
  return new MixmaskError({ code: "INVALID_FILE", path, message, expected, received, fix });
}

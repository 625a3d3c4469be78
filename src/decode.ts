/**
 * Decoders for the buffers `bits_job_snapshot`, `bits_manager_read_queue` and `bits_job_files` fill
 * (layouts documented in ffi/bits_shim.h). Pure functions, tested on any OS.
 *
 * @module
 */

import {
  FILE_RECORD_HEADER_BYTES,
  FILES_HEADER_BYTES,
  PROGRESS_RECORD_BYTES,
  QUEUE_HEADER_BYTES,
  QUEUE_TIMES_BYTES,
  SHIM_ABI_VERSION,
  SNAPSHOT_HEADER_BYTES,
} from "../ffi/symbols.ts";
import { formatGuid } from "./guid.ts";
import { describeHresult, failed } from "./hresult.ts";
import { enumName, ERROR_CONTEXTS, JOB_STATES, JOB_TYPES } from "./types.ts";
import type { DatedJobSnapshot, JobErrorInfo, JobFile, JobProgress, JobSnapshot, JobState, JobTimes } from "./types.ts";
import { dateFromFiletime } from "./filetime.ts";
import { decodeUtf16 } from "./utf16.ts";

const SIZE_UNKNOWN = 0xFFFF_FFFF_FFFF_FFFFn;

/** BITS sizes as numbers; `null` for BG_SIZE_UNKNOWN. */
export function sizeFromU64(value: bigint): number | null {
  return value === SIZE_UNKNOWN ? null : Number(value);
}

function checkHeader(view: DataView, what: string, minimum: number): number {
  const version = view.getUint32(0, true);
  if (version !== SHIM_ABI_VERSION) {
    throw new RangeError(`${what} has ABI version ${version}, expected ${SHIM_ABI_VERSION}`);
  }
  const total = view.getUint32(4, true);
  if (total < minimum || total > view.byteLength) {
    throw new RangeError(`${what} claims ${total} bytes in a ${view.byteLength}-byte buffer`);
  }
  return total;
}

/**
 * Decodes a whole-queue buffer (`bits_manager_read_queue`): the snapshots in
 * BITS' enumeration order.
 */
export function decodeQueue(bytes: Uint8Array): JobSnapshot[] {
  return decodeQueueRecords(bytes, false).map(({ snapshot }) => snapshot);
}

/**
 * Decodes a whole-queue buffer read with `QUEUE_WITH_TIMES`: each snapshot with
 * its times, `null` where GetTimes failed (a BITS without it: Wine).
 */
export function decodeDatedQueue(bytes: Uint8Array): DatedJobSnapshot[] {
  return decodeQueueRecords(bytes, true).map(({ snapshot, times }) => ({ ...snapshot, times }));
}

function decodeQueueRecords(
  bytes: Uint8Array,
  withTimes: boolean,
): { snapshot: JobSnapshot; times: JobTimes | null }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = checkHeader(view, "Queue", QUEUE_HEADER_BYTES);
  const count = view.getUint32(8, true);
  const records: { snapshot: JobSnapshot; times: JobTimes | null }[] = [];
  let offset = QUEUE_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (offset + SNAPSHOT_HEADER_BYTES > total) throw new RangeError(`Queue record ${i} overruns the queue`);
    const size = view.getUint32(offset + 4, true);
    if (size < SNAPSHOT_HEADER_BYTES || offset + size > total) {
      throw new RangeError(`Queue record ${i} claims ${size} bytes`);
    }
    const snapshot = decodeSnapshot(bytes.subarray(offset, offset + size));
    // Records are padded to 8 bytes.
    offset += Math.ceil(size / 8) * 8;
    let times: JobTimes | null = null;
    if (withTimes) {
      if (offset + QUEUE_TIMES_BYTES > total) throw new RangeError(`Queue record ${i}'s times overrun the queue`);
      if (!failed(view.getInt32(offset, true))) {
        times = {
          creationTime: dateFromFiletime(view.getBigUint64(offset + 8, true)),
          modificationTime: dateFromFiletime(view.getBigUint64(offset + 16, true)),
          transferCompletionTime: dateFromFiletime(view.getBigUint64(offset + 24, true)),
        };
      }
      offset += QUEUE_TIMES_BYTES;
    }
    records.push({ snapshot, times });
  }
  return records;
}

/** One job's state and progress (`bits_jobs_progress`); `readHr` < 0 when the job could not be read. */
export interface ProgressRecord {
  readonly state: JobState | undefined;
  readonly readHr: number;
  readonly progress: JobProgress;
}

/** Decodes `count` records of `bits_jobs_progress`. */
export function decodeProgressRecords(bytes: Uint8Array, count: number): ProgressRecord[] {
  if (count * PROGRESS_RECORD_BYTES > bytes.byteLength) {
    throw new RangeError(`${count} progress records do not fit in ${bytes.byteLength} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: count }, (_, i) => {
    const o = i * PROGRESS_RECORD_BYTES;
    const stateValue = view.getInt32(o, true);
    return {
      state: stateValue < 0 ? undefined : enumName(JOB_STATES, stateValue),
      readHr: view.getInt32(o + 4, true),
      progress: {
        bytesTotal: sizeFromU64(view.getBigUint64(o + 8, true)),
        bytesTransferred: Number(view.getBigUint64(o + 16, true)),
        filesTotal: view.getUint32(o + 24, true),
        filesTransferred: view.getUint32(o + 28, true),
      },
    };
  });
}

/** Decodes a job snapshot buffer into a {@linkcode JobSnapshot}. */
export function decodeSnapshot(bytes: Uint8Array): JobSnapshot {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = checkHeader(view, "Job snapshot", SNAPSHOT_HEADER_BYTES);
  const nameLength = view.getUint32(76, true);
  const descriptionLength = view.getUint32(80, true);
  if (SNAPSHOT_HEADER_BYTES + (nameLength + descriptionLength) * 2 > total) {
    throw new RangeError("Job snapshot strings overrun the snapshot");
  }
  const state = enumName(JOB_STATES, view.getInt32(28, true));
  const errorHr = view.getInt32(64, true);
  const errorCode = view.getInt32(60, true);
  let error: JobErrorInfo | null = null;
  // error_hr is S_FALSE outside error states; a failed GetError leaves no information.
  if (errorHr === 0 && errorCode !== 0) {
    const info = describeHresult(errorCode);
    error = {
      context: enumName(ERROR_CONTEXTS, view.getInt32(56, true)),
      hresult: errorCode >>> 0,
      code: info.name,
      description: info.description,
    };
  } else if (failed(errorHr)) {
    // BITS knows the job failed but not why (Wine: every network or local error).
    const info = describeHresult(errorHr);
    error = { context: "UNKNOWN", hresult: errorHr >>> 0, code: info.name, description: info.description };
  }
  return {
    id: formatGuid(bytes, 8),
    type: enumName(JOB_TYPES, view.getInt32(24, true)),
    state,
    displayName: decodeUtf16(bytes, SNAPSHOT_HEADER_BYTES, nameLength),
    description: decodeUtf16(bytes, SNAPSHOT_HEADER_BYTES + nameLength * 2, descriptionLength),
    progress: {
      bytesTotal: sizeFromU64(view.getBigUint64(32, true)),
      bytesTransferred: Number(view.getBigUint64(40, true)),
      filesTotal: view.getUint32(48, true),
      filesTransferred: view.getUint32(52, true),
    },
    error,
  };
}

/** Decodes a file list buffer into {@linkcode JobFile}s, in BITS' enumeration order. */
export function decodeFiles(bytes: Uint8Array): JobFile[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = checkHeader(view, "File list", FILES_HEADER_BYTES);
  const count = view.getUint32(8, true);
  const files: JobFile[] = [];
  let offset = FILES_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (offset + FILE_RECORD_HEADER_BYTES > total) throw new RangeError(`File record ${i} overruns the file list`);
    const remoteLength = view.getUint32(offset + 28, true);
    const localLength = view.getUint32(offset + 32, true);
    const recordBytes = view.getUint32(offset + 36, true);
    const strings = offset + FILE_RECORD_HEADER_BYTES;
    if (
      recordBytes % 8 !== 0 || offset + recordBytes > total ||
      strings + (remoteLength + localLength) * 2 > offset + recordBytes
    ) {
      throw new RangeError(`File record ${i} has an inconsistent size`);
    }
    files.push({
      remoteName: decodeUtf16(bytes, strings, remoteLength),
      localName: decodeUtf16(bytes, strings + remoteLength * 2, localLength),
      bytesTotal: sizeFromU64(view.getBigUint64(offset, true)),
      bytesTransferred: Number(view.getBigUint64(offset + 8, true)),
      completed: view.getUint32(offset + 16, true) !== 0,
    });
    offset += recordBytes;
  }
  return files;
}

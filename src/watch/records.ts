/**
 * Decoding the event records `bits_watcher_drain` writes (layout in
 * ffi/bits_shim.h). Pure: tested on any OS.
 *
 * @module
 */

import { sizeFromU64 } from "../decode.ts";
import { formatGuid } from "../guid.ts";
import { describeHresult, failed, HR } from "../hresult.ts";
import { enumName, ERROR_CONTEXTS, JOB_STATES } from "../types.ts";
import { decodeUtf16 } from "../utf16.ts";
import type { Observation } from "./events.ts";

/** Size of one record (`BITS_EVENT_RECORD_BYTES`). */
export const EVENT_RECORD_BYTES = 600;
/**
 * Kinds of notification (`BITS_EVENT_*`). A `file-ranges-transferred` record (BITS 10.1) is a progress report
 * on a file, not a finished file: its observation carries no `file`.
 */
export const EVENT_KINDS = {
  1: "transferred",
  2: "error",
  3: "modification",
  4: "file-transferred",
  5: "file-ranges-transferred",
} as const;

/** One decoded notification. */
export interface NotificationRecord {
  /** The notification BITS sent. */
  readonly kind: typeof EVENT_KINDS[keyof typeof EVENT_KINDS] | `unknown(${number})`;
  /** Arrival order, from 1. */
  readonly sequence: number;
  /** The job id. */
  readonly jobId: string;
  /** What the drain read about the job, as an observation for the coalescer. */
  readonly observation: Observation;
  /** The HRESULT of reading the job (0 when it could be read). */
  readonly readHr: number;
}

// FILETIME ticks (100 ns since 1601) to ms since 1970.
const EPOCH_OFFSET_MS = 11_644_473_600_000n;
function filetimeToMs(ticks: bigint): number {
  return Number(ticks / 10_000n - EPOCH_OFFSET_MS);
}

/** Decodes `count` records from a drain buffer. */
export function decodeEventRecords(bytes: Uint8Array, count: number): NotificationRecord[] {
  if (count * EVENT_RECORD_BYTES > bytes.byteLength) {
    throw new RangeError(`${count} event records do not fit in ${bytes.byteLength} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: NotificationRecord[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * EVENT_RECORD_BYTES;
    const kindValue = view.getUint32(o, true);
    const kind = EVENT_KINDS[kindValue as keyof typeof EVENT_KINDS] ?? `unknown(${kindValue})` as const;
    const jobId = formatGuid(bytes, o + 8);
    const stateValue = view.getInt32(o + 24, true);
    const readHr = view.getInt32(o + 28, true);
    const at = filetimeToMs(view.getBigUint64(o + 64, true));
    const fileLength = Math.min(view.getUint32(o + 72, true), 260);
    const errorCode = view.getInt32(o + 60, true);
    const gone = (readHr >>> 0) === (HR.BG_E_NOT_FOUND >>> 0);
    const readable = stateValue >= 0 && !failed(readHr);
    let observation: Observation;
    if (gone) {
      observation = { jobId, source: "callback", at, removed: true };
    } else if (!readable) {
      // Synthetic (injected) notifications, or a job that could not be read: identity only.
      observation = { jobId, source: "callback", at };
    } else {
      const info = describeHresult(errorCode);
      observation = {
        jobId,
        source: "callback",
        at,
        state: enumName(JOB_STATES, stateValue),
        progress: {
          bytesTotal: sizeFromU64(view.getBigUint64(o + 32, true)),
          bytesTransferred: Number(view.getBigUint64(o + 40, true)),
          filesTotal: view.getUint32(o + 48, true),
          filesTransferred: view.getUint32(o + 52, true),
        },
        error: kind === "error" && errorCode !== 0
          ? {
            context: enumName(ERROR_CONTEXTS, view.getInt32(o + 56, true)),
            hresult: errorCode >>> 0,
            code: info.name,
            description: info.description,
          }
          : null,
        ...(kind === "file-transferred" && fileLength > 0 ? { file: decodeUtf16(bytes, o + 80, fileLength) } : {}),
      };
    }
    records.push({ kind, sequence: view.getUint32(o + 4, true), jobId, observation, readHr });
  }
  return records;
}

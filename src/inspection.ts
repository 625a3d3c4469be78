/**
 * Inspection: a job's details beyond its snapshot (times, owner, error count,
 * owner integrity and elevation, the error in full) read in one shim call,
 * and error texts from the best source available (BITS, the system's message
 * tables, winhttp.dll's, then this module's own table).
 *
 * @module
 */

import { loadShim } from "../ffi/library.ts";
import { MESSAGE_SOURCE_SYSTEM, MESSAGE_SOURCE_WINHTTP } from "../ffi/symbols_inspection.ts";
import { BitsError, InvalidArgumentError } from "./errors.ts";
import { readBytes, readGrowing } from "./buffer_read.ts";
import type { OwnedHandle } from "./handle.ts";
import { describeHresult, failed, HR, isWinHttpError } from "./hresult.ts";
import { decodeDetails, type JobDetails } from "./inspection/details.ts";
import type { JobRef } from "./job_ref.ts";
import { decodeUtf16 } from "./utf16.ts";

// The details record and its decoding (pure) are in src/inspection/details.ts.

/** Options of `job.details()`. */
export interface DetailsOptions {
  /** LANGID for BITS' error texts (e.g. 0x0409, en-US); default 0: the user's UI language. */
  readonly langId?: number;
}

/** Checks a LANGID: a whole number 0..0xFFFF. */
export function checkLangId(langId: number | undefined): number {
  if (langId === undefined) return 0;
  if (!Number.isInteger(langId) || langId < 0 || langId > 0xFFFF) {
    throw new InvalidArgumentError("langId", `langId must be a LANGID, a whole number 0..0xFFFF; got ${langId}`);
  }
  return langId;
}

// Header plus owner, account and BITS' texts: one allocation almost always fits.
const DETAILS_BUFFER_BYTES = 8192;

/** Reads a job's details (one FFI call, retried only if the texts outgrow the buffer). */
export async function readDetails(
  { handle, id: jobId }: JobRef,
  options: DetailsOptions = {},
): Promise<JobDetails> {
  const langId = checkLangId(options.langId);
  const bytes = await readBytes(
    DETAILS_BUFFER_BYTES,
    "Reading job details",
    jobId,
    (out, size, needed) => handle.use((job) => loadShim().symbols.bits_job_details(job, langId, out, size, needed)),
  );
  return decodeDetails(bytes, jobId);
}

/** Where an error text came from. */
export type ErrorTextSource = "bits" | "winhttp" | "system" | "table";

/** An error text and where it came from. */
export interface ErrorText {
  /** The HRESULT described, unsigned. */
  readonly hresult: number;
  /** Its symbolic name (this module's table), e.g. `BG_E_HTTP_ERROR_404`. */
  readonly code: string;
  /** The text, without trailing line breaks. */
  readonly text: string;
  /**
   * Which source answered: `"bits"` (IBackgroundCopyManager::GetErrorDescription),
   * `"winhttp"` (winhttp.dll's message table), `"system"` (FormatMessage from the
   * system) or `"table"` (this module's own table, always available).
   */
  readonly source: ErrorTextSource;
  /** What to do about it, for the common failures. */
  readonly hint?: string;
  /** The sources tried before the one that answered, with their failure codes. */
  readonly tried: readonly { readonly source: ErrorTextSource; readonly code: string }[];
}

/** Options of `manager.errorDescription()`. */
export interface ErrorDescriptionOptions {
  /** LANGID of the text (e.g. 0x0409, en-US); default 0: the user's UI language. */
  readonly langId?: number;
}

/** Checks an HRESULT argument: a whole number that fits 32 bits, signed or unsigned. */
export function checkHresult(hr: number): number {
  if (!Number.isInteger(hr) || hr < -0x8000_0000 || hr > 0xFFFF_FFFF) {
    throw new InvalidArgumentError("hr", `hr must be a 32-bit HRESULT (e.g. 0x80190194); got ${hr}`);
  }
  return hr | 0;
}

/**
 * The message-table sources to try for `hr` after BITS, in order, with the
 * message id each one is asked for: winhttp.dll first for WinHTTP codes (the
 * system tables do not know them: `net helpmsg` fails on 0x80072EFE), then the
 * system, asked for the Win32 code of 0x8007xxxx and for the HRESULT itself.
 */
export function messageSources(hr: number): { source: "winhttp" | "system"; messageId: number }[] {
  const u = hr >>> 0;
  const sources: { source: "winhttp" | "system"; messageId: number }[] = [];
  if (isWinHttpError(u)) sources.push({ source: "winhttp", messageId: u & 0xFFFF });
  const win32 = ((u & 0xFFFF0000) >>> 0) === 0x80070000;
  sources.push({ source: "system", messageId: win32 ? u & 0xFFFF : u });
  return sources;
}

/**
 * Reads a string a shim function writes into a caller buffer, growing the
 * buffer as it asks; a failure comes back as its HRESULT with no text (the
 * caller tries the next source), never as an error.
 */
async function readText(
  call: (buffer: Uint16Array, length: Uint32Array) => number | Promise<number>,
): Promise<{ hr: number; text: string }> {
  try {
    return await readGrowing({
      initialSize: 1024,
      allocate: (units: number) => ({ buffer: new Uint16Array(units), length: new Uint32Array(1) }),
      call: ({ buffer, length }) => call(buffer, length),
      grow: ({ length }) => length[0] + 1,
      finish: (hr, { buffer, length }) =>
        failed(hr)
          ? { hr, text: "" }
          : { hr, text: decodeUtf16(new Uint8Array(buffer.buffer), 0, length[0]).trimEnd() },
      operation: "Reading an error text",
    });
  } catch (error) {
    // The text kept outgrowing its buffer: as much a miss as any other failure.
    if (error instanceof BitsError && error.hresult === (HR.ERROR_INSUFFICIENT_BUFFER >>> 0)) {
      return { hr: HR.ERROR_INSUFFICIENT_BUFFER, text: "" };
    }
    throw error;
  }
}

function sentence(description: string): string {
  return `${description.charAt(0).toUpperCase()}${description.slice(1)}.`;
}

/**
 * The best text for `hr`: BITS' own description, else winhttp.dll's message
 * table (WinHTTP codes), else the system's, else this module's table (which
 * always answers). Never throws for a missing source.
 */
export async function errorText(
  manager: OwnedHandle,
  hr: number,
  options: ErrorDescriptionOptions = {},
): Promise<ErrorText> {
  const code = checkHresult(hr);
  const langId = checkLangId(options.langId);
  const info = describeHresult(code);
  const base = {
    hresult: code >>> 0,
    code: info.name,
    ...(info.hint !== undefined ? { hint: info.hint } : {}),
  };
  const tried: { source: ErrorTextSource; code: string }[] = [];
  const shim = loadShim().symbols;
  const bits = await manager.use((pointer) =>
    readText((buffer, length) =>
      shim.bits_manager_error_description(pointer, code, langId, buffer, buffer.length, length)
    )
  );
  if (!failed(bits.hr) && bits.text !== "") return { ...base, text: bits.text, source: "bits", tried };
  tried.push({ source: "bits", code: describeHresult(bits.hr).name });
  for (const { source, messageId } of messageSources(code)) {
    const table = source === "winhttp" ? MESSAGE_SOURCE_WINHTTP : MESSAGE_SOURCE_SYSTEM;
    const message = await readText((buffer, length) =>
      shim.bits_format_message(table, messageId, langId, buffer, buffer.length, length)
    );
    if (!failed(message.hr) && message.text !== "") return { ...base, text: message.text, source, tried };
    tried.push({ source, code: describeHresult(message.hr).name });
  }
  return { ...base, text: sentence(info.description), source: "table", tried };
}

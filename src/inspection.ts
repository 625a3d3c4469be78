/**
 * Inspection: a job's details beyond its snapshot (times, owner, error count,
 * owner integrity and elevation, the error in full) read in one shim call,
 * and error texts from the best source available (BITS, the system's message
 * tables, winhttp.dll's, then this module's own table).
 *
 * @module
 */

import { loadShim } from "../ffi/library.ts";
import { DETAILS_HEADER_BYTES, MESSAGE_SOURCE_SYSTEM, MESSAGE_SOURCE_WINHTTP } from "../ffi/symbols_inspection.ts";
import { SHIM_ABI_VERSION } from "../ffi/symbols.ts";
import { BitsError, InvalidArgumentError } from "./errors.ts";
import { readBytes, readGrowing } from "./buffer_read.ts";
import { dateFromFiletime } from "./filetime.ts";
import type { OwnedHandle } from "./handle.ts";
import { describeHresult, failed, HR, isWinHttpError } from "./hresult.ts";
import { enumName, ERROR_CONTEXTS, JOB_STATES } from "./types.ts";
import type { JobErrorInfo, JobState } from "./types.ts";
import { decodeUtf16 } from "./utf16.ts";

/** A detail that {@linkcode JobDetails} reads with its own BITS call, and so can lack on its own. */
export type DetailsField =
  | "times"
  | "owner"
  | "ownerAccount"
  | "errorCount"
  | "ownerIntegrityLevel"
  | "ownerElevated"
  | "errorFile"
  | "errorProtocol"
  | "errorDescription"
  | "errorContextDescription";

/** Mandatory integrity levels by RID (SECURITY_MANDATORY_*_RID). */
export const INTEGRITY_LEVELS = {
  UNTRUSTED: 0x0000,
  LOW: 0x1000,
  MEDIUM: 0x2000,
  MEDIUM_PLUS: 0x2100,
  HIGH: 0x3000,
  SYSTEM: 0x4000,
  PROTECTED_PROCESS: 0x5000,
} as const;

/** A mandatory integrity level by name (`UNKNOWN(n)` for a RID without one). */
export type IntegrityLevel = keyof typeof INTEGRITY_LEVELS;

/** The file a job's error concerns (IBackgroundCopyError::GetFile). */
export interface ErrorFile {
  /** Remote URL of the failing file; `""` when BITS could not say. */
  readonly remoteName: string;
  /** Local path of the failing file; `""` when BITS could not say. */
  readonly localName: string;
}

/** A job's error in full, as {@linkcode JobDetails} reports it. */
export interface JobErrorDetails extends JobErrorInfo {
  /** The HTTP status for `BG_E_HTTP_ERROR_nnn` codes. */
  readonly httpStatus?: number;
  /** What to do about it, for the common failures. */
  readonly hint?: string;
  /** The failing file, or `null` when no single file failed or BITS cannot say. */
  readonly file: ErrorFile | null;
  /** The protocol in use (`"http"` …), or `null`. */
  readonly protocol: string | null;
  /** BITS' localized description of the error (IBackgroundCopyError::GetErrorDescription), or `null`. */
  readonly localizedDescription: string | null;
  /** BITS' localized description of the error context, or `null`. */
  readonly contextDescription: string | null;
}

/**
 * Everything about a job beyond its snapshot. Each value is `null` when this
 * BITS could not read it; `unsupported` names the details this BITS lacks
 * (Wine stubs times, owner, error count, Job4's getters and the error texts),
 * `readErrors` the failure code of every detail that could not be read.
 */
export interface JobDetails {
  /** The job's GUID, braced upper case. */
  readonly id: string;
  /** The job's state when the details were read. */
  readonly state: JobState;
  /** When the job was created. */
  readonly creationTime: Date | null;
  /** When the job was last changed (by BITS or a client). */
  readonly modificationTime: Date | null;
  /** When the job was transferred; `null` also before that. */
  readonly transferCompletionTime: Date | null;
  /** The owner's SID string (`S-1-5-21-…`). */
  readonly ownerSid: string | null;
  /** The owner's account, `DOMAIN\user` (LookupAccountSid). */
  readonly ownerAccount: string | null;
  /** The owner's integrity level when the job was created (IBackgroundCopyJob4). */
  readonly ownerIntegrityLevel: IntegrityLevel | null;
  /** Whether the owner was elevated when the job was created (IBackgroundCopyJob4). */
  readonly ownerElevated: boolean | null;
  /** How many times the job went into ERROR or TRANSIENT_ERROR. */
  readonly errorCount: number | null;
  /** The job's error in the ERROR and TRANSIENT_ERROR states, else `null`. */
  readonly error: JobErrorDetails | null;
  /** The LANGID the descriptions were asked in. */
  readonly langId: number;
  /** Details this BITS does not implement (E_NOTIMPL, E_NOINTERFACE, a stub's RPC_X_NULL_REF_POINTER). */
  readonly unsupported: readonly DetailsField[];
  /** The failure code (e.g. `E_NOTIMPL`) of every detail that could not be read. */
  readonly readErrors: Readonly<Partial<Record<DetailsField, string>>>;
}

/** Options of `job.details()`. */
export interface DetailsOptions {
  /** LANGID for BITS' error texts (e.g. 0x0409, en-US); default 0: the user's UI language. */
  readonly langId?: number;
}

const UNSUPPORTED = new Set([HR.E_NOTIMPL, HR.E_NOINTERFACE, HR.RPC_X_NULL_REF_POINTER].map((hr) => hr >>> 0));
// "Nothing to report" answers of IBackgroundCopyError::GetFile / GetProtocol, not failures.
const NONE = new Set([0x80200004, 0x80200005]);
const S_FALSE = 1;

/** An integrity RID by name, `UNKNOWN(0x…)` for RIDs without one. */
export function integrityLevelName(rid: number): IntegrityLevel {
  const entry = Object.entries(INTEGRITY_LEVELS).find(([, value]) => value === rid);
  return (entry ? entry[0] : `UNKNOWN(0x${rid.toString(16).toUpperCase()})`) as IntegrityLevel;
}

/** Checks a LANGID: a whole number 0..0xFFFF. */
export function checkLangId(langId: number | undefined): number {
  if (langId === undefined) return 0;
  if (!Number.isInteger(langId) || langId < 0 || langId > 0xFFFF) {
    throw new InvalidArgumentError("langId", `langId must be a LANGID, a whole number 0..0xFFFF; got ${langId}`);
  }
  return langId;
}

/**
 * Decodes a `bits_job_details` record (layout in ffi/bits_inspection.h) into
 * {@linkcode JobDetails}. Pure; throws RangeError on an inconsistent buffer.
 */
export function decodeDetails(bytes: Uint8Array, id: string): JobDetails {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < DETAILS_HEADER_BYTES) throw new RangeError("Job details buffer is too small");
  const version = view.getUint32(0, true);
  if (version !== SHIM_ABI_VERSION) {
    throw new RangeError(`Job details have ABI version ${version}, expected ${SHIM_ABI_VERSION}`);
  }
  const total = view.getUint32(4, true);
  if (total < DETAILS_HEADER_BYTES || total > bytes.byteLength) {
    throw new RangeError(`Job details claim ${total} bytes in a ${bytes.byteLength}-byte buffer`);
  }
  const i32 = (offset: number): number => view.getInt32(offset, true);
  const u32 = (offset: number): number => view.getUint32(offset, true);
  const u64 = (offset: number): bigint => view.getBigUint64(offset, true);

  // The seven strings follow the header in this order; lengths are scattered through it.
  const lengthOffsets = [112, 116, 120, 124, 128, 132, 140];
  const strings: string[] = [];
  let offset = DETAILS_HEADER_BYTES;
  for (const at of lengthOffsets) {
    const units = u32(at);
    if (offset + units * 2 > total) throw new RangeError("Job details strings overrun the record");
    strings.push(decodeUtf16(bytes, offset, units));
    offset += units * 2;
  }
  const [sid, account, remote, local, protocol, description, contextDescription] = strings;

  const unsupported: DetailsField[] = [];
  const readErrors: Partial<Record<DetailsField, string>> = {};
  // A field's value, or null with the failure recorded; S_FALSE means "not attempted".
  const read = <T>(field: DetailsField, hr: number, value: () => T): T | null => {
    if (hr === S_FALSE) return null;
    if (failed(hr)) {
      if (UNSUPPORTED.has(hr >>> 0)) unsupported.push(field);
      readErrors[field] = describeHresult(hr).name;
      return null;
    }
    return value();
  };

  const timesHr = i32(12);
  const creationTime = read("times", timesHr, () => dateFromFiletime(u64(40)));
  const times = failed(timesHr) ? null : {
    modification: dateFromFiletime(u64(48)),
    completion: dateFromFiletime(u64(56)),
  };
  const ownerSid = read("owner", i32(16), () => sid);
  const ownerAccount = read("ownerAccount", i32(20), () => account);
  const errorCount = read("errorCount", i32(24), () => u32(64));
  // Without IBackgroundCopyJob4 both of its getters are missing, with the QueryInterface's code.
  const job4Hr = i32(28);
  const ownerIntegrityLevel = failed(job4Hr)
    ? read("ownerIntegrityLevel", job4Hr, () => null)
    : read("ownerIntegrityLevel", i32(32), () => integrityLevelName(u32(68)));
  const ownerElevated = failed(job4Hr)
    ? read("ownerElevated", job4Hr, () => null)
    : read("ownerElevated", i32(36), () => u32(72) !== 0);

  const errorHr = i32(76);
  const errorCode = i32(84);
  let error: JobErrorDetails | null = null;
  if (errorHr === 0 && errorCode !== 0) {
    const info = describeHresult(errorCode);
    const fileHr = i32(88);
    const file = NONE.has(fileHr >>> 0)
      ? null
      : read("errorFile", fileHr, () => ({ remoteName: remote, localName: local }));
    const protocolHr = i32(100);
    error = {
      context: enumName(ERROR_CONTEXTS, i32(80)),
      hresult: errorCode >>> 0,
      code: info.name,
      description: info.description,
      ...(info.httpStatus !== undefined ? { httpStatus: info.httpStatus } : {}),
      ...(info.hint !== undefined ? { hint: info.hint } : {}),
      file,
      protocol: NONE.has(protocolHr >>> 0) ? null : read("errorProtocol", protocolHr, () => protocol),
      localizedDescription: read("errorDescription", i32(104), () => description.trimEnd()),
      contextDescription: read("errorContextDescription", i32(108), () => contextDescription.trimEnd()),
    };
  } else if (failed(errorHr)) {
    // BITS knows the job failed but not why (Wine: every network or local error).
    const info = describeHresult(errorHr);
    error = {
      context: "UNKNOWN",
      hresult: errorHr >>> 0,
      code: info.name,
      description: info.description,
      ...(info.hint !== undefined ? { hint: info.hint } : {}),
      file: null,
      protocol: null,
      localizedDescription: null,
      contextDescription: null,
    };
  }

  return {
    id,
    state: enumName(JOB_STATES, i32(8)),
    creationTime,
    modificationTime: times?.modification ?? null,
    transferCompletionTime: times?.completion ?? null,
    ownerSid,
    ownerAccount,
    ownerIntegrityLevel,
    ownerElevated,
    errorCount,
    error,
    langId: u32(136),
    unsupported,
    readErrors,
  };
}

// Header plus owner, account and BITS' texts: one allocation almost always fits.
const DETAILS_BUFFER_BYTES = 8192;

/** Reads a job's details through its owned handle (one FFI call, retried only if the texts outgrow the buffer). */
export async function readDetails(
  handle: OwnedHandle,
  jobId: string,
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

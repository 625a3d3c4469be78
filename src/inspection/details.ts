/**
 * A job's details record (`bits_job_details`, layout in
 * ffi/bits_inspection.h) and what it decodes to. Pure: tested on any OS.
 *
 * {@linkcode decodeDetails} checks the record's frame, cuts out its strings,
 * then decodes one section at a time (times, owner, error count, the
 * owner's integrity and elevation, the error); each section's reads go
 * through one `FieldReads`, which keeps the failures in the order
 * the sections are read.
 *
 * @module
 */

import { DETAILS_HEADER_BYTES } from "../../ffi/symbols_inspection.ts";
import { SHIM_ABI_VERSION } from "../../ffi/symbols.ts";
import { dateFromFiletime } from "../filetime.ts";
import { describeHresult, failed, HR } from "../hresult.ts";
import { enumName, ERROR_CONTEXTS, JOB_STATES } from "../types.ts";
import type { JobErrorInfo, JobState } from "../types.ts";
import { decodeUtf16 } from "../utf16.ts";

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

const UNSUPPORTED = new Set([HR.E_NOTIMPL, HR.E_NOINTERFACE, HR.RPC_X_NULL_REF_POINTER].map((hr) => hr >>> 0));
// "Nothing to report" answers of IBackgroundCopyError::GetFile / GetProtocol, not failures.
const NONE = new Set([0x80200004, 0x80200005]);
const S_FALSE = 1;

/** An integrity RID by name, `UNKNOWN(0x…)` for RIDs without one. */
export function integrityLevelName(rid: number): IntegrityLevel {
  const entry = Object.entries(INTEGRITY_LEVELS).find(([, value]) => value === rid);
  return (entry ? entry[0] : `UNKNOWN(0x${rid.toString(16).toUpperCase()})`) as IntegrityLevel;
}

/** Byte offsets of the record's header fields (ffi/bits_inspection.h). */
const AT = {
  abiVersion: 0,
  totalBytes: 4,
  state: 8,
  timesHr: 12,
  ownerHr: 16,
  accountHr: 20,
  errorCountHr: 24,
  job4Hr: 28,
  integrityHr: 32,
  elevationHr: 36,
  creationTime: 40,
  modificationTime: 48,
  transferCompletionTime: 56,
  errorCount: 64,
  integrityLevel: 68,
  elevated: 72,
  errorHr: 76,
  errorContext: 80,
  errorCode: 84,
  fileHr: 88,
  protocolHr: 100,
  descriptionHr: 104,
  contextDescriptionHr: 108,
  langId: 136,
} as const;

/** Where the length of each string is, in the order the strings follow the header (lengths are scattered). */
const STRING_LENGTHS = {
  ownerSid: 112,
  account: 116,
  remote: 120,
  local: 124,
  protocol: 128,
  description: 132,
  contextDescription: 140,
} as const;

type DetailsStrings = Record<keyof typeof STRING_LENGTHS, string>;

/** A record whose frame (size, ABI version, total) has been checked. */
class DetailsRecord {
  readonly #view: DataView;
  /** The bytes the record claims, header and strings. */
  readonly total: number;

  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < DETAILS_HEADER_BYTES) throw new RangeError("Job details buffer is too small");
    const version = this.u32(AT.abiVersion);
    if (version !== SHIM_ABI_VERSION) {
      throw new RangeError(`Job details have ABI version ${version}, expected ${SHIM_ABI_VERSION}`);
    }
    this.total = this.u32(AT.totalBytes);
    if (this.total < DETAILS_HEADER_BYTES || this.total > bytes.byteLength) {
      throw new RangeError(`Job details claim ${this.total} bytes in a ${bytes.byteLength}-byte buffer`);
    }
  }

  i32(offset: number): number {
    return this.#view.getInt32(offset, true);
  }

  u32(offset: number): number {
    return this.#view.getUint32(offset, true);
  }

  u64(offset: number): bigint {
    return this.#view.getBigUint64(offset, true);
  }

  /** The seven strings after the header. */
  strings(): DetailsStrings {
    const strings: Partial<DetailsStrings> = {};
    let offset = DETAILS_HEADER_BYTES;
    for (const [name, at] of Object.entries(STRING_LENGTHS) as [keyof DetailsStrings, number][]) {
      const units = this.u32(at);
      if (offset + units * 2 > this.total) throw new RangeError("Job details strings overrun the record");
      strings[name] = decodeUtf16(this.bytes, offset, units);
      offset += units * 2;
    }
    return strings as DetailsStrings;
  }
}

/** The reads of the details, each with its result code: failures are collected, not thrown. */
class FieldReads {
  readonly unsupported: DetailsField[] = [];
  readonly readErrors: Partial<Record<DetailsField, string>> = {};

  /** A field's value, or null with the failure recorded; S_FALSE means "not attempted". */
  read<T>(field: DetailsField, hr: number, value: () => T): T | null {
    if (hr === S_FALSE) return null;
    if (failed(hr)) {
      if (UNSUPPORTED.has(hr >>> 0)) this.unsupported.push(field);
      this.readErrors[field] = describeHresult(hr).name;
      return null;
    }
    return value();
  }
}

/** GetTimes: one call for the three times. */
function decodeTimes(
  record: DetailsRecord,
  reads: FieldReads,
): Pick<JobDetails, "creationTime" | "modificationTime" | "transferCompletionTime"> {
  const hr = record.i32(AT.timesHr);
  const creationTime = reads.read("times", hr, () => dateFromFiletime(record.u64(AT.creationTime)));
  if (failed(hr)) return { creationTime, modificationTime: null, transferCompletionTime: null };
  return {
    creationTime,
    modificationTime: dateFromFiletime(record.u64(AT.modificationTime)),
    transferCompletionTime: dateFromFiletime(record.u64(AT.transferCompletionTime)),
  };
}

/** GetOwner, and the account its SID names. */
function decodeOwner(
  record: DetailsRecord,
  reads: FieldReads,
  strings: DetailsStrings,
): Pick<JobDetails, "ownerSid" | "ownerAccount"> {
  return {
    ownerSid: reads.read("owner", record.i32(AT.ownerHr), () => strings.ownerSid),
    ownerAccount: reads.read("ownerAccount", record.i32(AT.accountHr), () => strings.account),
  };
}

/** IBackgroundCopyJob4's two getters: without the interface both carry the QueryInterface's code. */
function decodeOwnerIntegrity(
  record: DetailsRecord,
  reads: FieldReads,
): Pick<JobDetails, "ownerIntegrityLevel" | "ownerElevated"> {
  const job4Hr = record.i32(AT.job4Hr);
  if (failed(job4Hr)) {
    return {
      ownerIntegrityLevel: reads.read("ownerIntegrityLevel", job4Hr, () => null),
      ownerElevated: reads.read("ownerElevated", job4Hr, () => null),
    };
  }
  return {
    ownerIntegrityLevel: reads.read(
      "ownerIntegrityLevel",
      record.i32(AT.integrityHr),
      () => integrityLevelName(record.u32(AT.integrityLevel)),
    ),
    ownerElevated: reads.read("ownerElevated", record.i32(AT.elevationHr), () => record.u32(AT.elevated) !== 0),
  };
}

/** The error BITS reported in full: its code, context, failing file, protocol and texts. */
function decodeReportedError(record: DetailsRecord, reads: FieldReads, strings: DetailsStrings): JobErrorDetails {
  const errorCode = record.i32(AT.errorCode);
  const info = describeHresult(errorCode);
  const fileHr = record.i32(AT.fileHr);
  const file = NONE.has(fileHr >>> 0)
    ? null
    : reads.read("errorFile", fileHr, () => ({ remoteName: strings.remote, localName: strings.local }));
  const protocolHr = record.i32(AT.protocolHr);
  return {
    context: enumName(ERROR_CONTEXTS, record.i32(AT.errorContext)),
    hresult: errorCode >>> 0,
    code: info.name,
    description: info.description,
    ...(info.httpStatus !== undefined ? { httpStatus: info.httpStatus } : {}),
    ...(info.hint !== undefined ? { hint: info.hint } : {}),
    file,
    protocol: NONE.has(protocolHr >>> 0) ? null : reads.read("errorProtocol", protocolHr, () => strings.protocol),
    localizedDescription: reads.read(
      "errorDescription",
      record.i32(AT.descriptionHr),
      () => strings.description.trimEnd(),
    ),
    contextDescription: reads.read(
      "errorContextDescription",
      record.i32(AT.contextDescriptionHr),
      () => strings.contextDescription.trimEnd(),
    ),
  };
}

/** BITS knows the job failed but not why (Wine: every network or local error): the GetError failure stands in. */
function decodeUnexplainedError(errorHr: number): JobErrorDetails {
  const info = describeHresult(errorHr);
  return {
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

/** The job's error: reported in full, unexplained, or none (S_FALSE: the job is in no error state). */
function decodeError(record: DetailsRecord, reads: FieldReads, strings: DetailsStrings): JobErrorDetails | null {
  const errorHr = record.i32(AT.errorHr);
  if (errorHr === 0 && record.i32(AT.errorCode) !== 0) return decodeReportedError(record, reads, strings);
  if (failed(errorHr)) return decodeUnexplainedError(errorHr);
  return null;
}

/**
 * Decodes a `bits_job_details` record (layout in ffi/bits_inspection.h) into
 * {@linkcode JobDetails}. Pure; throws RangeError on an inconsistent buffer.
 */
export function decodeDetails(bytes: Uint8Array, id: string): JobDetails {
  const record = new DetailsRecord(bytes);
  const strings = record.strings();
  const reads = new FieldReads();
  // Sections in the order their failures are listed in `unsupported`.
  const times = decodeTimes(record, reads);
  const owner = decodeOwner(record, reads, strings);
  const errorCount = reads.read("errorCount", record.i32(AT.errorCountHr), () => record.u32(AT.errorCount));
  const integrity = decodeOwnerIntegrity(record, reads);
  const error = decodeError(record, reads, strings);
  return {
    id,
    state: enumName(JOB_STATES, record.i32(AT.state)),
    ...times,
    ...owner,
    ...integrity,
    errorCount,
    error,
    langId: record.u32(AT.langId),
    unsupported: reads.unsupported,
    readErrors: reads.readErrors,
  };
}

/**
 * Files of a job beyond the plain list: byte ranges (validated before BITS
 * sees them), the encoding of many files for one AddFileSet call, the
 * `bits_file_read` record decoder, and {@linkcode BitsFile}, one file of a
 * job with its IBackgroundCopyFile2 … File6 features.
 *
 * @module
 */

import { loadShim } from "../ffi/library.ts";
import { SHIM_ABI_VERSION } from "../ffi/symbols.ts";
import { FILE_DETAILS_HEADER_BYTES, FILE_PART, FILE_RANGE_BYTES } from "../ffi/symbols_files.ts";
import { readBytes, readGrowing } from "./buffer_read.ts";
import { sizeFromU64 } from "./decode.ts";
import { BitsError, BitsUnsupportedError, InvalidArgumentError, unwrap } from "./errors.ts";
import { REQUIRES } from "./features.ts";
import { OwnedHandle, pointerFromOut } from "./handle.ts";
import { failed, HR } from "./hresult.ts";
import type { FileExpectation } from "./integrity.ts";
import { readFiles, readSnapshot } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";
import type { JobFile } from "./types.ts";
import { decodeUtf16, encodeUtf16 } from "./utf16.ts";
import { checkLocalPath, checkRemoteSource, checkRemoteUrl } from "./validate.ts";

/** BITS' limit on byte ranges per file (group policy MaxRangesPerFile). */
export const MAX_RANGES = 500;

/** BG_LENGTH_TO_EOF. */
const LENGTH_TO_EOF = 0xFFFF_FFFF_FFFF_FFFFn;

/** A byte range of a remote file: `length` bytes from `offset`, or everything from `offset` with `"EOF"`. */
export interface FileRange {
  /** First byte, from 0. */
  readonly offset: number;
  /** Number of bytes (> 0), or `"EOF"` for the rest of the file. */
  readonly length: number | "EOF";
}

/**
 * Checks byte ranges before BITS sees them: 1 to 500 ranges, offsets
 * non-negative safe integers, lengths positive safe integers or `"EOF"`, ends
 * within the safe-integer range, no two ranges overlapping (an `"EOF"` range
 * must be the last one). Returns copies in the given order (BITS keeps it).
 */
export function checkRanges(value: unknown, argument = "ranges"): FileRange[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(argument, `${argument} must be an array of ranges`);
  if (value.length === 0) throw new InvalidArgumentError(argument, `${argument} must hold at least one range`);
  if (value.length > MAX_RANGES) {
    throw new InvalidArgumentError(
      argument,
      `${argument} holds ${value.length} ranges; BITS allows at most ${MAX_RANGES} per file`,
    );
  }
  const ranges = value.map((range: unknown, i): FileRange => {
    const where = `${argument}[${i}]`;
    if (typeof range !== "object" || range === null) {
      throw new InvalidArgumentError(where, `${where} must be { offset, length }`);
    }
    const { offset, length } = range as Record<string, unknown>;
    if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
      throw new InvalidArgumentError(`${where}.offset`, `${where}.offset must be a non-negative safe integer`);
    }
    if (length === "EOF") return { offset, length };
    if (typeof length !== "number" || !Number.isSafeInteger(length) || length <= 0) {
      throw new InvalidArgumentError(`${where}.length`, `${where}.length must be a positive safe integer or "EOF"`);
    }
    if (!Number.isSafeInteger(offset + length)) {
      throw new InvalidArgumentError(where, `${where} ends beyond ${Number.MAX_SAFE_INTEGER}`);
    }
    return { offset, length };
  });
  const sorted = ranges.map((range, index) => ({ range, index })).sort((a, b) => a.range.offset - b.range.offset);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1];
    const after = sorted[i];
    if (before.range.length === "EOF" || before.range.offset + before.range.length > after.range.offset) {
      throw new InvalidArgumentError(
        argument,
        `${argument}[${before.index}] and ${argument}[${after.index}] overlap (BG_E_OVERLAPPING_RANGES)`,
      );
    }
  }
  return ranges;
}

/** Encodes ranges as the shim's (offset, length) u64 pairs; `"EOF"` becomes BG_LENGTH_TO_EOF. */
export function encodeRanges(ranges: readonly FileRange[]): BigUint64Array {
  const pairs = new BigUint64Array(ranges.length * 2);
  ranges.forEach((range, i) => {
    pairs[2 * i] = BigInt(range.offset);
    pairs[2 * i + 1] = range.length === "EOF" ? LENGTH_TO_EOF : BigInt(range.length);
  });
  return pairs;
}

/** Decodes `count` BG_FILE_RANGEs at `offset` of a record. */
export function decodeRanges(view: DataView, offset: number, count: number): FileRange[] {
  const ranges: FileRange[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + i * FILE_RANGE_BYTES;
    const length = view.getBigUint64(at + 8, true);
    ranges.push({
      offset: Number(view.getBigUint64(at, true)),
      length: length === LENGTH_TO_EOF ? "EOF" : Number(length),
    });
  }
  return ranges;
}

/** The strings of an AddFileSet call, laid out for `bits_job_add_file_set`. */
export interface EncodedFileSet {
  /** Number of files. */
  readonly count: number;
  /** remote 0, local 0, remote 1, … each NUL-terminated, back to back. */
  readonly names: Uint16Array;
  /** The 2 × count string lengths in code units, NUL excluded. */
  readonly lengths: Uint32Array;
}

/** Lays out already validated files for one AddFileSet call. */
export function encodeFileSet(files: readonly { readonly url: string; readonly path: string }[]): EncodedFileSet {
  const strings = files.flatMap((file) => [file.url, file.path]);
  const names = new Uint16Array(strings.reduce((sum, s) => sum + s.length + 1, 0));
  const lengths = new Uint32Array(strings.length);
  let at = 0;
  strings.forEach((text, i) => {
    const encoded = encodeUtf16(text);
    names.set(encoded.buffer, at);
    lengths[i] = encoded.length;
    at += encoded.length + 1;
  });
  return { count: files.length, names, lengths };
}

/** Bytes a file received from the origin server and from peers (IBackgroundCopyFile4). */
export interface PeerDownloadStats {
  /** Bytes downloaded from the origin server. */
  readonly fromOrigin: number;
  /** Bytes downloaded from peers (BranchCache or peer caching). */
  readonly fromPeers: number;
}

/** A `bits_file_read` record as the shim wrote it: every value with the HRESULT that produced it. */
export interface FileRecord {
  /** The parts that were asked for (`FILE_PART` bits). */
  readonly parts: number;
  /** HRESULT of each read: S_FALSE when not asked for, E_NOINTERFACE when the interface is missing. */
  readonly hr: {
    readonly progress: number;
    readonly remoteName: number;
    readonly localName: number;
    readonly ranges: number;
    readonly temporaryName: number;
    readonly validationState: number;
    readonly downloadedFromPeer: number;
    readonly peerDownloadStats: number;
    readonly httpResponseHeaders: number;
    readonly filledRanges: number;
  };
  /** Remote URL. */
  readonly remoteName: string;
  /** Local path. */
  readonly localName: string;
  /** Total bytes, `null` while unknown. */
  readonly bytesTotal: number | null;
  /** Bytes transferred. */
  readonly bytesTransferred: number;
  /** True once the file is transferred. */
  readonly completed: boolean;
  /** File2 ranges. */
  readonly ranges: FileRange[];
  /** File3 temporary file name. */
  readonly temporaryName: string;
  /** File3 validation state. */
  readonly validationState: boolean;
  /** File3 peer origin. */
  readonly downloadedFromPeer: boolean;
  /** File4 statistics. */
  readonly peerDownloadStats: PeerDownloadStats;
  /** File5 response headers. */
  readonly httpResponseHeaders: string;
  /** File6 filled ranges. */
  readonly filledRanges: FileRange[];
}

/** Decodes a `bits_file_read` record (layout in ffi/bits_files.h). */
export function decodeFileRecord(bytes: Uint8Array): FileRecord {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < FILE_DETAILS_HEADER_BYTES) {
    throw new RangeError(`File record of ${bytes.byteLength} bytes is shorter than its header`);
  }
  const version = view.getUint32(0, true);
  if (version !== SHIM_ABI_VERSION) {
    throw new RangeError(`File record has ABI version ${version}, expected ${SHIM_ABI_VERSION}`);
  }
  const total = view.getUint32(4, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  const i32 = (at: number): number => view.getInt32(at, true);
  const [remoteLength, localLength, temporaryLength, headersLength, rangeCount, filledCount] = [
    u32(96),
    u32(100),
    u32(104),
    u32(108),
    u32(112),
    u32(116),
  ];
  const stringsAt = FILE_DETAILS_HEADER_BYTES + (rangeCount + filledCount) * FILE_RANGE_BYTES;
  const expected = stringsAt + 2 * (remoteLength + localLength + temporaryLength + headersLength);
  if (total !== expected || total > bytes.byteLength) {
    throw new RangeError(`File record claims ${total} bytes; its counts need ${expected} (buffer ${bytes.byteLength})`);
  }
  let at = stringsAt;
  const text = (length: number): string => {
    const value = decodeUtf16(bytes, at, length);
    at += length * 2;
    return value;
  };
  return {
    parts: u32(8),
    hr: {
      progress: i32(12),
      remoteName: i32(36),
      localName: i32(40),
      ranges: i32(44),
      temporaryName: i32(48),
      validationState: i32(52),
      downloadedFromPeer: i32(56),
      peerDownloadStats: i32(60),
      httpResponseHeaders: i32(64),
      filledRanges: i32(68),
    },
    bytesTotal: sizeFromU64(view.getBigUint64(16, true)),
    bytesTransferred: Number(view.getBigUint64(24, true)),
    completed: u32(32) !== 0,
    validationState: u32(72) !== 0,
    downloadedFromPeer: u32(76) !== 0,
    peerDownloadStats: {
      fromOrigin: Number(view.getBigUint64(80, true)),
      fromPeers: Number(view.getBigUint64(88, true)),
    },
    ranges: decodeRanges(view, FILE_DETAILS_HEADER_BYTES, rangeCount),
    filledRanges: decodeRanges(view, FILE_DETAILS_HEADER_BYTES + rangeCount * FILE_RANGE_BYTES, filledCount),
    remoteName: text(remoteLength),
    localName: text(localLength),
    temporaryName: text(temporaryLength),
    httpResponseHeaders: text(headersLength),
  };
}

/** The optional per-file values, each provided by a newer IBackgroundCopyFile interface. */
export type FileDetailField =
  | "ranges"
  | "temporaryName"
  | "validationState"
  | "downloadedFromPeer"
  | "peerDownloadStats"
  | "httpResponseHeaders"
  | "filledRanges";

// What each optional value is called for people, and what provides it.
const FIELDS: Record<FileDetailField, { feature: string; requires: string }> = {
  ranges: { feature: "file ranges (GetFileRanges)", requires: REQUIRES.file2 },
  temporaryName: { feature: "a file's temporary name (GetTemporaryName)", requires: REQUIRES.file3 },
  validationState: { feature: "a file's validation state (GetValidationState)", requires: REQUIRES.file3 },
  downloadedFromPeer: { feature: "a file's peer origin (IsDownloadedFromPeer)", requires: REQUIRES.file3 },
  peerDownloadStats: { feature: "peer download statistics (GetPeerDownloadStats)", requires: REQUIRES.file4 },
  httpResponseHeaders: { feature: "HTTP response headers (file property 1)", requires: REQUIRES.file5 },
  filledRanges: { feature: "filled file ranges (GetFilledFileRanges)", requires: REQUIRES.file6 },
};

// The record part each optional value comes from.
const PART_OF: Record<FileDetailField, number> = {
  ranges: FILE_PART.RANGES,
  temporaryName: FILE_PART.FILE3,
  validationState: FILE_PART.FILE3,
  downloadedFromPeer: FILE_PART.FILE3,
  peerDownloadStats: FILE_PART.PEER_STATS,
  httpResponseHeaders: FILE_PART.HEADERS,
  filledRanges: FILE_PART.FILLED,
};

/** An optional value the running BITS cannot provide. */
export interface UnsupportedFileField {
  /** The value. */
  readonly field: FileDetailField;
  /** The HRESULT name that said so: `E_NOINTERFACE`, `E_NOTIMPL` or `RPC_X_NULL_REF_POINTER`. */
  readonly code: string;
  /** What provides it, from {@linkcode REQUIRES}. */
  readonly requires: string;
}

/** An optional value BITS failed to read for another reason. */
export interface FailedFileField {
  /** The value. */
  readonly field: FileDetailField;
  /** The failure. */
  readonly error: BitsError;
}

/**
 * Everything readable about one file. Optional values are present only when
 * the running BITS provides them; each missing one is listed in `unsupported`
 * (or in `failures` when BITS has it but the read failed).
 */
export interface FileDetails extends JobFile {
  /** File2: the ranges the file was added with (none: the whole file). */
  readonly ranges?: FileRange[];
  /** File3: where BITS writes the data until Complete. */
  readonly temporaryName?: string;
  /** File3: whether the file was marked valid with {@linkcode BitsFile.setValidationState}. */
  readonly validationState?: boolean;
  /** File3: whether the data came from a peer. */
  readonly downloadedFromPeer?: boolean;
  /** File4: bytes from the origin and from peers. */
  readonly peerDownloadStats?: PeerDownloadStats;
  /** File5: the last HTTP response headers (CRLF-separated). */
  readonly httpResponseHeaders?: string;
  /** File6: the ranges already on disk. */
  readonly filledRanges?: FileRange[];
  /** Optional values this BITS lacks. */
  readonly unsupported: readonly UnsupportedFileField[];
  /** Optional values whose read failed otherwise. */
  readonly failures: readonly FailedFileField[];
}

const UNSUPPORTED_CODES = new Set<number>([HR.E_NOTIMPL, HR.E_NOINTERFACE, HR.RPC_X_NULL_REF_POINTER]);

/**
 * Turns a full record into {@linkcode FileDetails}: the basic values must have
 * been read (else the first failure is thrown); each optional value is kept,
 * listed as unsupported, or listed as failed.
 */
export function fileDetailsFromRecord(record: FileRecord, jobId?: string): FileDetails {
  unwrap(record.hr.remoteName, "GetRemoteName", { jobId });
  unwrap(record.hr.localName, "GetLocalName", { jobId });
  unwrap(record.hr.progress, "GetProgress (file)", { jobId });
  const values: { -readonly [F in FileDetailField]?: FileRecord[F] } = {};
  const unsupported: UnsupportedFileField[] = [];
  const failures: FailedFileField[] = [];
  for (const field of Object.keys(FIELDS) as FileDetailField[]) {
    if (!(record.parts & PART_OF[field])) continue;
    const hr = record.hr[field];
    if (!failed(hr)) Object.assign(values, { [field]: record[field] });
    else if (UNSUPPORTED_CODES.has(hr)) {
      unsupported.push({ field, code: new BitsError(hr).code, requires: FIELDS[field].requires });
    } else failures.push({ field, error: new BitsError(hr, { operation: FIELDS[field].feature, jobId }) });
  }
  return {
    remoteName: record.remoteName,
    localName: record.localName,
    bytesTotal: record.bytesTotal,
    bytesTransferred: record.bytesTransferred,
    completed: record.completed,
    ...values,
    unsupported,
    failures,
  };
}

// Two names, a few ranges and the headers fit; larger records are retried at their exact size.
const RECORD_BUFFER_BYTES = 8 * 1024;

/**
 * One file of a job, holding one COM reference (IBackgroundCopyFile).
 * Obtain it from `job.file(index)` or `job.fileObjects()`; dispose it when
 * done (disposing never changes the file or the job).
 */
export class BitsFile implements Disposable {
  /** The job the file belongs to (braced GUID). */
  readonly jobId: string;
  /** Position in BITS' enumeration order when the object was obtained (as `job.files()` lists them). */
  readonly index: number;
  readonly #handle: OwnedHandle;

  /** @internal Takes ownership of a file handle; use `job.file()` or `job.fileObjects()` instead. */
  constructor(handle: OwnedHandle, jobId: string, index: number) {
    this.#handle = handle;
    this.jobId = jobId;
    this.index = index;
  }

  /** Reads the requested parts in one native call. */
  async #read(parts: number): Promise<FileRecord> {
    const record = await readBytes(
      RECORD_BUFFER_BYTES,
      "Reading a file",
      this.jobId,
      (out, size, needed) =>
        this.#handle.use((file) => loadShim().symbols.bits_file_read(file, parts, out, size, needed)),
    );
    return decodeFileRecord(record);
  }

  /** Reads one optional value, throwing {@linkcode BitsUnsupportedError} when this BITS lacks it. */
  async #optional<F extends FileDetailField>(field: F): Promise<FileRecord[F]> {
    const record = await this.#read(PART_OF[field]);
    unwrap(record.hr[field], FIELDS[field].feature, {
      jobId: this.jobId,
      feature: FIELDS[field].feature,
      requires: FIELDS[field].requires,
    });
    return record[field];
  }

  /** Names and progress in one call (IBackgroundCopyFile). */
  async info(): Promise<JobFile> {
    const record = await this.#read(FILE_PART.BASIC);
    const { remoteName, localName, bytesTotal, bytesTransferred, completed } = fileDetailsFromRecord(
      record,
      this.jobId,
    );
    return { remoteName, localName, bytesTotal, bytesTransferred, completed };
  }

  /** The remote URL. */
  async remoteName(): Promise<string> {
    return (await this.info()).remoteName;
  }

  /** The local path. */
  async localName(): Promise<string> {
    return (await this.info()).localName;
  }

  /** Byte progress of this file. */
  async progress(): Promise<Pick<JobFile, "bytesTotal" | "bytesTransferred" | "completed">> {
    const { bytesTotal, bytesTransferred, completed } = await this.info();
    return { bytesTotal, bytesTransferred, completed };
  }

  /**
   * Points the file at another URL (IBackgroundCopyFile2::SetRemoteName), e.g.
   * after a server moved. Validated like any remote URL first.
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOTIMPL).
   */
  async setRemoteName(url: string): Promise<void> {
    const remote = encodeUtf16(checkRemoteUrl(url));
    const hr = await this.#handle.use((file) =>
      loadShim().symbols.bits_file_set_remote_name(file, remote.buffer, remote.length)
    );
    unwrap(hr, "SetRemoteName", {
      jobId: this.jobId,
      feature: "changing a file's remote name (SetRemoteName)",
      requires: REQUIRES.file2,
    });
  }

  /**
   * The byte ranges the file was added with (IBackgroundCopyFile2); empty for a whole file.
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOTIMPL).
   */
  ranges(): Promise<FileRange[]> {
    return this.#optional("ranges");
  }

  /**
   * Where BITS keeps the data until Complete (IBackgroundCopyFile3), e.g. to
   * verify it before {@linkcode setValidationState}.
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOINTERFACE).
   */
  temporaryName(): Promise<string> {
    return this.#optional("temporaryName");
  }

  /**
   * Whether the file was marked valid (IBackgroundCopyFile3).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOINTERFACE).
   */
  validationState(): Promise<boolean> {
    return this.#optional("validationState");
  }

  /**
   * Reports the result of the caller's content check (IBackgroundCopyFile3):
   * `false` makes BITS discard the file and re-download it (or fail, with
   * peer caching off). Call it after the file transferred, before Complete.
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOINTERFACE).
   */
  async setValidationState(valid: boolean): Promise<void> {
    if (typeof valid !== "boolean") throw new InvalidArgumentError("valid", "valid must be true or false");
    const hr = await this.#handle.use((file) => loadShim().symbols.bits_file_set_validation_state(file, valid ? 1 : 0));
    unwrap(hr, "SetValidationState", {
      jobId: this.jobId,
      feature: "setting a file's validation state (SetValidationState)",
      requires: REQUIRES.file3,
    });
  }

  /**
   * Whether the data came from a peer rather than the origin (IBackgroundCopyFile3).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOINTERFACE).
   */
  isDownloadedFromPeer(): Promise<boolean> {
    return this.#optional("downloadedFromPeer");
  }

  /**
   * Bytes from the origin server and from peers (IBackgroundCopyFile4).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOINTERFACE).
   */
  peerDownloadStats(): Promise<PeerDownloadStats> {
    return this.#optional("peerDownloadStats");
  }

  /**
   * The headers of the last HTTP response for this file, CRLF-separated
   * (IBackgroundCopyFile5, property BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOINTERFACE).
   */
  httpResponseHeaders(): Promise<string> {
    return this.#optional("httpResponseHeaders");
  }

  /**
   * Asks BITS to fetch these ranges next (IBackgroundCopyFile6, on-demand
   * jobs). Validated like {@linkcode checkRanges} before the call.
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOINTERFACE).
   */
  async requestRanges(ranges: readonly FileRange[]): Promise<void> {
    const pairs = encodeRanges(checkRanges(ranges));
    const hr = await this.#handle.use((file) =>
      loadShim().symbols.bits_file_request_ranges(file, pairs, pairs.length / 2)
    );
    unwrap(hr, "RequestFileRanges", {
      jobId: this.jobId,
      feature: "requesting file ranges (RequestFileRanges)",
      requires: REQUIRES.file6,
    });
  }

  /**
   * The ranges already downloaded (IBackgroundCopyFile6).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOINTERFACE).
   */
  filledRanges(): Promise<FileRange[]> {
    return this.#optional("filledRanges");
  }

  /**
   * Everything readable about the file in one native call. Never throws for
   * a missing interface or stub: such values are left out and listed in
   * `unsupported`; other failures of optional values go to `failures`.
   * Throws only when the names or progress cannot be read.
   */
  async details(): Promise<FileDetails> {
    return fileDetailsFromRecord(await this.#read(FILE_PART.ALL), this.jobId);
  }

  /** True once disposed. */
  get disposed(): boolean {
    return this.#handle.disposed;
  }

  /** Releases this object's COM reference; the file and its job are not affected. Idempotent. */
  dispose(): void {
    this.#handle.dispose();
  }

  /** Same as {@linkcode dispose}, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** A file to add to a job. */
export interface FileSpec {
  /** Remote URL (http or https). */
  readonly url: string;
  /** Full local Windows path; its directory must exist. */
  readonly path: string;
  /**
   * What the file must be (size, SHA-256). Checked by `BitsManager.transfer` before the file is accepted;
   * with `BitsManager.download`, pass it to `BitsJob.complete` as `expect`.
   */
  readonly expect?: FileExpectation;
}

// ---- Job-level operations on a JobRef, used by BitsJob (src/job.ts) and the workflows. ----

/**
 * Adds every file in ONE AddFileSet call after validating all of them, so
 * either BITS takes the whole set or the call fails (BITS' own refusals, such
 * as BG_E_TOO_MANY_FILES_IN_JOB past the 200-file policy, come back as a
 * {@linkcode BitsError}).
 */
export async function addFileSet(
  { handle, id: jobId }: JobRef,
  files: readonly { readonly url: string; readonly path: string }[],
): Promise<void> {
  if (!Array.isArray(files) || files.length === 0) {
    throw new InvalidArgumentError("files", "files must be a non-empty array of { url, path }");
  }
  files.forEach((file, i) => {
    checkRemoteSource(file?.url, `files[${i}].url`);
    checkLocalPath(file?.path, `files[${i}].path`);
  });
  const set = encodeFileSet(files);
  const hr = await handle.use((job) =>
    loadShim().symbols.bits_job_add_file_set(job, set.count, set.names, set.names.length, set.lengths)
  );
  unwrap(hr, "AddFileSet", { jobId });
}

/**
 * AddFileWithRanges (IBackgroundCopyJob3), with the file count read before
 * and after: a BITS that answers S_OK without adding the file (Wine's stub)
 * is reported as unsupported rather than passing as a silent no-op.
 */
export async function addFileWithRanges(
  ref: JobRef,
  url: string,
  path: string,
  ranges: readonly FileRange[],
): Promise<void> {
  const { handle, id: jobId } = ref;
  const remote = encodeUtf16(checkRemoteUrl(url));
  const local = encodeUtf16(checkLocalPath(path));
  const pairs = encodeRanges(checkRanges(ranges));
  const feature = "adding a file with byte ranges (AddFileWithRanges)";
  const before = (await readSnapshot(ref)).progress.filesTotal;
  const hr = await handle.use((job) =>
    loadShim().symbols.bits_job_add_file_with_ranges(
      job,
      remote.buffer,
      remote.length,
      local.buffer,
      local.length,
      pairs,
      pairs.length / 2,
    )
  );
  unwrap(hr, "AddFileWithRanges", { jobId, feature, requires: REQUIRES.job3 });
  const after = (await readSnapshot(ref)).progress.filesTotal;
  if (after === before) {
    throw new BitsUnsupportedError(HR.E_NOTIMPL, {
      operation: "AddFileWithRanges returned success but the job's file count did not change",
      jobId,
      feature,
      requires: REQUIRES.job3,
    });
  }
}

/**
 * ReplaceRemotePrefix (IBackgroundCopyJob3), checked by effect: returns how
 * many files' remote names changed. When some remote name starts with
 * `oldPrefix` yet none changed, BITS ignored the call (Wine's no-op), which
 * is reported as unsupported.
 */
export async function replaceRemotePrefix(
  ref: JobRef,
  oldPrefix: string,
  newPrefix: string,
): Promise<number> {
  const { handle, id: jobId } = ref;
  const from = encodeUtf16(checkRemoteUrl(oldPrefix, "oldPrefix"));
  const to = encodeUtf16(checkRemoteUrl(newPrefix, "newPrefix"));
  const feature = "replacing the remote prefix (ReplaceRemotePrefix)";
  const before = (await readFiles(ref)).map((file) => file.remoteName).sort();
  const hr = await handle.use((job) =>
    loadShim().symbols.bits_job_replace_remote_prefix(job, from.buffer, from.length, to.buffer, to.length)
  );
  unwrap(hr, "ReplaceRemotePrefix", { jobId, feature, requires: REQUIRES.job3 });
  const after = new Set((await readFiles(ref)).map((file) => file.remoteName));
  const changed = before.filter((name) => !after.has(name)).length;
  if (changed === 0 && before.some((name) => name.startsWith(oldPrefix)) && oldPrefix !== newPrefix) {
    throw new BitsUnsupportedError(HR.E_NOTIMPL, {
      operation: "ReplaceRemotePrefix returned success but no matching remote name changed",
      jobId,
      feature,
      requires: REQUIRES.job3,
    });
  }
  return changed;
}

/** Opens the file at `index` in BITS' enumeration order. */
export async function openFile({ handle, id: jobId }: JobRef, index: number): Promise<BitsFile> {
  if (!Number.isSafeInteger(index) || index < 0 || index > 0xFFFF_FFFF) {
    throw new InvalidArgumentError("index", `index must be a non-negative integer, got ${index}`);
  }
  const out = new BigUint64Array(1);
  const count = new Uint32Array(1);
  const hr = await handle.use((job) => loadShim().symbols.bits_job_file_handle(job, index, out, count));
  unwrap(hr, "EnumFiles", { jobId });
  if (hr === HR.S_FALSE) {
    throw new InvalidArgumentError("index", `Job ${jobId} has ${count[0]} files; there is no file ${index}`);
  }
  return new BitsFile(new OwnedHandle(pointerFromOut(out, "EnumFiles"), `file ${index} of job ${jobId}`), jobId, index);
}

/** Opens every file of a job, in BITS' enumeration order. */
export function openFiles({ handle, id: jobId }: JobRef): Promise<BitsFile[]> {
  // BITS' default policy allows 200 files per job; larger queues are retried at their size.
  return readGrowing({
    initialSize: 256,
    allocate: (capacity: number) => ({ out: new BigUint64Array(capacity), count: new Uint32Array(1) }),
    call: ({ out, count }) =>
      handle.use((job) => loadShim().symbols.bits_job_file_handles(job, out, out.length, count)),
    grow: ({ count }) => count[0] + 16,
    finish: (hr, { out, count }) => {
      unwrap(hr, "EnumFiles", { jobId });
      return Array.from(
        out.subarray(0, count[0]),
        (address, index) =>
          new BitsFile(
            new OwnedHandle(pointerFromOut(BigUint64Array.of(address), "EnumFiles"), `file ${index} of job ${jobId}`),
            jobId,
            index,
          ),
      );
    },
    operation: "EnumFiles (the file list keeps growing)",
    jobId,
  });
}

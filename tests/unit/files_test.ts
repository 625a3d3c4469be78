// Unit tests of the pure parts of files, ranges, uploads and transfer-and-wait: range
// validation and encoding, the AddFileSet layout, the bits_file_read record decoder (on buffers
// built here byte by byte from ffi/bits_files.h, no offsets imported from the source), the
// details classification, the upload checks and the transfer failure policy.
//
// Permissions: --allow-read (the upload check stats a path that does not exist).

import assert from "node:assert/strict";
import { SHIM_ABI_VERSION } from "../../ffi/symbols.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  checkRanges,
  decodeFileRecord,
  encodeFileSet,
  encodeRanges,
  fileDetailsFromRecord,
  type FileRecord,
} from "../../src/files.ts";
import { checkTransferOptions, dispositionFor, TransferInterruptedError } from "../../src/transfer.ts";
import { checkUpload } from "../../src/upload.ts";
import { BitsError } from "../../src/errors.ts";

const ABI_VERSION = SHIM_ABI_VERSION;
const HEADER = 120; // BITS_FILE_DETAILS_HEADER_BYTES
const RANGE = 16; // BITS_FILE_RANGE_BYTES
const EOF = 0xFFFF_FFFF_FFFF_FFFFn; // BG_LENGTH_TO_EOF, also BG_SIZE_UNKNOWN
const S_FALSE = 1;
const E_NOTIMPL = 0x80004001 | 0;
const E_NOINTERFACE = 0x80004002 | 0;
const E_ACCESSDENIED = 0x80070005 | 0;

function refusal(argument: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof InvalidArgumentError, String(error));
    assert.equal(error.argument, argument);
    return true;
  };
}

// ---- Ranges -------------------------------------------------------------------------------------

Deno.test("checkRanges accepts adjacent ranges, a final EOF range, and keeps the caller's order", () => {
  const ranges = [{ offset: 100, length: "EOF" as const }, { offset: 0, length: 50 }, { offset: 50, length: 50 }];
  assert.deepEqual(checkRanges(ranges), ranges);
  assert.deepEqual(checkRanges([{ offset: Number.MAX_SAFE_INTEGER - 1, length: 1 }]), [
    { offset: Number.MAX_SAFE_INTEGER - 1, length: 1 },
  ]);
});

Deno.test("checkRanges refuses empty, too many, and non-array inputs", () => {
  assert.throws(() => checkRanges([]), refusal("ranges"));
  assert.throws(() => checkRanges("0-10"), refusal("ranges"));
  const many = Array.from({ length: 501 }, (_, i) => ({ offset: i * 10, length: 10 }));
  assert.throws(() => checkRanges(many), refusal("ranges"));
  assert.equal(checkRanges(many.slice(0, 500)).length, 500);
});

Deno.test("checkRanges refuses bad offsets and lengths, naming the field", () => {
  assert.throws(() => checkRanges([{ offset: -1, length: 1 }]), refusal("ranges[0].offset"));
  assert.throws(() => checkRanges([{ offset: 1.5, length: 1 }]), refusal("ranges[0].offset"));
  assert.throws(() => checkRanges([{ offset: 2 ** 53, length: 1 }]), refusal("ranges[0].offset"));
  assert.throws(() => checkRanges([{ offset: "0", length: 1 }]), refusal("ranges[0].offset"));
  assert.throws(() => checkRanges([{ offset: 0, length: 0 }]), refusal("ranges[0].length"));
  assert.throws(() => checkRanges([{ offset: 0, length: -5 }]), refusal("ranges[0].length"));
  assert.throws(() => checkRanges([{ offset: 0, length: "eof" }]), refusal("ranges[0].length"));
  assert.throws(() => checkRanges([{ offset: 0 }]), refusal("ranges[0].length"));
  assert.throws(() => checkRanges([null]), refusal("ranges[0]"));
  assert.throws(() => checkRanges([{ offset: Number.MAX_SAFE_INTEGER, length: 2 }]), refusal("ranges[0]"));
});

Deno.test("checkRanges refuses overlaps in any order, including anything after an EOF range", () => {
  assert.throws(
    () => checkRanges([{ offset: 0, length: 11 }, { offset: 10, length: 5 }]),
    /ranges\[0\] and ranges\[1\]/,
  );
  assert.throws(
    () => checkRanges([{ offset: 10, length: 5 }, { offset: 0, length: 11 }]),
    /ranges\[1\] and ranges\[0\]/,
  );
  assert.throws(() => checkRanges([{ offset: 5, length: 1 }, { offset: 5, length: 1 }]), refusal("ranges"));
  assert.throws(() => checkRanges([{ offset: 0, length: "EOF" }, { offset: 1000, length: 1 }]), refusal("ranges"));
});

Deno.test("encodeRanges writes (offset, length) u64 pairs with EOF as (UINT64)-1", () => {
  const pairs = encodeRanges([{ offset: 7, length: 3 }, { offset: 2 ** 40, length: "EOF" }]);
  assert.deepEqual([...pairs], [7n, 3n, 2n ** 40n, EOF]);
});

// ---- AddFileSet layout --------------------------------------------------------------------------

Deno.test("encodeFileSet lays out remote, local, remote, local ... each NUL-terminated, with lengths", () => {
  const set = encodeFileSet([{ url: "http://a/𝄞", path: "C:\\x" }, { url: "http://b/", path: "C:\\yy" }]);
  assert.equal(set.count, 2);
  assert.deepEqual([...set.lengths], [11, 4, 9, 5]);
  const text = String.fromCharCode(...set.names);
  assert.equal(text, "http://a/𝄞\0C:\\x\0http://b/\0C:\\yy\0");
  // names_units must be the sum of lengths plus one NUL per string, which the shim checks.
  assert.equal(set.names.length, [...set.lengths].reduce((a, b) => a + b + 1, 0));
});

// ---- bits_file_read records ---------------------------------------------------------------------

interface RecordFields {
  parts?: number;
  hrs?: Partial<
    Record<
      "progress" | "remote" | "local" | "ranges" | "temp" | "valid" | "peer" | "stats" | "headers" | "filled",
      number
    >
  >;
  bytesTotal?: bigint;
  bytesTransferred?: bigint;
  completed?: number;
  validation?: number;
  fromPeer?: number;
  fromOrigin?: bigint;
  fromPeers?: bigint;
  remote?: string;
  local?: string;
  temporary?: string;
  headers?: string;
  ranges?: [bigint, bigint][];
  filled?: [bigint, bigint][];
  totalBytes?: number;
  abi?: number;
}

/** Builds a record exactly as bits_files.h documents it. */
function record(f: RecordFields = {}): Uint8Array {
  const strings = [f.remote ?? "", f.local ?? "", f.temporary ?? "", f.headers ?? ""];
  const ranges = f.ranges ?? [];
  const filled = f.filled ?? [];
  const total = HEADER + RANGE * (ranges.length + filled.length) + 2 * strings.reduce((n, s) => n + s.length, 0);
  const bytes = new Uint8Array(total + 8);
  const v = new DataView(bytes.buffer);
  const h = f.hrs ?? {};
  v.setUint32(0, f.abi ?? ABI_VERSION, true);
  v.setUint32(4, f.totalBytes ?? total, true);
  v.setUint32(8, f.parts ?? 0x3f, true);
  v.setInt32(12, h.progress ?? 0, true);
  v.setBigUint64(16, f.bytesTotal ?? 0n, true);
  v.setBigUint64(24, f.bytesTransferred ?? 0n, true);
  v.setUint32(32, f.completed ?? 0, true);
  [h.remote, h.local, h.ranges, h.temp, h.valid, h.peer, h.stats, h.headers, h.filled].forEach((hr, i) =>
    v.setInt32(36 + 4 * i, hr ?? 0, true)
  );
  v.setUint32(72, f.validation ?? 0, true);
  v.setUint32(76, f.fromPeer ?? 0, true);
  v.setBigUint64(80, f.fromOrigin ?? 0n, true);
  v.setBigUint64(88, f.fromPeers ?? 0n, true);
  strings.forEach((s, i) => v.setUint32(96 + 4 * i, s.length, true));
  v.setUint32(112, ranges.length, true);
  v.setUint32(116, filled.length, true);
  let at = HEADER;
  for (const [offset, length] of [...ranges, ...filled]) {
    v.setBigUint64(at, offset, true);
    v.setBigUint64(at + 8, length, true);
    at += RANGE;
  }
  for (const s of strings) {
    for (let i = 0; i < s.length; i++, at += 2) v.setUint16(at, s.charCodeAt(i), true);
  }
  return bytes;
}

Deno.test("decodeFileRecord reads every field at its documented offset", () => {
  const decoded = decodeFileRecord(record({
    parts: 0x3f,
    hrs: { stats: E_NOINTERFACE, headers: E_NOTIMPL },
    bytesTotal: 5000n,
    bytesTransferred: 1234n,
    completed: 1,
    validation: 1,
    fromPeer: 1,
    fromOrigin: 2n ** 40n,
    fromPeers: 77n,
    remote: "http://127.0.0.1/é",
    local: "C:\\d\\𝄞.bin",
    temporary: "C:\\d\\BIT1.tmp",
    headers: "HTTP/1.1 200 OK\r\nX: y",
    ranges: [[0n, 10n], [100n, EOF]],
    filled: [[0n, 5n]],
  }));
  assert.deepEqual(decoded, {
    parts: 0x3f,
    hr: {
      progress: 0,
      remoteName: 0,
      localName: 0,
      ranges: 0,
      temporaryName: 0,
      validationState: 0,
      downloadedFromPeer: 0,
      peerDownloadStats: E_NOINTERFACE,
      httpResponseHeaders: E_NOTIMPL,
      filledRanges: 0,
    },
    bytesTotal: 5000,
    bytesTransferred: 1234,
    completed: true,
    validationState: true,
    downloadedFromPeer: true,
    peerDownloadStats: { fromOrigin: 2 ** 40, fromPeers: 77 },
    ranges: [{ offset: 0, length: 10 }, { offset: 100, length: "EOF" }],
    filledRanges: [{ offset: 0, length: 5 }],
    remoteName: "http://127.0.0.1/é",
    localName: "C:\\d\\𝄞.bin",
    temporaryName: "C:\\d\\BIT1.tmp",
    httpResponseHeaders: "HTTP/1.1 200 OK\r\nX: y",
  });
});

Deno.test("decodeFileRecord maps BG_SIZE_UNKNOWN to null", () => {
  assert.equal(decodeFileRecord(record({ bytesTotal: EOF })).bytesTotal, null);
});

Deno.test("decodeFileRecord refuses wrong ABI versions, inconsistent sizes and short buffers", () => {
  assert.throws(() => decodeFileRecord(record({ abi: 99 })), /ABI version 99/);
  assert.throws(() => decodeFileRecord(record({ remote: "abc", totalBytes: HEADER + 4 })), /claims/);
  assert.throws(() => decodeFileRecord(record({ remote: "abc", totalBytes: HEADER + 400 })), /claims/);
  assert.throws(() => decodeFileRecord(new Uint8Array(HEADER - 1)), RangeError);
});

function baseRecord(overrides: Partial<FileRecord> = {}): FileRecord {
  return { ...decodeFileRecord(record({ remote: "http://h/f", local: "C:\\f", completed: 1 })), ...overrides };
}

Deno.test("details keep supported values and list each missing interface with what provides it", () => {
  const r = baseRecord({
    ranges: [{ offset: 1, length: 2 }],
    hr: {
      ...baseRecord().hr,
      ranges: 0,
      temporaryName: E_NOINTERFACE,
      validationState: E_NOINTERFACE,
      downloadedFromPeer: E_NOINTERFACE,
      peerDownloadStats: E_NOINTERFACE,
      httpResponseHeaders: 0x800706F4 | 0,
      filledRanges: E_NOTIMPL,
    },
  });
  const details = fileDetailsFromRecord(r, "{J}");
  assert.equal(details.remoteName, "http://h/f");
  assert.equal(details.completed, true);
  assert.deepEqual(details.ranges, [{ offset: 1, length: 2 }]);
  assert.equal("temporaryName" in details, false);
  assert.deepEqual(details.unsupported.map((u) => [u.field, u.code]), [
    ["temporaryName", "E_NOINTERFACE"],
    ["validationState", "E_NOINTERFACE"],
    ["downloadedFromPeer", "E_NOINTERFACE"],
    ["peerDownloadStats", "E_NOINTERFACE"],
    ["httpResponseHeaders", "RPC_X_NULL_REF_POINTER"],
    ["filledRanges", "E_NOTIMPL"],
  ]);
  assert.match(details.unsupported[0].requires, /IBackgroundCopyFile3/);
  assert.match(details.unsupported[3].requires, /IBackgroundCopyFile4/);
  assert.match(details.unsupported[4].requires, /IBackgroundCopyFile5/);
  assert.match(details.unsupported[5].requires, /IBackgroundCopyFile6/);
  assert.deepEqual(details.failures, []);
});

Deno.test("details put other failures in `failures`, skip parts not asked for, and throw for a failed name", () => {
  const r = baseRecord({
    parts: 0x01 | 0x02,
    hr: { ...baseRecord().hr, ranges: E_ACCESSDENIED, temporaryName: S_FALSE, filledRanges: S_FALSE },
  });
  const details = fileDetailsFromRecord(r, "{J}");
  assert.equal(details.failures.length, 1);
  assert.equal(details.failures[0].field, "ranges");
  assert.equal(details.failures[0].error.code, "E_ACCESSDENIED");
  assert.equal(details.failures[0].error.jobId, "{J}");
  assert.deepEqual(details.unsupported, []);
  assert.equal("temporaryName" in details, false);
  assert.throws(
    () => fileDetailsFromRecord(baseRecord({ hr: { ...baseRecord().hr, localName: E_ACCESSDENIED } })),
    (e: unknown) => e instanceof BitsError && e.code === "E_ACCESSDENIED",
  );
});

// ---- Upload checks ------------------------------------------------------------------------------

Deno.test("checkUpload refuses bad URLs, relative paths and reply names before anything exists", async () => {
  const ok = { url: "https://h/upload", path: "C:\\file.bin" };
  await assert.rejects(checkUpload({ ...ok, url: "ftp://h/x" }), refusal("url"));
  await assert.rejects(checkUpload({ ...ok, path: "file.bin" }), refusal("path"));
  await assert.rejects(checkUpload({ ...ok, reply: { fileName: "reply.txt" } }), refusal("reply.fileName"));
  // deno-lint-ignore no-explicit-any
  await assert.rejects(checkUpload({ ...ok, reply: null as any }), refusal("reply"));
});

Deno.test("checkUpload needs an existing regular file", async () => {
  // Linux paths are not Windows paths: only the existence check is exercised with a real file
  // when a drive-letter path maps to one (under Wine); here the missing file is the case.
  await assert.rejects(checkUpload({ url: "http://h/u", path: "Q:\\no\\such\\file.bin" }), refusal("path"));
});

// ---- Transfer policy ----------------------------------------------------------------------------

Deno.test("transfer() needs an explicit onFailure policy and a sane timeout", () => {
  assert.throws(() => checkTransferOptions({}), refusal("onFailure"));
  assert.throws(() => checkTransferOptions(undefined), refusal("onFailure"));
  assert.throws(() => checkTransferOptions({ onFailure: "retry" }), refusal("onFailure"));
  assert.throws(() => checkTransferOptions({ onFailure: "cancel", timeout: -1 }), refusal("timeout"));
  assert.throws(() => checkTransferOptions({ onFailure: "keep", timeout: NaN }), refusal("timeout"));
  assert.equal(checkTransferOptions({ onFailure: "keep", timeout: 0 }).onFailure, "keep");
});

Deno.test("failure policy: keep keeps; cancel cancels, except a possibly running job under Wine", () => {
  for (const state of ["QUEUED", "CONNECTING", "TRANSFERRING", "ERROR", "SUSPENDED"] as const) {
    assert.equal(dispositionFor("keep", state, true), "kept");
    assert.equal(dispositionFor("keep", state, false), "kept");
    assert.equal(dispositionFor("cancel", state, false), "cancelled", state);
  }
  for (const state of ["QUEUED", "CONNECTING", "TRANSFERRING", undefined] as const) {
    assert.equal(dispositionFor("cancel", state, true), "left-running", String(state));
  }
  for (const state of ["ERROR", "SUSPENDED", "TRANSIENT_ERROR", "TRANSFERRED"] as const) {
    assert.equal(dispositionFor("cancel", state, true), "cancelled", state);
  }
  assert.equal(dispositionFor("cancel", "ACKNOWLEDGED", false), "kept");
  assert.equal(dispositionFor("cancel", "CANCELLED", true), "cancelled");
});

Deno.test("TransferInterruptedError carries the job, the reason, the state and the disposition", () => {
  const cause = new DOMException("late", "TimeoutError");
  const error = new TransferInterruptedError("{J}", "timeout", "TRANSFERRING", "left-running", cause);
  assert.equal(error.name, "TransferInterruptedError");
  assert.equal(error.jobId, "{J}");
  assert.equal(error.reason, "timeout");
  assert.equal(error.state, "TRANSFERRING");
  assert.equal(error.disposition, "left-running");
  assert.equal(error.cause, cause);
  assert.match(error.message, /timed out while TRANSFERRING.*left running/);
});

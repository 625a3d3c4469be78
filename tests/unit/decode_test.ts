// Unit tests of src/decode.ts against buffers built here, byte by byte, from the layouts
// documented in ffi/bits_shim.h. Nothing about offsets is imported from the source: this file is
// the independent check of the native contract.
//
// Permissions: none.

import assert from "node:assert/strict";
import { SHIM_ABI_VERSION } from "../../ffi/symbols.ts";
import { decodeDatedQueue, decodeFiles, decodeProgressRecords, decodeQueue, decodeSnapshot } from "../../src/decode.ts";

const ABI_VERSION = SHIM_ABI_VERSION;
const SNAPSHOT_HEADER = 88; // BITS_SNAPSHOT_HEADER_BYTES
const FILES_HEADER = 16; // BITS_FILES_HEADER_BYTES
const RECORD_HEADER = 40; // BITS_FILE_RECORD_HEADER_BYTES
const UNKNOWN_SIZE = 0xFFFF_FFFF_FFFF_FFFFn; // (UINT64)-1

const GUID_TEXT = "{4991D34B-80A1-4291-83B6-3328366B9097}";
const GUID_BYTES = [0x4B, 0xD3, 0x91, 0x49, 0xA1, 0x80, 0x91, 0x42, 0x83, 0xB6, 0x33, 0x28, 0x36, 0x6B, 0x90, 0x97];

interface SnapshotFields {
  abi?: number;
  id?: readonly number[];
  type?: number;
  state?: number;
  bytesTotal?: bigint;
  bytesTransferred?: bigint;
  filesTotal?: number;
  filesTransferred?: number;
  errorContext?: number;
  errorCode?: number;
  errorHr?: number;
  displayNameHr?: number;
  descriptionHr?: number;
  displayName?: string;
  description?: string;
  /** Overrides the length fields (to build inconsistent buffers). */
  displayNameLen?: number;
  descriptionLen?: number;
  /** Overrides total_bytes. */
  totalBytes?: number;
  /** Bytes of the caller's buffer after total_bytes (the shim is given a larger buffer). */
  slack?: number;
}

/** Writes UTF-16LE code units of `text` at `offset`. */
function putUtf16(view: DataView, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) view.setUint16(offset + i * 2, text.charCodeAt(i), true);
}

/** A bits_job_snapshot buffer, per ffi/bits_shim.h. */
function snapshotBuffer(f: SnapshotFields = {}): Uint8Array {
  const name = f.displayName ?? "job name";
  const description = f.description ?? "";
  const written = SNAPSHOT_HEADER + (name.length + description.length) * 2;
  const bytes = new Uint8Array(written + (f.slack ?? 0)).fill(0xCD, written); // slack: junk, never read
  const view = new DataView(bytes.buffer);
  view.setUint32(0, f.abi ?? ABI_VERSION, true);
  view.setUint32(4, f.totalBytes ?? written, true);
  bytes.set(f.id ?? GUID_BYTES, 8);
  view.setInt32(24, f.type ?? 0, true);
  view.setInt32(28, f.state ?? 0, true);
  view.setBigUint64(32, f.bytesTotal ?? UNKNOWN_SIZE, true);
  view.setBigUint64(40, f.bytesTransferred ?? 0n, true);
  view.setUint32(48, f.filesTotal ?? 0, true);
  view.setUint32(52, f.filesTransferred ?? 0, true);
  view.setInt32(56, f.errorContext ?? 0, true);
  view.setInt32(60, f.errorCode ?? 0, true);
  view.setInt32(64, f.errorHr ?? 1, true); // S_FALSE: no error in this state
  view.setInt32(68, f.displayNameHr ?? 0, true);
  view.setInt32(72, f.descriptionHr ?? 0, true);
  view.setUint32(76, f.displayNameLen ?? name.length, true);
  view.setUint32(80, f.descriptionLen ?? description.length, true);
  view.setUint32(84, 0, true);
  putUtf16(view, 88, name);
  putUtf16(view, 88 + name.length * 2, description);
  return bytes;
}

interface FileFields {
  bytesTotal?: bigint;
  bytesTransferred?: bigint;
  completed?: number;
  remoteHr?: number;
  localHr?: number;
  remote?: string;
  local?: string;
  remoteLen?: number;
  localLen?: number;
  /** Overrides record_bytes (the record still occupies its natural size). */
  recordBytes?: number;
}

/** A bits_job_files buffer, per ffi/bits_shim.h; records padded to 8 bytes. */
function filesBuffer(
  files: readonly FileFields[],
  options: { abi?: number; count?: number; totalBytes?: number; slack?: number } = {},
): Uint8Array {
  const sizes = files.map((f) => {
    const raw = RECORD_HEADER + ((f.remote ?? "").length + (f.local ?? "").length) * 2;
    return Math.ceil(raw / 8) * 8;
  });
  const written = FILES_HEADER + sizes.reduce((a, b) => a + b, 0);
  const bytes = new Uint8Array(written + (options.slack ?? 0)).fill(0xCD, written);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, options.abi ?? ABI_VERSION, true);
  view.setUint32(4, options.totalBytes ?? written, true);
  view.setUint32(8, options.count ?? files.length, true);
  view.setUint32(12, 0, true);
  let offset = FILES_HEADER;
  files.forEach((f, i) => {
    const remote = f.remote ?? "";
    const local = f.local ?? "";
    view.setBigUint64(offset, f.bytesTotal ?? UNKNOWN_SIZE, true);
    view.setBigUint64(offset + 8, f.bytesTransferred ?? 0n, true);
    view.setUint32(offset + 16, f.completed ?? 0, true);
    view.setInt32(offset + 20, f.remoteHr ?? 0, true);
    view.setInt32(offset + 24, f.localHr ?? 0, true);
    view.setUint32(offset + 28, f.remoteLen ?? remote.length, true);
    view.setUint32(offset + 32, f.localLen ?? local.length, true);
    view.setUint32(offset + 36, f.recordBytes ?? sizes[i], true);
    putUtf16(view, offset + 40, remote);
    putUtf16(view, offset + 40 + remote.length * 2, local);
    offset += sizes[i];
  });
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Snapshots

Deno.test("decode: a snapshot decodes every field", () => {
  const snapshot = decodeSnapshot(snapshotBuffer({
    type: 0,
    state: 2,
    bytesTotal: 5_242_880n,
    bytesTransferred: 2_621_440n,
    filesTotal: 3,
    filesTransferred: 1,
    displayName: "nightly.iso",
    description: "the nightly build",
  }));
  assert.deepEqual(snapshot, {
    id: GUID_TEXT,
    type: "DOWNLOAD",
    state: "TRANSFERRING",
    displayName: "nightly.iso",
    description: "the nightly build",
    progress: { bytesTotal: 5_242_880, bytesTransferred: 2_621_440, filesTotal: 3, filesTransferred: 1 },
    error: null,
  });
});

Deno.test("decode: a snapshot inside a larger buffer and at a non-zero byteOffset decodes", () => {
  const inner = snapshotBuffer({ displayName: "abc", description: "de", slack: 4096 });
  assert.equal(decodeSnapshot(inner).displayName, "abc", "bytes after total_bytes are ignored");
  for (const shift of [8, 3]) {
    const outer = new Uint8Array(inner.length + shift).fill(0xAB);
    outer.set(inner, shift);
    const snapshot = decodeSnapshot(outer.subarray(shift));
    assert.equal(snapshot.id, GUID_TEXT, `shift ${shift}`);
    assert.equal(snapshot.displayName, "abc", `shift ${shift}`);
    assert.equal(snapshot.description, "de", `shift ${shift}`);
  }
});

Deno.test("decode: bytes_total (UINT64)-1 is null; 6 GB and other 64-bit sizes are exact", () => {
  assert.equal(decodeSnapshot(snapshotBuffer({ bytesTotal: UNKNOWN_SIZE })).progress.bytesTotal, null);
  assert.equal(decodeSnapshot(snapshotBuffer({ bytesTotal: 0n })).progress.bytesTotal, 0);
  const sixGb = 6n * 1024n ** 3n;
  const big = decodeSnapshot(snapshotBuffer({ bytesTotal: sixGb, bytesTransferred: sixGb - 1n }));
  assert.equal(big.progress.bytesTotal, 6_442_450_944);
  assert.equal(big.progress.bytesTransferred, 6_442_450_943);
  const high = decodeSnapshot(snapshotBuffer({ bytesTotal: 0x0000_0123_4567_89ABn, filesTotal: 0xFFFFFFFF }));
  assert.equal(high.progress.bytesTotal, 0x0123_4567_89AB);
  assert.equal(high.progress.filesTotal, 0xFFFFFFFF);
});

Deno.test("decode: snapshot strings keep non-BMP and RTL text; an odd-length name shifts the description", () => {
  const snapshot = decodeSnapshot(snapshotBuffer({ displayName: "🎵 مرحبا 𝄞!", description: "中文 é \uD800" }));
  assert.equal(snapshot.displayName, "🎵 مرحبا 𝄞!");
  assert.equal(snapshot.description, "中文 é \uD800");
  const empty = decodeSnapshot(snapshotBuffer({ displayName: "", description: "" }));
  assert.equal(empty.displayName, "");
  assert.equal(empty.description, "");
});

Deno.test("decode: a failed description read (description_hr < 0, length 0) is the empty string", () => {
  const snapshot = decodeSnapshot(snapshotBuffer({ displayName: "x", description: "", descriptionHr: 0x800703E6 | 0 }));
  assert.equal(snapshot.description, "");
  assert.equal(snapshot.displayName, "x");
});

Deno.test("decode: state, type and error context values map to BITS' names", () => {
  const states = [
    "QUEUED",
    "CONNECTING",
    "TRANSFERRING",
    "SUSPENDED",
    "ERROR",
    "TRANSIENT_ERROR",
    "TRANSFERRED",
    "ACKNOWLEDGED",
    "CANCELLED",
  ];
  states.forEach((name, value) => assert.equal(decodeSnapshot(snapshotBuffer({ state: value })).state, name));
  ["DOWNLOAD", "UPLOAD", "UPLOAD_REPLY"].forEach((name, value) =>
    assert.equal(decodeSnapshot(snapshotBuffer({ type: value })).type, name)
  );
  const contexts = [
    "NONE",
    "UNKNOWN",
    "GENERAL_QUEUE_MANAGER",
    "QUEUE_MANAGER_NOTIFICATION",
    "LOCAL_FILE",
    "REMOTE_FILE",
    "GENERAL_TRANSPORT",
    "REMOTE_APPLICATION",
    "SERVER_CERTIFICATE_CALLBACK",
  ];
  contexts.forEach((name, value) => {
    const snapshot = decodeSnapshot(
      snapshotBuffer({ state: 4, errorHr: 0, errorCode: 0x80004005 | 0, errorContext: value }),
    );
    assert.equal(snapshot.error?.context, name);
  });
});

Deno.test("decode: unknown enum values become UNKNOWN(n)", () => {
  assert.equal(decodeSnapshot(snapshotBuffer({ state: 42 })).state, "UNKNOWN(42)");
  assert.equal(decodeSnapshot(snapshotBuffer({ state: -1 })).state, "UNKNOWN(-1)");
  assert.equal(decodeSnapshot(snapshotBuffer({ type: 7 })).type, "UNKNOWN(7)");
  const snapshot = decodeSnapshot(
    snapshotBuffer({ state: 4, errorHr: 0, errorCode: 0x80004005 | 0, errorContext: 99 }),
  );
  assert.equal(snapshot.error?.context, "UNKNOWN(99)");
});

Deno.test("decode: error_hr S_FALSE means no error, whatever error_code holds", () => {
  assert.equal(decodeSnapshot(snapshotBuffer({ errorHr: 1, errorCode: 0x80190194 | 0, errorContext: 5 })).error, null);
  assert.equal(decodeSnapshot(snapshotBuffer({ errorHr: 1 })).error, null);
  assert.equal(decodeSnapshot(snapshotBuffer({ state: 4, errorHr: 0, errorCode: 0 })).error, null);
});

Deno.test("decode: error_hr S_OK with an error code gives the job's error and context", () => {
  const snapshot = decodeSnapshot(
    snapshotBuffer({ state: 4, errorHr: 0, errorCode: 0x80190194 | 0, errorContext: 5 }),
  );
  assert.equal(snapshot.state, "ERROR");
  assert.ok(snapshot.error);
  assert.equal(snapshot.error.context, "REMOTE_FILE");
  assert.equal(snapshot.error.hresult, 0x80190194, "hresult is unsigned");
  assert.notEqual(snapshot.error.description, "");
  const com = decodeSnapshot(snapshotBuffer({ state: 5, errorHr: 0, errorCode: 0x80070005 | 0, errorContext: 4 }));
  assert.deepEqual(com.error, {
    context: "LOCAL_FILE",
    hresult: 0x80070005,
    code: "E_ACCESSDENIED",
    description: com.error?.description,
  });
});

Deno.test({
  name: "decode: an HTTP 404 job error is named BG_E_HTTP_ERROR_404",
  fn(): void {
    const snapshot = decodeSnapshot(
      snapshotBuffer({ state: 4, errorHr: 0, errorCode: 0x80190194 | 0, errorContext: 5 }),
    );
    assert.equal(snapshot.error?.code, "BG_E_HTTP_ERROR_404");
    assert.match(snapshot.error?.description ?? "", /404/);
  },
});

Deno.test("decode: a failed GetError (error_hr < 0) is an error with that code and context UNKNOWN", () => {
  const snapshot = decodeSnapshot(
    snapshotBuffer({ state: 4, errorHr: 0x8020000F | 0, errorCode: 0, errorContext: 5 }),
  );
  assert.ok(snapshot.error);
  assert.equal(snapshot.error.hresult, 0x8020000F);
  assert.equal(snapshot.error.context, "UNKNOWN");
});

Deno.test({
  name: "decode: a failed GetError with BG_E_ERROR_INFORMATION_UNAVAILABLE is named",
  fn(): void {
    const snapshot = decodeSnapshot(snapshotBuffer({ state: 4, errorHr: 0x8020000F | 0 }));
    assert.equal(snapshot.error?.code, "BG_E_ERROR_INFORMATION_UNAVAILABLE");
  },
});

Deno.test("decode: a snapshot with another ABI version is refused", () => {
  assert.throws(() => decodeSnapshot(snapshotBuffer({ abi: 99 })), RangeError);
  assert.throws(() => decodeSnapshot(snapshotBuffer({ abi: 0 })), /ABI version 0/);
});

Deno.test("decode: a snapshot whose total_bytes exceeds the buffer, or is below the header, is refused", () => {
  const bytes = snapshotBuffer({ displayName: "abc" });
  assert.throws(() => decodeSnapshot(snapshotBuffer({ displayName: "abc", totalBytes: bytes.length + 1 })), RangeError);
  assert.throws(() => decodeSnapshot(snapshotBuffer({ totalBytes: 87, displayName: "" })), RangeError);
  assert.throws(() => decodeSnapshot(bytes.subarray(0, 87)), RangeError, "truncated buffer");
  assert.throws(() => decodeSnapshot(new Uint8Array(8)), RangeError);
});

Deno.test("decode: snapshot string lengths that overrun total_bytes are refused", () => {
  assert.throws(() => decodeSnapshot(snapshotBuffer({ displayName: "abc", displayNameLen: 4 })), RangeError);
  assert.throws(
    () => decodeSnapshot(snapshotBuffer({ displayName: "abc", description: "de", descriptionLen: 3 })),
    RangeError,
  );
  // Lengths are checked against total_bytes, not the (larger) buffer.
  assert.throws(
    () => decodeSnapshot(snapshotBuffer({ displayName: "abc", displayNameLen: 10, slack: 1024 })),
    RangeError,
  );
  assert.throws(() => decodeSnapshot(snapshotBuffer({ displayNameLen: 0xFFFFFFFF })), RangeError);
  assert.throws(
    () => decodeSnapshot(snapshotBuffer({ displayNameLen: 0x80000000, descriptionLen: 0x80000000 })),
    RangeError,
    "no 32-bit wrap-around",
  );
});

// ---------------------------------------------------------------------------------------------
// File lists

Deno.test("decode: an empty file list decodes to []", () => {
  assert.deepEqual(decodeFiles(filesBuffer([])), []);
  assert.deepEqual(decodeFiles(filesBuffer([], { slack: 100 })), []);
});

Deno.test("decode: three files with different padding decode in order with every field", () => {
  const bytes = filesBuffer([
    // 40 + (19 + 8) * 2 = 94 -> 96 (2 bytes of padding)
    {
      remote: "https://e.com/a.bin",
      local: "C:\\a.bin",
      bytesTotal: 1024n,
      bytesTransferred: 1024n,
      completed: 1,
    },
    // 40 + (22 + 10) * 2 = 104 (no padding)
    { remote: "https://e.com/🎵/b.bin", local: "C:\\مرحبا\\b", bytesTotal: UNKNOWN_SIZE, bytesTransferred: 5n },
    // 40 + (1 + 0) * 2 = 42 -> 48 (6 bytes of padding)
    { remote: "x", local: "", bytesTotal: 6n * 1024n ** 3n, bytesTransferred: 0n, completed: 0 },
  ]);
  assert.equal(bytes.length, 16 + 96 + 104 + 48);
  assert.deepEqual(decodeFiles(bytes), [
    {
      remoteName: "https://e.com/a.bin",
      localName: "C:\\a.bin",
      bytesTotal: 1024,
      bytesTransferred: 1024,
      completed: true,
    },
    {
      remoteName: "https://e.com/🎵/b.bin",
      localName: "C:\\مرحبا\\b",
      bytesTotal: null,
      bytesTransferred: 5,
      completed: false,
    },
    { remoteName: "x", localName: "", bytesTotal: 6_442_450_944, bytesTransferred: 0, completed: false },
  ]);
});

Deno.test("decode: the completed flag is a BOOL (any non-zero value is true)", () => {
  const files = decodeFiles(filesBuffer([{ completed: 0 }, { completed: 1 }, { completed: 0xFFFFFFFF }, {
    completed: 0x100,
  }]));
  assert.deepEqual(files.map((f) => f.completed), [false, true, true, true]);
});

Deno.test("decode: failed name reads (remote_hr/local_hr < 0, lengths 0) are empty strings", () => {
  const [file] = decodeFiles(filesBuffer([{ remoteHr: 0x80004005 | 0, localHr: 0x80004005 | 0 }]));
  assert.equal(file.remoteName, "");
  assert.equal(file.localName, "");
});

Deno.test("decode: a file list at a non-zero byteOffset decodes", () => {
  const inner = filesBuffer([{ remote: "https://e.com/é", local: "C:\\é" }]);
  const outer = new Uint8Array(inner.length + 5);
  outer.set(inner, 5);
  assert.deepEqual(decodeFiles(outer.subarray(5)).map((f) => [f.remoteName, f.localName]), [[
    "https://e.com/é",
    "C:\\é",
  ]]);
});

Deno.test("decode: a file record whose record_bytes is not a multiple of 8 is refused", () => {
  // Natural size 48; a claim of 44 (or 52, or 41) is not a multiple of 8.
  for (const recordBytes of [44, 41, 52]) {
    assert.throws(
      () => decodeFiles(filesBuffer([{ remote: "abc", recordBytes }], { slack: 64 })),
      RangeError,
      `${recordBytes}`,
    );
  }
});

Deno.test("decode: a file record whose strings overrun record_bytes is refused", () => {
  // 40 + 3*2 = 46 -> 48; claiming 40 leaves no room for the strings.
  assert.throws(() => decodeFiles(filesBuffer([{ remote: "abc", recordBytes: 40 }])), RangeError);
  assert.throws(() => decodeFiles(filesBuffer([{ remote: "abc", remoteLen: 5 }])), RangeError);
  assert.throws(() => decodeFiles(filesBuffer([{ recordBytes: 0 }])), RangeError, "a zero-size record must not loop");
});

Deno.test("decode: a file list claiming more records than total_bytes holds is refused", () => {
  assert.throws(() => decodeFiles(filesBuffer([{ remote: "a" }], { count: 2 })), RangeError);
  assert.throws(() => decodeFiles(filesBuffer([{ remote: "a" }], { count: 2, slack: 200 })), RangeError);
  assert.throws(() => decodeFiles(filesBuffer([], { count: 1 })), RangeError);
});

Deno.test({
  name: "decode: a file record extending past total_bytes is refused",
  fn(): void {
    // One record written as 48 bytes ("abc"), but total_bytes stops after its 40-byte header.
    const bytes = filesBuffer([{ remote: "abc" }], { totalBytes: 16 + 40, slack: 64 });
    assert.throws(() => decodeFiles(bytes), RangeError);
  },
});

Deno.test("decode: a file list with another ABI version or a bad total_bytes is refused", () => {
  assert.throws(() => decodeFiles(filesBuffer([], { abi: 99 })), RangeError);
  assert.throws(() => decodeFiles(filesBuffer([], { totalBytes: 17 })), RangeError);
  assert.throws(() => decodeFiles(filesBuffer([], { totalBytes: 15 })), RangeError);
  assert.throws(() => decodeFiles(new Uint8Array(8)), RangeError);
});

const QUEUE_HEADER = 16; // BITS_QUEUE_HEADER_BYTES

/** A bits_manager_read_queue buffer, per ffi/bits_shim.h: records padded to 8 bytes. */
function queueBuffer(records: readonly Uint8Array[], overrides: { count?: number; total?: number } = {}): Uint8Array {
  const padded = records.map((r) => Math.ceil(r.byteLength / 8) * 8);
  const total = QUEUE_HEADER + padded.reduce((a, b) => a + b, 0);
  const bytes = new Uint8Array(total + 32).fill(0xCD, total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, ABI_VERSION, true);
  view.setUint32(4, overrides.total ?? total, true);
  view.setUint32(8, overrides.count ?? records.length, true);
  view.setUint32(12, records.length + 1, true);
  let offset = QUEUE_HEADER;
  records.forEach((r, i) => {
    bytes.set(r, offset);
    offset += padded[i];
  });
  return bytes;
}

Deno.test("decode: a whole-queue read decodes every record in order, across the 8-byte padding", () => {
  // Records of 94 bytes (padded to 96), 98 (padded to 104) and 88 (no padding).
  const records = [
    snapshotBuffer({ displayName: "abc", state: 1 }),
    snapshotBuffer({ displayName: "wxyz", description: "d", state: 6 }),
    snapshotBuffer({ displayName: "", state: 2 }),
  ];
  const snapshots = decodeQueue(queueBuffer(records));
  assert.deepEqual(snapshots.map((s) => [s.displayName, s.description, s.state]), [
    ["abc", "", "CONNECTING"],
    ["wxyz", "d", "TRANSFERRED"],
    ["", "", "TRANSFERRING"],
  ]);
  assert.deepEqual(decodeQueue(queueBuffer([])), []);
});

Deno.test("decode: a whole-queue read whose records overrun its total is refused", () => {
  const records = [snapshotBuffer({ displayName: "abc" }), snapshotBuffer({ displayName: "def" })];
  assert.throws(() => decodeQueue(queueBuffer(records, { count: 3 })), RangeError);
  assert.throws(() => decodeQueue(queueBuffer(records, { total: QUEUE_HEADER + 96 })), RangeError);
  assert.throws(() => decodeQueue(queueBuffer(records, { total: 8 })), RangeError);
});

/** A times record of bits_manager_read_queue (BITS_QUEUE_TIMES_BYTES): hr, then three FILETIMEs. */
function timesRecord(hr: number, creation: bigint, modification: bigint, completion: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, hr, true);
  view.setBigUint64(8, creation, true);
  view.setBigUint64(16, modification, true);
  view.setBigUint64(24, completion, true);
  return bytes;
}

// 2026-01-02T03:04:05Z and one second later, as FILETIMEs.
const FT_A = 116_444_736_000_000_000n + BigInt(Date.UTC(2026, 0, 2, 3, 4, 5)) * 10_000n;
const FT_B = FT_A + 10_000_000n;

Deno.test("decode: a whole-queue read with times pairs each snapshot with the record after it", () => {
  const a = snapshotBuffer({ displayName: "abc", state: 1 }); // 94 bytes, padded to 96
  const b = snapshotBuffer({ displayName: "wxyz", state: 6 });
  const c = snapshotBuffer({ displayName: "", state: 2 });
  // The queue buffer pads each piece to 8 bytes; a times record is 32 bytes already.
  const bytes = queueBuffer([
    a,
    timesRecord(0, FT_A, FT_B, 0n),
    b,
    timesRecord(0, FT_B, FT_B, FT_B),
    c,
    timesRecord(
      0x80004001 | 0,
      0n,
      0n,
      0n,
    ),
  ], { count: 3 });
  const jobs = decodeDatedQueue(bytes);
  assert.deepEqual(jobs.map((j) => [j.displayName, j.state]), [["abc", "CONNECTING"], ["wxyz", "TRANSFERRED"], [
    "",
    "TRANSFERRING",
  ]]);
  assert.deepEqual(jobs[0].times, {
    creationTime: new Date("2026-01-02T03:04:05Z"),
    modificationTime: new Date("2026-01-02T03:04:06Z"),
    transferCompletionTime: null,
  });
  assert.equal(jobs[1].times?.transferCompletionTime?.toISOString(), "2026-01-02T03:04:06.000Z");
  assert.equal(jobs[2].times, null, "E_NOTIMPL: no times");
  // Read without the flag's records, the same buffer would be misread: the decoder must be told.
  assert.throws(() => decodeDatedQueue(queueBuffer([a, b], { count: 2 })), RangeError);
});

Deno.test("decode: progress records (bits_jobs_progress): state, read_hr and progress; a failed read has no state", () => {
  const bytes = new Uint8Array(2 * 32 + 8).fill(0xCD, 64);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 3, true); // SUSPENDED
  view.setInt32(4, 0, true);
  view.setBigUint64(8, UNKNOWN_SIZE, true);
  view.setBigUint64(16, 6_000_000_000n, true);
  view.setUint32(24, 3, true);
  view.setUint32(28, 2, true);
  view.setInt32(32, -1, true);
  view.setInt32(36, 0x80200001 | 0, true); // BG_E_NOT_FOUND
  const [first, second] = decodeProgressRecords(bytes, 2);
  assert.deepEqual(first, {
    state: "SUSPENDED",
    readHr: 0,
    progress: { bytesTotal: null, bytesTransferred: 6_000_000_000, filesTotal: 3, filesTransferred: 2 },
  });
  assert.equal(second.state, undefined);
  assert.equal(second.readHr >>> 0, 0x80200001);
  assert.throws(() => decodeProgressRecords(bytes, 3), RangeError);
});

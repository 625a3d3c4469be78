import assert from "node:assert/strict";
import { BitsError } from "../../src/errors.ts";
import { parseGuid } from "../../src/guid.ts";
import { type JobProgress, type JobState, SETTLED_STATES } from "../../src/types.ts";
import { Coalescer, type Observation } from "../../src/watch/events.ts";
import { decodeEventRecords, EVENT_RECORD_BYTES } from "../../src/watch/records.ts";

const JOB = "{4991D34B-80A1-4291-83B6-3328366B9097}";

function progress(bytes: number, files = 0): JobProgress {
  return { bytesTotal: null, bytesTransferred: bytes, filesTotal: 1, filesTransferred: files };
}

function seen(state: JobState, bytes: number, source: "poll" | "callback" = "poll", at = 1000): Observation {
  return { jobId: JOB, source, at, state, progress: progress(bytes, state === "TRANSFERRED" ? 1 : 0) };
}

Deno.test("coalescer: a job's first reading is one state event without a previous state", () => {
  const c = new Coalescer();
  const events = c.observe(seen("QUEUED", 0));
  assert.deepEqual(events.map((e) => [e.kind, e.state, e.previousState]), [["state", "QUEUED", undefined]]);
});

Deno.test("coalescer: progress is reported on change only, state changes once from either source", () => {
  const c = new Coalescer();
  c.observe(seen("TRANSFERRING", 0));
  assert.deepEqual(c.observe(seen("TRANSFERRING", 0)), []);
  assert.deepEqual(c.observe(seen("TRANSFERRING", 500)).map((e) => e.kind), ["progress"]);
  // The callback reports TRANSFERRED first; the next poll's identical reading adds nothing.
  const byCallback = c.observe(seen("TRANSFERRED", 1000, "callback", 2000));
  assert.deepEqual(byCallback.map((e) => [e.kind, e.source]), [
    ["state", "callback"],
    ["transferred", "callback"],
    ["progress", "callback"],
  ]);
  assert.equal(byCallback[0].previousState, "TRANSFERRING");
  assert.deepEqual(c.observe(seen("TRANSFERRED", 1000, "poll", 3000)), []);
});

Deno.test("coalescer: ERROR yields an error event carrying the decoded BitsError", () => {
  const c = new Coalescer();
  c.observe(seen("CONNECTING", 0));
  const events = c.observe({
    ...seen("ERROR", 0),
    error: { context: "REMOTE_FILE", hresult: 0x80190194, code: "BG_E_HTTP_ERROR_404", description: "not found" },
  });
  assert.deepEqual(events.map((e) => e.kind), ["state", "error"]);
  const error = events[1].error;
  assert.ok(error instanceof BitsError);
  assert.deepEqual([error.code, error.context, error.jobId, error.state], [
    "BG_E_HTTP_ERROR_404",
    "REMOTE_FILE",
    JOB,
    "ERROR",
  ]);
  // An ERROR whose cause BITS cannot tell still yields an error event.
  const other = new Coalescer();
  assert.equal(
    other.observe({ ...seen("ERROR", 0), error: null })[1].error?.code,
    "BG_E_ERROR_INFORMATION_UNAVAILABLE",
  );
});

Deno.test("coalescer: removal is reported once and forgets the job", () => {
  const c = new Coalescer();
  c.observe(seen("QUEUED", 0));
  const removed = { jobId: JOB, source: "poll" as const, at: 5, removed: true };
  assert.deepEqual(c.observe(removed).map((e) => e.kind), ["removed"]);
  assert.deepEqual(c.observe(removed), []);
  assert.deepEqual(c.jobIds, []);
  assert.equal(c.stateOf(JOB), undefined);
});

Deno.test("coalescer: each transferred file is reported once", () => {
  const c = new Coalescer();
  c.observe(seen("TRANSFERRING", 0));
  const file = { ...seen("TRANSFERRING", 10, "callback"), file: "C:\\a.bin" };
  assert.deepEqual(c.observe(file).map((e) => [e.kind, e.file]), [["file-transferred", "C:\\a.bin"], [
    "progress",
    undefined,
  ]]);
  assert.deepEqual(c.observe(file), []);
});

Deno.test("coalescer: an observation without state (an unreadable callback) changes nothing", () => {
  const c = new Coalescer();
  c.observe(seen("QUEUED", 0));
  assert.deepEqual(c.observe({ jobId: JOB, source: "callback", at: 1 }), []);
  assert.equal(c.stateOf(JOB), "QUEUED");
});

Deno.test("settled states are the ones that need someone to act", () => {
  assert.deepEqual([...SETTLED_STATES].sort(), ["ACKNOWLEDGED", "CANCELLED", "ERROR", "TRANSFERRED"]);
});

/** Writes one record per the layout in ffi/bits_shim.h. */
function record(
  view: DataView,
  bytes: Uint8Array,
  index: number,
  fields: { kind: number; seq: number; state: number; readHr: number; code?: number; ctx?: number; file?: string },
): void {
  const o = index * EVENT_RECORD_BYTES;
  view.setUint32(o, fields.kind, true);
  view.setUint32(o + 4, fields.seq, true);
  bytes.set(parseGuid(JOB), o + 8);
  view.setInt32(o + 24, fields.state, true);
  view.setInt32(o + 28, fields.readHr, true);
  view.setBigUint64(o + 32, 0xFFFF_FFFF_FFFF_FFFFn, true);
  view.setBigUint64(o + 40, 1234n, true);
  view.setUint32(o + 48, 2, true);
  view.setUint32(o + 52, 1, true);
  view.setInt32(o + 56, fields.ctx ?? 0, true);
  view.setInt32(o + 60, fields.code ?? 0, true);
  // 2026-01-01T00:00:00Z as FILETIME.
  view.setBigUint64(o + 64, (1767225600000n + 11_644_473_600_000n) * 10_000n, true);
  const file = fields.file ?? "";
  view.setUint32(o + 72, file.length, true);
  for (let i = 0; i < file.length; i++) view.setUint16(o + 80 + i * 2, file.charCodeAt(i), true);
}

Deno.test("records: event records decode into callback observations", () => {
  const bytes = new Uint8Array(EVENT_RECORD_BYTES * 4);
  const view = new DataView(bytes.buffer);
  record(view, bytes, 0, { kind: 1, seq: 7, state: 6, readHr: 0 });
  record(view, bytes, 1, { kind: 2, seq: 8, state: 4, readHr: 0, code: 0x80190194 | 0, ctx: 5 });
  record(view, bytes, 2, { kind: 4, seq: 9, state: 2, readHr: 0, file: "C:\\Müsic\\🎵.mp3" });
  record(view, bytes, 3, { kind: 3, seq: 10, state: -1, readHr: 0x80200001 | 0 });
  const [transferred, error, file, gone] = decodeEventRecords(bytes, 4);
  assert.deepEqual([transferred.kind, transferred.sequence, transferred.jobId], ["transferred", 7, JOB]);
  assert.deepEqual(transferred.observation.progress, {
    bytesTotal: null,
    bytesTransferred: 1234,
    filesTotal: 2,
    filesTransferred: 1,
  });
  assert.deepEqual([transferred.observation.state, transferred.observation.at], ["TRANSFERRED", 1767225600000]);
  assert.equal(transferred.observation.source, "callback");
  assert.deepEqual(
    [error.observation.state, error.observation.error?.code, error.observation.error?.context],
    ["ERROR", "BG_E_HTTP_ERROR_404", "REMOTE_FILE"],
  );
  assert.equal(file.observation.file, "C:\\Müsic\\🎵.mp3");
  assert.equal(gone.observation.removed, true);
});

Deno.test("records: an injected or unreadable record carries the job id only", () => {
  const bytes = new Uint8Array(EVENT_RECORD_BYTES);
  record(new DataView(bytes.buffer), bytes, 0, { kind: 3, seq: 1, state: -1, readHr: 1 });
  const [only] = decodeEventRecords(bytes, 1);
  assert.deepEqual([only.kind, only.readHr, only.observation.state], ["modification", 1, undefined]);
  assert.throws(() => decodeEventRecords(bytes, 2), RangeError);
});

Deno.test("records: a file-ranges-transferred record is a state and progress reading, not a finished file", () => {
  const bytes = new Uint8Array(EVENT_RECORD_BYTES);
  const view = new DataView(bytes.buffer);
  record(view, bytes, 0, { kind: 5, seq: 3, state: 2, readHr: 0, file: "C:\\data\\big.iso" });
  view.setUint32(76, 2, true); // range_count
  const [ranges] = decodeEventRecords(bytes, 1);
  assert.deepEqual([ranges.kind, ranges.sequence, ranges.jobId, ranges.readHr], ["file-ranges-transferred", 3, JOB, 0]);
  assert.equal(ranges.observation.state, "TRANSFERRING");
  assert.deepEqual(ranges.observation.progress, {
    bytesTotal: null,
    bytesTransferred: 1234,
    filesTotal: 2,
    filesTransferred: 1,
  });
  assert.equal(ranges.observation.file, undefined);

  // The coalescer reports the reading as state (and later progress), never as a transferred file.
  const coalescer = new Coalescer();
  const events = coalescer.observe(ranges.observation);
  assert.deepEqual(events.map((e) => e.kind), ["state"]);
  view.setUint32(4, 4, true);
  view.setBigUint64(40, 5678n, true);
  const [more] = decodeEventRecords(bytes, 1);
  assert.deepEqual(coalescer.observe(more.observation).map((e) => [e.kind, e.progress?.bytesTransferred]), [
    ["progress", 5678],
  ]);
});

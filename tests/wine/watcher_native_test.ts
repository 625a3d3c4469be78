/**
 * The native notification watcher, called directly through FFI (the shim's
 * test variant, tests/support/test_shim.ts): queue order,
 * sequence numbers, capacity and drop counting, wake-ups, and a real
 * JobTransferred callback from the BITS service (the only notification Wine
 * delivers, docs/wine.md, "Notifications").
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { wineVersion } from "../../src/platform.ts";
import { EVENT_RECORD_BYTES, WATCHER_NOTIFY_FLAGS, WATCHER_NOTIFY_FLAGS_RANGES } from "../../ffi/symbols.ts";
import { loadTestShim, TEST_FAULT, type TestShim } from "../support/test_shim.ts";
import { encodeUtf16 } from "../../src/utf16.ts";
import { startServer } from "../support/server.ts";

const S_OK = 0;
const S_FALSE = 1;
const E_INVALIDARG = 0x80070057 | 0;
const E_POINTER = 0x80004003 | 0;

const JOB_TRANSFERRED = 1;
const FILE_RANGES_TRANSFERRED = 5;
const STATE_TRANSFERRED = 6;
const STATE_ACKNOWLEDGED = 7;
const STATE_CANCELLED = 8;
/** BITS_PROP_NOTIFY_FLAGS (ffi/bits_properties.h). */
const NOTIFY_FLAGS_PROPERTY = 2;
/** QUEUED, CONNECTING, TRANSFERRING: cancelling these crashes Wine's BITS service. */
const RUNNING_STATES: ReadonlySet<number> = new Set([0, 1, 2]);

/** Milliseconds between 1601-01-01 (FILETIME) and 1970-01-01 (Unix). */
const FILETIME_UNIX_OFFSET_MS = 11_644_473_600_000;

/** The test variant of the shim (bits_watcher_inject and forged faults are not in the release DLL). */
function symbols(): TestShim {
  return loadTestShim();
}

function hex(hr: number): string {
  return `0x${(hr >>> 0).toString(16).padStart(8, "0")}`;
}

function assertHr(actual: number, expected: number, what: string): void {
  assert.equal(hex(actual), hex(expected), what);
}

/** The pointer a shim function wrote into a one-element out-parameter. */
function pointerOut(out: BigUint64Array, what: string): Deno.PointerObject {
  const pointer = Deno.UnsafePointer.create(out[0]);
  assert.ok(pointer !== null, `${what} returned no handle`);
  return pointer;
}

async function createWatcher(capacity: number): Promise<Deno.PointerObject> {
  const out = new BigUint64Array(1);
  assertHr(await symbols().bits_watcher_create(capacity, out), S_OK, "bits_watcher_create");
  return pointerOut(out, "bits_watcher_create");
}

/** One decoded event record (bits_shim.h, "Event record layout"). */
interface EventRecord {
  kind: number;
  sequence: number;
  jobId: Uint8Array;
  state: number;
  readHr: number;
  bytesTotal: bigint;
  bytesTransferred: bigint;
  filesTotal: number;
  filesTransferred: number;
  errorContext: number;
  errorCode: number;
  receivedAt: bigint;
  fileName: string;
  rangeCount: number;
}

function decodeRecord(bytes: Uint8Array, index: number): EventRecord {
  const base = index * EVENT_RECORD_BYTES;
  const view = new DataView(bytes.buffer, bytes.byteOffset + base, EVENT_RECORD_BYTES);
  const nameLength = view.getUint32(72, true);
  let fileName = "";
  for (let i = 0; i < nameLength; i++) fileName += String.fromCharCode(view.getUint16(80 + 2 * i, true));
  return {
    kind: view.getUint32(0, true),
    sequence: view.getUint32(4, true),
    jobId: bytes.slice(base + 8, base + 24),
    state: view.getInt32(24, true),
    readHr: view.getInt32(28, true),
    bytesTotal: view.getBigUint64(32, true),
    bytesTransferred: view.getBigUint64(40, true),
    filesTotal: view.getUint32(48, true),
    filesTransferred: view.getUint32(52, true),
    errorContext: view.getInt32(56, true),
    errorCode: view.getInt32(60, true),
    receivedAt: view.getBigUint64(64, true),
    fileName,
    rangeCount: view.getUint32(76, true),
  };
}

interface Drained {
  hr: number;
  records: EventRecord[];
  dropped: number;
  elapsedMs: number;
}

async function drain(watcher: Deno.PointerObject, cap: number, timeoutMs: number): Promise<Drained> {
  // One spare record's worth of sentinel bytes checks that nothing is written past `cap` records.
  const out = new Uint8Array((cap + 1) * EVENT_RECORD_BYTES).fill(0xa5);
  const count = new Uint32Array(1);
  const dropped = new Uint32Array(1);
  const started = performance.now();
  const hr = await symbols().bits_watcher_drain(watcher, out, cap, timeoutMs, count, dropped);
  const elapsedMs = performance.now() - started;
  assert.ok(count[0] <= cap, `drain reported ${count[0]} records for a capacity of ${cap}`);
  assert.ok(
    out.subarray(count[0] * EVENT_RECORD_BYTES).every((b) => b === 0xa5),
    "drain wrote past its records",
  );
  const records = Array.from({ length: count[0] }, (_, i) => decodeRecord(out, i));
  return { hr, records, dropped: dropped[0], elapsedMs };
}

function randomGuid(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(16));
}

function filetimeToMs(filetime: bigint): number {
  return Number(filetime / 10_000n) - FILETIME_UNIX_OFFSET_MS;
}

Deno.test("injected notifications drain oldest first with contiguous sequence numbers", async () => {
  const shim = symbols();
  const watcher = await createWatcher(16);
  try {
    const guids = Array.from({ length: 5 }, randomGuid);
    const kinds = [1, 2, 3, 4, 1];
    const before = Date.now();
    for (let i = 0; i < guids.length; i++) {
      assertHr(shim.bits_watcher_inject(watcher, kinds[i], guids[i]), S_OK, `inject #${i + 1}`);
    }

    // A partial drain leaves the rest queued, and the event set: the second drain must not wait.
    const first = await drain(watcher, 2, 0);
    assertHr(first.hr, S_OK, "first drain");
    assert.deepEqual(first.records.map((r) => r.sequence), [1, 2]);
    const rest = await drain(watcher, 16, 10_000);
    assertHr(rest.hr, S_OK, "second drain");
    assert.ok(rest.elapsedMs < 5_000, `the second drain waited ${rest.elapsedMs} ms with entries queued`);
    assert.equal(first.dropped + rest.dropped, 0);

    const records = [...first.records, ...rest.records];
    assert.equal(records.length, 5);
    records.forEach((record, i) => {
      assert.equal(record.kind, kinds[i], `kind of #${i + 1}`);
      assert.equal(record.sequence, i + 1);
      assert.deepEqual(record.jobId, guids[i]);
      assert.equal(record.state, -1);
      assertHr(record.readHr, S_FALSE, `read_hr of #${i + 1}`);
      assert.equal(record.bytesTotal, 0n);
      assert.equal(record.filesTotal, 0);
      assert.equal(record.errorCode, 0);
      assert.equal(record.fileName, "");
      assert.equal(record.rangeCount, 0);
      const received = filetimeToMs(record.receivedAt);
      assert.ok(received >= before - 1_000 && received <= Date.now() + 1_000, `received_at ${received}`);
    });
    for (let i = 1; i < records.length; i++) assert.ok(records[i].receivedAt >= records[i - 1].receivedAt);
  } finally {
    assertHr(shim.bits_release(watcher), S_OK, "bits_release(watcher)");
  }
});

Deno.test("a full queue drops notifications and counts them once", async () => {
  const shim = symbols();
  const watcher = await createWatcher(4);
  try {
    const guids = Array.from({ length: 10 }, randomGuid);
    const results = guids.map((guid) => shim.bits_watcher_inject(watcher, JOB_TRANSFERRED, guid));
    assert.deepEqual(results, [S_OK, S_OK, S_OK, S_OK, S_FALSE, S_FALSE, S_FALSE, S_FALSE, S_FALSE, S_FALSE]);

    const full = await drain(watcher, 16, 0);
    assertHr(full.hr, S_OK, "drain");
    assert.deepEqual(full.records.map((r) => r.sequence), [1, 2, 3, 4]);
    assert.deepEqual(full.records.map((r) => r.jobId), guids.slice(0, 4));
    assert.equal(full.dropped, 6);

    const empty = await drain(watcher, 16, 0);
    assertHr(empty.hr, S_FALSE, "second drain");
    assert.equal(empty.records.length, 0);
    assert.equal(empty.dropped, 0);

    // Sequence numbers go to queued entries only, so they continue without a gap.
    assertHr(shim.bits_watcher_inject(watcher, JOB_TRANSFERRED, randomGuid()), S_OK, "inject after drain");
    const next = await drain(watcher, 16, 0);
    assert.deepEqual(next.records.map((r) => r.sequence), [5]);
  } finally {
    assertHr(shim.bits_release(watcher), S_OK, "bits_release(watcher)");
  }
});

Deno.test("drain times out empty, and wake ends a pending drain without leaving the event set", async () => {
  const shim = symbols();
  const watcher = await createWatcher(8);
  try {
    const idle = await drain(watcher, 8, 200);
    assertHr(idle.hr, S_FALSE, "idle drain");
    assert.equal(idle.records.length, 0);

    const pending = drain(watcher, 8, 10_000);
    const timer = setTimeout(() => assertHr(shim.bits_watcher_wake(watcher), S_OK, "wake"), 50);
    let woken: Drained;
    try {
      woken = await pending;
    } finally {
      clearTimeout(timer);
    }
    assertHr(woken.hr, S_FALSE, "woken drain");
    assert.equal(woken.records.length, 0);
    assert.ok(woken.elapsedMs < 5_000, `wake took ${woken.elapsedMs} ms to end the drain`);

    // The woken drain reset the event: the next one waits for its full timeout again.
    const after = await drain(watcher, 8, 300);
    assertHr(after.hr, S_FALSE, "drain after wake");
    assert.ok(after.elapsedMs >= 150, `a drain after a wake returned after ${after.elapsedMs} ms`);

    // A wake with no drain pending is latched, so one sent just before a drain starts is not lost.
    assertHr(shim.bits_watcher_wake(watcher), S_OK, "early wake");
    const early = await drain(watcher, 8, 10_000);
    assertHr(early.hr, S_FALSE, "drain after an early wake");
    assert.ok(early.elapsedMs < 5_000, `a latched wake took ${early.elapsedMs} ms to end the drain`);

    // A wake does not hide queued entries.
    assertHr(shim.bits_watcher_inject(watcher, 3, randomGuid()), S_OK, "inject");
    assertHr(shim.bits_watcher_wake(watcher), S_OK, "wake with an entry queued");
    const queued = await drain(watcher, 8, 0);
    assertHr(queued.hr, S_OK, "drain with an entry and a wake");
    assert.deepEqual(queued.records.map((r) => [r.kind, r.sequence]), [[3, 1]]);
  } finally {
    assertHr(shim.bits_release(watcher), S_OK, "bits_release(watcher)");
  }
});

Deno.test("notifications queued while a drain runs on another thread are each delivered or counted", async () => {
  const shim = symbols();
  const watcher = await createWatcher(64);
  try {
    const total = 2_000;
    const guid = randomGuid();
    const sequences: number[] = [];
    let dropped = 0;
    let injecting = true;
    const collect = (result: Drained): void => {
      assert.ok(result.hr === S_OK || result.hr === S_FALSE, `drain failed: ${hex(result.hr)}`);
      sequences.push(...result.records.map((r) => r.sequence));
      dropped += result.dropped;
    };
    // The drain runs on Deno's thread pool while the injects below run on this thread.
    const loop = (async (): Promise<void> => {
      while (injecting) collect(await drain(watcher, 16, 1_000));
    })();
    for (let i = 0; i < total; i++) {
      shim.bits_watcher_inject(watcher, 3, guid);
      if (i % 32 === 31) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    injecting = false;
    assertHr(shim.bits_watcher_wake(watcher), S_OK, "wake");
    await loop;
    collect(await drain(watcher, 64, 0));

    assert.equal(sequences.length + dropped, total);
    assert.deepEqual(sequences, Array.from({ length: sequences.length }, (_, i) => i + 1));
  } finally {
    shim.bits_release(watcher);
  }
});

Deno.test("watcher entry points refuse bad arguments before doing anything", async () => {
  const shim = symbols();
  const out = new BigUint64Array(1);
  assertHr(await shim.bits_watcher_create(0, out), E_INVALIDARG, "capacity 0");
  assertHr(await shim.bits_watcher_create(65_537, out), E_INVALIDARG, "capacity 65537");
  assert.equal(out[0], 0n);
  assertHr(await shim.bits_watcher_create(16, null), E_POINTER, "no out-parameter");

  const watcher = await createWatcher(65_536);
  try {
    const guid = randomGuid();
    assertHr(shim.bits_watcher_inject(watcher, 0, guid), E_INVALIDARG, "kind 0");
    assertHr(shim.bits_watcher_inject(watcher, 6, guid), E_INVALIDARG, "kind 6");
    assertHr(shim.bits_watcher_inject(watcher, 1, null), E_POINTER, "no GUID");
    assertHr(shim.bits_watcher_inject(null, 1, guid), E_POINTER, "no watcher");
    assertHr(shim.bits_watcher_wake(null), E_POINTER, "wake without a watcher");
    const count = new Uint32Array(1);
    const dropped = new Uint32Array(1);
    assertHr(await shim.bits_watcher_drain(watcher, null, 1, 0, count, dropped), E_POINTER, "no buffer");
    assertHr(
      await shim.bits_watcher_drain(watcher, new Uint8Array(EVENT_RECORD_BYTES), 1, 0, null, dropped),
      E_POINTER,
      "no count",
    );
    // Nothing was queued by the refused calls.
    const empty = await drain(watcher, 4, 0);
    assertHr(empty.hr, S_FALSE, "drain");
    assert.equal(empty.dropped, 0);
  } finally {
    shim.bits_release(watcher);
  }
});

Deno.test("an injected FileRangesTransferred (kind 5) round-trips with range_count 0", async () => {
  const shim = symbols();
  const watcher = await createWatcher(4);
  try {
    const guid = randomGuid();
    assertHr(shim.bits_watcher_inject(watcher, FILE_RANGES_TRANSFERRED, guid), S_OK, "inject kind 5");
    const { hr, records, dropped } = await drain(watcher, 4, 0);
    assertHr(hr, S_OK, "drain");
    assert.equal(dropped, 0);
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record.kind, FILE_RANGES_TRANSFERRED);
    assert.equal(record.sequence, 1);
    assert.deepEqual(record.jobId, guid);
    assert.equal(record.state, -1);
    assertHr(record.readHr, S_FALSE, "read_hr");
    assert.equal(record.fileName, "");
    assert.equal(record.rangeCount, 0);
  } finally {
    assertHr(shim.bits_release(watcher), S_OK, "bits_release(watcher)");
  }
});

/** A BITS connection and one job made through the shim, cleaned up without cancelling a running transfer. */
class NativeJob implements AsyncDisposable {
  readonly manager: Deno.PointerObject;
  readonly job: Deno.PointerObject;
  readonly guid: Uint8Array;
  #finished = false;

  private constructor(manager: Deno.PointerObject, job: Deno.PointerObject, guid: Uint8Array) {
    this.manager = manager;
    this.job = job;
    this.guid = guid;
  }

  static async create(name: string, files: readonly { url: string; path: string }[]): Promise<NativeJob> {
    const shim = symbols();
    const out = new BigUint64Array(1);
    assertHr(await shim.bits_connect(out), S_OK, "bits_connect");
    const manager = pointerOut(out, "bits_connect");
    let job: Deno.PointerObject | null = null;
    try {
      const display = encodeUtf16(name);
      const description = encodeUtf16("");
      const guid = new Uint8Array(16);
      out[0] = 0n;
      assertHr(
        await shim.bits_manager_create_job(
          manager,
          display.buffer,
          display.length,
          0,
          description.buffer,
          description.length,
          guid,
          out,
        ),
        S_OK,
        "bits_manager_create_job",
      );
      job = pointerOut(out, "bits_manager_create_job");
      const native = new NativeJob(manager, job, guid);
      try {
        for (const file of files) {
          const remote = encodeUtf16(file.url);
          const local = encodeUtf16(file.path);
          assertHr(
            await shim.bits_job_add_file(job, remote.buffer, remote.length, local.buffer, local.length),
            S_OK,
            "bits_job_add_file",
          );
        }
      } catch (error) {
        await native[Symbol.asyncDispose]();
        throw error;
      }
      return native;
    } catch (error) {
      if (job === null) shim.bits_release(manager);
      throw error;
    }
  }

  /** The job's BG_JOB_STATE, from a snapshot. */
  async state(): Promise<number> {
    const out = new Uint8Array(4096);
    const needed = new Uint32Array(1);
    assertHr(await symbols().bits_job_snapshot(this.job, out, out.length, needed), S_OK, "bits_job_snapshot");
    return new DataView(out.buffer).getInt32(28, true);
  }

  /** The job's notify flags (GetNotifyFlags). */
  async notifyFlags(): Promise<number> {
    const out = new BigUint64Array(1);
    assertHr(await symbols().bits_job_get_u64(this.job, NOTIFY_FLAGS_PROPERTY, out), S_OK, "GetNotifyFlags");
    return Number(out[0]);
  }

  async complete(): Promise<void> {
    assertHr(await symbols().bits_job_complete(this.job), S_OK, "bits_job_complete");
    this.#finished = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const shim = symbols();
    try {
      if (!this.#finished) {
        let state = await this.state();
        // Never cancel a running transfer under Wine: let it finish, then complete it.
        const deadline = Date.now() + 30_000;
        while (RUNNING_STATES.has(state) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          state = await this.state();
        }
        if (state === STATE_TRANSFERRED) await shim.bits_job_complete(this.job);
        else if (!RUNNING_STATES.has(state) && state !== STATE_ACKNOWLEDGED && state !== STATE_CANCELLED) {
          await shim.bits_job_cancel(this.job);
        }
      }
    } finally {
      shim.bits_release(this.job);
      shim.bits_release(this.manager);
    }
  }
}

Deno.test("BITS delivers JobTransferred to an attached watcher, and detach unregisters it once", async () => {
  await using server = startServer();
  const dir = await Deno.makeTempDir({ prefix: "bits-watcher-" });
  try {
    const path = join(dir, "transferred.bin");
    await using native = await NativeJob.create("watcher native test", [{ url: server.contentUrl(50_000, 1), path }]);
    const shim = symbols();
    const watcher = await createWatcher(16);
    try {
      const previous = new Uint32Array(1);
      // S_OK under Wine too, which refuses FILE_RANGES_TRANSFERRED: attach falls back to the flags without it.
      assertHr(await shim.bits_watcher_attach(watcher, native.job, previous), S_OK, "attach");
      // A new job notifies TRANSFERRED | ERROR by default, on Windows and Wine alike.
      assert.equal(previous[0], 0x3);

      const started = Date.now();
      assertHr(await shim.bits_job_resume(native.job), S_OK, "resume");
      let transferred: EventRecord | undefined;
      const deadline = Date.now() + 30_000;
      while (transferred === undefined && Date.now() < deadline) {
        const { hr, records } = await drain(watcher, 16, 30_000);
        assert.ok(hr === S_OK || hr === S_FALSE, `drain failed: ${hex(hr)}`);
        transferred = records.find((r) => r.kind === JOB_TRANSFERRED);
      }
      assert.ok(transferred !== undefined, "no JobTransferred within 30 s");
      assert.deepEqual(transferred.jobId, native.guid);
      assertHr(transferred.readHr, S_OK, "read_hr");
      assert.equal(transferred.state, STATE_TRANSFERRED);
      assert.equal(transferred.bytesTransferred, 50_000n);
      // Wine never fills in the job's BytesTotal (docs/wine.md, "Progress").
      assert.ok(transferred.bytesTotal === 50_000n || transferred.bytesTotal === 0xffff_ffff_ffff_ffffn);
      assert.equal(transferred.filesTotal, 1);
      assert.equal(transferred.filesTransferred, 1);
      assert.equal(transferred.fileName, "");
      const received = filetimeToMs(transferred.receivedAt);
      assert.ok(received >= started - 1_000 && received <= Date.now() + 1_000, `received_at ${received}`);
      assert.ok(received >= Date.now() - 60_000);

      assertHr(await shim.bits_watcher_detach(watcher, native.guid), S_OK, "detach");
      assertHr(await shim.bits_watcher_detach(watcher, native.guid), S_FALSE, "second detach");

      await native.complete();
      assert.equal((await Deno.stat(path)).size, 50_000);
    } finally {
      shim.bits_release(watcher);
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a second watcher leaves the first one's registration alone, and detach restores the notify flags", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bits-watcher-" });
  try {
    // Never resumed: the job stays SUSPENDED and is cancelled at the end, which is safe under Wine.
    await using native = await NativeJob.create("watcher identity test", [
      { url: "http://127.0.0.1:9/never", path: join(dir, "never.bin") },
    ]);
    const shim = symbols();
    const first = await createWatcher(4);
    const second = await createWatcher(4);
    try {
      const original = new Uint32Array(1);
      const between = new Uint32Array(1);
      assertHr(await shim.bits_watcher_attach(first, native.job, original), S_OK, "attach first");
      const attached = await native.notifyFlags();
      // With FILE_RANGES_TRANSFERRED where BITS takes it (10.1), without it on Wine and older BITS.
      assert.ok(
        attached === WATCHER_NOTIFY_FLAGS_RANGES || attached === WATCHER_NOTIFY_FLAGS,
        `flags after attach: ${hex(attached)}`,
      );
      // Wine refuses 0x20 with E_NOTIMPL (docs/wine.md, "Notifications"): attach fell back and still succeeded.
      if (wineVersion() !== null) assert.equal(attached, WATCHER_NOTIFY_FLAGS);
      assertHr(await shim.bits_watcher_attach(first, native.job, between), S_OK, "attach first again");
      // Taking the job over would leave `first` unable to restore the flags it replaced: refused, nothing changed.
      assertHr(await shim.bits_watcher_attach(second, native.job, between), S_FALSE, "attach second");
      assert.equal(between[0], 0, "no flags reported for a refused registration");
      assert.equal(await native.notifyFlags(), attached, "the refused attach changed the flags");
      assertHr(await shim.bits_watcher_detach(second, native.guid), S_FALSE, "detach second (never registered)");

      // Still `first`'s: its detach undoes the registration.
      assertHr(await shim.bits_watcher_detach(first, native.guid), S_OK, "detach first");
      // Nothing registered now.
      assertHr(await shim.bits_watcher_detach(first, native.guid), S_FALSE, "detach first again");
      assert.equal(await native.notifyFlags(), original[0]);

      // The flags are back to what they were before the first attach, and the job is free for another watcher.
      const again = new Uint32Array(1);
      assertHr(await shim.bits_watcher_attach(second, native.job, again), S_OK, "attach second now");
      assert.equal(again[0], original[0]);
      const now = new Uint32Array(1);
      assertHr(await shim.bits_watcher_attach(first, native.job, now), S_FALSE, "first, while second holds it");
      assertHr(await shim.bits_watcher_detach(second, native.guid), S_OK, "detach second");

      // A job handle is not a watcher.
      assertHr(await shim.bits_watcher_attach(native.job, native.job, again), E_INVALIDARG, "job as watcher");
      assertHr(shim.bits_watcher_wake(native.job), E_INVALIDARG, "wake on a job");
    } finally {
      shim.bits_release(first);
      shim.bits_release(second);
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("close undoes every registration through the watcher's own job references, and drains end at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bits-watcher-" });
  try {
    await using a = await NativeJob.create("watcher close test a", [
      { url: "http://127.0.0.1:9/never", path: join(dir, "a.bin") },
    ]);
    await using b = await NativeJob.create("watcher close test b", [
      { url: "http://127.0.0.1:9/never", path: join(dir, "b.bin") },
    ]);
    const shim = symbols();
    const before = [await a.notifyFlags(), await b.notifyFlags()];
    const watcher = await createWatcher(4);
    try {
      const previous = new Uint32Array(1);
      // Through second handles to the same jobs, released before close: the registrations keep their own.
      for (const job of [a, b]) {
        const out = new BigUint64Array(1);
        assertHr(await shim.bits_manager_get_job(job.manager, job.guid, out), S_OK, "GetJob");
        const twin = pointerOut(out, "bits_manager_get_job");
        assertHr(await shim.bits_watcher_attach(watcher, twin, previous), S_OK, "attach");
        assertHr(shim.bits_release(twin), S_OK, "release the twin");
      }
      assert.notEqual(await a.notifyFlags(), before[0]);
      const pending = drain(watcher, 4, 60_000);
      assertHr(await shim.bits_watcher_close(watcher), S_OK, "close");
      const ended = await pending;
      assertHr(ended.hr, S_FALSE, "the pending drain");
      assert.ok(ended.elapsedMs < 30_000, `the pending drain took ${ended.elapsedMs} ms`);
      assert.deepEqual([await a.notifyFlags(), await b.notifyFlags()], before);
      // Both jobs are free for another watcher: nothing of the closed one is registered.
      const other = await createWatcher(4);
      try {
        assertHr(await shim.bits_watcher_attach(other, a.job, previous), S_OK, "attach another watcher");
        assert.equal(previous[0], before[0]);
        assertHr(await shim.bits_watcher_detach(other, a.guid), S_OK, "detach it");
      } finally {
        shim.bits_release(other);
      }
      assertHr(await shim.bits_watcher_attach(watcher, a.job, previous), 0x8000000e | 0, "attach after close");
      assertHr(await shim.bits_watcher_close(watcher), S_OK, "close again");
      assertHr((await drain(watcher, 4, 60_000)).hr, S_FALSE, "drain after close");
    } finally {
      shim.bits_release(watcher);
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("an event whose job can no longer be read still carries the registered job's id", async () => {
  await using server = startServer();
  const dir = await Deno.makeTempDir({ prefix: "bits-watcher-" });
  const shim = symbols();
  try {
    await using native = await NativeJob.create("watcher vanished id test", [
      { url: server.contentUrl(10_000, 2), path: join(dir, "gone.bin") },
    ]);
    const watcher = await createWatcher(16);
    try {
      assertHr(await shim.bits_watcher_attach(watcher, native.job, new Uint32Array(1)), S_OK, "attach");
      assertHr(await shim.bits_job_resume(native.job), S_OK, "resume");
      // Forged: the drain's GetId fails as for a job that left the service (test build only).
      shim.bits_test_set_faults(TEST_FAULT.drainGetId);
      let transferred: EventRecord | undefined;
      const deadline = Date.now() + 30_000;
      while (transferred === undefined && Date.now() < deadline) {
        transferred = (await drain(watcher, 16, 30_000)).records.find((r) => r.kind === JOB_TRANSFERRED);
      }
      assert.ok(transferred !== undefined, "no JobTransferred within 30 s");
      assertHr(transferred.readHr, 0x80010108 | 0, "read_hr (RPC_E_DISCONNECTED, forged)");
      assert.deepEqual(transferred.jobId, native.guid);
      assertHr(await shim.bits_watcher_close(watcher), S_OK, "close");
    } finally {
      shim.bits_test_set_faults(0);
      shim.bits_release(watcher);
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

/**
 * Watcher lifetimes and the native layer under misuse, against real BITS: a
 * job disposed during its own `wait()`, two processes watching one job, a
 * release on an STA JavaScript thread, and a NULL error object forged through
 * the shim's test variant (tests/support/test_shim.ts).
 */

import assert from "node:assert/strict";
import { type BitsJob, type NotifyFlag, watch } from "../../mod.ts";
import { jobRef } from "../../src/job.ts";
import { loadTestShim, TEST_FAULT } from "../support/test_shim.ts";
import { startServer } from "../support/server.ts";
import { BitsSession, eventually } from "../support/wine.ts";

const S_OK = 0;
const S_FALSE = 1;
const E_UNEXPECTED = 0x8000ffff | 0;
/** Offset of error_hr in the details header (ffi/bits_inspection.h). */
const ERROR_HR_OFFSET = 76;
/** Flags a watch registers under Wine (no FILE_RANGES_TRANSFERRED there) or where BITS takes 0x20. */
const WATCHING: readonly NotifyFlag[] = ["JOB_TRANSFERRED", "JOB_ERROR", "JOB_MODIFICATION", "FILE_TRANSFERRED"];

const FIXTURES = new URL("./fixtures/", import.meta.url);

/** A child Deno running `fixture` (in ./fixtures/) with `args`, with the permissions every fixture here needs. */
function fixture(name: string, args: readonly string[], options: Deno.CommandOptions = {}): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    ...options,
    args: [
      "run",
      "--cached-only",
      "--no-check",
      "--allow-ffi",
      "--allow-read",
      "--allow-env=BITS_SHIM_PATH",
      new URL(name, FIXTURES).href,
      ...args,
    ],
  });
}

function hex(hr: number): string {
  return `0x${(hr >>> 0).toString(16).padStart(8, "0")}`;
}

/** A job that stays SUSPENDED (never resumed), so cancelling it at the end is safe under Wine. */
async function idleJob(session: BitsSession, name: string): Promise<BitsJob> {
  return session.track(
    await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path(`${name}.bin`) }], {
      displayName: name,
      suspended: true,
    }),
  );
}

async function flagsOf(job: BitsJob): Promise<string[]> {
  return [...await job.getProperty("notifyFlags")].sort();
}

const watching = (flags: readonly string[]): boolean => WATCHING.every((flag) => flags.includes(flag));

/** Whether another client's callback is registered on the job: a fresh watcher of the test variant may not attach. */
async function notifyInterfaceTaken(job: BitsJob): Promise<boolean> {
  const shim = loadTestShim();
  const out = new BigUint64Array(1);
  assert.equal(hex(await shim.bits_watcher_create(4, out)), hex(S_OK));
  const watcher = Deno.UnsafePointer.create(out[0]);
  try {
    const hr = await jobRef(job).handle.use((pointer) =>
      shim.bits_watcher_attach(watcher, pointer, new Uint32Array(1))
    );
    assert.ok(hr === S_OK || hr === S_FALSE, `attach: ${hex(hr)}`);
    return hr === S_FALSE;
  } finally {
    await shim.bits_watcher_close(watcher);
    shim.bits_release(watcher);
  }
}

Deno.test("dispose during a running wait leaves no notify interface on the job and its flags as before", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "dispose during wait");
  const before = await flagsOf(job);
  assert.ok(!watching(before), `a new job already has the watch's flags: ${before}`);
  // The handle the wait runs on, disposed while it waits (Promise.race around wait(), then dispose()).
  const twin = await session.bits.getJob(job.id);
  const waiting = twin.wait({ interval: 200 }).then(() => "resolved", (error) => error);
  await eventually(() => flagsOf(job), watching, 30_000);
  twin.dispose();
  const outcome = await waiting;
  assert.ok(outcome instanceof ReferenceError, `the wait ended with ${outcome}`);
  assert.deepEqual(await flagsOf(job), before);
  assert.equal(await notifyInterfaceTaken(job), false, "a callback is still registered on the job");
});

Deno.test("two processes watching one job end with the job's notify flags as before", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "two watchers");
  const before = await flagsOf(job);
  const stop = new AbortController();
  const here = (async () => {
    for await (const _event of watch([job], { signal: stop.signal, pollInterval: 200 })) {
      // Only the registration matters here.
    }
  })();
  await eventually(() => flagsOf(job), watching, 30_000);
  // The other process starts watching while this one still is, and ends after it.
  const other = fixture("watch_one_job.ts", [job.id, "6000"], { stdout: "piped", stderr: "piped" }).spawn();
  const reader = other.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  assert.match(seen, /ready/, "the other process never watched");
  stop.abort();
  await here;
  const { code } = await other.status;
  reader.releaseLock();
  await other.stdout.cancel().catch(() => {});
  const stderr = await new Response(other.stderr).text();
  assert.equal(code, 0, stderr);
  assert.deepEqual(await flagsOf(job), before);
  assert.equal(await notifyInterfaceTaken(job), false, "a callback is still registered on the job");
});

Deno.test("a queue watch and a wait on one job in one process share a registration, undone when both end", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "watch and wait");
  const before = await flagsOf(job);
  const stop = new AbortController();
  const queue = (async () => {
    for await (const _event of watch(session.bits, { signal: stop.signal, pollInterval: 200 })) {
      // Only the registration matters here.
    }
  })();
  try {
    await eventually(() => flagsOf(job), watching, 30_000);
    const waitStop = new AbortController();
    const waited = job.wait({ signal: waitStop.signal, interval: 200 }).catch((error) => error);
    // Long enough for the wait to register too (it shares the queue watch's registration).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    waitStop.abort();
    await waited;
    // The queue watch still tracks the job: the wait's end must not unregister it.
    assert.ok(watching(await flagsOf(job)), "the wait's end unregistered the queue watch's job");
  } finally {
    // A failed check leaves no watch running.
    stop.abort();
    await queue;
  }
  assert.deepEqual(await flagsOf(job), before);
  assert.equal(await notifyInterfaceTaken(job), false, "a callback is still registered on the job");
});

Deno.test("Deno.exit() during a wait leaves no notify interface on the job and its flags as before", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "exit during wait");
  const before = await flagsOf(job);
  const output = await fixture("exit_during_wait.ts", [job.id], { stdin: "null" }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.match(new TextDecoder().decode(output.stdout), /attached/);
  // The unload handler closed the watcher on the way out.
  assert.deepEqual(await flagsOf(job), before);
  assert.equal(await notifyInterfaceTaken(job), false, "a callback is still registered on the job");
});

Deno.test("a release on a JavaScript thread another library made an STA succeeds and is counted", async () => {
  const output = await fixture("sta_release.ts", [], { stdin: "null" }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.equal(hex(result.connected), hex(S_OK), "bits_connect");
  assert.equal(hex(result.enterSta), hex(S_OK), "the JavaScript thread became an STA");
  assert.equal(hex(result.direct), hex(S_OK), "bits_release on the STA thread");
  assert.equal(result.after, result.before - 1, "the manager's release was counted once, after it succeeded");
});

Deno.test("details() of an ERROR job whose GetError returns S_OK with no object: E_UNEXPECTED, no crash", async () => {
  await using session = await BitsSession.open();
  await using server = startServer();
  const job = session.track(
    await session.bits.download([{ url: `${server.origin}/status/404`, path: session.path("null-error.bin") }], {
      displayName: "forged NULL error object",
    }),
  );
  await eventually(() => job.snapshot(), (s) => s.state === "ERROR");
  const shim = loadTestShim();
  // Forged in the test build only: GetError succeeds and hands back NULL, which DCOM allows.
  shim.bits_test_set_faults(TEST_FAULT.nullErrorObject);
  try {
    const out = new Uint8Array(64 * 1024);
    const needed = new Uint32Array(1);
    const hr = await jobRef(job).handle.use((pointer) => shim.bits_job_details(pointer, 0, out, out.length, needed));
    assert.equal(hex(hr), hex(S_OK), "bits_job_details");
    const view = new DataView(out.buffer);
    // error_hr (bits_inspection.h, details header): the forged object is reported, not dereferenced.
    assert.equal(hex(view.getInt32(ERROR_HR_OFFSET, true)), hex(E_UNEXPECTED));
  } finally {
    shim.bits_test_set_faults(0);
  }
  assert.equal((await job.details()).error?.code, "BG_E_HTTP_ERROR_404", "the real error object, unforged");
});

/**
 * Measurement 1b: the whole-queue read, alone. Creates 300 SUSPENDED jobs
 * (the per-user policy maximum), then reads the whole queue, interleaved, in
 * three ways per iteration:
 * - `ours`: `listJobs()`, one nonblocking call (`bits_manager_read_queue`:
 *   the shim enumerates and snapshots every job);
 * - `perJob`: the old design, through the same shim: `bits_manager_enum_jobs`,
 *   then one nonblocking `bits_job_snapshot` and one release per job;
 * - `ref`: the C reference client (`bits_ref.exe queue 1`, enumerate +
 *   snapshot + release, the same COM calls).
 * It also counts the FFI calls of one `listJobs()` and times Deno's own cost
 * of one nonblocking call (a twin of `bits_shim_abi_version`, no COM), from
 * which docs/performance.md projects both designs at native COM speeds.
 * Prints one JSON line; the jobs are cancelled (all SUSPENDED).
 *
 * Usage (what `deno task bench --only queue-read` runs in the bed, after
 * building bits_ref.exe):
 *   deno run --allow-ffi --allow-read --allow-run --allow-env=BITS_SHIM_PATH bench/queue_read.ts
 *
 * @module
 */

import { connect } from "@deno-bits/bits";
import { countShimCalls } from "./shim_tap.ts";
import { check, openRawShim, type RawShim } from "./shim.ts";
import { decodeSnapshot } from "./internals.ts";
import { cancelSuspendedJobs } from "./cleanup.ts";
import { num, numbers, RefServer } from "./ref_server.ts";
import { percentile } from "./report.ts";

const PREFIX = "bench queue read";
const REMOTE = "http://127.0.0.1:9/x";
const JOBS = 300;
const ITERATIONS = 15;

/** The last line this script prints; times in ms. */
export interface QueueReadResult {
  readonly jobs: number;
  readonly iterations: number;
  readonly oursP50: number;
  readonly perJobP50: number;
  readonly refP50: number;
  /** FFI calls of one `listJobs()`, by symbol. */
  readonly ffiPerRead: Record<string, number>;
  /** COM calls and releases of one reference read. */
  readonly refComCalls: number;
  readonly refComReleases: number;
  /** Deno's own cost of one nonblocking FFI call (no COM), p50 in µs. */
  readonly nonblockingCallUs: number;
}

/** The old design: enumerate, then a nonblocking snapshot and a release per job. */
async function readPerJob(raw: RawShim, manager: Deno.PointerObject): Promise<number> {
  const shim = raw.symbols;
  const handles = new BigUint64Array(4096);
  const count = new Uint32Array(1);
  if (await shim.bits_manager_enum_jobs(manager, 0, handles, handles.length, count) !== 0) {
    throw new Error("bits_manager_enum_jobs failed");
  }
  let read = 0;
  for (const address of handles.subarray(0, count[0])) {
    const job = Deno.UnsafePointer.create(address) as Deno.PointerObject;
    const out = new Uint8Array(4096);
    const needed = new Uint32Array(1);
    if (await shim.bits_job_snapshot(job, out, out.length, needed) === 0) {
      decodeSnapshot(out);
      read++;
    }
    await shim.bits_release_async(job);
  }
  return read;
}

async function timed(op: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await op();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const shim = await openRawShim();
  const bits = await connect();
  const raw = new BigUint64Array(1);
  check(await shim.symbols.bits_connect(raw), "bits_connect");
  const manager = Deno.UnsafePointer.create(raw[0]) as Deno.PointerObject;
  const ref = new RefServer();
  try {
    const existing = (await bits.listJobs()).length;
    for (let i = existing; i < JOBS; i++) {
      using _job = await bits.download([{ url: REMOTE, path: `C:\\bench-queue-${i}.bin` }], {
        displayName: `${PREFIX} ${i}`,
        suspended: true,
      });
    }
    const jobs = (await bits.listJobs()).length;
    // Warm-up of each side.
    await bits.listJobs();
    await readPerJob(shim, manager);
    await ref.run(["queue", "1"]);
    const ours: number[] = [];
    const perJob: number[] = [];
    const refTimes: number[] = [];
    let refComCalls = 0;
    let refComReleases = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      ours.push(
        await timed(async () => {
          if ((await bits.listJobs()).length !== jobs) throw new Error("listJobs saw another queue");
        }),
      );
      perJob.push(
        await timed(async () => {
          if (await readPerJob(shim, manager) !== jobs) throw new Error("the per-job read saw another queue");
        }),
      );
      const result = await ref.run(["queue", "1"]);
      if (num(result, "jobs") !== jobs) throw new Error("bits_ref saw another queue");
      refTimes.push(numbers(result, "total_us")[0] / 1000);
      refComCalls = num(result, "com_calls");
      refComReleases = num(result, "com_releases");
    }
    const ffiPerRead = await countShimCalls(() => bits.listJobs().then(() => {}));
    const calls: number[] = [];
    const version = new Uint32Array(1);
    for (let i = 0; i < 2000; i++) calls.push(await timed(() => shim.symbols.bits_shim_abi_version_async(version)));
    const result: QueueReadResult = {
      jobs,
      iterations: ITERATIONS,
      oursP50: percentile(ours, 50),
      perJobP50: percentile(perJob, 50),
      refP50: percentile(refTimes, 50),
      ffiPerRead,
      refComCalls,
      refComReleases,
      nonblockingCallUs: percentile(calls, 50) * 1000,
    };
    console.log(JSON.stringify(result));
  } finally {
    await ref.close();
    await cancelSuspendedJobs(bits, PREFIX);
    shim.symbols.bits_release(manager);
    bits.close();
    shim.close();
  }
}

if (import.meta.main) await main();

/**
 * Measurement 7: what many waits at once cost everything else. Deno runs
 * every nonblocking FFI call (and file operation) on one blocking pool, 4 ×
 * the core count on Windows; a wait that parked a drain on that pool for a
 * poll interval would queue every other call behind it once the waits
 * outnumber the threads.
 *
 * Creates `--waits` SUSPENDED jobs (default 64, 8 × the pool of a 2-core
 * machine), then times an unrelated nonblocking FFI call
 * (`bits_shim_abi_version`, no COM: its latency is the pool's queueing
 * alone), one call after another for `--seconds` each, in three phases of
 * one run:
 * - `baseline`: nothing else running;
 * - `shared`: one `job.wait()` per job (the library: one process-wide drain);
 * - `perWait`: one native watcher per job, each draining in a loop with a
 *   1 s timeout, as every wait did before the shared drain (the old design,
 *   driven through the same shim).
 * Prints one JSON line: per phase the latency stats (ms) and the most
 * drains in flight at once; the jobs are cancelled (all SUSPENDED).
 *
 * Usage (what `deno task bench --only concurrent-waits` runs in the bed):
 *   deno run --allow-ffi --allow-read --allow-env=BITS_SHIM_PATH bench/concurrent_waits.ts [--waits N] [--seconds S]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connect } from "@deno-bits/bits";
import { onShimCall } from "./shim_tap.ts";
import { openRawShim } from "./shim.ts";
import { cancelSuspendedJobs } from "./cleanup.ts";
import { percentile } from "./report.ts";

const PREFIX = "bench concurrent waits";
const REMOTE = "http://127.0.0.1:9/x";

/** Latency of the unrelated call in one phase, and the drains in flight. */
export interface PhaseResult {
  readonly calls: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly maxDrainsInFlight: number;
}

/** The last line this script prints. */
export interface ConcurrentWaitsResult {
  readonly waits: number;
  readonly seconds: number;
  readonly baseline: PhaseResult;
  readonly shared: PhaseResult;
  readonly perWait: PhaseResult;
}

/**
 * Counts drains in flight: the library's (seen through bench/shim_tap.ts)
 * and the old design's (which report through `around`).
 */
function countDrains(): { max: number; reset(): void; around<T>(drain: Promise<T>): Promise<T> } {
  let inFlight = 0;
  const start = (): () => void => {
    counter.max = Math.max(counter.max, ++inFlight);
    return () => void inFlight--;
  };
  const counter = {
    max: 0,
    reset: () => void (counter.max = inFlight),
    around: <T>(drain: Promise<T>): Promise<T> => drain.finally(start()),
  };
  onShimCall((name) => name === "bits_watcher_drain" ? start() : undefined);
  return counter;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { waits: { type: "string" }, seconds: { type: "string" } },
  });
  const waits = Number(values.waits ?? 64);
  const seconds = Number(values.seconds ?? 3);
  // The unrelated call: a nonblocking twin of a function that touches no COM.
  const shim = await openRawShim();
  const drains = countDrains();
  const bits = await connect();
  const jobs = [];
  try {
    for (let i = 0; i < waits; i++) {
      jobs.push(
        await bits.download([{ url: REMOTE, path: `C:\\bench-concurrent-${i}.bin` }], {
          displayName: `${PREFIX} ${i}`,
          suspended: true,
        }),
      );
    }
    const phase = async (): Promise<PhaseResult> => {
      drains.reset();
      const out = new Uint32Array(1);
      const samples: number[] = [];
      const end = performance.now() + seconds * 1000;
      while (performance.now() < end) {
        const started = performance.now();
        await shim.symbols.bits_shim_abi_version_async(out);
        samples.push(performance.now() - started);
      }
      return {
        calls: samples.length,
        p50Ms: percentile(samples, 50),
        p95Ms: percentile(samples, 95),
        maxMs: Math.max(...samples),
        maxDrainsInFlight: drains.max,
      };
    };

    const baseline = await phase();

    const stop = new AbortController();
    const running = jobs.map((job) => job.wait({ signal: stop.signal }).catch(() => {}));
    // Let every wait register and start polling before timing.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const shared = await phase();
    stop.abort();
    await Promise.all(running);

    // The old design: a watcher and a drain loop per wait.
    const symbols = shim.symbols;
    const watchers: Deno.PointerObject[] = [];
    let draining = true;
    const loops: Promise<void>[] = [];
    for (let i = 0; i < waits; i++) {
      const created = new BigUint64Array(1);
      if (await symbols.bits_watcher_create(16, created) !== 0) throw new Error("bits_watcher_create failed");
      const watcher = Deno.UnsafePointer.create(created[0]) as Deno.PointerObject;
      watchers.push(watcher);
      loops.push((async () => {
        const buffer = new Uint8Array(16 * 600);
        const count = new Uint32Array(1);
        const dropped = new Uint32Array(1);
        while (draining) await drains.around(symbols.bits_watcher_drain(watcher, buffer, 16, 1000, count, dropped));
      })());
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const perWait = await phase();
    draining = false;
    for (const watcher of watchers) symbols.bits_watcher_wake(watcher);
    await Promise.all(loops);
    for (const watcher of watchers) symbols.bits_release(watcher);

    const result: ConcurrentWaitsResult = { waits, seconds, baseline, shared, perWait };
    console.log(JSON.stringify(result));
  } finally {
    for (const job of jobs) job.dispose();
    await cancelSuspendedJobs(bits, PREFIX);
    bits.close();
    shim.close();
  }
}

if (import.meta.main) await main();

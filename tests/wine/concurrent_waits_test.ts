/**
 * Many waits at once share the process's one drain (src/watch/hub.ts): a
 * drain parks a thread of Deno's blocking pool, which also runs every other
 * nonblocking FFI call, so one drain per wait would queue everything else
 * behind them once there are more waits than pool threads (4 × the cores).
 * The latency of the unrelated call is measured by
 * `deno task bench --only concurrent-waits`, not asserted here.
 */

import assert from "node:assert/strict";
import { loadShim } from "../../ffi/library.ts";
import { jobRef } from "../../src/job.ts";
import { startServer } from "../support/server.ts";
import { BitsSession } from "../support/wine.ts";

/** 8 × the pool of this 2-core test machine. */
const WAITS = 64;

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/** Wraps the shim's drain to count how many are in flight at once (the calls still go to the shim). */
function countDrains(): { max: number; calls: number; restore(): void } {
  const counts = { max: 0, calls: 0, restore: () => {} };
  const loaded = loadShim() as unknown as { symbols: Record<string, AnyFn> };
  const original = loaded.symbols;
  let inFlight = 0;
  loaded.symbols = {
    ...original,
    bits_watcher_drain: async (...args: unknown[]) => {
      counts.calls++;
      counts.max = Math.max(counts.max, ++inFlight);
      try {
        return await original.bits_watcher_drain(...args);
      } finally {
        inFlight--;
      }
    },
  };
  counts.restore = () => loaded.symbols = original;
  return counts;
}

Deno.test(`${WAITS} concurrent waits finish on one drain, and an unrelated nonblocking call still returns`, async () => {
  await using session = await BitsSession.open();
  await using server = startServer();
  const jobs = [];
  for (let i = 0; i < WAITS; i++) {
    jobs.push(session.track(
      await session.bits.download([{ url: server.contentUrl(2_000, i + 1), path: session.path(`w${i}.bin`) }], {
        displayName: `concurrent wait ${i}`,
        suspended: true,
      }),
    ));
  }
  const drains = countDrains();
  const stop = new AbortController();
  const waits = jobs.map((job) => job.wait({ timeout: 180_000, signal: stop.signal }));
  const all = Promise.allSettled(waits);
  try {
    // Every wait registers and starts polling before the transfers start. With a drain per wait they would
    // all be in flight by now: checked here, before the transfers, so that the old design fails fast.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(drains.max, 1, `${drains.max} drains were in flight at once`);
    for (const job of jobs) await job.resume();
    // An unrelated nonblocking call, while all the waits run.
    let unrelated = 0;
    let settled = false;
    void all.finally(() => settled = true);
    const probe = jobs[0];
    while (!settled) {
      const out = new Uint8Array(4096);
      const needed = new Uint32Array(1);
      const hr = await jobRef(probe).handle.use((p) =>
        loadShim().symbols.bits_job_snapshot(p, out, out.length, needed)
      );
      assert.ok(hr >= 0, `snapshot: ${hr}`);
      unrelated++;
    }
    const results = await all;
    const snapshots = results.map((r) => {
      if (r.status === "rejected") throw r.reason;
      return r.value;
    });
    assert.equal(snapshots.length, WAITS);
    assert.ok(snapshots.every((s) => s.state === "TRANSFERRED"));
    assert.ok(unrelated > 0);
    assert.equal(drains.max, 1, `${drains.max} drains were in flight at once`);
    for (const job of jobs) await job.complete();
  } finally {
    // A failed check leaves no wait running.
    stop.abort();
    await all;
    drains.restore();
  }
});

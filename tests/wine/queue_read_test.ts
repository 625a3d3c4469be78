/**
 * The whole-queue reads against real BITS: `listJobs()` and
 * `listJobsWithTimes()` read every job in one FFI call, and `bits list` and
 * `bits clean --older-than` use them rather than one call per job.
 */

import assert from "node:assert/strict";
import { loadShim } from "../../ffi/library.ts";
import { wineVersion } from "../../mod.ts";
import { startServer } from "../support/server.ts";
import { BitsSession, countCalls, parseJson, runCli } from "../support/wine.ts";

const onWine = wineVersion() !== null;

Deno.test("listJobsWithTimes reads every job and its times in one FFI call; Wine has no times", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const ids = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const job = session.track(
      await session.bits.download([{ url: server.contentUrl(1000, 40 + i), path: session.path(`q${i}.bin`) }], {
        displayName: `queue read ${i}`,
        suspended: true,
      }),
    );
    ids.add(job.id);
  }
  const counted = countCalls(["bits_manager_read_queue", "bits_job_snapshot", "bits_job_details"]);
  let dated;
  let plain;
  try {
    dated = await session.bits.listJobsWithTimes();
    plain = await session.bits.listJobs();
  } finally {
    counted.restore();
  }
  assert.equal(counted.calls.get("bits_manager_read_queue")!.length, 2, "one call per read");
  assert.equal(counted.calls.get("bits_job_snapshot")!.length, 0);
  assert.equal(counted.calls.get("bits_job_details")!.length, 0);
  const ours = dated.filter((j) => ids.has(j.id));
  assert.equal(ours.length, 5);
  assert.deepEqual(
    ours.map(({ times: _, ...snapshot }) => snapshot),
    plain.filter((j) => ids.has(j.id)),
    "the same snapshots as listJobs()",
  );
  for (const job of ours) {
    if (onWine) {
      assert.equal(job.times, null, "Wine's GetTimes is E_NOTIMPL");
    } else {
      assert.ok(job.times?.creationTime instanceof Date, job.id);
      assert.ok(job.times!.creationTime!.getTime() <= Date.now() + 60_000);
    }
  }
});

Deno.test("concurrent whole-queue reads on one manager never share a buffer; a later read reuses the kept one", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const ids = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const job = session.track(
      await session.bits.download([{ url: server.contentUrl(1000, 60 + i), path: session.path(`c${i}.bin`) }], {
        displayName: `concurrent queue read ${i}`,
        suspended: true,
      }),
    );
    ids.add(job.id);
  }
  // Every bits_manager_read_queue call, with the buffers held by calls not yet settled.
  type Fn = (...args: unknown[]) => unknown;
  const loaded = loadShim() as unknown as { symbols: Record<string, Fn> };
  const original = loaded.symbols;
  const handed: Uint8Array[] = [];
  const inFlight = new Set<Uint8Array>();
  const shared: number[] = [];
  loaded.symbols = {
    ...original,
    bits_manager_read_queue: (...args: unknown[]): unknown => {
      const buffer = args[2] as Uint8Array;
      if (inFlight.has(buffer)) shared.push(handed.length);
      handed.push(buffer);
      inFlight.add(buffer);
      return (original.bits_manager_read_queue(...args) as Promise<number>).finally(() => inFlight.delete(buffer));
    },
  };
  let reads;
  try {
    // The first read leaves its buffer kept; the four that follow are all in flight at once,
    // plain and dated records mixed so that a shared buffer would garble one of them.
    await session.bits.listJobs();
    reads = await Promise.all([
      session.bits.listJobs(),
      session.bits.listJobsWithTimes(),
      session.bits.listJobs(),
      session.bits.listJobsWithTimes(),
    ]);
    await session.bits.listJobs();
  } finally {
    loaded.symbols = original;
  }
  assert.deepEqual(shared, [], "no buffer is handed to a call while another call holds it");
  assert.equal(handed.length, 6);
  assert.equal(handed[1], handed[0], "the first concurrent read takes the kept buffer");
  assert.ok(handed.slice(0, 5).includes(handed[5]), "a later read reuses a buffer kept from the earlier ones");
  const [plain, dated] = [reads[0], reads[1]].map((list) =>
    list.filter((j) => ids.has(j.id)).map(({ ...snapshot }) => {
      delete (snapshot as { times?: unknown }).times;
      return snapshot;
    })
  );
  assert.equal(plain.length, 2);
  assert.deepEqual(dated, plain);
  assert.deepEqual(reads[2].filter((j) => ids.has(j.id)), reads[0].filter((j) => ids.has(j.id)));
  assert.deepEqual(reads[3].filter((j) => ids.has(j.id)), reads[1].filter((j) => ids.has(j.id)));
});

Deno.test("bits list --json lists the queue with its times (null under Wine)", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const name = `list times ${crypto.randomUUID()}`;
  const job = session.track(
    await session.bits.download([{ url: server.contentUrl(1000, 50), path: session.path("lt.bin") }], {
      displayName: name,
      suspended: true,
    }),
  );
  const document = parseJson(await runCli(["list", "--name", name, "--json"]));
  const jobs = document.jobs as { id: string; creationTime: string | null }[];
  assert.deepEqual(jobs.map((j) => j.id), [job.id]);
  if (onWine) assert.equal(jobs[0].creationTime, null);
  else assert.ok(jobs[0].creationTime !== null);
});

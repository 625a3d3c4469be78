/**
 * Monitoring against the real BITS service: the JobTransferred callback, the
 * watchdog poll for what callbacks never report, `wait` and `watch` in the CLI.
 */

import assert from "node:assert/strict";
import { type BitsJob, watch, type WatchEvent, wineVersion } from "../../mod.ts";
import { startServer } from "../support/server.ts";
import { assertCliJson } from "../support/cli_schema.ts";
import { BitsSession, CLI_PERMISSIONS, countCalls, eventually, runCli } from "../support/wine.ts";

/** Collects events until `stop` says so (the watch then ends through its signal). */
async function collect(
  target: readonly BitsJob[],
  options: { pollInterval: number; stop: (event: WatchEvent) => boolean; onFirst?: () => Promise<void> },
): Promise<WatchEvent[]> {
  const controller = new AbortController();
  const events: WatchEvent[] = [];
  const guard = setTimeout(() => controller.abort(), 60_000);
  try {
    for await (const event of watch(target, { pollInterval: options.pollInterval, signal: controller.signal })) {
      events.push(event);
      if (events.length === 1) await options.onFirst?.();
      if (options.stop(event)) break;
    }
  } finally {
    clearTimeout(guard);
  }
  return events;
}

Deno.test("a JobTransferred callback reports the transfer before the next poll would have", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: server.contentUrl(200_000, 31), path: session.path("cb.bin") }], {
      suspended: true,
    }),
  );
  const POLL = 30_000;
  const started = Date.now();
  const events = await collect([job], {
    pollInterval: POLL,
    // Resume only once the watch has registered its callback and polled once.
    onFirst: () => job.resume(),
    stop: (e) => e.kind === "transferred",
  });
  const transferred = events.at(-1)!;
  assert.equal(transferred.kind, "transferred");
  assert.equal(transferred.source, "callback");
  assert.ok(transferred.at - started < POLL, `arrived ${transferred.at - started} ms after the first poll`);
  assert.equal(transferred.progress?.bytesTransferred, 200_000);
  assert.deepEqual(events[0].kind === "state" && [events[0].state, events[0].source], ["SUSPENDED", "poll"]);
  assert.equal((await job.snapshot()).state, "TRANSFERRED");
  assert.equal(await job.complete(), "completed");
});

Deno.test("a 404 is reported as an error event by the watchdog poll", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: `${server.origin}/gone.bin`, path: session.path("gone.bin") }]),
  );
  const events = await collect([job], { pollInterval: 200, stop: (e) => e.kind === "error" });
  const error = events.at(-1)!;
  assert.equal(error.kind, "error");
  assert.equal(error.error?.code, "BG_E_HTTP_ERROR_404");
  assert.equal(error.error?.context, "REMOTE_FILE");
  // Wine never delivers JobError: only the poll can see it there.
  if (wineVersion() !== null) assert.equal(error.source, "poll");
});

Deno.test("wait ends when another process completes the job", async () => {
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path("never.bin") }], {
      suspended: true,
    }),
  );
  const waiter = new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "--no-check", ...CLI_PERMISSIONS, "cli.ts", "wait", job.id, "--interval", "0.2"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Let the waiter attach and poll once, then complete the job from this process.
  await new Promise((r) => setTimeout(r, 3000));
  await job.complete();
  const result = await waiter.output();
  const stderr = new TextDecoder().decode(result.stderr);
  // Wine keeps the ACKNOWLEDGED job visible (done: 0); Windows drops it (vanished: 4).
  assert.ok(result.code === 0 || result.code === 4, `exit ${result.code}: ${stderr}`);
  if (wineVersion() !== null) {
    assert.equal(result.code, 0, stderr);
    assert.match(new TextDecoder().decode(result.stdout), /completed by another process/);
  }
});

Deno.test("wait --timeout exits 3 and leaves the job as it was", async () => {
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path("t.bin") }], {
      suspended: true,
    }),
  );
  const result = await runCli(["wait", job.id, "--timeout", "1", "--interval", "0.2"]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /TimeoutError/);
  assert.equal((await job.snapshot()).state, "SUSPENDED");
});

Deno.test("watch --json writes one versioned JSON event per line and ends when the job settles", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: server.contentUrl(100_000, 32), path: session.path("w.bin") }]),
  );
  const result = await runCli(["watch", job.id, "--json", "--interval", "0.2"]);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split("\n");
  const events = lines.map((line) => JSON.parse(line));
  for (const event of events) assertCliJson("watch", event);
  assert.ok(events.every((e) => e.version === 1 && e.jobId === job.id && typeof e.at === "string"), result.stdout);
  assert.ok(events.some((e) => e.kind === "transferred"), result.stdout);
  assert.equal(events.at(-1).state, "TRANSFERRED");
  assert.equal(result.stderr.trim(), "", "nothing but events on stdout, nothing on stderr");
  // Plain mode: one line per state change on stderr.
  const plain = await runCli(["watch", job.id]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /^\{[0-9A-F-]+\} deno-bits download: TRANSFERRED \(97\.7 KiB\) \[poll\]$/m);
  const usage = await runCli(["watch"]);
  assert.equal(usage.code, 2);
});

Deno.test("an idle job is read once per idle interval, and its change is still reported by the poll", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: server.contentUrl(50_000, 33), path: session.path("idle.bin") }], {
      suspended: true,
    }),
  );
  const POLL = 200;
  const IDLE = 2000;
  const controller = new AbortController();
  const guard = setTimeout(() => controller.abort(), 60_000);
  const counted = countCalls(["bits_job_snapshot"]);
  const snapshots = counted.calls.get("bits_job_snapshot")!;
  const events: WatchEvent[] = [];
  let resumedAt = 0;
  try {
    // Callbacks off: only the watchdog poll can see the resume.
    const options = { pollInterval: POLL, idlePollInterval: IDLE, callbacks: false, signal: controller.signal };
    const consumer = (async (): Promise<void> => {
      for await (const event of watch([job], options)) {
        events.push(event);
        if (event.kind === "transferred") break;
      }
    })();
    await eventually(() => Promise.resolve(events.length), (n) => n > 0, 30_000);
    // SUSPENDED: idle from its first reading. Uniform polling would read it about 15 times in 3 s.
    const before = snapshots.length;
    await new Promise((r) => setTimeout(r, 3000));
    const idleReads = snapshots.length - before;
    assert.ok(idleReads >= 1 && idleReads <= 2, `${idleReads} reads of the idle job in 3 s`);
    assert.equal(events.length, 1, "nothing changed while it was idle");
    resumedAt = Date.now();
    await job.resume();
    await consumer;
  } finally {
    counted.restore();
    clearTimeout(guard);
  }
  assert.deepEqual(events[0].kind === "state" && [events[0].state, events[0].source], ["SUSPENDED", "poll"]);
  const change = events[1];
  assert.equal(change.kind, "state");
  assert.equal(change.previousState, "SUSPENDED");
  assert.equal(change.source, "poll");
  // Within one idle interval (plus the read itself; a generous margin for a busy machine).
  assert.ok(change.at - resumedAt <= IDLE + 1500, `reported ${change.at - resumedAt} ms after resume()`);
  const transferred = events.at(-1)!;
  assert.equal(transferred.kind, "transferred");
  assert.equal(transferred.source, "poll");
  assert.equal(transferred.progress?.bytesTransferred, 50_000);
  assert.equal(await job.complete(), "completed");
});

Deno.test("watching the queue, a new job is found by the per-tick count long before the idle interval", async () => {
  await using session = await BitsSession.open();
  const first = session.track(
    await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path("q1.bin") }], {
      suspended: true,
    }),
  );
  const IDLE = 60_000;
  const controller = new AbortController();
  const guard = setTimeout(() => controller.abort(), 60_000);
  const counted = countCalls(["bits_manager_enum_jobs", "bits_manager_read_queue"]);
  const enums = counted.calls.get("bits_manager_enum_jobs")!;
  const queueReads = counted.calls.get("bits_manager_read_queue")!;
  const seen = new Map<string, number>();
  let createdAt = 0;
  let countsBefore = 0;
  let readsBefore = 0;
  let second: BitsJob | undefined;
  try {
    const options = { pollInterval: 300, idlePollInterval: IDLE, callbacks: false, signal: controller.signal };
    const consumer = (async (): Promise<void> => {
      for await (const event of watch(session.bits, options)) {
        if (!seen.has(event.jobId)) seen.set(event.jobId, Date.now());
        if (second && event.jobId === second.id) break;
      }
    })();
    await eventually(() => Promise.resolve(seen.has(first.id)), Boolean, 30_000);
    // A few ticks that only count the queue.
    await new Promise((r) => setTimeout(r, 1000));
    countsBefore = enums.length;
    readsBefore = queueReads.length;
    createdAt = Date.now();
    second = session.track(
      await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path("q2.bin") }], {
        suspended: true,
      }),
    );
    await consumer;
  } finally {
    counted.restore();
    clearTimeout(guard);
  }
  const seenAt = seen.get(second.id);
  assert.ok(seenAt !== undefined, "the new job was reported");
  assert.ok(seenAt - createdAt < IDLE / 4, `new job reported ${seenAt - createdAt} ms after its creation`);
  const capacities = enums.map((args) => args[3] as number);
  // Idle ticks count the queue (capacity 0: no job opened); the new count then triggers a full read (one call).
  assert.ok(countsBefore >= 3, `${countsBefore} enumerations before`);
  assert.ok(capacities.every((cap) => cap === 0), JSON.stringify(capacities));
  assert.equal(readsBefore, 1, "one full read before the new job (the first)");
  assert.ok(queueReads.length > readsBefore, "no full read after the count moved");
});

Deno.test("watching the queue, an idle job's change is found by the light read of state and progress", async () => {
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path("light.bin") }], {
      suspended: true,
    }),
  );
  const controller = new AbortController();
  const guard = setTimeout(() => controller.abort(), 60_000);
  const counted = countCalls(["bits_jobs_progress", "bits_manager_read_queue"]);
  const light = counted.calls.get("bits_jobs_progress")!;
  const full = counted.calls.get("bits_manager_read_queue")!;
  let cancelledSeen = false;
  let readsAtChange = 0;
  try {
    const options = { pollInterval: 200, idlePollInterval: 1000, callbacks: false, signal: controller.signal };
    let ready = false;
    const consumer = (async (): Promise<void> => {
      for await (const event of watch(session.bits, options)) {
        if (event.jobId !== job.id) continue;
        ready = true;
        if (event.kind === "state" && event.state === "CANCELLED") {
          cancelledSeen = true;
          break;
        }
      }
    })();
    await eventually(() => Promise.resolve(ready), Boolean, 30_000);
    // Idle intervals pass: the known jobs are read lightly, not the whole queue.
    await eventually(() => Promise.resolve(light.length), (n) => n >= 2, 30_000);
    readsAtChange = full.length;
    // Wine keeps a cancelled job listed as CANCELLED: the count does not move, only the light read can tell.
    await job.cancel();
    await consumer;
  } finally {
    counted.restore();
    clearTimeout(guard);
  }
  assert.ok(cancelledSeen, "the cancellation was reported");
  // Idle intervals read the known jobs lightly; the whole queue only every sixth one (or when the count moves).
  assert.ok(readsAtChange < light.length, `${readsAtChange} full reads, ${light.length} light ones`);
});

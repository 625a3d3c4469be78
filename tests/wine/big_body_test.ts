/**
 * A 1 GiB body through the real BITS service: the fault server streams it
 * from a generator (tests/support/big_body.ts), BITS writes it to disk, and
 * the file's SHA-256 is checked against the same generator, streamed on both
 * sides: no gigabyte is ever held in memory, and the test shows it by the
 * peak RSS of this process, which is the server.
 */

import assert from "node:assert/strict";
import type { JobState } from "../../mod.ts";
import { bigBodySha256 } from "../support/big_body.ts";
import { fileSha256 } from "../support/content.ts";
import { freeDiskBytes } from "../support/disk.ts";
import { startFaultServer } from "../support/faults.ts";
import { RssSampler } from "../support/rss.ts";
import { BitsSession } from "../support/wine.ts";

const MIB = 1024 * 1024;
const SIZE = 1024 * MIB;
const RUNNING: ReadonlySet<JobState> = new Set(["QUEUED", "CONNECTING", "TRANSFERRING"]);

Deno.test("big body: 1 GiB downloads through BITS intact, with the server's memory bounded", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  // BITS' temporary file and the destination may both exist for a moment (Windows keeps the temporary file next
  // to the destination, Wine in the service's %TEMP%); refuse to start rather than fill the disk.
  const free = freeDiskBytes(session.dir);
  assert.ok(free > 2 * SIZE + 512 * MIB, `needs ${(2 * SIZE + 512 * MIB) / MIB} MiB free, has ${free / MIB} MiB`);
  const path = session.path("big.bin");
  const rss = new RssSampler(250);
  let warm: RssSampler | undefined;
  const started = performance.now();
  const job = session.track(
    await session.bits.download([{ url: server.url(`/big/${SIZE}?seed=81`), path }], { displayName: "big body" }),
  );
  try {
    await job.wait({
      timeout: 10 * 60_000,
      interval: 500,
      // What the first 256 MiB leave behind is garbage not yet collected; from there on RSS must stay flat.
      onSnapshot: (s) => void (warm ??= s.progress.bytesTransferred >= 256 * MIB ? new RssSampler(250) : undefined),
    });
  } finally {
    rss[Symbol.dispose]();
    warm?.[Symbol.dispose]();
    // Never leave a running job to the session's cleanup: it cancels, and cancelling a running transfer crashes
    // Wine's BITS. The body is generated locally, so the job ends by itself.
    if (RUNNING.has((await job.snapshot()).state)) await job.wait({ timeout: 10 * 60_000 }).catch(() => {});
  }
  const transferS = (performance.now() - started) / 1000;
  assert.equal(await job.complete(), "completed");
  try {
    assert.equal((await Deno.stat(path)).size, SIZE);
    const hashing = performance.now();
    const [actual, expected] = await Promise.all([
      fileSha256(path),
      Promise.resolve().then(() => bigBodySha256(SIZE, 81)),
    ]);
    assert.equal(actual, expected);
    const hashS = (performance.now() - hashing) / 1000;
    const mib = (n: number): string => `${(n / MIB).toFixed(1)} MiB`;
    console.log(
      `1 GiB through BITS in ${transferS.toFixed(1)} s (${(SIZE / MIB / transferS).toFixed(0)} MiB/s); both hashes` +
        ` ${hashS.toFixed(1)} s; RSS ${mib(rss.before)} -> peak ${mib(rss.peak)} (+${mib(rss.growth)}),` +
        ` after the first 256 MiB +${mib(warm?.growth ?? NaN)}`,
    );
    assert.ok(warm, "the transfer never reported 256 MiB");
    // Garbage collection of the served blocks is lazy (11 to 52 MiB of growth seen after the first 256 MiB, 60 to
    // 70 MiB in all); a server holding the body would grow by the 768 MiB still to come.
    assert.ok(warm.growth < 128 * MIB, `RSS grew ${mib(warm.growth)} over the last 768 MiB`);
    assert.ok(rss.growth < 256 * MIB, `RSS grew ${mib(rss.growth)} while serving 1 GiB`);
    // One GET, answered in full: BITS took the whole body in one go.
    assert.equal(server.requests.filter((r) => r.path.startsWith("/big/")).length, 1);
  } finally {
    await Deno.remove(path).catch(() => {});
  }
});

/**
 * Transfer and wait through the real BITS service: the success path (file
 * intact, job ACKNOWLEDGED), a 404 under both failure policies, a timeout and
 * an abort, and the required policy. Under Wine a job still transferring is
 * never cancelled (that crashes Wine's BITS): the error says it was left
 * running, and the session waits for it before cleaning up.
 */

import assert from "node:assert/strict";
import {
  BitsError,
  InvalidArgumentError,
  TransferInterruptedError,
  type TransferOptions,
  wineVersion,
} from "../../mod.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startServer } from "../support/server.ts";
import { BitsSession } from "../support/wine.ts";

const WINE = wineVersion() !== null;

Deno.test("transfer() downloads, completes and returns the outcome with the final snapshot", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const specs = [{ size: 300_001, seed: 71 }, { size: 4_096, seed: 72 }].map((s) => ({
    ...s,
    url: server.contentUrl(s.size, s.seed),
    path: session.path(`transfer-${s.seed}.bin`),
  }));
  const seen: string[] = [];
  const result = await session.bits.transfer(specs, {
    onFailure: "cancel",
    displayName: "transfer ok",
    description: "transfer and wait",
    timeout: 120_000,
    onSnapshot: (s) => seen.push(s.state),
  });
  assert.equal(result.outcome, "completed");
  assert.equal(result.transferred.state, "TRANSFERRED");
  assert.deepEqual([result.transferred.progress.filesTransferred, result.transferred.progress.filesTotal], [2, 2]);
  assert.equal(result.snapshot.state, "ACKNOWLEDGED");
  assert.equal(result.snapshot.id, result.jobId);
  assert.equal(result.snapshot.displayName, "transfer ok");
  assert.equal(result.snapshot.description, "transfer and wait");
  assert.ok(seen.length > 0);
  for (const spec of specs) assert.equal(await fileSha256(spec.path), contentSha256(spec.size, spec.seed));
  assert.equal((await session.liveJobIds()).has(result.jobId), false);
});

Deno.test('transfer() on a 404 with onFailure "cancel": BitsError 404 with the job id, job cancelled', async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const error = await session.bits.transfer(
    [{ url: `${server.origin}/gone.bin`, path: session.path("gone.bin") }],
    { onFailure: "cancel", displayName: "transfer 404 cancel", timeout: 60_000 },
  ).then(() => assert.fail("transfer() resolved for a 404"), (e) => e);
  assert.ok(error instanceof BitsError, String(error));
  assert.equal(error.code, "BG_E_HTTP_ERROR_404");
  assert.equal(error.httpStatus, 404);
  assert.equal(error.state, "ERROR");
  assert.ok(error.jobId);
  assert.equal((await session.liveJobIds()).has(error.jobId), false);
  // Wine keeps cancelled jobs visible as CANCELLED until its worker wakes; Windows forgets them.
  try {
    using job = await session.bits.getJob(error.jobId);
    assert.equal((await job.snapshot()).state, "CANCELLED");
  } catch (e) {
    assert.ok(e instanceof BitsError && e.code === "BG_E_NOT_FOUND", String(e));
  }
});

Deno.test('transfer() on a 404 with onFailure "keep": the job stays in ERROR for inspection', async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const error = await session.bits.transfer(
    [{ url: `${server.origin}/kept.bin`, path: session.path("kept.bin") }],
    { onFailure: "keep", displayName: "transfer 404 keep", timeout: 60_000 },
  ).then(() => assert.fail("transfer() resolved for a 404"), (e) => e);
  assert.ok(error instanceof BitsError, String(error));
  assert.equal(error.code, "BG_E_HTTP_ERROR_404");
  assert.ok(error.jobId);
  const job = session.track(await session.bits.getJob(error.jobId));
  const snapshot = await job.snapshot();
  assert.equal(snapshot.state, "ERROR");
  assert.equal(snapshot.displayName, "transfer 404 keep");
  assert.equal(snapshot.error?.code, "BG_E_HTTP_ERROR_404");
  assert.ok((await session.liveJobIds()).has(job.id));
  // The session cancels it (ERROR is safe to cancel under Wine).
});

Deno.test("transfer() timing out: TransferInterruptedError; a running job is never cancelled under Wine", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const error = await session.bits.transfer(
    [{ url: server.contentUrl(240_000, 73, 80_000), path: session.path("slow.bin") }],
    { onFailure: "cancel", displayName: "transfer timeout", timeout: 700 },
  ).then(() => assert.fail("transfer() resolved despite the timeout"), (e) => e);
  assert.ok(error instanceof TransferInterruptedError, String(error));
  assert.equal(error.reason, "timeout");
  assert.ok(error.cause instanceof DOMException && error.cause.name === "TimeoutError");
  const job = session.track(await session.bits.getJob(error.jobId));
  if (WINE) {
    // 700 ms into a 3 s trickle the job is still running.
    assert.ok(["QUEUED", "CONNECTING", "TRANSFERRING"].includes(error.state ?? ""), String(error.state));
    assert.equal(error.disposition, "left-running");
    const state = (await job.snapshot()).state;
    assert.ok(state !== "CANCELLED", state);
    // Left running on purpose: it can be waited for and completed (or cancelled once settled).
    await job.wait({ timeout: 60_000 });
  } else {
    assert.equal(error.disposition, "cancelled");
    assert.equal((await job.snapshot()).state, "CANCELLED");
  }
});

Deno.test('transfer() aborted with onFailure "keep": the job is kept, and the reason is the abort', async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const controller = new AbortController();
  const error = await session.bits.transfer(
    [{ url: server.contentUrl(240_000, 74, 80_000), path: session.path("aborted.bin") }],
    {
      onFailure: "keep",
      displayName: "transfer abort",
      signal: controller.signal,
      onSnapshot: (s) => {
        if (s.progress.bytesTransferred > 0) controller.abort(new Error("enough"));
      },
    },
  ).then(() => assert.fail("transfer() resolved despite the abort"), (e) => e);
  assert.ok(error instanceof TransferInterruptedError, String(error));
  assert.equal(error.reason, "aborted");
  assert.equal(error.disposition, "kept");
  assert.equal((error.cause as Error).message, "enough");
  const job = session.track(await session.bits.getJob(error.jobId));
  const snapshot = await job.wait({ timeout: 60_000 });
  assert.equal(snapshot.state, "TRANSFERRED");
  assert.equal(await job.complete(), "completed");
  assert.equal(await fileSha256(session.path("aborted.bin")), contentSha256(240_000, 74));
});

Deno.test("transfer() needs an explicit failure policy; bad input creates no job", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const before = await session.liveJobIds();
  const files = [{ url: server.contentUrl(10, 1), path: session.path("never.bin") }];
  await assert.rejects(
    session.bits.transfer(files, {} as TransferOptions),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "onFailure",
  );
  await assert.rejects(
    session.bits.transfer([{ url: "ftp://127.0.0.1/x", path: session.path("never.bin") }], { onFailure: "cancel" }),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "files[0].url",
  );
  const aborted = AbortSignal.abort(new Error("before start"));
  await assert.rejects(session.bits.transfer(files, { onFailure: "keep", signal: aborted }), /before start/);
  assert.deepEqual(await session.liveJobIds(), before);
  assert.equal(server.requests.length, 0);
});

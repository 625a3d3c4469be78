/**
 * The BITS callbacks Wine never delivers (JobError, JobModification):
 * on Windows they reach `watch()` as events whose source is `"callback"`.
 * The watchdog poll is slowed to ten minutes, so an event that arrives within
 * the test can only have come from a callback. Skipped under Wine.
 */

import assert from "node:assert/strict";
import { type BitsJob, watch, type WatchEvent } from "../../../mod.ts";
import { startFaultServer } from "../../support/faults.ts";
import { BitsSession, windowsTest } from "../../support/wine.ts";

const SLOW_POLL = 600_000;

/** Watches `job` with callbacks and a ten-minute poll, runs `act` once watching, and collects events until `done`. */
async function callbackEvents(
  job: BitsJob,
  act: () => Promise<void>,
  done: (event: WatchEvent) => boolean,
): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  const stop = AbortSignal.timeout(120_000);
  let acted = false;
  for await (const event of watch([job], { pollInterval: SLOW_POLL, idlePollInterval: SLOW_POLL, signal: stop })) {
    events.push(event);
    if (done(event)) break;
    // The first event is the initial poll: the callback is registered by then.
    if (!acted) {
      acted = true;
      await act();
    }
  }
  assert.ok(!stop.aborted, `no final event within 120 s: ${JSON.stringify(events.map((e) => [e.kind, e.source]))}`);
  return events;
}

windowsTest("JobError arrives in watch() as a callback error event with the HTTP error", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: server.url("/status/404"), path: session.path("e.bin") }], {
      displayName: "callback error",
      suspended: true,
    }),
  );
  const events = await callbackEvents(job, () => job.resume(), (e) => e.kind === "error");
  const error = events.at(-1)!;
  assert.equal(error.source, "callback", "the error was seen by the poll, not the JobError callback");
  assert.equal(error.error?.code, "BG_E_HTTP_ERROR_404");
  assert.equal(error.state, "ERROR");
});

windowsTest(
  "JobModification arrives in watch() as callback state events when another caller resumes the job",
  async () => {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    const job = session.track(
      await session.bits.download(
        [{ url: server.url("/trickle/500000/100000?seed=51"), path: session.path("m.bin") }],
        {
          displayName: "callback modification",
          suspended: true,
        },
      ),
    );
    const events = await callbackEvents(
      job,
      () => job.resume(),
      (e) => e.kind === "state" && e.previousState === "SUSPENDED",
    );
    const change = events.at(-1)!;
    assert.equal(change.source, "callback", "the state change was seen by the poll, not JobModification");
    assert.notEqual(change.state, "SUSPENDED");
  },
);

windowsTest("FileTransferred arrives in watch() as a callback file-transferred event per file", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const paths = [session.path("f1.bin"), session.path("f2.bin")];
  const job = session.track(await session.bits.createJob("callback file transferred"));
  await job.addFiles(paths.map((path, i) => ({ url: server.url(`/ok/50000?seed=${52 + i}`), path })));
  const events = await callbackEvents(job, () => job.resume(), (e) => e.kind === "transferred");
  const files = events.filter((e) => e.kind === "file-transferred");
  assert.ok(files.length > 0, `no file-transferred event: ${JSON.stringify(events.map((e) => [e.kind, e.source]))}`);
  for (const event of files) {
    assert.equal(event.source, "callback");
    assert.ok(paths.some((p) => p.toLowerCase() === event.file?.toLowerCase()), String(event.file));
  }
});

/**
 * Job behaviour only Windows' BITS has (Wine stubs or lacks it, docs/compat.md):
 * Job5 properties, suspend and resume of a running transfer, the scheduling
 * properties, TRANSIENT_ERROR and recovery, creation times in `list`, and
 * transfers that really run in parallel. Each test asserts the effect: bytes
 * that stop and restart, values read back, a server seeing overlapping requests.
 * Skipped (reported as such) under Wine.
 */

import assert from "node:assert/strict";
import { BitsError, type JobProperties, type ReadablePropertyName } from "../../../mod.ts";
import { contentSha256, fileSha256 } from "../../support/content.ts";
import { startFaultServer } from "../../support/faults.ts";
import { BitsSession, eventually, parseJson, runCli, windowsTest } from "../../support/wine.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

windowsTest("Job5 properties round-trip: every value set reads back", async () => {
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path("job5.bin") }], {
      displayName: "job5",
      suspended: true,
    }),
  );
  const values: [JobProperties, unknown][] = [
    [{ costFlags: "NOT_ROAMING" }, undefined],
    [{ notificationClsid: "{4991D34B-80A1-4291-83B6-3328366B9097}" }, "{4991D34B-80A1-4291-83B6-3328366B9097}"],
    [{ dynamicContent: true }, true],
    [{ highPerformance: true }, true],
    [{ maxDownloadSize: 1_000_000 }, 1_000_000],
    [{ useStoredCredentials: ["SERVER", "PROXY"] }, ["SERVER", "PROXY"]],
    [{ minimumNotificationInterval: 1000 }, 1000],
    [{ onDemandMode: true }, true],
  ];
  for (const [properties, expected] of values) {
    await job.setProperties(properties);
    const name = Object.keys(properties)[0] as ReadablePropertyName;
    const read = await job.getProperty(name);
    if (name === "costFlags") {
      // A policy name reads back as that policy.
      assert.equal((read as { policy: string | null }).policy, "NOT_ROAMING");
    } else {
      assert.deepEqual(read, expected, name);
    }
  }
  const { unsupported } = await job.properties();
  assert.deepEqual(unsupported, [], "Windows 10+ has every interface this module reads");
});

windowsTest("priority, retry delay, no-progress timeout and maximum download time read back as set", async () => {
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path("sched.bin") }], {
      displayName: "schedule",
      suspended: true,
    }),
  );
  for (const priority of ["FOREGROUND", "HIGH", "LOW", "NORMAL"] as const) {
    await job.setProperties({ priority });
    assert.equal(await job.getProperty("priority"), priority);
  }
  await job.setProperties({ minimumRetryDelay: 120, noProgressTimeout: 300, maximumDownloadTime: 3600 });
  assert.equal(await job.getProperty("minimumRetryDelay"), 120);
  assert.equal(await job.getProperty("noProgressTimeout"), 300);
  assert.equal(await job.getProperty("maximumDownloadTime"), 3600);
  await job.setProperties({ displayName: "schedule renamed" });
  assert.equal((await job.snapshot()).displayName, "schedule renamed");
});

windowsTest("suspend stops a running transfer's progress and resume continues it to an intact file", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const size = 2_000_000;
  const path = session.path("suspend.bin");
  // Trickled at 100 KB/s: about 20 s, so the job is seen mid-transfer.
  const url = server.url(`/trickle/${size}/100000?seed=41`);
  const job = session.track(await session.bits.download([{ url, path }], { displayName: "suspend" }));
  await eventually(() => job.snapshot(), (s) => s.state === "TRANSFERRING" && s.progress.bytesTransferred > 0);
  await job.suspend();
  const stopped = await job.snapshot();
  assert.equal(stopped.state, "SUSPENDED");
  await sleep(3000);
  const later = await job.snapshot();
  assert.equal(later.state, "SUSPENDED");
  assert.equal(later.progress.bytesTransferred, stopped.progress.bytesTransferred, "bytes moved while suspended");
  assert.ok(later.progress.bytesTransferred < size);
  await job.resume();
  await eventually(() => job.snapshot(), (s) => s.progress.bytesTransferred > stopped.progress.bytesTransferred);
  await job.wait({ timeout: 120_000 });
  assert.equal(await job.complete(), "completed");
  assert.equal(await fileSha256(path), contentSha256(size, 41));
});

windowsTest(
  "a server that goes down puts the job in TRANSIENT_ERROR; BITS retries by itself once it is back",
  async () => {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    server.stop();
    const path = session.path("transient.bin");
    const job = session.track(
      await session.bits.download([{ url: server.url("/ok/200000?seed=42"), path }], {
        displayName: "transient",
        // BITS' smallest retry delay: the retry below is BITS' own, not a resume() of ours.
        properties: { minimumRetryDelay: 60 },
      }),
    );
    const failed = await job.wait({ until: "TRANSIENT_ERROR", timeout: 120_000 });
    assert.equal(failed.state, "TRANSIENT_ERROR");
    assert.ok(failed.error !== null, "TRANSIENT_ERROR carries the error that caused it");
    // A network error, named (Wine reports only BG_E_ERROR_INFORMATION_UNAVAILABLE here).
    assert.notEqual(failed.error.code, "BG_E_ERROR_INFORMATION_UNAVAILABLE");
    assert.doesNotMatch(failed.error.code, /^0x/, `unnamed code ${failed.error.code}`);
    server.start();
    await job.wait({ timeout: 180_000 });
    assert.equal(await job.complete(), "completed");
    assert.equal(await fileSha256(path), contentSha256(200_000, 42));
  },
);

windowsTest("CLI list sorts by creation time, newest first, and reports the times", async () => {
  await using session = await BitsSession.open();
  const tag = crypto.randomUUID().slice(0, 8);
  const made = [];
  for (const name of ["a", "b", "c"]) {
    made.push(
      session.track(
        await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path(`${name}.bin`) }], {
          displayName: `sorted ${tag} ${name}`,
          suspended: true,
        }),
      ),
    );
    // FILETIMEs are 100 ns, but leave no doubt about the order.
    await sleep(1100);
  }
  const result = await runCli(["list", "--name", `sorted ${tag}`, "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const jobs = parseJson(result).jobs as { id: string; creationTime: string | null }[];
  assert.deepEqual(jobs.map((j) => j.id), made.map((j) => j.id).reverse());
  const times = jobs.map((j) => Date.parse(j.creationTime ?? "")); // null would parse to NaN and fail below
  assert.ok(times[0] > times[1] && times[1] > times[2], `creation times not descending: ${times.join(", ")}`);
});

windowsTest("60 jobs at once all complete intact, and BITS runs their transfers in parallel", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const size = 300_000;
  const jobs = [];
  for (let i = 0; i < 60; i++) {
    // Trickled so transfers overlap if BITS runs more than one at a time.
    const url = server.url(`/trickle/${size}/150000?seed=${100 + i}`);
    jobs.push(
      session.track(
        await session.bits.download([{ url, path: session.path(`p${i}.bin`) }], {
          displayName: `parallel ${i}`,
          properties: { priority: "FOREGROUND" },
        }),
      ),
    );
  }
  // Read the queue while they run: how many of these jobs BITS transfers at the same moment.
  const ids = new Set(jobs.map((j) => j.id));
  let overlap = 0;
  await eventually(
    async () => {
      const ours = (await session.bits.listJobs()).filter((j) => ids.has(j.id));
      overlap = Math.max(overlap, ours.filter((j) => j.state === "TRANSFERRING" || j.state === "CONNECTING").length);
      return ours.filter((j) => j.state === "TRANSFERRED").length;
    },
    (done) => done === 60,
    600_000,
  );
  for (const job of jobs) assert.equal(await job.complete(), "completed");
  for (let i = 0; i < 60; i++) assert.equal(await fileSha256(session.path(`p${i}.bin`)), contentSha256(size, 100 + i));
  assert.equal(ids.size, 60);
  assert.ok(overlap > 1, `BITS never ran two of the transfers at once (at most ${overlap})`);
});

windowsTest(
  "Complete of a suspended job with one of two files done reports partial and keeps only that file",
  async () => {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    const done = session.path("done.bin");
    const slow = session.path("slow.bin");
    const job = session.track(await session.bits.createJob("partial"));
    // One small file and one trickled over a minute: BITS finishes the first long before the second.
    await job.addFiles([
      { url: server.url("/ok/20000?seed=43"), path: done },
      { url: server.url("/trickle/6000000/100000?seed=44"), path: slow },
    ]);
    await job.resume();
    await eventually(() => job.files(), (files) => files.some((f) => f.localName === done && f.completed), 120_000);
    await job.suspend();
    assert.equal(await job.complete(), "partial");
    assert.equal(await fileSha256(done), contentSha256(20_000, 43));
    await assert.rejects(Deno.stat(slow), Deno.errors.NotFound, "the unfinished file was kept");
  },
);

windowsTest("a destination directory removed before the transfer fails the job with a local-file error", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const dir = session.path("gone");
  await Deno.mkdir(dir);
  const job = session.track(
    await session.bits.download([{ url: server.url("/ok/10000?seed=45"), path: `${dir}\\f.bin` }], {
      displayName: "local error",
      suspended: true,
    }),
  );
  await Deno.remove(dir);
  await job.resume();
  const error = await job.wait({ timeout: 60_000 }).then(() => assert.fail("the job completed"), (e) => e);
  assert.ok(error instanceof BitsError, String(error));
  assert.equal(error.context, "LOCAL_FILE");
  assert.doesNotMatch(error.code, /^0x/, `unnamed code ${error.code}`);
});

windowsTest(
  "CLI clean --older-than finds a stale suspended job by its real times and, with --cancel, cancels it",
  async () => {
    await using session = await BitsSession.open();
    const job = session.track(
      await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path("stale.bin") }], {
        displayName: `stale ${crypto.randomUUID().slice(0, 8)}`,
        suspended: true,
      }),
    );
    await sleep(3000);
    const dry = await runCli(["clean", "--older-than", "2s", "--json"]);
    assert.equal(dry.code, 0, dry.stderr);
    const planned = (parseJson(dry).actions as { jobId: string; reason: string; lastChange: string | null }[])
      .find((a) => a.jobId === job.id);
    assert.equal(planned?.reason, "stale", JSON.stringify(parseJson(dry)));
    assert.ok(planned.lastChange !== null, "Windows reports job times");
    assert.equal((await job.snapshot()).state, "SUSPENDED", "a dry run changed the job");
    const fresh = await runCli(["clean", "--older-than", "1h", "--json"]);
    assert.ok(
      !(parseJson(fresh).actions as { jobId: string }[]).some((a) => a.jobId === job.id),
      "a fresh job is stale",
    );
    const done = await runCli(["clean", "--older-than", "2s", "--cancel", "--json"]);
    assert.equal(done.code, 0, done.stderr);
    const acted = (parseJson(done).actions as { jobId: string; outcome: string }[]).find((a) => a.jobId === job.id);
    assert.equal(acted?.outcome, "cancelled");
    assert.ok(!(await session.liveJobIds()).has(job.id));
  },
);

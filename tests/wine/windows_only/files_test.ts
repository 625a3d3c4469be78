/**
 * Per-file features only Windows' BITS has: File3 temporary names and
 * validation, byte ranges (Job3 AddFileWithRanges, File2 ranges), and the
 * integrity check running on BITS' temporary file before Complete, so a bad
 * file never reaches its destination. Skipped under Wine.
 */

import assert from "node:assert/strict";
import { basename, dirname } from "node:path";
import { BitsError, IntegrityError, InvalidArgumentError } from "../../../mod.ts";
import { contentChunks, contentSha256, fileSha256 } from "../../support/content.ts";
import { startFaultServer } from "../../support/faults.ts";
import { BitsSession, windowsTest } from "../../support/wine.ts";

/** The generated content for (size, seed) in one array. */
function content(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of contentChunks(size, seed)) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

windowsTest("File3: the temporary file holds the data until Complete; validation state round-trips", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const path = session.path("file3.bin");
  const job = session.track(
    await session.bits.download([{ url: server.url("/ok/100000?seed=61"), path }], { displayName: "file3" }),
  );
  await job.wait({ timeout: 60_000 });
  using file = await job.file(0);
  const temporary = await file.temporaryName();
  assert.equal(dirname(temporary).toLowerCase(), dirname(path).toLowerCase(), "BITS writes next to the destination");
  assert.match(basename(temporary), /^BIT.*\.tmp$/i);
  assert.equal(await fileSha256(temporary), contentSha256(100_000, 61), "the temporary file holds the download");
  await assert.rejects(Deno.stat(path), Deno.errors.NotFound, "nothing at the destination before Complete");
  await file.setValidationState(true);
  assert.equal(await file.validationState(), true);
  const details = await file.details();
  assert.equal(details.temporaryName, temporary);
  assert.equal(await job.complete(), "completed");
  assert.equal(await fileSha256(path), contentSha256(100_000, 61));
  await assert.rejects(Deno.stat(temporary), Deno.errors.NotFound, "Complete moved the temporary file into place");
});

windowsTest("ranges: only the requested byte ranges are transferred, concatenated in the local file", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const size = 200_000;
  const url = server.url(`/ok/${size}?seed=62`);
  const path = session.path("ranges.bin");
  const job = session.track(await session.bits.createJob("ranges"));
  const ranges = [{ offset: 1000, length: 5000 }, { offset: 150_000, length: "EOF" as const }];
  await job.addFileWithRanges(url, path, ranges);
  using file = await job.file(0);
  assert.deepEqual(await file.ranges(), [{ offset: 1000, length: 5000 }, { offset: 150_000, length: "EOF" }]);
  await job.resume();
  await job.wait({ timeout: 60_000 });
  assert.equal(await job.complete(), "completed");
  const whole = content(size, 62);
  const expected = new Uint8Array([...whole.subarray(1000, 6000), ...whole.subarray(150_000)]);
  assert.deepEqual(await Deno.readFile(path), expected);
  // BITS asked for the ranges rather than the whole body.
  const asked = server.requests.filter((r) => r.method === "GET").map((r) => r.headers["range"] ?? "");
  assert.ok(asked.every((r) => r.startsWith("bytes=")), `a GET without Range: ${JSON.stringify(asked)}`);
});

windowsTest(
  "integrity: a bad file is caught on the temporary file before Complete and never reaches its destination",
  async () => {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    const dest = session.path("checked.bin");
    const expect = { size: 100_000, sha256: contentSha256(100_000, 63) };
    const error = await session.bits.transfer([{ url: server.url("/ok/100000?seed=64"), path: dest, expect }], {
      onFailure: "keep",
      displayName: "integrity before complete",
      timeout: 60_000,
    }).then(() => assert.fail("transfer() accepted the wrong file"), (e) => e);
    assert.ok(error instanceof IntegrityError, String(error));
    assert.equal(error.removed, false, "BITS' temporary file is BITS' to delete");
    assert.match(basename(error.path), /^BIT.*\.tmp$/i, `checked ${error.path}, not the temporary file`);
    assert.equal(error.actual.sha256, contentSha256(100_000, 64));
    await assert.rejects(Deno.stat(dest), Deno.errors.NotFound, "the bad file was moved into place");
    const jobs = await session.bits.listJobs();
    const kept = jobs.find((j) => j.id === error.jobId);
    assert.equal(kept?.state, "TRANSFERRED", "the job was kept, not completed");
    session.track(await session.bits.getJob(error.jobId!));
  },
);

windowsTest(
  "MaxFilesPerJob: 201 files are refused with BG_E_TOO_MANY_FILES_IN_JOB, except for an elevated owner",
  async () => {
    await using session = await BitsSession.open();
    const job = session.track(await session.bits.createJob("file limit"));
    const { ownerElevated } = await job.details();
    const files = Array.from({ length: 201 }, (_, i) => ({
      url: `http://127.0.0.1:9/f${i}`,
      path: session.path(`limit${i}.bin`),
    }));
    const outcome = await job.addFiles(files).then(() => undefined, (e) => e);
    if (ownerElevated) {
      // The policy is not enforced for administrators.
      assert.equal(outcome, undefined, String(outcome));
      assert.equal((await job.files()).length, 201);
    } else {
      assert.ok(outcome instanceof BitsError, String(outcome));
      assert.equal(outcome.code, "BG_E_TOO_MANY_FILES_IN_JOB");
      assert.ok(outcome.hint);
      assert.equal((await job.files()).length, 0, "a refused file set adds nothing");
    }
  },
);

windowsTest("a junction inside the root that leads out of it is refused before any job exists", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const root = session.path("root");
  const outside = session.path("outside");
  await Deno.mkdir(root);
  await Deno.mkdir(outside);
  const link = `${root}\\link`;
  const made = await new Deno.Command("cmd.exe", { args: ["/c", "mklink", "/J", link, outside] }).output();
  assert.equal(made.code, 0, new TextDecoder().decode(made.stderr));
  const before = await session.liveJobIds();
  const error = await session.bits.download([{ url: server.url("/ok/1000"), path: `${link}\\escaped.bin` }], {
    root,
  }).then((job) => session.track(job), (e) => e);
  assert.ok(error instanceof InvalidArgumentError, String(error));
  assert.match(error.message, /outside the root/);
  assert.deepEqual(await session.liveJobIds(), before, "a job was created");
  await assert.rejects(Deno.stat(`${outside}\\escaped.bin`), Deno.errors.NotFound);
  // The same directory reached without the junction is fine.
  const job = session.track(
    await session.bits.download([{ url: server.url("/ok/1000?seed=65"), path: `${root}\\inside.bin` }], { root }),
  );
  await job.wait({ timeout: 60_000 });
  assert.equal(await job.complete(), "completed");
});

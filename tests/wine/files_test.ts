/**
 * Files of a job through the real BITS service: AddFileSet in one call, the
 * per-file objects (File … File6), byte ranges, ReplaceRemotePrefix, and
 * upload / upload-reply jobs. Under Wine every stubbed feature is still driven
 * through the real call and the exact typed error is asserted; upload jobs are
 * never resumed (Wine would download over the local file).
 */

import assert from "node:assert/strict";
import { BitsUnsupportedError, InvalidArgumentError, type JobState, wineVersion } from "../../mod.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startServer } from "../support/server.ts";
import { BitsSession } from "../support/wine.ts";
import { REQUIRES } from "../../errors.ts";

const WINE = wineVersion() !== null;

/** Asserts a BitsUnsupportedError with one of `codes` for `requires`, naming `feature`. */
function unsupported(
  codes: readonly string[],
  requires: string,
  feature: RegExp,
): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof BitsUnsupportedError, String(error));
    assert.ok(codes.includes(error.code), `${error.code} not in ${codes}`);
    assert.equal(error.requires, requires);
    assert.match(error.feature, feature);
    return true;
  };
}

/** A file BITS may delete (Wine's Cancel deletes every local name). */
async function throwaway(session: BitsSession, name: string, text = "upload me\n"): Promise<string> {
  const path = session.path(name);
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("addFiles adds a whole set in one AddFileSet call; the files transfer intact", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const specs = [1, 2, 3, 4].map((seed) => ({
    url: server.contentUrl(50_000 * seed + 3, 40 + seed),
    path: session.path(`set-${seed}.bin`),
    size: 50_000 * seed + 3,
    seed: 40 + seed,
  }));
  const job = session.track(await session.bits.createJob("file set"));
  await job.addFiles(specs);
  const listed = await job.files();
  // Wine enumerates files in reverse order of addition; compare as sets.
  assert.deepEqual(
    listed.map((f) => [f.remoteName, f.localName.toLowerCase()]).sort(),
    specs.map((s) => [s.url, s.path.toLowerCase()]).sort(),
  );
  assert.equal((await job.snapshot()).progress.filesTotal, 4);
  await job.resume();
  const done = await job.wait({ timeout: 120_000 });
  assert.deepEqual([done.progress.filesTransferred, done.progress.filesTotal], [4, 4]);
  assert.equal(await job.complete(), "completed");
  for (const spec of specs) assert.equal(await fileSha256(spec.path), contentSha256(spec.size, spec.seed), spec.path);
  assert.equal(server.requests.filter((r) => r.startsWith("/content/")).length, 4);
});

Deno.test("addFiles validates every file before BITS is called: a bad one leaves the job empty", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const job = session.track(await session.bits.createJob("file set refused"));
  await assert.rejects(
    job.addFiles([
      { url: server.contentUrl(10, 1), path: session.path("ok.bin") },
      { url: "ftp://127.0.0.1/x", path: session.path("bad.bin") },
    ]),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "files[1].url",
  );
  await assert.rejects(job.addFiles([]), (e: unknown) => e instanceof InvalidArgumentError && e.argument === "files");
  assert.equal((await job.snapshot()).progress.filesTotal, 0);
  assert.deepEqual(await job.files(), []);
});

Deno.test("BitsFile: names and progress per file, in the order job.files() lists them", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const specs = [{ size: 12_345, seed: 61 }, { size: 54_321, seed: 62 }].map((s) => ({
    ...s,
    url: server.contentUrl(s.size, s.seed),
    path: session.path(`obj-${s.seed}.bin`),
  }));
  const job = session.track(await session.bits.download(specs, { displayName: "file objects" }));
  await job.wait({ timeout: 120_000 });
  const listed = await job.files();
  const objects = await job.fileObjects();
  try {
    assert.equal(objects.length, 2);
    for (const [index, file] of objects.entries()) {
      assert.equal(file.index, index);
      assert.equal(file.jobId, job.id);
      const info = await file.info();
      assert.deepEqual(info, listed[index]);
      assert.equal(await file.remoteName(), listed[index].remoteName);
      assert.equal((await file.localName()).toLowerCase(), listed[index].localName.toLowerCase());
      const spec = specs.find((s) => s.url === info.remoteName)!;
      assert.deepEqual(await file.progress(), { bytesTotal: spec.size, bytesTransferred: spec.size, completed: true });
    }
    using second = await job.file(1);
    assert.equal(await second.remoteName(), listed[1].remoteName);
    await assert.rejects(job.file(2), (e: unknown) => e instanceof InvalidArgumentError && e.argument === "index");
    await assert.rejects(job.file(-1), (e: unknown) => e instanceof InvalidArgumentError && e.argument === "index");
  } finally {
    for (const file of objects) file.dispose();
  }
  // Dispose is idempotent and leaves the job alone.
  objects[0].dispose();
  assert.equal(objects[0].disposed, true);
  await assert.rejects(objects[0].info(), ReferenceError);
  assert.equal(await job.complete(), "completed");
  for (const spec of specs) assert.equal(await fileSha256(spec.path), contentSha256(spec.size, spec.seed));
});

Deno.test("BitsFile: File2 ranges and SetRemoteName", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const url = server.contentUrl(1000, 5);
  const job = session.track(
    await session.bits.download([{ url, path: session.path("file2.bin") }], { displayName: "file2", suspended: true }),
  );
  using file = await job.file(0);
  const moved = server.contentUrl(1000, 6);
  await assert.rejects(
    file.setRemoteName("not a url"),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "url",
  );
  if (WINE) {
    // Wine answers QueryInterface for File2 but stubs both methods.
    await assert.rejects(file.ranges(), unsupported(["E_NOTIMPL"], REQUIRES.file2, /ranges/));
    await assert.rejects(file.setRemoteName(moved), unsupported(["E_NOTIMPL"], REQUIRES.file2, /remote name/));
    assert.equal(await file.remoteName(), url);
  } else {
    assert.deepEqual(await file.ranges(), []);
    await file.setRemoteName(moved);
    assert.equal(await file.remoteName(), moved);
  }
});

Deno.test("BitsFile: File3 to File6 features are unsupported under Wine (E_NOINTERFACE) and details() says so", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const url = server.contentUrl(2000, 8);
  const path = session.path("file3.bin");
  const job = session.track(
    await session.bits.download([{ url, path }], { displayName: "file3+", suspended: true }),
  );
  using file = await job.file(0);
  await assert.rejects(
    file.requestRanges([{ offset: 0, length: 10 }, { offset: 5, length: 10 }]),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "ranges",
  );
  const details = await file.details();
  assert.equal(details.remoteName, url);
  assert.equal(details.localName.toLowerCase(), path.toLowerCase());
  assert.equal(details.completed, false);
  if (!WINE) return; // On Windows the values depend on the BITS version; the calls above must not throw.
  const noInterface = ["E_NOINTERFACE"];
  await assert.rejects(file.temporaryName(), unsupported(noInterface, REQUIRES.file3, /temporary name/));
  await assert.rejects(file.validationState(), unsupported(noInterface, REQUIRES.file3, /validation state/));
  await assert.rejects(file.setValidationState(true), unsupported(noInterface, REQUIRES.file3, /validation state/));
  await assert.rejects(file.isDownloadedFromPeer(), unsupported(noInterface, REQUIRES.file3, /peer origin/));
  await assert.rejects(file.peerDownloadStats(), unsupported(noInterface, REQUIRES.file4, /peer download/));
  await assert.rejects(file.httpResponseHeaders(), unsupported(noInterface, REQUIRES.file5, /response headers/));
  await assert.rejects(
    file.requestRanges([{ offset: 0, length: 10 }]),
    unsupported(noInterface, REQUIRES.file6, /requesting file ranges/),
  );
  await assert.rejects(file.filledRanges(), unsupported(noInterface, REQUIRES.file6, /filled/));
  // details() never throws for these: every one is listed, with what provides it.
  assert.deepEqual(details.unsupported.map((u) => [u.field, u.requires]), [
    ["ranges", REQUIRES.file2],
    ["temporaryName", REQUIRES.file3],
    ["validationState", REQUIRES.file3],
    ["downloadedFromPeer", REQUIRES.file3],
    ["peerDownloadStats", REQUIRES.file4],
    ["httpResponseHeaders", REQUIRES.file5],
    ["filledRanges", REQUIRES.file6],
  ]);
  assert.deepEqual(details.unsupported.map((u) => u.code), ["E_NOTIMPL", ...Array(6).fill("E_NOINTERFACE")]);
  assert.deepEqual(details.failures, []);
  for (const field of ["ranges", "temporaryName", "peerDownloadStats", "filledRanges"]) {
    assert.equal(field in details, false, field);
  }
});

Deno.test("addFileWithRanges: validated first; Wine's S_OK that adds nothing is surfaced as unsupported", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const job = session.track(await session.bits.createJob("ranges"));
  const url = server.contentUrl(100_000, 9);
  const path = session.path("ranges.bin");
  await assert.rejects(
    job.addFileWithRanges(url, path, [{ offset: 0, length: 100 }, { offset: 50, length: 10 }]),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "ranges",
  );
  await assert.rejects(
    job.addFileWithRanges(url, path, Array.from({ length: 501 }, (_, i) => ({ offset: i * 2, length: 1 }))),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "ranges",
  );
  const ranges = [{ offset: 0, length: 100 }, { offset: 1000, length: "EOF" as const }];
  if (WINE) {
    await assert.rejects(job.addFileWithRanges(url, path, ranges), (e: unknown) => {
      assert.ok(e instanceof BitsUnsupportedError, String(e));
      assert.equal(e.code, "E_NOTIMPL");
      assert.equal(e.requires, REQUIRES.job3);
      assert.match(e.feature, /byte ranges/);
      assert.match(e.operation ?? "", /file count did not change/);
      assert.equal(e.jobId, job.id);
      return true;
    });
    assert.equal((await job.snapshot()).progress.filesTotal, 0);
  } else {
    await job.addFileWithRanges(url, path, ranges);
    using file = await job.file(0);
    assert.deepEqual(await file.ranges(), ranges);
  }
});

Deno.test("replaceRemotePrefix: checked by effect (Wine ignores it: unsupported), 0 when nothing matches", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const url = server.contentUrl(1000, 10);
  const job = session.track(
    await session.bits.download([{ url, path: session.path("prefix.bin") }], {
      displayName: "prefix",
      suspended: true,
    }),
  );
  await assert.rejects(
    job.replaceRemotePrefix("ftp://old", server.origin),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "oldPrefix",
  );
  assert.equal(await job.replaceRemotePrefix("http://elsewhere.invalid", "http://other.invalid"), 0);
  const moved = "http://localhost:1";
  if (WINE) {
    await assert.rejects(
      job.replaceRemotePrefix(server.origin, moved),
      unsupported(["E_NOTIMPL"], REQUIRES.job3, /remote prefix/),
    );
    assert.equal((await job.files())[0].remoteName, url);
  } else {
    assert.equal(await job.replaceRemotePrefix(server.origin, moved), 1);
    assert.equal((await job.files())[0].remoteName, url.replace(server.origin, moved));
  }
});

// ---- Upload and upload-reply jobs: never resumed under Wine. ----

Deno.test("upload() refuses a missing file or a directory before any job exists", async () => {
  await using session = await BitsSession.open();
  const before = await session.liveJobIds();
  await assert.rejects(
    session.bits.upload({ url: "http://127.0.0.1:1/up", path: session.path("missing.txt"), suspended: true }),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "path" && /does not exist/.test(e.message),
  );
  await assert.rejects(
    session.bits.upload({ url: "http://127.0.0.1:1/up", path: session.dir, suspended: true }),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "path" && /not a regular file/.test(e.message),
  );
  assert.deepEqual(await session.liveJobIds(), before);
});

Deno.test("upload(): UPLOAD job with its single file; under Wine resuming is refused before anything exists", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const path = await throwaway(session, "upload.txt");
  const url = `${server.origin}/upload`;
  if (WINE) {
    const before = await session.liveJobIds();
    await assert.rejects(session.bits.upload({ url, path }), (e: unknown) => {
      assert.ok(e instanceof BitsUnsupportedError, String(e));
      assert.equal(e.code, "E_NOTIMPL");
      assert.match(e.feature, /upload jobs/);
      assert.match(e.requires ?? "", /Wine's BITS downloads over the local file/);
      return true;
    });
    assert.deepEqual(await session.liveJobIds(), before);
    assert.equal(await Deno.readTextFile(path), "upload me\n");
  }
  const job = session.track(
    await session.bits.upload({ url, path, displayName: "upload", description: "an upload", suspended: true }),
  );
  const snapshot = await job.snapshot();
  assert.deepEqual([snapshot.type, snapshot.state, snapshot.displayName, snapshot.description], [
    "UPLOAD",
    "SUSPENDED",
    "upload",
    "an upload",
  ]);
  const [file] = await job.files();
  assert.deepEqual([file.remoteName, file.localName.toLowerCase()], [url, path.toLowerCase()]);
  assert.equal(await Deno.readTextFile(path), "upload me\n");
  // Cancelled while SUSPENDED; under Wine this deletes the throwaway file.
  await job.cancel();
  assert.equal((await job.snapshot()).state, "CANCELLED");
  assert.equal(server.requests.includes("/upload"), false);
});

Deno.test("upload-reply job: Reply* methods are Wine stubs, surfaced as BitsUnsupportedError", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const path = await throwaway(session, "reply-source.txt");
  const job = session.track(
    await session.bits.upload({ url: `${server.origin}/upload-reply`, path, reply: {}, suspended: true }),
  );
  assert.equal((await job.snapshot()).type, "UPLOAD_REPLY");
  await assert.rejects(
    job.setReplyFileName("reply.txt"),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "path",
  );
  if (WINE) {
    const stub = ["E_NOTIMPL"];
    await assert.rejects(
      job.setReplyFileName(session.path("reply.txt")),
      unsupported(["E_NOTIMPL"], REQUIRES.job2, /reply file name/),
    );
    await assert.rejects(job.replyFileName(), unsupported(stub, REQUIRES.job2, /reply file name/));
    await assert.rejects(job.replyProgress(), unsupported(["E_NOTIMPL"], REQUIRES.job2, /reply progress/));
    await assert.rejects(job.replyData(), unsupported(stub, REQUIRES.job2, /reply data/));
  } else {
    const replyPath = session.path("reply.txt");
    await job.setReplyFileName(replyPath);
    assert.equal((await job.replyFileName()).toLowerCase(), replyPath.toLowerCase());
    const progress = await job.replyProgress();
    assert.equal(progress.bytesTransferred, 0);
  }
  const state: JobState = (await job.snapshot()).state;
  assert.equal(state, "SUSPENDED");
  await job.cancel();
});

Deno.test("upload() with a reply file name under Wine fails on the stub and leaves no job and the file intact", async () => {
  if (!WINE) return; // On Windows SetReplyFileName works; covered by the test above.
  await using server = startServer();
  await using session = await BitsSession.open();
  const path = await throwaway(session, "reply-kept.txt", "keep me\n");
  const before = await session.liveJobIds();
  await assert.rejects(
    session.bits.upload({
      url: `${server.origin}/upload-reply`,
      path,
      reply: { fileName: session.path("reply.txt") },
      displayName: "reply name refused",
      suspended: true,
    }),
    unsupported(["E_NOTIMPL"], REQUIRES.job2, /reply file name/),
  );
  assert.deepEqual(await session.liveJobIds(), before);
  // The job was cancelled before the file was added, so Wine's Cancel had nothing to delete.
  assert.equal(await Deno.readTextFile(path), "keep me\n");
});

/**
 * Downloads through the real BITS service: one large file, several files in a
 * job, and an HTTP error surfaced as a typed BitsError.
 */

import assert from "node:assert/strict";
import { BitsError, wineVersion } from "../../mod.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startServer } from "../support/server.ts";
import { BitsSession } from "../support/wine.ts";

const FIVE_MB = 5 * 1024 * 1024;

Deno.test("a 5 MB download reaches TRANSFERRED, completes, and is byte-identical", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const dest = session.path("five.bin");
  const description = "Ünïcödé 🎵 description — كتاب";
  const job = session.track(
    await session.bits.download([{ url: server.contentUrl(FIVE_MB, 7), path: dest }], {
      displayName: "five-mb 𝄞",
      description,
    }),
  );
  const transferred = await job.wait({ timeout: 120_000 });
  assert.equal(transferred.state, "TRANSFERRED");
  assert.equal(transferred.id, job.id);
  assert.equal(transferred.type, "DOWNLOAD");
  assert.equal(transferred.displayName, "five-mb 𝄞");
  assert.equal(transferred.description, description);
  assert.deepEqual([transferred.progress.filesTransferred, transferred.progress.filesTotal], [1, 1]);
  assert.equal(transferred.progress.bytesTransferred, FIVE_MB);
  assert.equal(transferred.error, null);
  const [file] = await job.files();
  assert.deepEqual(
    { remote: file.remoteName, local: file.localName.toLowerCase(), total: file.bytesTotal, done: file.completed },
    { remote: server.contentUrl(FIVE_MB, 7), local: dest.toLowerCase(), total: FIVE_MB, done: true },
  );
  // BITS keeps data in a temporary file until Complete.
  await assert.rejects(Deno.stat(dest), Deno.errors.NotFound);
  assert.equal(await job.complete(), "completed");
  assert.equal((await job.snapshot()).state, "ACKNOWLEDGED");
  assert.equal(await fileSha256(dest), contentSha256(FIVE_MB, 7));
});

Deno.test("a job with three files delivers every file intact", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const specs = [1, 2, 3].map((seed) => ({
    url: server.contentUrl(100_000 * seed + 17, seed),
    path: session.path(`part-${seed}.bin`),
    size: 100_000 * seed + 17,
    seed,
  }));
  const job = session.track(await session.bits.download(specs, { displayName: "three files" }));
  const done = await job.wait({ timeout: 120_000 });
  assert.deepEqual([done.progress.filesTransferred, done.progress.filesTotal], [3, 3]);
  const files = await job.files();
  // Wine enumerates files in reverse order of addition; compare as sets.
  assert.deepEqual(
    files.map((f) => f.localName.toLowerCase()).sort(),
    specs.map((s) => s.path.toLowerCase()).sort(),
  );
  assert.ok(files.every((f) => f.completed));
  assert.equal(await job.complete(), "completed");
  for (const spec of specs) assert.equal(await fileSha256(spec.path), contentSha256(spec.size, spec.seed), spec.path);
});

Deno.test("an HTTP 404 puts the job in ERROR and surfaces BG_E_HTTP_ERROR_404 as a BitsError", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: `${server.origin}/missing.bin`, path: session.path("missing.bin") }], {
      displayName: "missing",
    }),
  );
  const error = await job.wait({ timeout: 60_000 }).then(
    () => assert.fail("wait() resolved for a 404"),
    (e) => e,
  );
  assert.ok(error instanceof BitsError, String(error));
  assert.equal(error.code, "BG_E_HTTP_ERROR_404");
  assert.equal(error.hresult, 0x80190194);
  assert.equal(error.httpStatus, 404);
  assert.equal(error.context, "REMOTE_FILE");
  assert.equal(error.jobId, job.id);
  assert.equal(error.state, "ERROR");
  const snapshot = await job.snapshot();
  assert.equal(snapshot.state, "ERROR");
  assert.deepEqual(snapshot.error && [snapshot.error.code, snapshot.error.context], [
    "BG_E_HTTP_ERROR_404",
    "REMOTE_FILE",
  ]);
  assert.ok(server.requests.includes("/missing.bin"));
});

Deno.test("the shim reports the Wine version under Wine and nothing on Windows", () => {
  const version = wineVersion();
  if (version !== null) assert.match(version, /^\d+\.\d+/);
  // The bed runs Wine 10: deno.exe does not start on older Wine (docs/compat.md).
  if (Deno.env.get("BED_WINE") === "1") assert.match(version ?? "", /^1\d\./);
});

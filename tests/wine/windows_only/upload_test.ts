/**
 * Upload and upload-reply jobs against the BITS upload-protocol server of
 * tests/support/upload_server.ts (Wine has no upload: it would download over
 * the file). The effect is asserted at the server: the bytes it committed,
 * the packets it saw, the reply the client received. Skipped under Wine.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { contentChunks } from "../../support/content.ts";
import { startUploadServer } from "../../support/upload_server.ts";
import { BitsSession, eventually, windowsTest } from "../../support/wine.ts";

const SIZE = 300_000;

/** Writes the generated content for `seed` to `path` and returns it. */
async function writeUpload(path: string, seed: number): Promise<Uint8Array> {
  const data = new Uint8Array(SIZE);
  let offset = 0;
  for (const chunk of contentChunks(SIZE, seed)) {
    data.set(chunk, offset);
    offset += chunk.length;
  }
  await Deno.writeFile(path, data);
  return data;
}

windowsTest(
  "upload: the server commits exactly the file, through Create-Session, Fragments and Close-Session",
  async () => {
    await using server = startUploadServer();
    await using session = await BitsSession.open();
    const path = session.path("up.bin");
    const data = await writeUpload(path, 81);
    const job = session.track(await session.bits.upload({ url: server.url("/uploads/up.bin"), path }));
    await job.wait({ timeout: 120_000 });
    assert.equal(await job.complete(), "completed");
    assert.deepEqual(server.uploads.get("/uploads/up.bin"), data);
    const types = server.packets.map((p) => p.type);
    assert.ok(types.includes("Create-Session") && types.includes("Fragment"), types.join(", "));
    assert.equal(types.at(-1), "Close-Session");
    assert.equal(server.openSessions().size, 0);
    assert.deepEqual(await Deno.readFile(path), data, "the local file is untouched");
  },
);

windowsTest("upload: an interrupted upload resumes from the server's received range and arrives intact", async () => {
  await using server = startUploadServer({ interruptAt: SIZE / 2 });
  await using session = await BitsSession.open();
  const path = session.path("resume.bin");
  const data = await writeUpload(path, 82);
  const job = session.track(
    await session.bits.upload({ url: server.url("/uploads/resume.bin"), path, displayName: "upload resume" }),
  );
  // The 503 is transient: BITS retries after the retry delay; resume() asks it to retry now.
  await eventually(
    async () => {
      const snapshot = await job.snapshot();
      if (snapshot.state === "TRANSIENT_ERROR") await job.resume();
      return snapshot.state;
    },
    (state) => state === "TRANSFERRED",
    180_000,
  );
  assert.equal(await job.complete(), "completed");
  assert.deepEqual(server.uploads.get("/uploads/resume.bin"), data);
  const cut = server.packets.findIndex((p) => p.status === 503);
  assert.ok(cut !== -1, "the upload was never interrupted");
  const next = server.packets.slice(cut + 1).find((p) => p.type === "Fragment" && p.status === 200);
  assert.ok(next?.range !== undefined, "no fragment after the interruption");
  assert.ok(next.range.start <= SIZE / 2, `resumed at ${next.range.start}, past the server's ${SIZE / 2}`);
});

windowsTest(
  "upload-reply: the server's reply is fetched, written to the reply file and readable as replyData()",
  async () => {
    await using server = startUploadServer({ reply: true });
    await using session = await BitsSession.open();
    const path = session.path("ask.bin");
    const data = await writeUpload(path, 83);
    const replyFile = session.path("answer.txt");
    const job = session.track(
      await session.bits.upload({ url: server.url("/uploads/ask.bin"), path, reply: { fileName: replyFile } }),
    );
    assert.equal((await job.snapshot()).type, "UPLOAD_REPLY");
    await job.wait({ timeout: 120_000 });
    const expected = createHash("sha256").update(data).digest("hex");
    assert.equal(new TextDecoder().decode(await job.replyData()), expected);
    assert.equal((await job.replyProgress()).bytesTransferred, expected.length);
    assert.equal(await job.complete(), "completed");
    assert.equal(await Deno.readTextFile(replyFile), expected);
    assert.deepEqual(server.uploads.get("/uploads/ask.bin"), data);
  },
);

windowsTest(
  "upload: a BITS-Error-Code reply reaches the job's error, with the server application as context",
  async () => {
    await using server = startUploadServer();
    await using session = await BitsSession.open();
    const path = session.path("refused.bin");
    await writeUpload(path, 84);
    server.failNext("Create-Session", { status: 500, code: 0x80004005 });
    const job = session.track(await session.bits.upload({ url: server.url("/uploads/refused.bin"), path }));
    const failed = await eventually(
      () => job.snapshot(),
      (s) => s.state === "ERROR" || s.state === "TRANSIENT_ERROR",
      120_000,
    );
    assert.equal(failed.error?.hresult, 0x80004005 | 0);
    assert.equal(failed.error?.context, "REMOTE_APPLICATION");
    assert.equal(server.uploads.size, 0);
    assert.ok(server.packets.some((p) => p.type === "Create-Session" && p.errorCode === 0x80004005));
  },
);

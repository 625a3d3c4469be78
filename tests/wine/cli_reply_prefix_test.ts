// `replace-prefix` and `reply` end to end, spawned as a user would. Wine ignores ReplaceRemotePrefix (S_OK, no
// effect) and stubs every reply method: both surface as E_NOTIMPL, exit 1, with the job unchanged. On Windows the
// prefix really moves and an upload-reply job reports its (empty) reply.
//
// Permissions: --allow-ffi --allow-read --allow-write --allow-run --allow-env --allow-net=127.0.0.1

import assert from "node:assert/strict";
import { wineVersion } from "../../mod.ts";
import { startServer } from "../support/server.ts";
import { BitsSession, parseJson, runCli } from "../support/wine.ts";

const WINE = wineVersion() !== null;

Deno.test("CLI replace-prefix: checked by effect (Wine: E_NOTIMPL, names unchanged); bad input exits 2", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const url = server.contentUrl(1000, 41);
  const job = session.track(
    await session.bits.download([{ url, path: session.path("prefix.bin") }], {
      displayName: `prefix ${crypto.randomUUID().slice(0, 8)}`,
      suspended: true,
    }),
  );
  const before = await session.liveJobIds();
  for (const args of [[job.id, "", "http://x.invalid/"], [job.id, server.origin, "ftp://mirror/"]]) {
    const refused = await runCli(["replace-prefix", ...args, "--json"]);
    assert.equal(refused.code, 2, refused.stderr);
    parseJson(refused);
  }
  const none = await runCli(["replace-prefix", job.id, "http://elsewhere.invalid/", "http://other.invalid/", "--json"]);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(parseJson(none).changed, 0);
  const moved = await runCli(["replace-prefix", job.id.slice(1, 9), server.origin, "http://localhost:1", "--json"]);
  if (WINE) {
    assert.equal(moved.code, 1, moved.stderr);
    assert.equal((parseJson(moved).error as { name: string }).name, "E_NOTIMPL");
    assert.equal((await job.files())[0].remoteName, url);
  } else {
    assert.equal(moved.code, 0, moved.stderr);
    assert.equal(parseJson(moved).changed, 1);
    assert.equal((await job.files())[0].remoteName, url.replace(server.origin, "http://localhost:1"));
  }
  assert.deepEqual(await session.liveJobIds(), before, "the queue changed");
  assert.equal((await job.snapshot()).state, "SUSPENDED");
});

Deno.test("CLI reply: an upload-reply job's reply (Wine: every reply method E_NOTIMPL); unknown job exits 4", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const path = session.path("reply-source.txt");
  await Deno.writeTextFile(path, "upload me");
  // Suspended and never resumed: Wine would download over the file.
  const job = session.track(
    await session.bits.upload({ url: `${server.origin}/upload-reply`, path, reply: {}, suspended: true }),
  );
  const result = await runCli(["reply", job.id, "--data", "--json"]);
  if (WINE) {
    assert.equal(result.code, 1, result.stderr);
    assert.equal((parseJson(result).error as { name: string }).name, "E_NOTIMPL");
    assert.match(result.stderr, /reply file name/);
  } else {
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(parseJson(result).progress, { bytesTotal: null, bytesTransferred: 0 });
  }
  assert.equal(await Deno.readTextFile(path), "upload me");
  const missing = await runCli(["reply", "{00000000-0000-0000-0000-0000000000AB}", "--json"]);
  assert.equal(missing.code, 4, missing.stderr);
  parseJson(missing);
});

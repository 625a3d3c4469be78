/**
 * Server faults against the real BITS service, through the fault server:
 * what BITS makes of each, and that the integrity check refuses every
 * corrupt result BITS accepts. Under Wine, BITS takes 403/500 pages and
 * truncated bodies as successful downloads (docs/wine.md, "HTTP status and errors"); Windows BITS
 * retries or fails them instead, so the Wine-specific outcomes are asserted
 * only under Wine.
 */

import assert from "node:assert/strict";
import { BitsError, InvalidArgumentError, wineVersion } from "../../mod.ts";
import { IntegrityError, verifyFile } from "../../src/integrity.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startFaultServer } from "../support/faults.ts";
import { assertCliJson } from "../support/cli_schema.ts";
import { BitsSession, parseJson, runCli } from "../support/wine.ts";

const SIZE = 200_000;
const onWine = wineVersion() !== null;

/** Downloads `url` with one job and returns how it ended: the final state and, for ERROR, the BitsError. */
async function fetchWithBits(
  session: BitsSession,
  url: string,
  name: string,
): Promise<{ state: string; error?: BitsError; path: string }> {
  const path = session.path(`${name}.bin`);
  const job = session.track(await session.bits.download([{ url, path }], { displayName: `fault ${name}` }));
  try {
    await job.wait({ timeout: 60_000 });
    assert.equal(await job.complete(), "completed");
    return { state: "ACKNOWLEDGED", path };
  } catch (error) {
    if (!(error instanceof BitsError)) throw error;
    return { state: (await job.snapshot()).state, error, path };
  }
}

Deno.test({
  name: "faults: no Content-Length, chunked encoding and a redirect chain deliver the file intact",
  async fn(): Promise<void> {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    for (
      const [name, path] of [["nolength", "/nolength/"], ["chunked", "/chunked/"], ["redirect", "/redirect/3/ok/"]]
    ) {
      const result = await fetchWithBits(session, server.url(`${path}${SIZE}?seed=11`), name);
      assert.equal(result.state, "ACKNOWLEDGED", name);
      assert.equal(await fileSha256(result.path), contentSha256(SIZE, 11), name);
    }
    // Each of the three hops was followed, then the file itself was fetched.
    const seen = new Set(server.requests.map((r) => r.path));
    for (const hop of ["/redirect/3/ok/", "/redirect/2/ok/", "/redirect/1/ok/", "/ok/"]) {
      assert.ok(seen.has(`${hop}${SIZE}?seed=11`), `${hop} was not requested: ${[...seen].join(", ")}`);
    }
  },
});

Deno.test({
  name: "faults: 401 without credentials ends in ERROR with BG_E_HTTP_ERROR_401",
  async fn(): Promise<void> {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    const result = await fetchWithBits(session, server.url(`/auth/ann/secret/${SIZE}`), "auth");
    assert.equal(result.state, "ERROR");
    assert.equal(result.error?.code, "BG_E_HTTP_ERROR_401");
    await assert.rejects(Deno.stat(result.path), Deno.errors.NotFound);
  },
});

Deno.test({
  name: "faults: truncated bodies, dropped connections, 403 and 500 pages never pass the integrity check",
  async fn(): Promise<void> {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    const cases = [
      ["truncate", `/truncate/${SIZE}/50000?seed=12`],
      ["drop", `/drop/${SIZE}/50000?seed=12`],
      ["403", "/status/403"],
      ["500", "/status/500"],
    ];
    for (const [name, path] of cases) {
      const result = await fetchWithBits(session, server.url(path), name);
      if (result.state !== "ACKNOWLEDGED") {
        // Windows BITS refuses these (or keeps retrying); nothing reached the destination.
        assert.ok(!onWine, `${name}: Wine was expected to accept the body, got ${result.state}`);
        await assert.rejects(Deno.stat(result.path), Deno.errors.NotFound);
        continue;
      }
      // BITS called it a success (Wine does for all four): the check must refuse the file and remove it.
      const error = await verifyFile(result.path, { size: SIZE, sha256: contentSha256(SIZE, 12) }, {
        removeOnMismatch: true,
      }).catch((e) => e);
      assert.ok(error instanceof IntegrityError, `${name}: ${error}`);
      assert.equal(error.removed, true);
      assert.notEqual(error.actual.size, SIZE, name);
      await assert.rejects(Deno.stat(result.path), Deno.errors.NotFound);
    }
  },
});

Deno.test({
  name: "faults: the server going down fails the job; resumed after it is back, the job completes intact",
  async fn(): Promise<void> {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    server.stop();
    const path = session.path("down.bin");
    const url = server.url(`/ok/${SIZE}?seed=13`);
    const job = session.track(await session.bits.download([{ url, path }], { displayName: "fault down" }));
    if (onWine) {
      // Wine does not retry: the job goes straight to ERROR, with no detail about the cause.
      const error = await job.wait({ timeout: 60_000 }).then(() => assert.fail("resolved"), (e) => e);
      assert.ok(error instanceof BitsError);
      assert.equal(error.code, "BG_E_ERROR_INFORMATION_UNAVAILABLE");
    } else {
      await job.wait({ until: "TRANSIENT_ERROR", timeout: 120_000 });
    }
    server.start();
    await job.resume();
    await job.wait({ timeout: 60_000 });
    assert.equal(await job.complete(), "completed");
    assert.equal(await fileSha256(path), contentSha256(SIZE, 13));
  },
});

Deno.test({
  name: "faults: transfer() with expectations refuses a truncated body and a 500 page, leaving no file",
  async fn(): Promise<void> {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    const expect = { size: SIZE, sha256: contentSha256(SIZE, 14) };
    for (const [name, path] of [["truncated", `/truncate/${SIZE}/1000?seed=14`], ["500", "/status/500"]]) {
      const dest = session.path(`${name}.bin`);
      const error = await session.bits.transfer([{ url: server.url(path), path: dest, expect }], {
        onFailure: "cancel",
        displayName: `integrity ${name}`,
        timeout: 60_000,
      }).then(() => assert.fail(`${name}: transfer() accepted a corrupt file`), (e) => e);
      assert.ok(error instanceof IntegrityError, `${name}: ${error}`);
      assert.equal(error.expected.sha256, expect.sha256);
      // Wine has no IBackgroundCopyFile3, so the check ran after Complete and rolled the file back.
      if (onWine) assert.equal(error.removed, true, name);
      await assert.rejects(Deno.stat(dest), Deno.errors.NotFound, name);
    }
    // The same call with an intact file succeeds and keeps it.
    const good = session.path("good.bin");
    const result = await session.bits.transfer([{ url: server.url(`/ok/${SIZE}?seed=14`), path: good, expect }], {
      onFailure: "cancel",
      timeout: 60_000,
    });
    assert.equal(result.outcome, "completed");
    assert.equal(await fileSha256(good), expect.sha256);
  },
});

Deno.test({
  name: "faults: transfer() refuses a body of the right length with the wrong bytes, leaving no file",
  async fn(): Promise<void> {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    // The server sends seed 18's bytes where seed 17's are expected: same length, so only the hash can tell.
    const expect = { size: SIZE, sha256: contentSha256(SIZE, 17) };
    const dest = session.path("wrong-bytes.bin");
    const error = await session.bits.transfer([{ url: server.url(`/ok/${SIZE}?seed=18`), path: dest, expect }], {
      onFailure: "cancel",
      displayName: "integrity wrong bytes",
      timeout: 60_000,
    }).then(() => assert.fail("transfer() accepted a file with the wrong content"), (e) => e);
    assert.ok(error instanceof IntegrityError, String(error));
    assert.equal(error.actual.size, SIZE);
    assert.equal(error.actual.sha256, contentSha256(SIZE, 18));
    assert.equal(error.expected.sha256, expect.sha256);
    if (onWine) assert.equal(error.removed, true);
    await assert.rejects(Deno.stat(dest), Deno.errors.NotFound);
  },
});

Deno.test({
  name: "faults: complete({ expect }) refuses an expectation for a file the job does not have, and completes nothing",
  async fn(): Promise<void> {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    const dest = session.path("one.bin");
    const job = session.track(
      await session.bits.download([{ url: server.url(`/ok/${SIZE}?seed=15`), path: dest }], { displayName: "expect" }),
    );
    await job.wait({ timeout: 60_000 });
    const error = await job.complete({ expect: [{ path: session.path("other.bin"), size: 1 }] }).catch((e) => e);
    assert.ok(error instanceof InvalidArgumentError, String(error));
    assert.equal((await job.snapshot()).state, "TRANSFERRED");
    assert.equal(await job.complete({ expect: [{ path: dest.toUpperCase(), size: SIZE }] }), "completed");
    assert.equal(await fileSha256(dest), contentSha256(SIZE, 15));
  },
});

Deno.test({
  name: "faults: CLI download --wait --sha256 exits 1 on a truncated body, names IntegrityError and leaves no file",
  async fn(): Promise<void> {
    await using server = startFaultServer();
    await using session = await BitsSession.open();
    const dest = session.path("cli.bin");
    const sha256 = contentSha256(SIZE, 16);
    const bad = await runCli([
      "download",
      server.url(`/truncate/${SIZE}/999?seed=16`),
      dest,
      "--wait",
      "--timeout",
      "60",
      "--sha256",
      sha256,
      "--json",
    ]);
    assert.equal(bad.code, 1, bad.stderr);
    assertCliJson("download", parseJson(bad));
    const error = parseJson(bad).error as { name: string; expected: { sha256: string }; removed: boolean };
    assert.equal(error.name, "IntegrityError");
    assert.equal(error.expected.sha256, sha256);
    if (onWine) assert.equal(error.removed, true);
    await assert.rejects(Deno.stat(dest), Deno.errors.NotFound);
    const usage = await runCli(["download", server.url(`/ok/${SIZE}`), dest, "--sha256", "abc"]);
    assert.equal(usage.code, 2, usage.stderr);
    const good = await runCli(["download", server.url(`/ok/${SIZE}?seed=16`), dest, "--wait", "--sha256", sha256]);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(await fileSha256(dest), sha256);
  },
});

/**
 * The download root against the real BITS service: a destination inside the
 * root downloads; every escape (`..`, a path elsewhere, a symbolic link
 * leading out, UNC, streams, names Windows rewrites, device names) is refused
 * with an InvalidArgumentError naming the path, and the queue and the
 * directories are exactly as before: nothing was created.
 *
 * The symbolic link: under Wine it is a Linux symbolic link inside the
 * repository (tests/wine/fixtures/root_escape/root/link -> ../outside), which
 * Windows programs see as a plain directory; Deno.realPath resolves it (Wine
 * answers GetFinalPathNameByHandle with the link's target). Wine's own
 * CreateSymbolicLink makes links that resolve nowhere, so the test cannot
 * make one at run time. On Windows a junction in the session directory
 * plays the part.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BitsManager, InvalidArgumentError, wineVersion } from "../../mod.ts";
import { submitWmpJob } from "../../src/wmp/submit.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startServer } from "../support/server.ts";
import { BitsSession } from "../support/wine.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/root_escape/", import.meta.url));

/** A root containing a link `link` that leads to `outside`, outside the root. */
async function linkedRoot(session: BitsSession): Promise<{ root: string; outside: string }> {
  if (wineVersion() !== null) {
    return { root: join(FIXTURE, "root"), outside: join(FIXTURE, "outside") };
  }
  const root = session.path("linked-root");
  const outside = session.path("linked-outside");
  await Deno.mkdir(root);
  await Deno.mkdir(outside);
  await Deno.symlink(outside, join(root, "link"), { type: "junction" });
  return { root, outside };
}

/** Every entry below `dir` (relative names, sorted), without following links. */
function listing(dir: string): string[] {
  const names: string[] = [];
  const walk = (at: string, prefix: string): void => {
    for (const entry of Deno.readDirSync(at)) {
      names.push(prefix + entry.name);
      if (entry.isDirectory && !entry.isSymlink) walk(join(at, entry.name), `${prefix}${entry.name}\\`);
    }
  };
  walk(dir, "");
  return names.sort();
}

const WMP = {
  serviceId: 7,
  provider: "Proseware",
  trackNumber: 1,
  duration: 60,
  rating: 0,
  title: "T",
  albumArtist: "A",
  albumTitle: "B",
};

Deno.test("download root: inside downloads; .., elsewhere, a link out, UNC, streams and rewrites are refused, nothing changes", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const root = session.path("root");
  const outside = session.path("outside");
  await Deno.mkdir(join(root, "sub"), { recursive: true });
  await Deno.mkdir(outside);
  const linked = await linkedRoot(session);
  // The link really leads out: without the root check this path would write there.
  assert.equal(
    (await Deno.realPath(join(linked.root, "link"))).toLowerCase(),
    (await Deno.realPath(linked.outside)).toLowerCase(),
    "the fixture's link does not resolve to its outside directory (symbolic links not checked out?)",
  );

  // A destination inside the root downloads as usual, and the job keeps the root.
  const good = join(root, "sub", "good.bin");
  const url = server.contentUrl(64 * 1024, 3);
  const job = session.track(await session.bits.download([{ url, path: good }], { root }));
  assert.equal(job.root, root);
  assert.equal((await job.wait({ timeout: 120_000 })).state, "TRANSFERRED");
  assert.equal(await job.complete(), "completed");
  assert.equal(await fileSha256(good), contentSha256(64 * 1024, 3));

  const jobsBefore = await session.liveJobIds();
  const before = { root: listing(root), outside: listing(outside), linked: listing(linked.outside) };
  const unchanged = async (label: string): Promise<void> => {
    assert.deepEqual(await session.liveJobIds(), jobsBefore, `${label}: the queue changed`);
    assert.deepEqual(
      { root: listing(root), outside: listing(outside), linked: listing(linked.outside) },
      before,
      `${label}: files changed`,
    );
  };

  const download = (path: string, r = root) => (b: BitsManager) => b.download([{ url, path }], { root: r });
  // `byPath: false`: refused by the checks every destination gets (checkLocalPath), whose message names the
  // argument only; the root's own refusals also quote the path.
  const cases: { name: string; path: string; call: (b: BitsManager) => Promise<unknown>; byPath?: false }[] = [
    {
      name: ".. out of the root",
      path: `${root}\\..\\outside\\x.bin`,
      call: download(`${root}\\..\\outside\\x.bin`),
      byPath: false,
    },
    { name: "an absolute path elsewhere", path: join(outside, "x.bin"), call: download(join(outside, "x.bin")) },
    { name: "a sibling sharing the root's name", path: `${root}2\\x.bin`, call: download(`${root}2\\x.bin`) },
    {
      name: "a symbolic link inside the root leading out",
      path: join(linked.root, "link", "x.bin"),
      call: download(join(linked.root, "link", "x.bin"), linked.root),
    },
    { name: "a UNC path", path: "\\\\127.0.0.1\\share\\x.bin", call: download("\\\\127.0.0.1\\share\\x.bin") },
    {
      name: "an alternate data stream",
      path: `${root}\\x.bin:hidden`,
      call: download(`${root}\\x.bin:hidden`),
      byPath: false,
    },
    { name: "::$DATA", path: `${root}\\x.bin::$DATA`, call: download(`${root}\\x.bin::$DATA`), byPath: false },
    { name: "a trailing dot", path: `${root}\\x.bin.`, call: download(`${root}\\x.bin.`) },
    { name: "a trailing space", path: `${root}\\x.bin `, call: download(`${root}\\x.bin `) },
    { name: "a DOS device name", path: `${root}\\NUL.bin`, call: download(`${root}\\NUL.bin`) },
    {
      name: "forward slashes climbing out",
      path: `${root}/../outside/x.bin`,
      call: download(`${root}/../outside/x.bin`),
    },
    {
      name: "the second of two files (nothing is created for the first)",
      path: join(outside, "two.bin"),
      call: (b) =>
        b.download([{ url, path: join(root, "one.bin") }, { url, path: join(outside, "two.bin") }], { root }),
    },
    {
      name: "transfer()",
      path: join(outside, "t.bin"),
      call: (b) => b.transfer([{ url, path: join(outside, "t.bin") }], { root, onFailure: "cancel" }),
    },
    {
      name: "a WMP submission",
      path: join(outside, "a.wma"),
      call: (b) => submitWmpJob(b, { url, path: join(outside, "a.wma"), metadata: WMP, root }),
    },
  ];
  for (const c of cases) {
    const error = await c.call(session.bits).then(() => undefined, (e) => e);
    assert.ok(error instanceof InvalidArgumentError, `${c.name}: expected an InvalidArgumentError, got ${error}`);
    assert.match(error.argument, /^files\[\d\]\.path$|^path$/, `${c.name}: argument ${error.argument}`);
    if (c.byPath !== false) {
      assert.ok(error.message.includes(JSON.stringify(c.path)), `${c.name}: the message must name the path: ${error}`);
    }
    await unchanged(c.name);
  }
});

Deno.test("download root: a job created with a root refuses files added outside it, and adds none", async () => {
  await using session = await BitsSession.open();
  const root = session.path("root");
  await Deno.mkdir(root);
  const missing = session.path("no-such-root");
  // A root that does not exist is refused before any job exists.
  const before = await session.liveJobIds();
  await assert.rejects(
    session.bits.createJob("root-missing", { root: missing }),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "root",
  );
  assert.deepEqual(await session.liveJobIds(), before);

  const job = session.track(await session.bits.createJob("root-enforced", { root }));
  assert.equal(job.root, root);
  const url = "http://127.0.0.1:9/x.bin";
  await assert.rejects(
    job.addFiles([{ url, path: join(root, "in.bin") }, { url, path: session.path("out.bin") }]),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "files[1].path",
  );
  await assert.rejects(
    job.addFile(url, `${root}\\..\\out.bin`),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "localPath",
  );
  // A call's own root narrows further; it cannot widen the job's.
  await assert.rejects(
    job.addFiles([{ url, path: join(root, "in.bin") }], { root: join(root, "narrower") }),
    InvalidArgumentError,
  );
  assert.equal((await job.snapshot()).progress.filesTotal, 0);
  await job.addFiles([{ url, path: join(root, "in.bin") }]);
  assert.equal((await job.snapshot()).progress.filesTotal, 1);
  assert.deepEqual(listing(root), []);
});

/**
 * The Windows Media Player convention against the real BITS service: submit,
 * read the description back, finish a WMP_STATUS job into a library, the
 * collection view, the guard on WMP_JOB jobs, RefreshDownload in the registry,
 * and bad input that leaves no job behind.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { InvalidArgumentError, WmpJobOwnedError } from "../../mod.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startServer } from "../support/server.ts";
import { assertCliJson } from "../support/cli_schema.ts";
import { BitsSession, parseJson, runCli } from "../support/wine.ts";
import {
  downloadCollection,
  finishWmpStatusJob,
  formatWmpDescription,
  getRefreshDownload,
  parseWmpDescription,
  setRefreshDownload,
  submitWmpJob,
  WmpConventionError,
  type WmpMetadata,
} from "../../wmp.ts";

const META: WmpMetadata = {
  serviceId: 305419896,
  provider: "Proseware",
  albumArtist: "Ünïcode Ärtist 🎵",
  albumTitle: "Album: Part One".replace(":", "\uFF1A"),
  trackNumber: 3,
  title: "Track/Title?",
  duration: 245,
  rating: 75,
};

Deno.test("a WMP_STATUS job round-trips its description, transfers, and is filed in the library", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const size = 400_000;
  const job = session.track(
    await submitWmpJob(session.bits, {
      url: server.contentUrl(size, 21),
      path: session.path("incoming.mp3"),
      metadata: META,
      kind: "status",
    }),
  );
  const queued = await job.snapshot();
  assert.equal(queued.description, formatWmpDescription(META, { kind: "status" }));
  assert.deepEqual(parseWmpDescription(queued.description), { ...META, kind: "status" });
  assert.equal(queued.displayName, META.title);
  await job.wait({ timeout: 60_000 });

  const [item] = await downloadCollection(session.bits, META.serviceId);
  assert.equal(item.jobId, job.id);
  assert.deepEqual([item.kind, item.downloadState, item.progress, item.size], ["status", 2, size, size]);
  assert.deepEqual(
    ["AlbumArtist", "Album", "Duration", "WM/Provider", "Title", "UserRating", "WM/TrackNumber"].map((n) =>
      item.getItemInfo(n as Parameters<typeof item.getItemInfo>[0])
    ),
    [META.albumArtist, META.albumTitle, "245", "Proseware", META.title, "75", "3"],
  );
  assert.equal((await downloadCollection(session.bits, META.serviceId + 1)).length, 0);

  const library = session.path("Library");
  const finished = await finishWmpStatusJob(job, library);
  assert.equal(finished.path, join(library, META.albumArtist, META.albumTitle, "03 Track_Title_.mp3"));
  assert.equal(await fileSha256(finished.path), contentSha256(size, 21));
  await assert.rejects(Deno.stat(session.path("incoming.mp3")), Deno.errors.NotFound);
  assert.equal((await job.snapshot()).state, "ACKNOWLEDGED");
  // Windows drops acknowledged jobs from the queue; Wine lists them as completed until reaped.
  const after = await downloadCollection(session.bits, META.serviceId);
  assert.ok(after.length === 0 || after[0].downloadState === 3, JSON.stringify(after));
});

Deno.test("finishing into an occupied library path changes nothing", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const meta = { ...META, serviceId: 42, title: "Taken" };
  const job = session.track(
    await submitWmpJob(session.bits, {
      url: server.contentUrl(1000, 22),
      path: session.path("taken.wma"),
      metadata: meta,
      kind: "status",
    }),
  );
  await job.wait({ timeout: 60_000 });
  const library = session.path("Lib");
  const occupied = join(library, meta.albumArtist, meta.albumTitle, "03 Taken.wma");
  await Deno.mkdir(join(library, meta.albumArtist, meta.albumTitle), { recursive: true });
  await Deno.writeTextFile(occupied, "already here");
  const result = await runCli(["wmp", "finish", job.id, "--library", library, "--json"]);
  assert.equal(result.code, 1, result.stderr);
  assertCliJson("wmp finish", parseJson(result));
  assert.match(result.stderr, /LibraryFileExistsError/);
  assert.equal(await Deno.readTextFile(occupied), "already here");
  assert.equal((await job.snapshot()).state, "TRANSFERRED");
});

Deno.test("a WMP_JOB job belongs to the Player: complete and cancel are refused unless forced", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const job = session.track(
    await submitWmpJob(session.bits, {
      url: server.contentUrl(2000, 23),
      path: session.path("player.wma"),
      metadata: { ...META, serviceId: 7 },
    }),
  );
  await job.wait({ timeout: 60_000 });
  await assert.rejects(job.complete(), WmpJobOwnedError);
  await assert.rejects(job.cancel(), WmpJobOwnedError);
  const cli = await runCli(["complete", job.id]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /WmpJobOwnedError: .*Windows Media Player job/);
  assert.match(cli.stderr, /--force/);
  assert.equal((await job.snapshot()).state, "TRANSFERRED");

  const forced = await runCli(["complete", job.id, "--force", "--json"]);
  assert.equal(forced.code, 0, forced.stderr);
  assertCliJson("complete", parseJson(forced));
  assert.equal(parseJson(forced).outcome, "completed");
  assert.equal(await fileSha256(session.path("player.wma")), contentSha256(2000, 23));
});

Deno.test("RefreshDownload round-trips through the registry, seen by another process", async () => {
  const original = getRefreshDownload();
  try {
    assert.deepEqual(setRefreshDownload(true), { value: 1, enabled: true });
    const shown = await runCli(["wmp", "refresh", "--status", "--json"]);
    assert.equal(shown.code, 0, shown.stderr);
    assertCliJson("wmp refresh", parseJson(shown));
    assert.deepEqual(parseJson(shown).refreshDownload, { value: 1, enabled: true });
    const disabled = await runCli(["wmp", "refresh", "--disable", "--json"]);
    assertCliJson("wmp refresh", parseJson(disabled));
    assert.deepEqual(parseJson(disabled).refreshDownload, { value: 0, enabled: false });
    assert.deepEqual(getRefreshDownload(), { value: 0, enabled: false });
  } finally {
    if (original.value !== null) setRefreshDownload(original.enabled);
  }
});

Deno.test("bad WMP input is refused before a job exists", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const before = await session.liveJobIds();
  const url = server.contentUrl(1000, 24);
  await assert.rejects(
    submitWmpJob(session.bits, { url, path: session.path("video.mp4"), metadata: META }),
    InvalidArgumentError,
  );
  await assert.rejects(
    submitWmpJob(session.bits, { url, path: session.path("a.mp3"), metadata: { ...META, title: "a:b" } }),
    (e: unknown) => e instanceof WmpConventionError && e.field === "title",
  );
  const cli = await runCli([
    "submit",
    url,
    session.path("b.mp3"),
    "--provider",
    "Proseware",
    "--track",
    "1",
    "--duration",
    "10",
    "--rating",
    "42",
    "--json",
  ]);
  assert.equal(cli.code, 2, cli.stderr);
  assertCliJson("submit", parseJson(cli));
  assert.equal((parseJson(cli).error as { field: string }).field, "rating");
  const wrongExtension = await runCli([
    "submit",
    url,
    session.path("c.wav"),
    "--provider",
    "P",
    "--track",
    "1",
    "--duration",
    "1",
  ]);
  assert.equal(wrongExtension.code, 2);
  assert.deepEqual(await session.liveJobIds(), before);
  assert.equal(server.requests.length, 0);
});

Deno.test("the CLI submits a WMP_STATUS job and lists it in the collection view", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const submitted = await runCli([
    "submit",
    server.contentUrl(5000, 25),
    session.path("cli.asf"),
    "--provider",
    "Proseware",
    "--artist",
    "CLI Artist",
    "--album",
    "CLI Album",
    "--track",
    "12",
    "--title",
    "CLI Title",
    "--duration",
    "61",
    "--rating",
    "99",
    "--service-id",
    "2147483647",
    "--status",
    "--json",
  ]);
  assert.equal(submitted.code, 0, submitted.stderr);
  assertCliJson("submit", parseJson(submitted));
  const doc = parseJson(submitted) as unknown as { job: { id: string; description: string }; serviceId: number };
  assert.equal(doc.serviceId, 2147483647);
  assert.equal(doc.job.description, "::WMP_STATUS:1:2147483647:Proseware:CLI Artist:CLI Album:12:CLI Title:61:99");
  const job = session.track(await session.bits.getJob(doc.job.id));
  await job.wait({ timeout: 60_000 });
  const listedDoc = parseJson(await runCli(["wmp", "list", "--service-id", "2147483647", "--json"]));
  assertCliJson("wmp list", listedDoc);
  const listed = listedDoc as unknown as {
    items: { jobId: string; downloadStateName: string; size: number; info: Record<string, string> }[];
  };
  assert.equal(listed.items.length, 1);
  assert.deepEqual(
    [listed.items[0].jobId, listed.items[0].downloadStateName, listed.items[0].size, listed.items[0].info.Title],
    [job.id, "processing", 5000, "CLI Title"],
  );
  const filed = await runCli(["wmp", "finish", job.id, "--library", session.path("L"), "--json"]);
  assert.equal(filed.code, 0, filed.stderr);
  assertCliJson("wmp finish", parseJson(filed));
  assert.equal(parseJson(filed).path, join(session.path("L"), "CLI Artist", "CLI Album", "12 CLI Title.asf"));
});

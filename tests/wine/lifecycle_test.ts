/**
 * Job lifecycle across processes: visibility from a second process, cancel of
 * a queued job, a CLI download completed by another CLI process, and bad input
 * refused without touching the queue or the disk.
 */

import assert from "node:assert/strict";
import { BitsError, InvalidArgumentError } from "../../mod.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startServer } from "../support/server.ts";
import { assertCliJson } from "../support/cli_schema.ts";
import { BitsSession, eventually, parseJson, runCli } from "../support/wine.ts";

Deno.test("a job is visible in the list and by id from a second process", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: server.contentUrl(1000, 3), path: session.path("visible.bin") }], {
      displayName: "visible from another process",
      description: "second-process check",
      suspended: true,
    }),
  );
  const listed = parseJson(await runCli(["list", "--json"]));
  assertCliJson("list", listed);
  assert.equal(listed.version, 1);
  const entry = (listed.jobs as { id: string; state: string; displayName: string }[]).find((j) => j.id === job.id);
  assert.deepEqual(entry && [entry.state, entry.displayName], ["SUSPENDED", "visible from another process"]);

  const info = await runCli(["info", job.id.slice(1, -1).toLowerCase(), "--json"]);
  assert.equal(info.code, 0, info.stderr);
  assertCliJson("info", parseJson(info));
  const document = parseJson(info) as unknown as {
    version: number;
    job: { id: string; description: string; progress: { filesTotal: number } };
    files: { remoteName: string }[];
  };
  assert.equal(document.version, 1);
  assert.equal(document.job.id, job.id);
  assert.equal(document.job.description, "second-process check");
  assert.equal(document.job.progress.filesTotal, 1);
  assert.equal(document.files[0].remoteName, server.contentUrl(1000, 3));
});

Deno.test("cancelling a queued job removes it from the live queue and writes no file", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  // BITS on Wine transfers one job at a time, so a trickled job keeps the next one QUEUED.
  // The blocker then finishes on its own: cancelling a job mid-transfer crashes Wine's BITS
  // service at the next transfer (docs/compat.md), so no test does that.
  const blocker = session.track(
    await session.bits.download([{ url: server.contentUrl(600_000, 9, 300_000), path: session.path("slow.bin") }], {
      displayName: "blocker",
    }),
  );
  await eventually(() => blocker.snapshot(), (s) => s.state === "TRANSFERRING" || s.state === "CONNECTING");
  const queuedPath = session.path("queued.bin");
  const queued = session.track(
    await session.bits.download([{ url: server.contentUrl(1000, 4), path: queuedPath }], { displayName: "queued" }),
  );
  const before = await queued.snapshot();
  if (await isWine()) assert.equal(before.state, "QUEUED");
  assert.ok((await session.liveJobIds()).has(queued.id));

  const outcome = await queued.cancel();
  assert.ok(outcome === "cancelled" || outcome === "unable-to-delete-files", outcome);
  assert.equal((await session.liveJobIds()).has(queued.id), false);
  const lookup = await session.bits.getJob(queued.id).then((j) => j.snapshot().finally(() => j.dispose()), (e) => e);
  // Windows forgets cancelled jobs (BG_E_NOT_FOUND); Wine still shows them as CANCELLED.
  assert.ok(
    (lookup instanceof BitsError && lookup.code === "BG_E_NOT_FOUND") ||
      (!(lookup instanceof Error) && lookup.state === "CANCELLED"),
    String(lookup instanceof Error ? lookup : JSON.stringify(lookup)),
  );
  await blocker.wait({ timeout: 60_000 });
  assert.equal(await blocker.complete(), "completed");
  await assert.rejects(Deno.stat(queuedPath), Deno.errors.NotFound);
  assert.equal(
    server.requests.filter((r) => r.startsWith("/content/1000?")).length,
    0,
    "the cancelled job was fetched",
  );
});

Deno.test("a download started by the CLI in one process is completed by the CLI in another", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const size = 300_000;
  const dest = session.path("cli download.bin");
  const started = await runCli(["download", server.contentUrl(size, 11), dest, "--json", "--name", "cli job"]);
  assert.equal(started.code, 0, started.stderr);
  const { job } = parseJson(started) as unknown as { job: { id: string; displayName: string } };
  assert.equal(job.displayName, "cli job");
  const handle = session.track(await session.bits.getJob(job.id));
  await handle.wait({ timeout: 60_000 });

  const completed = await runCli(["complete", job.id]);
  assert.equal(completed.code, 0, completed.stderr);
  assert.match(completed.stdout, /Completed job/);
  assert.equal(await fileSha256(dest), contentSha256(size, 11));
  assert.equal((await handle.snapshot()).state, "ACKNOWLEDGED");

  // Completing again is a BITS error (the job is final), exit code 1, named on stderr.
  const again = await runCli(["complete", job.id, "--json"]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /BG_E_INVALID_STATE/);
  assertCliJson("complete", parseJson(again));
  assert.equal((parseJson(again).error as { name: string }).name, "BG_E_INVALID_STATE");
});

Deno.test("download --wait completes the job and reports the file", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const dest = session.path("waited.bin");
  const result = await runCli([
    "download",
    server.contentUrl(200_000, 12),
    dest,
    "--wait",
    "--timeout",
    "120",
    "--json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const document = parseJson(result) as unknown as {
    outcome: string;
    job: { state: string };
    files: { bytes: number }[];
  };
  assert.deepEqual([document.outcome, document.job.state, document.files[0].bytes], [
    "completed",
    "TRANSFERRED",
    200_000,
  ]);
  assert.equal(await fileSha256(dest), contentSha256(200_000, 12));
});

Deno.test("a job id that does not exist gives BG_E_NOT_FOUND and exit code 4", async () => {
  await using session = await BitsSession.open();
  const missing = "{00000000-1111-2222-3333-444444444444}";
  await assert.rejects(
    session.bits.getJob(missing),
    (e: unknown) => e instanceof BitsError && e.code === "BG_E_NOT_FOUND",
  );
  const result = await runCli(["cancel", missing]);
  assert.equal(result.code, 4);
  assert.match(result.stderr, /BG_E_NOT_FOUND/);
});

Deno.test("bad input is refused with a typed error and changes neither the queue nor the disk", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const existing = session.path("keep.txt");
  await Deno.writeTextFile(existing, "precious");
  const before = await session.liveJobIds();
  const url = server.contentUrl(1000, 5);
  const cases: [string, () => Promise<unknown>][] = [
    ["existing destination", () => session.bits.download([{ url, path: existing }])],
    ["missing directory", () => session.bits.download([{ url, path: session.path("no\\such\\dir\\f.bin") }])],
    ["relative destination", () => session.bits.download([{ url, path: "relative.bin" }])],
    ["ftp URL", () => session.bits.download([{ url: "ftp://127.0.0.1/x", path: session.path("a.bin") }])],
    [
      "second file invalid",
      () =>
        session.bits.download([{ url, path: session.path("ok.bin") }, {
          url: "javascript:alert(1)",
          path: session.path("b.bin"),
        }]),
    ],
    ["display name too long", () => session.bits.createJob("x".repeat(257))],
    ["description too long", () => session.bits.createJob("ok", { description: "d".repeat(1025) })],
    ["NUL in display name", () => session.bits.createJob("a\0b")],
  ];
  for (const [name, attempt] of cases) {
    await assert.rejects(attempt(), InvalidArgumentError, name);
  }
  const cli = await runCli(["download", url, existing]);
  assert.equal(cli.code, 2, cli.stderr);
  assert.match(cli.stderr, /InvalidArgumentError: .*already exists/);
  assert.deepEqual(await session.liveJobIds(), before);
  assert.equal(await Deno.readTextFile(existing), "precious");
  assert.ok(!server.requests.length, `BITS contacted the server: ${server.requests}`);
});

async function isWine(): Promise<boolean> {
  const { wineVersion } = await import("../../mod.ts");
  return wineVersion() !== null;
}

/**
 * A closed stdout or stderr under Windows semantics (deno.exe, Wine's pipes):
 * the CLI ends quietly with 141, never "Pipe not connected" or a stack
 * trace, and never leaves a half-made job: a download whose stdout closes
 * is either whole (created, its file added, resumed) or absent.
 */

import assert from "node:assert/strict";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { runWithClosed } from "../support/closed_output.ts";
import { startServer } from "../support/server.ts";
import { BitsSession, CLI_PERMISSIONS } from "../support/wine.ts";

Deno.test("closed stdout under Windows: help and version --json end quietly with 141", async () => {
  for (const args of [["set", "--help"], ["--help"], ["version", "--json"]]) {
    const result = await runWithClosed("stdout", CLI_PERMISSIONS, args);
    assert.equal(result.code, 141, `${args.join(" ")}: ${result.other}`);
    assert.equal(result.other, "", `${args.join(" ")}: nothing on stderr`);
  }
});

Deno.test("closed stdout: a download ends quietly with 141 and its job is whole (resumed, its file, the right bytes)", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const name = `cli closed stdout ${crypto.randomUUID().slice(0, 8)}`;
  const dest = session.path("closed.bin");
  const result = await runWithClosed("stdout", CLI_PERMISSIONS, [
    "download",
    server.contentUrl(7000, 37),
    dest,
    "--name",
    name,
    "--priority",
    "HIGH",
    "--json",
  ]);
  assert.equal(result.code, 141, result.other);
  assert.equal(result.other, "");
  const jobs = (await session.bits.listJobs()).filter((j) => j.displayName === name);
  assert.equal(jobs.length, 1, "exactly one job, made in full");
  const job = session.track(await session.bits.getJob(jobs[0].id));
  assert.notEqual((await job.snapshot()).state, "SUSPENDED", "it was resumed");
  assert.equal((await job.files()).length, 1);
  await job.wait({ timeout: 60_000 });
  assert.equal(await job.complete(), "completed");
  assert.equal(await fileSha256(dest), contentSha256(7000, 37));
});

Deno.test("closed stderr: a refused download keeps its status (2), prints nothing and creates no job", async () => {
  await using session = await BitsSession.open();
  const before = await session.liveJobIds();
  const name = `cli closed stderr ${crypto.randomUUID().slice(0, 8)}`;
  const result = await runWithClosed("stderr", CLI_PERMISSIONS, [
    "download",
    "http://127.0.0.1:9/x.bin",
    session.path("never.bin"),
    "--name",
    name,
    "--priority",
    "URGENT",
  ]);
  assert.equal(result.code, 2);
  assert.equal(result.other, "");
  const after = await session.liveJobIds();
  assert.deepEqual([...after].filter((id) => !before.has(id)), []);
});

/**
 * Jobs addressed as people name them, through the CLI as a user runs it:
 * a unique GUID prefix, a unique display name; an ambiguous reference is bad
 * input (exit 2, nothing done) and an unknown one is "not found" (exit 4).
 */

import assert from "node:assert/strict";
import { assertCliJson } from "../support/cli_schema.ts";
import { BitsSession, parseJson, runCli } from "../support/wine.ts";

Deno.test("CLI: jobs are found by unique id prefix or display name; ambiguity changes nothing", async () => {
  await using session = await BitsSession.open();
  const tag = crypto.randomUUID().slice(0, 8);
  const twinA = session.track(await session.bits.createJob(`twin ${tag}`));
  const twinB = session.track(await session.bits.createJob(`twin ${tag}`));
  const single = session.track(await session.bits.createJob(`single ${tag}`));

  const byName = parseJson(await runCli(["info", `single ${tag}`, "--json"]));
  assertCliJson("info", byName);
  assert.equal((byName.job as { id: string }).id, single.id);

  // The shortest prefix that tells this job apart from every other job in the queue.
  const ids = (await session.bits.listJobs()).map((j) => j.id.slice(1).toLowerCase());
  const own = single.id.slice(1).toLowerCase();
  let length = 4;
  while (ids.filter((id) => id.startsWith(own.slice(0, length))).length > 1) length++;
  const byPrefix = parseJson(await runCli(["info", own.slice(0, length), "--json"]));
  assertCliJson("info", byPrefix);
  assert.equal((byPrefix.job as { id: string }).id, single.id);

  const before = await session.liveJobIds();
  const ambiguous = await runCli(["cancel", `twin ${tag}`]);
  assert.equal(ambiguous.code, 2, ambiguous.stderr);
  assert.match(ambiguous.stderr, /matches 2 jobs/);
  assert.ok(ambiguous.stderr.includes(twinA.id) && ambiguous.stderr.includes(twinB.id), ambiguous.stderr);
  assert.deepEqual(await session.liveJobIds(), before, "an ambiguous cancel must not cancel anything");

  const unknown = await runCli(["info", `nobody ${tag}`]);
  assert.equal(unknown.code, 4, unknown.stderr);
  assert.match(unknown.stderr, /BG_E_NOT_FOUND/);
});

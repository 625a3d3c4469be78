/**
 * The operations commands against the real BITS, spawned as a user runs them:
 * list (filters, order), info --verbose, watch and wait by id prefix and
 * display name, clean (this module's failed jobs only, dry run first, never a
 * running job), and probe with the Windows Deno's fetch.
 */

import assert from "node:assert/strict";
import { type JobSnapshot, wineVersion } from "../../mod.ts";
import { assertCliJson } from "../support/cli_schema.ts";
import { startFaultServer } from "../support/faults.ts";
import { startServer } from "../support/server.ts";
import { BitsSession, type CliResult, eventually, parseJson, runCli } from "../support/wine.ts";
import { DEFAULT_JOB_DESCRIPTION } from "../../src/create_job.ts";
import { formatWmpDescription } from "../../wmp.ts";

const ON_WINE = wineVersion() !== null;

/** Runs the CLI with the network permission `probe` needs (loopback only), which the other commands do without. */
function runCliWithNet(args: readonly string[]): Promise<CliResult> {
  return runCli(args, undefined, ["--allow-net=127.0.0.1"]);
}

/** Runs the CLI with --json, checks the exit code and the document's schema, returns the document. */
async function cliJson(args: readonly string[], code = 0): Promise<Record<string, unknown>> {
  const result = await runCli([...args, "--json"]);
  assert.equal(result.code, code, `${args.join(" ")}: exit ${result.code}\n${result.stdout}\n${result.stderr}`);
  const document = parseJson(result);
  assertCliJson(args[0] === "wmp" ? `wmp ${args[1]}` : args[0], document);
  return document;
}

/** The shortest prefix of `id` (hex digits) that no other job in the queue shares. */
async function uniquePrefix(session: BitsSession, id: string): Promise<string> {
  const ids = (await session.bits.listJobs()).map((j) => j.id.slice(1).toLowerCase());
  const own = id.slice(1).toLowerCase();
  let length = 4;
  while (ids.filter((other) => other.startsWith(own.slice(0, length))).length > 1) length++;
  return own.slice(0, length);
}

Deno.test("CLI list: --state and --name select, newest first; JSON matches list.schema.json", async () => {
  await using session = await BitsSession.open();
  const tag = crypto.randomUUID().slice(0, 8);
  const made = [];
  for (const letter of ["a", "b", "c"]) made.push(session.track(await session.bits.createJob(`ops ${tag} ${letter}`)));
  const ids = (document: Record<string, unknown>): string[] => (document.jobs as JobSnapshot[]).map((j) => j.id);

  const all = await cliJson(["list", "--name", `ops ${tag}`]);
  assert.deepEqual(ids(all), made.map((j) => j.id).reverse(), "newest first");
  const times = (all.jobs as { creationTime: string | null }[]).map((j) => j.creationTime);
  if (ON_WINE) assert.deepEqual(times, [null, null, null], "Wine reports no job times: BITS' order stands");
  else assert.ok(times.every((t) => t !== null), "Windows reports creation times");

  assert.deepEqual(ids(await cliJson(["list", "--name", `OPS ${tag} ?`])), made.map((j) => j.id).reverse(), "glob");
  assert.deepEqual(ids(await cliJson(["list", "--name", `${tag} b`])), [made[1].id], "substring");
  assert.deepEqual(ids(await cliJson(["list", "--name", `ops ${tag}`, "--state", "error"])), []);
  assert.equal(
    ids(await cliJson(["list", "--name", `ops ${tag}`, "--state", "Suspended,error", "--state", "queued"])).length,
    3,
  );
  const bad = await runCli(["list", "--state", "stuck"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown state "stuck"; valid states: QUEUED, CONNECTING, TRANSFERRING, SUSPENDED, ERROR/);

  const human = await runCli(["list", "--name", `ops ${tag}`]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^ID +STATE +BYTES +FILES +NAME$/m);
  assert.equal(human.stdout.trimEnd().split("\n").length, 4, human.stdout);
  assert.equal((await runCli(["list", "--name", `nothing ${tag}`])).stdout, "No matching jobs.\n");
});

Deno.test("CLI info --verbose: details and properties, custom header values hidden", async () => {
  await using session = await BitsSession.open();
  const tag = crypto.randomUUID().slice(0, 8);
  const job = session.track(await session.bits.createJob(`ops ${tag} info`));
  assert.equal((await job.snapshot()).description, DEFAULT_JOB_DESCRIPTION, "the module's mark on its jobs");
  const secret = `s3cret-${tag}`;
  await job.setProperties({ customHeaders: [`X-Api-Key: ${secret}`] });

  const plain = await cliJson(["info", job.id]);
  assert.ok(!("details" in plain) && !("properties" in plain), "only --verbose adds details and properties");

  const result = await runCli(["info", `ops ${tag} info`, "--verbose", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const document = parseJson(result) as unknown as {
    details: { id: string; creationTime: string | null; unsupported: string[] };
    properties: { values: { customHeaders?: string[]; description?: string }; unsupported: string[] };
  };
  assertCliJson("info", document);
  assert.equal(document.details.id, job.id);
  assert.deepEqual(document.properties.values.customHeaders, ["X-Api-Key: (hidden)"]);
  assert.equal(document.properties.values.description, DEFAULT_JOB_DESCRIPTION);
  if (ON_WINE) {
    assert.ok(document.details.unsupported.includes("times"), document.details.unsupported.join());
    assert.equal(document.details.creationTime, null);
    assert.ok(document.properties.unsupported.includes("dynamicContent"), "Wine has no IBackgroundCopyJob5");
  } else {
    assert.notEqual(document.details.creationTime, null);
  }
  assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), "the header value never shows");

  const human = await runCli(["info", job.id, "--verbose"]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^Created: +/m);
  assert.match(human.stdout, /^Properties:$/m);
  assert.match(human.stdout, /customHeaders +X-Api-Key: \(hidden\)/);
  assert.ok(!human.stdout.includes(secret) && !human.stderr.includes(secret));
});

Deno.test("CLI watch and wait find jobs by unique id prefix and by display name", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const tag = crypto.randomUUID().slice(0, 8);
  const name = `ops ${tag} watched`;
  const job = session.track(
    await session.bits.download([{ url: server.contentUrl(50_000, 5), path: session.path("watched.bin") }], {
      displayName: name,
    }),
  );
  await job.wait({ timeout: 60_000 });
  const prefix = await uniquePrefix(session, job.id);

  const waited = await cliJson(["wait", prefix, "--interval", "0.2"]);
  assert.deepEqual([(waited.job as JobSnapshot).id, (waited.job as JobSnapshot).state], [job.id, "TRANSFERRED"]);

  const watched = await runCli(["watch", name, "--json", "--interval", "0.2"]);
  assert.equal(watched.code, 0, watched.stderr);
  const events = watched.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
  assert.ok(events.length > 0);
  for (const event of events) {
    assertCliJson("watch", event);
    assert.equal(event.jobId, job.id);
  }
  const byPrefix = await runCli(["watch", prefix, "--json", "--interval", "0.2"]);
  assert.equal(byPrefix.code, 0, byPrefix.stderr);
  assert.ok(byPrefix.stdout.includes(job.id));

  session.track(await session.bits.createJob(`ops ${tag} twin`));
  session.track(await session.bits.createJob(`ops ${tag} twin`));
  for (const command of ["wait", "watch"]) {
    const ambiguous = await runCli([command, `ops ${tag} twin`]);
    assert.equal(ambiguous.code, 2, `${command}: ${ambiguous.stderr}`);
    assert.match(ambiguous.stderr, /matches 2 jobs/);
    const unknown = await runCli([command, `nobody ${tag}`]);
    assert.equal(unknown.code, 4, `${command}: ${unknown.stderr}`);
  }

  const completed = await cliJson(["wait", name, "--complete"]);
  assert.equal(completed.outcome, "completed");
  assert.equal((await Deno.stat(session.path("watched.bin"))).size, 50_000);
});

const WMP = {
  serviceId: 31337,
  provider: "Proseware",
  albumArtist: "A",
  albumTitle: "B",
  trackNumber: 1,
  title: "T",
  duration: 60,
  rating: 0,
};

interface CleanDoc {
  dryRun: boolean;
  actions: { jobId: string; state: string; reason: string; action: string; outcome: string; message?: string }[];
}

Deno.test("CLI clean: this module's failed jobs only, a dry run unless asked, never a running job", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const tag = crypto.randomUUID().slice(0, 8);
  const missing = `${server.origin}/status/404`;
  const failing = async (name: string, description?: string) =>
    session.track(
      await session.bits.download([{ url: missing, path: session.path(`${name}.bin`) }], {
        displayName: `ops ${tag} ${name}`,
        description,
      }),
    );
  const own = await failing("own-error");
  const other = await failing("other-error", "another program's job");
  const wmp = await failing("wmp-error", formatWmpDescription(WMP, { kind: "job" }));
  for (const job of [own, other, wmp]) await eventually(() => job.snapshot(), (s) => s.state === "ERROR");
  assert.equal((await own.snapshot()).description, DEFAULT_JOB_DESCRIPTION);
  const idle = session.track(await session.bits.createJob(`ops ${tag} own-idle`));
  // Trickled for about ten seconds: still transferring while clean runs.
  const running = session.track(
    await session.bits.download(
      [{ url: server.contentUrl(1_000_000, 6, 100_000), path: session.path("running.bin") }],
      { displayName: `ops ${tag} own-running` },
    ),
  );
  await eventually(() => running.snapshot(), (s) => s.state === "CONNECTING" || s.state === "TRANSFERRING");
  const scope = ["--name", `ops ${tag}`];
  // Both cancel outcomes are success; Wine reports unable-to-delete-files when the failed job never wrote its file.
  const jobsOf = (doc: CleanDoc): string[][] =>
    doc.actions.map((a) => [
      a.jobId,
      a.reason,
      a.action,
      a.outcome === "unable-to-delete-files" ? "cancelled" : a.outcome,
    ]);

  const dry = await cliJson(["clean", ...scope]) as unknown as CleanDoc;
  assert.equal(dry.dryRun, true);
  assert.deepEqual(jobsOf(dry), [[own.id, "error", "cancel", "dry-run"]]);
  assert.equal((await own.snapshot()).state, "ERROR", "a dry run changes nothing");
  const human = await runCli(["clean", ...scope]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^Dry run: nothing was changed\./m);
  assert.match(human.stdout, /^Left alone: 2 job\(s\) of other programs/m);

  const aged = await runCli(["clean", ...scope, "--older-than", "1m", "--json"]);
  assert.equal(aged.code, 0, aged.stderr);
  assert.deepEqual(jobsOf(parseJson(aged) as unknown as CleanDoc), jobsOf(dry), "the idle job is not a minute old");
  if (ON_WINE) assert.match(aged.stderr, /does not report job times/);

  const cancelled = await cliJson(["clean", ...scope, "--cancel"]) as unknown as CleanDoc;
  assert.equal(cancelled.dryRun, false);
  assert.deepEqual(jobsOf(cancelled), [[own.id, "error", "cancel", "cancelled"]]);
  assert.ok(!(await session.liveJobIds()).has(own.id));
  assert.deepEqual(
    [(await other.snapshot()).state, (await wmp.snapshot()).state, (await idle.snapshot()).state],
    ["ERROR", "ERROR", "SUSPENDED"],
  );
  const stillRunning = (await running.snapshot()).state;
  assert.ok(["CONNECTING", "TRANSFERRING", "QUEUED", "TRANSFERRED"].includes(stillRunning), stillRunning);

  const all = await cliJson(["clean", ...scope, "--all", "--cancel"]) as unknown as CleanDoc;
  assert.deepEqual(
    jobsOf(all).sort(),
    [
      [other.id, "error", "cancel", "cancelled"],
      [wmp.id, "error", "cancel", "skipped"],
    ].sort(),
  );
  assert.match(all.actions.find((a) => a.jobId === wmp.id)!.message ?? "", /--force/);
  assert.equal((await wmp.snapshot()).state, "ERROR");

  const forced = await cliJson(["clean", ...scope, "--all", "--force", "--cancel"]) as unknown as CleanDoc;
  assert.deepEqual(jobsOf(forced), [[wmp.id, "error", "cancel", "cancelled"]]);
  assert.ok(!(await session.liveJobIds()).has(wmp.id));
  assert.ok(!jobsOf(forced).some(([id]) => id === running.id || id === idle.id));
  await running.wait({ timeout: 60_000 });
});

Deno.test("CLI probe: the Windows Deno's fetch against the fault server; it needs --allow-net", async () => {
  await using server = startFaultServer();
  const ready = await runCliWithNet(["probe", server.url("/ok/100000"), "--json"]);
  assert.equal(ready.code, 0, ready.stderr);
  const report = parseJson(ready);
  assertCliJson("probe", report);
  assert.deepEqual([report.verdict, report.size, report.rangesHonoured], ["ready", 100000, true]);
  const refused = await runCliWithNet(["probe", server.url("/nohead/1000?sig=abcdef0123"), "--json"]);
  assert.equal(refused.code, 1, refused.stderr);
  const advice = parseJson(refused);
  assertCliJson("probe", advice);
  assert.equal(advice.verdict, "needs-settings");
  assert.ok(!refused.stdout.includes("abcdef0123"));
  const human = await runCliWithNet(["probe", server.url("/norange/1000")]);
  assert.equal(human.code, 1);
  assert.match(human.stdout, /^ {2}dynamicContent = true: /m);
  // The other commands run without network access; probe then says what is missing.
  const denied = await runCli(["probe", server.url("/ok/10")]);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /--allow-net/);
});

// ---- --max-transient-errors, --all-users ----

Deno.test(`wait --max-transient-errors: ${ON_WINE ? "Wine fails the job at once (ERROR, exit 1)" : "gives up after N transient errors (exit 1)"}`, async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  server.stop();
  const job = session.track(
    await session.bits.download([{ url: server.url("/ok/1000?seed=67"), path: session.path("transient.bin") }], {
      displayName: "cli transient limit",
    }),
  );
  const started = Date.now();
  const result = await runCli(["wait", job.id, "--max-transient-errors", "1", "--timeout", "150", "--json"]);
  assert.equal(result.code, 1, result.stderr);
  const error = parseJson({ ...result, command: "wait" }).error as { name: string; message: string };
  if (ON_WINE) {
    // Wine does not retry: the job goes straight to ERROR (faults_test.ts), so the limit is never reached.
    assert.equal(error.name, "BG_E_ERROR_INFORMATION_UNAVAILABLE");
  } else {
    assert.match(error.message, /1 transient errors/);
    assert.match(result.stderr, /^hint: the job stays queued/m);
    assert.ok(Date.now() - started < 150_000, "ended by the limit, not the timeout");
  }
  const usage = await runCli(["wait", job.id, "--max-transient-errors", "0"]);
  assert.equal(usage.code, 2, usage.stderr);
});

Deno.test("clean --all-users: every user's jobs are looked at (Wine's EnumJobs ignores the flag: the same list)", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const job = session.track(
    await session.bits.download([{ url: server.url("/status/404"), path: session.path("all-users.bin") }], {
      displayName: `cli all users ${crypto.randomUUID().slice(0, 8)}`,
    }),
  );
  await job.wait({ timeout: 60_000 }).catch(() => {});
  assert.equal((await job.snapshot()).state, "ERROR");
  // Administrators only on Windows; the bed's user is one.
  const result = await runCli(["clean", "--all-users", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const document = parseJson({ ...result, command: "clean" }) as unknown as {
    dryRun: boolean;
    actions: { jobId: string }[];
  };
  assert.equal(document.dryRun, true);
  assert.ok(document.actions.some((a) => a.jobId === job.id), JSON.stringify(document.actions));
});

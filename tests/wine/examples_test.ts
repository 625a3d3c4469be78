/**
 * Every example in examples/ runs here against the real BITS service, so
 * none rots: each is spawned as a user would run it (the Windows Deno, with
 * exactly the `deno run` flags its header documents) against the local test
 * servers, and its effect is asserted: the file downloaded and intact, the
 * WMP collection read back, the queue watch ended, the upload refused with
 * nothing changed, the retries counted. (examples/demo.ts runs in `deno task
 * demo`.)
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { wineVersion } from "../../mod.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startFaultServer } from "../support/faults.ts";
import { startServer } from "../support/server.ts";
import { BitsSession, type CliResult } from "../support/wine.ts";

const EXAMPLES = new URL("../../examples/", import.meta.url);
const onWine = wineVersion() !== null;

/** The examples this file runs; the first test fails when one is added without a test here. */
const TESTED = ["download_progress.ts", "retry_policy.ts", "upload_reply.ts", "watch_queue.ts", "wmp_store.ts"];

/** What an example may be granted: BITS does the networking, so no example needs --allow-net or more. */
// --allow-write and LOCALAPPDATA: from the package, the embedded shim is installed in %LOCALAPPDATA%\deno-bits.
const ALLOWED_FLAGS = new Set([
  "--allow-ffi",
  "--allow-read",
  "--allow-write",
  "--allow-env=LOCALAPPDATA,BITS_SHIM_PATH",
]);

/** The flags of the `deno run … examples/<name> …` line in the example's header. */
async function documentedFlags(name: string): Promise<string[]> {
  const text = await Deno.readTextFile(new URL(name, EXAMPLES));
  const line = new RegExp(
    String.raw`^ \* deno run ((?:--allow-\S+ )+)examples/${name.replace(".", "\\.")}(?: |$)`,
    "m",
  );
  const match = line.exec(text);
  assert.ok(match, `examples/${name} documents no "deno run --allow-… examples/${name}" line`);
  return match[1].trim().split(" ");
}

/** How long one example may run before it is killed and the test fails (a hang guard). */
const EXAMPLE_TIMEOUT_MS = 120_000;

/** Runs an example in a new Deno process with its documented flags. */
async function runExample(name: string, args: readonly string[]): Promise<CliResult> {
  const killer = new AbortController();
  const timer = setTimeout(() => killer.abort(), EXAMPLE_TIMEOUT_MS);
  try {
    const flags = await documentedFlags(name);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--cached-only", "--no-check", ...flags, new URL(name, EXAMPLES).href, ...args],
      env: { NO_COLOR: "1" },
      stdin: "null",
      signal: killer.signal,
    }).output();
    const decoder = new TextDecoder();
    const result = { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
    if (killer.signal.aborted) throw new Error(`examples/${name} hung and was killed:\n${result.stderr}`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** The job id an example printed (`job {GUID}` or `submitted {GUID}`), tracked so the session cleans it up. */
async function trackPrintedJob(session: BitsSession, result: CliResult): Promise<string> {
  const id = /(?:^job|^submitted) (\{[0-9A-F-]{36}\})/m.exec(result.stdout)?.[1];
  assert.ok(id, `no job id printed:\n${result.stdout}\n${result.stderr}`);
  const job = await session.bits.getJob(id).catch(() => undefined);
  if (job) session.track(job);
  return id;
}

/** The job's state, or "gone" once BITS has dropped it (Windows drops final jobs, Wine keeps them a while). */
async function stateOf(session: BitsSession, id: string): Promise<string> {
  try {
    using job = await session.bits.getJob(id);
    return (await job.snapshot()).state;
  } catch {
    return "gone";
  }
}

/** `@deno-bits/bits` and its subpaths (`@deno-bits/bits/wmp`, …), from the package's `exports`. */
const PUBLIC_SPECIFIERS: ReadonlySet<string> = new Set(
  Object.keys(
    (JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url))) as {
      exports: Record<string, string>;
    }).exports,
  ).map((key) => `@deno-bits/bits${key.slice(1)}`),
);

Deno.test("examples: every example is run here, with least-privilege flags from its own header", async () => {
  const found: string[] = [];
  for await (const entry of Deno.readDir(EXAMPLES)) {
    if (entry.isFile && entry.name.endsWith(".ts") && entry.name !== "demo.ts") found.push(entry.name);
  }
  assert.deepEqual(found.sort(), TESTED, "an example without a test here would rot");
  for (const name of TESTED) {
    const flags = await documentedFlags(name);
    assert.ok(flags.includes("--allow-ffi"), name);
    for (const flag of flags) assert.ok(ALLOWED_FLAGS.has(flag), `${name}: ${flag} is more than an example needs`);
    const source = await Deno.readTextFile(new URL(name, EXAMPLES));
    for (const [, specifier] of source.matchAll(/^(?:import|\}) .*from "([^"]+)";$/gm)) {
      // The package by its name and its subpaths, as a user's program imports it: never its internals.
      assert.ok(PUBLIC_SPECIFIERS.has(specifier) || specifier.startsWith("node:"), `${name} imports ${specifier}`);
    }
  }
});

Deno.test("examples/download_progress.ts: shows progress, completes, and the file is intact", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const size = 3 * 1024 * 1024;
  const dest = session.path("progress.bin");
  // Trickled (about 1.5 s) so there is progress to show.
  const result = await runExample("download_progress.ts", [server.contentUrl(size, 31, 2 * 1024 * 1024), dest]);
  const id = await trackPrintedJob(session, result);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^completed: ${dest.replaceAll("\\", "\\\\")} \\(${size} bytes in `, "m"));
  const lines = result.stderr.split("\n").filter((line) => /^[A-Z_]+ \d/.test(line));
  assert.ok(lines.length >= 2, `expected progress lines:\n${result.stderr}`);
  assert.ok(lines.some((line) => line.startsWith("TRANSFERRING ")), result.stderr);
  assert.equal(await fileSha256(dest), contentSha256(size, 31));
  assert.ok(["ACKNOWLEDGED", "gone"].includes(await stateOf(session, id)));
});

Deno.test("examples/download_progress.ts: a 404 exits 1 with the BITS code and cancels the failed job", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const dest = session.path("missing.bin");
  const result = await runExample("download_progress.ts", [`${server.origin}/nothing-here`, dest]);
  const id = await trackPrintedJob(session, result);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^failed: BG_E_HTTP_ERROR_404 \(REMOTE_FILE\)/m);
  assert.ok(["CANCELLED", "gone"].includes(await stateOf(session, id)));
  await assert.rejects(Deno.stat(dest), Deno.errors.NotFound);
});

Deno.test("examples/wmp_store.ts: submits, watches, reads the collection back by serviceId and files the track", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const size = 1024 * 1024;
  const library = session.path("Music");
  const result = await runExample("wmp_store.ts", [
    server.contentUrl(size, 32, 2 * 1024 * 1024),
    session.path("incoming.mp3"),
    library,
  ]);
  const id = await trackPrintedJob(session, result);
  assert.equal(result.code, 0, result.stderr);
  const serviceId = /^submitted \S+ in collection (\d+)$/m.exec(result.stdout)?.[1];
  assert.ok(serviceId, result.stdout);
  assert.match(result.stdout, /^event transferred TRANSFERRED /m);
  assert.ok(
    result.stdout.includes(
      `collection ${serviceId}: "Queued & Resumed" by The Example Ensemble (Proseware), job ${id}, ` +
        `${size} of ${size} bytes`,
    ),
    result.stdout,
  );
  const filed = join(library, "The Example Ensemble", "Background Transfers", "03 Queued & Resumed.mp3");
  assert.match(result.stdout, new RegExp(`^filed ${filed.replaceAll("\\", "\\\\")}$`, "m"));
  assert.equal(await fileSha256(filed), contentSha256(size, 32));
  assert.ok(["ACKNOWLEDGED", "gone"].includes(await stateOf(session, id)));
});

Deno.test("examples/watch_queue.ts --until-settled: follows a job through the queue and ends when all are settled", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const others = (await session.bits.listJobs()).filter((j) =>
    !["TRANSFERRED", "ERROR", "ACKNOWLEDGED", "CANCELLED"]
      .includes(j.state)
  );
  assert.deepEqual(
    others.map((j) => `${j.id} ${j.state} "${j.displayName}"`),
    [],
    "the queue must be settled before this test (another test left these jobs)",
  );
  const dest = session.path("watched.bin");
  const job = session.track(
    await session.bits.download([{ url: server.contentUrl(1024 * 1024, 33, 1024 * 1024), path: dest }], {
      displayName: "watch_queue example test",
    }),
  );
  const result = await runExample("watch_queue.ts", ["--until-settled", "--timeout", "90"]);
  assert.equal(result.code, 0, result.stderr);
  const mine = result.stdout.split("\n").filter((line) => line.includes(job.id));
  assert.ok(mine.some((line) => / transferred TRANSFERRED /.test(line)), result.stdout);
  assert.match(result.stdout, /^watch ended: settled \(\d+ events\)$/m);
  assert.equal(await job.complete(), "completed");
  assert.equal(await fileSha256(dest), contentSha256(1024 * 1024, 33));
});

Deno.test("examples/watch_queue.ts --timeout: bounds the watch of a queue that never settles, changing nothing", async () => {
  await using session = await BitsSession.open();
  // Created and never resumed: SUSPENDED, not settled, and safe to cancel afterwards.
  const job = session.track(await session.bits.createJob("watch_queue timeout test"));
  await job.addFile("http://127.0.0.1:9/never.bin", session.path("never.bin"));
  const started = Date.now();
  const result = await runExample("watch_queue.ts", ["--until-settled", "--timeout", "3"]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stdout, /^watch ended: timeout after 3 s \(\d+ events\)$/m);
  assert.ok(result.stdout.includes(`${job.id} state SUSPENDED`), result.stdout);
  assert.ok(Date.now() - started < 60_000);
  assert.equal((await job.snapshot()).state, "SUSPENDED");
});

Deno.test({
  name: "examples/upload_reply.ts under Wine: refuses with exit 3 before anything exists; file and queue unchanged",
  ignore: !onWine,
  async fn(): Promise<void> {
    await using server = startServer();
    await using session = await BitsSession.open();
    const file = session.path("upload-me.txt");
    const content = "a file Wine's BITS would download over\n";
    await Deno.writeTextFile(file, content);
    const before = await session.liveJobIds();
    const reply = session.path("reply.txt");
    const result = await runExample("upload_reply.ts", [`${server.origin}/upload`, file, reply]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stderr,
      /^upload_reply: this BITS cannot upload: upload jobs \(Wine's BITS would download over /m,
    );
    assert.ok(result.stderr.includes(`Nothing was created and ${file} was not touched.`), result.stderr);
    assert.equal(result.stdout, "", "no job was announced");
    assert.equal(await Deno.readTextFile(file), content);
    assert.deepEqual(await session.liveJobIds(), before);
    assert.deepEqual(server.requests, [], "BITS never contacted the server");
    await assert.rejects(Deno.stat(reply), Deno.errors.NotFound);
  },
});

Deno.test("examples/retry_policy.ts: resumes after errors with backoff until the flaky server serves the file", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const size = 200_000;
  // 404 (a file not yet published) is an ERROR for every BITS, so the application's retries run everywhere;
  // under Wine a 503 would be the same, but Windows BITS may retry that one itself, after a minute.
  const path = `/flaky/2/404/${size}?seed=34`;
  const dest = session.path("flaky.bin");
  const result = await runExample("retry_policy.ts", [server.url(path), dest, "--attempts", "4", "--backoff", "0.2"]);
  const id = await trackPrintedJob(session, result);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^attempt 1: ERROR BG_E_HTTP_ERROR_404\nretrying in 0\.2 s$/m);
  assert.match(result.stdout, /^attempt 2: ERROR BG_E_HTTP_ERROR_404\nretrying in 0\.4 s$/m);
  assert.match(result.stdout, /^attempt 3: transferred$/m);
  assert.match(result.stdout, new RegExp(`^completed: ${dest.replaceAll("\\", "\\\\")}$`, "m"));
  assert.equal(await fileSha256(dest), contentSha256(size, 34));
  assert.equal(server.requests.filter((r) => r.path === path && r.method === "GET").length, 3);
  // Wine stores neither property (they read back as its constants 30 and 900) and never retries by itself.
  const [delay, patience] = onWine ? [30, 900] : [60, 300];
  assert.match(
    result.stdout,
    new RegExp(`: BITS retries every ${delay} s, gives up after ${patience} s without progress$`, "m"),
  );
  assert.ok(["ACKNOWLEDGED", "gone"].includes(await stateOf(session, id)));
});

Deno.test("examples/retry_policy.ts: gives up after --attempts, cancels the failed job, exits 1", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const dest = session.path("never.bin");
  const result = await runExample("retry_policy.ts", [
    server.url("/status/404"),
    dest,
    "--attempts",
    "2",
    "--backoff",
    "0.1",
  ]);
  const id = await trackPrintedJob(session, result);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /^attempt 1: ERROR BG_E_HTTP_ERROR_404$/m);
  assert.match(result.stdout, /^attempt 2: ERROR BG_E_HTTP_ERROR_404$/m);
  assert.match(result.stdout, /^giving up after 2 attempts; job cancelled$/m);
  assert.equal(server.requests.filter((r) => r.path === "/status/404").length, 2);
  assert.ok(["CANCELLED", "gone"].includes(await stateOf(session, id)));
  await assert.rejects(Deno.stat(dest), Deno.errors.NotFound);
});

/**
 * Process and concurrency faults against the real BITS service: a client
 * killed with SIGKILL in the middle of `watch` (the job lives in BITS, not in
 * the client, and a new process re-attaches by id), and 60 jobs created at
 * once by 4 processes. Wine's BITS service would end with the prefix's last
 * non-system process; the bed's persistent wineserver and keepalive.exe keep
 * it up, as the always-running service is on Windows (scripts/bed/README.md),
 * and the kill test checks that those processes survive.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type BitsJob, type JobSnapshot, type JobState, wineVersion } from "../../mod.ts";
import type { ClientReport, ClientSpec } from "../support/concurrent_client.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startFaultServer } from "../support/faults.ts";
import { type HardKillResult, killHard, linuxProcessAlive, linuxProcesses } from "../support/hard_kill.ts";
import { startServer } from "../support/server.ts";
import { BitsSession, eventually, parseJson, runCli, spawnCli } from "../support/wine.ts";

const onWine = wineVersion() !== null;
const MOVING: ReadonlySet<JobState> = new Set(["CONNECTING", "TRANSFERRING"]);

/** The lines of a text stream, as they arrive. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffer += text;
    for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
      yield buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
    }
  }
  if (buffer !== "") yield buffer;
}

/**
 * The Linux processes that keep BITS alive in the bed: wineserver, the BITS
 * service's svchost and keepalive.exe (pid by role; empty off Wine).
 */
async function bedServices(): Promise<Map<string, number>> {
  const roles = new Map<string, number>();
  if (!onWine) return roles;
  for (const { pid, argv } of await linuxProcesses()) {
    const program = (argv[0] ?? "").toLowerCase();
    if (program.endsWith("wineserver64") || program.endsWith("wineserver")) roles.set("wineserver", pid);
    else if (program.endsWith("svchost.exe") && argv.includes("netsvcs")) roles.set("bits", pid);
    else if (program.endsWith("keepalive.exe")) roles.set("keepalive", pid);
  }
  return roles;
}

/**
 * Starts `watch <id> --json` in a new process and kills it with SIGKILL as
 * soon as it has reported the job's bytes moving (so it is attached, with its
 * callback registered, and mid-transfer); returns the job as it was then.
 */
async function killWatchMidTransfer(
  job: BitsJob,
  size: number,
): Promise<{ atKill: JobSnapshot; killed: HardKillResult }> {
  const watcher = spawnCli(["watch", job.id, "--json", "--interval", "0.2"]);
  const stderr = new Response(watcher.stderr).text();
  const events = lines(watcher.stdout);
  let moving = false;
  for (let next = await events.next(); !next.done; next = await events.next()) {
    const event = JSON.parse(next.value);
    assert.equal(event.jobId, job.id);
    if (MOVING.has(event.state) && event.progress?.bytesTransferred > 0) {
      moving = true;
      break;
    }
  }
  if (!moving) assert.fail(`watch ended before it saw the transfer move: ${await stderr}`);
  const atKill = await job.snapshot();
  assert.ok(MOVING.has(atKill.state), `the job was ${atKill.state} at kill time`);
  assert.ok(atKill.progress.bytesTransferred < size, "the job had already finished at kill time");
  const killed = await killHard(watcher, ["watch", job.id]);
  // A watch that ends by itself exits 0; this one must have been killed.
  assert.equal(killed.status.success, false, "the killed watch reported success");
  for (let next = await events.next(); !next.done; next = await events.next()) {
    // Whatever the watch wrote before it died.
  }
  await stderr;
  return { atKill, killed };
}

// 4 MiB at 512 KiB/s: about 8 s, so the kill lands mid-body and the job is still moving afterwards.
const TRICKLE_SIZE = 4 * 1024 * 1024;
const TRICKLE_RATE = 512 * 1024;

Deno.test("process: kill -9 of `watch` mid-transfer leaves the job transferring; a new process re-attaches and completes it intact", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const path = session.path("killed-watch.bin");
  const source = `/trickle/${TRICKLE_SIZE}/${TRICKLE_RATE}?seed=71`;
  const job = session.track(
    await session.bits.download([{ url: server.url(source), path }], { displayName: "process kill -9" }),
  );
  const services = await bedServices();
  if (onWine) assert.deepEqual([...services.keys()].sort(), ["bits", "keepalive", "wineserver"]);

  const { atKill, killed } = await killWatchMidTransfer(job, TRICKLE_SIZE);
  if (onWine) assert.ok(killed.linuxPid !== null);

  // The job belongs to BITS: still there, read through a fresh lookup by id, and still moving.
  using found = await session.bits.getJob(job.id);
  const later = await eventually(
    () => found.snapshot(),
    (s) => s.progress.bytesTransferred > atKill.progress.bytesTransferred,
    20_000,
  );
  assert.notEqual(later.state, "ERROR");
  assert.notEqual(later.state, "CANCELLED");
  // Wine's wineserver, BITS service and keepalive are the same processes as before the kill.
  for (const [role, pid] of services) assert.ok(await linuxProcessAlive(pid), `${role} (Linux pid ${pid}) died`);
  assert.deepEqual(await bedServices(), services);

  // A new process re-attaches by id, waits and completes.
  const result = await runCli(["wait", job.id, "--complete", "--json", "--interval", "0.2"]);
  assert.equal(result.code, 0, result.stderr);
  const report = parseJson(result);
  assert.equal(report.outcome, "completed", result.stdout);
  assert.equal((await found.snapshot()).state, "ACKNOWLEDGED");
  assert.equal((await Deno.stat(path)).size, TRICKLE_SIZE);
  assert.equal(await fileSha256(path), contentSha256(TRICKLE_SIZE, 71));
  // One GET: the transfer ran on through the kill instead of starting over.
  assert.equal(server.requests.filter((r) => r.path === source).length, 1);
});

Deno.test("process: kill -9 of `watch` leaves BITS holding the dead client's callback; the transfer and later jobs still finish", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const path = session.path("orphan-callback.bin");
  const size = 2 * 1024 * 1024;
  const job = session.track(
    await session.bits.download([{ url: server.url(`/trickle/${size}/${TRICKLE_RATE}?seed=72`), path }], {
      displayName: "process kill -9, callback left behind",
    }),
  );
  await killWatchMidTransfer(job, size);
  // Nobody re-attaches before the end: BITS notifies the killed process's callback object when the job
  // is transferred (Wine does it on its only transfer thread). Only polls from here on.
  const done = await eventually(() => job.snapshot(), (s: JobSnapshot) => !MOVING.has(s.state) && s.state !== "QUEUED");
  assert.equal(done.state, "TRANSFERRED");
  // The service is not stuck on the dead callback: a new job runs to the end, then the old one completes.
  const next = await runCli([
    "download",
    server.url("/ok/100000?seed=73"),
    session.path("after.bin"),
    "--wait",
    "--sha256",
    contentSha256(100_000, 73),
    "--json",
  ]);
  assert.equal(next.code, 0, next.stderr);
  const result = await runCli(["wait", job.id, "--complete", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await fileSha256(path), contentSha256(size, 72));
});

const CLIENTS = 4;
const JOBS_PER_CLIENT = 15;
const CLIENT = fileURLToPath(new URL("../support/concurrent_client.ts", import.meta.url));

Deno.test("process: 60 jobs created at once by 4 processes all complete with intact files, distinct ids, none lost", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const prefix = `concurrency ${crypto.randomUUID().slice(0, 8)}`;
  const specs: ClientSpec[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const files = [];
    for (let j = 0; j < JOBS_PER_CLIENT; j++) {
      const seed = 1000 + c * JOBS_PER_CLIENT + j;
      // Sizes differ, so a file delivered to the wrong destination cannot pass.
      const size = 64 * 1024 + seed;
      files.push({
        // Trickled (about 130 ms a file) so that even BITS with one transfer thread (Wine) holds the processes'
        // jobs in its queue together, rather than finishing one process's batch before the next process starts.
        url: server.contentUrl(size, seed, 512 * 1024),
        path: session.path(`c${c}-j${j}.bin`),
        size,
        sha256: contentSha256(size, seed),
      });
    }
    specs.push({ name: `${prefix} p${c}`, files });
  }
  const started = performance.now();
  const clients = await Promise.all(specs.map(async (spec, c) => {
    const specPath = session.path(`spec${c}.json`);
    await Deno.writeTextFile(specPath, JSON.stringify(spec));
    return new Deno.Command(Deno.execPath(), {
      args: ["run", "--cached-only", "--no-check", "--allow-ffi", "--allow-read", "--allow-write", CLIENT, specPath],
      stdin: "null",
    }).output();
  }));
  const elapsed = performance.now() - started;
  try {
    const ids: string[] = [];
    clients.forEach((output, c) => {
      const text = new TextDecoder().decode(output.stdout);
      assert.equal(output.code, 0, `client ${c}: ${text}\n${new TextDecoder().decode(output.stderr)}`);
      const report: ClientReport = JSON.parse(text);
      assert.equal(report.results.length, JOBS_PER_CLIENT);
      for (const r of report.results) {
        assert.deepEqual([r.outcome, r.state], ["completed", "ACKNOWLEDGED"], JSON.stringify(r));
        ids.push(r.id!);
      }
    });
    assert.equal(new Set(ids).size, CLIENTS * JOBS_PER_CLIENT, "job ids are not distinct");
    for (const spec of specs) {
      for (const file of spec.files) {
        assert.equal(await fileSha256(file.path), file.sha256, file.path);
      }
    }
    // Each file was fetched exactly once: no job was lost and resubmitted, none ran twice.
    for (const file of specs.flatMap((s) => s.files)) {
      const path = new URL(file.url).pathname + new URL(file.url).search;
      assert.equal(server.requests.filter((p) => p === path).length, 1, path);
    }
    // The processes really overlapped: BITS served their jobs interleaved, not one process's batch after another's.
    const order = server.requests.map((p) => specs.findIndex((s) => s.files.some((f) => f.url.endsWith(p))));
    const runs = order.filter((client, i) => i === 0 || client !== order[i - 1]).length;
    assert.ok(runs > CLIENTS, `requests by process, in order: ${order.join("")}`);
    console.log(`60 jobs from 4 processes: ${(elapsed / 1000).toFixed(1)} s`);
  } finally {
    // Queue clean: nothing of this test is left unfinished, whatever failed above.
    const left = (await session.bits.listJobs()).filter((s) =>
      s.displayName.startsWith(prefix) && s.state !== "ACKNOWLEDGED" && s.state !== "CANCELLED"
    );
    for (const snapshot of left) session.track(await session.bits.getJob(snapshot.id));
    assert.deepEqual(left.map((s) => `${s.displayName}: ${s.state}`), [], "jobs left in the queue");
  }
});

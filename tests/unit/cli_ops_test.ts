// The pure parts of list, info and clean (filters, ordering, redaction, clean's plan), the mark by
// which clean knows this module's jobs, the usage errors they raise before BITS is touched, and
// --log-file. Runs without BITS.
//
// Permissions: --allow-read, --allow-write (log files in a temporary directory), --allow-net=127.0.0.1
// (a probe run gives the log something to record).

import assert from "node:assert/strict";
import { UsageError } from "../../src/cli/command.ts";
import { nameMatcher, newestFirst, parseStates } from "../../src/cli/filters.ts";
import { type CleanCandidate, type CleanPolicy, isOwnJob, planClean } from "../../src/cli/clean.ts";
import { redactProperties } from "../../src/cli/info.ts";
import { DEFAULT_JOB_DESCRIPTION, newJobDescription } from "../../src/create_job.ts";
import type { JobSnapshot, JobState } from "../../src/types.ts";
import { formatWmpDescription } from "../../src/wmp/codec.ts";
import { assertCliJson } from "../support/cli_schema.ts";
import { startFaultServer } from "../support/faults.ts";
import { runMain } from "../support/cli_capture.ts";

const run = runMain;

let serial = 0;
function snapshot(state: JobState, description = DEFAULT_JOB_DESCRIPTION, displayName = "job"): JobSnapshot {
  serial++;
  return {
    id: `{00000000-0000-0000-0000-${String(serial).padStart(12, "0")}}`,
    type: "DOWNLOAD",
    state,
    displayName,
    description,
    progress: { bytesTotal: null, bytesTransferred: 0, filesTotal: 1, filesTransferred: 0 },
    error: null,
  };
}

const NOW = Date.parse("2025-06-01T12:00:00Z");
const DAY = 86_400_000;
const ago = (ms: number): Date => new Date(NOW - ms);
const policy = (over: Partial<CleanPolicy> = {}): CleanPolicy => ({
  all: false,
  cancel: false,
  complete: false,
  now: NOW,
  ...over,
});

Deno.test("marker: a job created without a description gets DEFAULT_JOB_DESCRIPTION; a given one is kept", () => {
  assert.equal(DEFAULT_JOB_DESCRIPTION, "Created by deno-bits");
  assert.equal(newJobDescription(undefined), DEFAULT_JOB_DESCRIPTION);
  assert.equal(newJobDescription(""), DEFAULT_JOB_DESCRIPTION);
  assert.equal(newJobDescription("nightly build"), "nightly build");
  assert.equal(isOwnJob(snapshot("ERROR")), true);
  assert.equal(isOwnJob(snapshot("ERROR", "nightly build")), false);
  assert.equal(isOwnJob(snapshot("ERROR", "")), false, "a job another client left without description");
  assert.equal(isOwnJob(snapshot("ERROR", `${DEFAULT_JOB_DESCRIPTION} and more`)), false);
});

Deno.test("list --state: names in any case, comma-separated or repeated; an unknown one lists the valid ones", () => {
  assert.deepEqual([...parseStates("error,Transient_Error", "list")!], ["ERROR", "TRANSIENT_ERROR"]);
  assert.deepEqual([...parseStates(["suspended", "TRANSFERRED"], "list")!], ["SUSPENDED", "TRANSFERRED"]);
  assert.deepEqual([...parseStates("transient-error", "list")!], ["TRANSIENT_ERROR"]);
  assert.equal(parseStates(undefined, "list"), undefined);
  assert.throws(
    () => parseStates("errored", "list"),
    (error: unknown) =>
      error instanceof UsageError && error.command === "list" &&
      /unknown state "errored"; valid states: QUEUED, CONNECTING, TRANSFERRING, SUSPENDED, ERROR, TRANSIENT_ERROR, TRANSFERRED, ACKNOWLEDGED, CANCELLED/
        .test(error.message),
  );
});

Deno.test("list --name: a substring in any case, or with * and ? a glob over the whole name", () => {
  const names = ["Nightly Backup", "nightly-2025.iso", "weekly", "a.b (1)"];
  const pick = (pattern: string): string[] => names.filter(nameMatcher(pattern));
  assert.deepEqual(pick("NIGHTLY"), ["Nightly Backup", "nightly-2025.iso"]);
  assert.deepEqual(pick("nightly*"), ["Nightly Backup", "nightly-2025.iso"]);
  assert.deepEqual(pick("*.iso"), ["nightly-2025.iso"]);
  assert.deepEqual(pick("week?y"), ["weekly"]);
  assert.deepEqual(pick("week?"), [], "a glob matches the whole name");
  assert.deepEqual(pick("a.b (?)"), ["a.b (1)"], "regex characters are literal");
  assert.deepEqual(pick("a\\b"), [], "a backslash is literal too");
});

Deno.test("list: newest first by creation time; jobs without times keep BITS' order after the dated ones", () => {
  const jobs = [
    { id: "a", at: new Date(1000) },
    { id: "b", at: null },
    { id: "c", at: new Date(3000) },
    { id: "d", at: null },
    { id: "e", at: new Date(2000) },
  ];
  assert.deepEqual(newestFirst(jobs, (j) => j.at).map((j) => j.id), ["c", "e", "a", "b", "d"]);
  const undated = [{ id: "x", at: null }, { id: "y", at: null }];
  assert.deepEqual(newestFirst(undated, (j) => j.at).map((j) => j.id), ["x", "y"], "Wine: enumeration order");
});

Deno.test("clean: ERROR jobs of this module at any age; running and finished jobs never; others only with --all", () => {
  const own = snapshot("ERROR");
  const jobs: CleanCandidate[] = [
    { snapshot: own, lastChange: null },
    ...(["QUEUED", "CONNECTING", "TRANSFERRING", "ACKNOWLEDGED", "CANCELLED"] as const).map((state) => ({
      snapshot: snapshot(state),
      lastChange: ago(100 * DAY),
    })),
    { snapshot: snapshot("ERROR", "another program"), lastChange: null },
    { snapshot: snapshot("ERROR", formatWmpDescription(WMP, { kind: "status" })), lastChange: null },
    { snapshot: snapshot("SUSPENDED"), lastChange: ago(100 * DAY) },
  ];
  const plans = planClean(jobs, policy({ olderThan: undefined }));
  assert.deepEqual(plans.map((p) => [p.jobId, p.reason, p.action]), [[own.id, "error", "cancel"]]);
  const all = planClean(jobs, policy({ all: true }));
  assert.equal(all.length, 3, "with --all: the other program's and the WMP job too, still no running job");
  assert.ok(all.every((p) => p.reason === "error"));
});

const WMP = {
  serviceId: 7,
  provider: "Proseware",
  albumArtist: "A",
  albumTitle: "B",
  trackNumber: 1,
  title: "T",
  duration: 60,
  rating: 0,
};

Deno.test("clean: stale needs --older-than and a known last change older than it, in SUSPENDED, TRANSIENT_ERROR or TRANSFERRED", () => {
  const old = (state: JobState): CleanCandidate => ({ snapshot: snapshot(state), lastChange: ago(8 * DAY) });
  const jobs = [
    old("SUSPENDED"),
    old("TRANSIENT_ERROR"),
    old("TRANSFERRED"),
    { snapshot: snapshot("SUSPENDED"), lastChange: ago(6 * DAY) },
    { snapshot: snapshot("SUSPENDED"), lastChange: null },
  ];
  assert.deepEqual(planClean(jobs, policy()), [], "no --older-than: no stale jobs");
  const stale = planClean(jobs, policy({ olderThan: 7 * DAY }));
  assert.deepEqual(stale.map((p) => [p.state, p.reason, p.action]), [
    ["SUSPENDED", "stale", "cancel"],
    ["TRANSIENT_ERROR", "stale", "cancel"],
    ["TRANSFERRED", "stale", "complete"],
  ]);
  assert.deepEqual(stale.map((p) => p.lastChange), jobs.slice(0, 3).map((j) => j.lastChange));
});

Deno.test("clean: the action follows --cancel/--complete; complete only TRANSFERRED jobs", () => {
  const jobs: CleanCandidate[] = [
    { snapshot: snapshot("ERROR"), lastChange: null },
    { snapshot: snapshot("TRANSFERRED"), lastChange: ago(30 * DAY) },
  ];
  const act = (over: Partial<CleanPolicy>): string[] =>
    planClean(jobs, policy({ olderThan: DAY, ...over })).map((p) => p.action);
  assert.deepEqual(act({}), ["cancel", "complete"], "dry run by default: what --cancel --complete would do");
  assert.deepEqual(act({ cancel: true }), ["cancel", "cancel"]);
  assert.deepEqual(act({ complete: true }), ["none", "complete"]);
  assert.deepEqual(act({ cancel: true, complete: true }), ["cancel", "complete"]);
});

Deno.test("clean: --name narrows by display name", () => {
  const jobs: CleanCandidate[] = [
    { snapshot: snapshot("ERROR", DEFAULT_JOB_DESCRIPTION, "nightly 1"), lastChange: null },
    { snapshot: snapshot("ERROR", DEFAULT_JOB_DESCRIPTION, "weekly"), lastChange: null },
  ];
  assert.deepEqual(planClean(jobs, policy({ name: nameMatcher("night*") })).map((p) => p.displayName), [
    "nightly 1",
  ]);
});

Deno.test("info --verbose: custom header values are hidden, names kept; other properties untouched", () => {
  const redacted = redactProperties({
    values: { customHeaders: ["Authorization: Bearer s3cr3t", "X-Trace: 1", "odd"], priority: "LOW" },
    unsupported: ["costFlags"],
  });
  assert.deepEqual(redacted.values.customHeaders, ["Authorization: (hidden)", "X-Trace: (hidden)", "odd: (hidden)"]);
  assert.equal(redacted.values.priority, "LOW");
  assert.deepEqual(redacted.unsupported, ["costFlags"]);
  assert.ok(!JSON.stringify(redacted).includes("s3cr3t"));
  const none = { values: { priority: "LOW" as const }, unsupported: [] };
  assert.equal(redactProperties(none), none);
});

Deno.test("list, clean: bad filters are usage errors (exit 2) before BITS is touched, also as JSON", async () => {
  for (
    const [argv, pattern] of [
      [["list", "--state", "bogus"], /valid states: QUEUED, /],
      [["clean", "--older-than", "7x"], /--older-than: takes a duration/],
      [["clean", "--state", "error"], /clean: unknown option --state/],
      [["clean", "--force", "--cancel"], /--force only matters with --all/],
    ] as const
  ) {
    const human = await run(...argv);
    assert.equal(human.code, 2, human.stderr);
    assert.match(human.stderr, pattern);
    assert.match(human.stderr, new RegExp(`^hint: see 'bits ${argv[0]} --help'$`, "m"));
    assert.ok(!human.stderr.includes("BitsUnavailableError"), "nothing reached for BITS");
    const json = await run(...argv, "--json");
    assert.equal(json.code, 2);
    const document = JSON.parse(json.stdout);
    assertCliJson(argv[0], document);
    assert.equal(document.error.name, "UsageError");
  }
});

Deno.test("--log-file: debug records go to the file even with --quiet; stderr and stdout stay empty", async () => {
  await using server = startFaultServer();
  const dir = await Deno.makeTempDir();
  try {
    const log = `${dir}/bits.log`;
    const result = await run("probe", server.url("/ok/10"), "--quiet", "--log-file", log);
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, "", ""]);
    const text = await Deno.readTextFile(log);
    assert.match(text, /\[DBG\] deno-bits·probe: probe: "HEAD" "http:\/\/127\.0\.0\.1:\d+\/ok\/10" -> 200/);
    assert.match(text, /\[DBG\] deno-bits·probe: probe: "GET" .* -> 206/);
    // A second run appends.
    await run("probe", server.url("/ok/20"), "--quiet", "--log-file", log);
    const again = await Deno.readTextFile(log);
    assert.ok(again.startsWith(text) && again.includes("/ok/20"), again);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--log-file: a path that cannot be written is a clean usage error, before the command runs", async () => {
  await using server = startFaultServer();
  const dir = await Deno.makeTempDir();
  try {
    for (const path of [`${dir}/missing/bits.log`, dir]) {
      const result = await run("probe", server.url("/ok/10"), "--log-file", path);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /^error: --log-file: cannot write /);
      assert.doesNotMatch(result.stderr, /logtape|at \w+ \(/, "no LogTape meta record, no stack");
      assert.equal(result.stdout, "");
      const json = await run("probe", server.url("/ok/10"), "--log-file", path, "--json");
      assertCliJson("probe", JSON.parse(json.stdout));
    }
    assert.equal(server.requests.length, 0, "the command never ran");
    const empty = await run("probe", server.url("/ok/10"), "--log-file", "");
    assert.equal(empty.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

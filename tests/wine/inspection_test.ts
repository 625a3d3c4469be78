/**
 * Inspection against the real BITS service: job details of a failed and of a
 * suspended job, error texts through the fallback chain, capability probes,
 * and the `doctor` command run as a user would. Under Wine the stubbed
 * getters are driven through the real call path and must surface as the
 * exact codes below; on Windows the same calls must return real values.
 */

import assert from "node:assert/strict";
import { BitsError, type Capabilities, InvalidArgumentError, type JobDetails, wineVersion } from "../../mod.ts";
import { SHIM_ABI_VERSION } from "../../ffi/symbols.ts";
import { startServer } from "../support/server.ts";
import { assertCliJson } from "../support/cli_schema.ts";
import { BitsSession, eventually, parseJson, runCli } from "../support/wine.ts";
import { FEATURES, PROBE_JOB_NAME } from "../../src/capabilities.ts";

const ON_WINE = wineVersion() !== null;

// What Wine's qmgr stubs with E_NOTIMPL on every job (docs/wine.md, "Job properties").
const WINE_JOB_STUBS = ["times", "owner", "errorCount", "ownerIntegrityLevel", "ownerElevated"] as const;

/** Asserts the details every job has, whatever its state. */
function assertJobLevelDetails(details: JobDetails): void {
  if (ON_WINE) {
    for (const field of WINE_JOB_STUBS) {
      assert.ok(details.unsupported.includes(field), `${field} is listed as unsupported`);
      assert.equal(details.readErrors[field], "E_NOTIMPL", field);
    }
    assert.deepEqual(
      [
        details.creationTime,
        details.modificationTime,
        details.transferCompletionTime,
        details.ownerSid,
        details.ownerAccount,
        details.errorCount,
        details.ownerIntegrityLevel,
        details.ownerElevated,
      ],
      [null, null, null, null, null, null, null, null],
    );
    // The account lookup is not attempted without an owner, so it is not "unsupported".
    assert.ok(!details.unsupported.includes("ownerAccount"));
  } else {
    assert.ok(details.creationTime instanceof Date && details.creationTime.getTime() <= Date.now());
    assert.ok(details.modificationTime instanceof Date);
    assert.match(details.ownerSid ?? "", /^S-1-/);
    assert.match(details.ownerAccount ?? "", /\S/);
    assert.equal(typeof details.errorCount, "number");
    assert.equal(typeof details.ownerElevated, "boolean");
    assert.match(details.ownerIntegrityLevel ?? "", /^(LOW|MEDIUM|MEDIUM_PLUS|HIGH|SYSTEM)$/);
  }
}

Deno.test("details() of a 404 job: context REMOTE_FILE, BG_E_HTTP_ERROR_404, the failing file, stubs listed", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const url = `${server.origin}/status/404`;
  const dest = session.path("missing.bin");
  const job = session.track(await session.bits.download([{ url, path: dest }], { displayName: "details 404" }));
  await eventually(() => job.snapshot(), (s) => s.state === "ERROR");

  const details = await job.details({ langId: 0x0409 });
  assert.equal(details.id, job.id);
  assert.equal(details.state, "ERROR");
  assert.equal(details.langId, 0x0409);
  assertJobLevelDetails(details);
  const error = details.error;
  assert.ok(error, "an ERROR job has an error");
  assert.equal(error.context, "REMOTE_FILE");
  assert.equal(error.code, "BG_E_HTTP_ERROR_404");
  assert.equal(error.hresult, 0x80190194);
  assert.equal(error.httpStatus, 404);
  assert.match(error.hint ?? "", /URL/);
  // Wine's IBackgroundCopyError::GetFile names the failing file (the only one here).
  assert.equal(error.file?.remoteName, url);
  assert.equal(error.file?.localName.toLowerCase(), dest.toLowerCase());
  if (ON_WINE) {
    for (const field of ["errorProtocol", "errorDescription", "errorContextDescription"] as const) {
      assert.ok(details.unsupported.includes(field), field);
      assert.equal(details.readErrors[field], "E_NOTIMPL", field);
    }
    assert.deepEqual([error.protocol, error.localizedDescription, error.contextDescription], [null, null, null]);
    assert.deepEqual(details.unsupported, [
      ...WINE_JOB_STUBS,
      "errorProtocol",
      "errorDescription",
      "errorContextDescription",
    ]);
  } else {
    assert.equal(error.protocol?.toLowerCase(), "http");
    assert.match(error.localizedDescription ?? "", /\S/);
    assert.match(error.contextDescription ?? "", /\S/);
    assert.deepEqual(details.unsupported, []);
  }
});

Deno.test("details() of a suspended job has no error; a bad langId is refused before BITS is asked", async () => {
  await using session = await BitsSession.open();
  const job = session.track(await session.bits.createJob("details suspended"));
  const details = await job.details();
  assert.equal(details.state, "SUSPENDED");
  assert.equal(details.error, null);
  assert.ok(details.langId > 0, "0 becomes the user's UI language");
  assertJobLevelDetails(details);
  if (ON_WINE) assert.deepEqual(details.unsupported, [...WINE_JOB_STUBS]);
  await assert.rejects(job.details({ langId: 0x10000 }), InvalidArgumentError);
  assert.equal((await job.snapshot()).state, "SUSPENDED");
  // A job that left the queue is a BitsError, not a half-filled record.
  await job.cancel();
  const after = await job.details().catch((e) => e);
  if (after instanceof Error) assert.ok(after instanceof BitsError, String(after));
  else assert.equal(after.state, "CANCELLED", "Wine keeps cancelled jobs readable until its worker wakes");
});

Deno.test("errorDescription() falls back from BITS to the message tables to the module's table", async () => {
  await using session = await BitsSession.open();
  const http404 = await session.bits.errorDescription(0x80190194);
  assert.equal(http404.code, "BG_E_HTTP_ERROR_404");
  assert.equal(http404.hresult, 0x80190194);
  assert.match(http404.text, /404/);
  const denied = await session.bits.errorDescription(0x80070005 | 0);
  assert.equal(denied.code, "E_ACCESSDENIED");
  assert.match(denied.hint ?? "", /elevat/);
  const winhttp = await session.bits.errorDescription(0x80072EFD);
  assert.equal(winhttp.code, "ERROR_WINHTTP_CANNOT_CONNECT");
  if (ON_WINE) {
    // Manager::GetErrorDescription is a stub; the system has no text for HTTP statuses.
    assert.deepEqual(http404.tried, [
      { source: "bits", code: "E_NOTIMPL" },
      { source: "system", code: "ERROR_MR_MID_NOT_FOUND" },
    ]);
    assert.equal(http404.source, "table");
    assert.equal(http404.text, "The server returned HTTP 404 Not Found.");
    // Wine's system message table knows Win32 codes.
    assert.equal(denied.source, "system");
    assert.match(denied.text, /access denied/i);
    // Wine's winhttp.dll has no message table, nor has the system one for 12029.
    assert.deepEqual(winhttp.tried, [
      { source: "bits", code: "E_NOTIMPL" },
      { source: "winhttp", code: "ERROR_RESOURCE_TYPE_NOT_FOUND" },
      { source: "system", code: "ERROR_MR_MID_NOT_FOUND" },
    ]);
    assert.equal(winhttp.source, "table");
    assert.equal(winhttp.text, "Could not connect to the server.");
  } else {
    assert.equal(http404.source, "bits");
    assert.equal(http404.tried.length, 0);
    assert.ok(["bits", "winhttp"].includes(winhttp.source), winhttp.source);
  }
  await assert.rejects(session.bits.errorDescription(2 ** 33), InvalidArgumentError);
});

Deno.test("capabilities(): version, interfaces and Callback3 as this BITS has them; the probe job leaves nothing", async () => {
  await using session = await BitsSession.open();
  const before = await session.liveJobIds();
  const caps: Capabilities = await session.bits.capabilities();
  const after = await session.liveJobIds();
  assert.deepEqual([...after].sort(), [...before].sort(), "no job left behind in a live state");
  const probes = (await session.bits.listJobs()).filter((j) => j.displayName === PROBE_JOB_NAME);
  assert.ok(probes.every((j) => j.state === "CANCELLED"), JSON.stringify(probes.map((j) => j.state)));
  assert.equal(caps.probeError, null);
  assert.equal(caps.shim.abiVersion, SHIM_ABI_VERSION);
  assert.match(caps.shim.path, /bits_shim\.dll$/);
  assert.equal(caps.managers.length, 10);
  if (ON_WINE) {
    assert.equal(caps.wine, wineVersion());
    assert.equal(caps.bitsVersion, "1.0");
    assert.deepEqual(caps.managers.filter((m) => m.registered).map((m) => m.version), ["1.0"]);
    assert.ok(caps.managers.filter((m) => !m.registered).every((m) => m.code === "REGDB_E_CLASSNOTREG"));
    assert.deepEqual(FEATURES.filter((f) => caps.supports(f)), ["job2", "job3", "job4", "httpOptions", "file2"]);
    assert.deepEqual(caps.probes, {
      job2: "S_OK",
      job3: "S_OK",
      job4: "S_OK",
      job5: "E_NOINTERFACE",
      httpOptions: "S_OK",
      httpOptions2: "E_NOINTERFACE",
      httpOptions3: "E_NOINTERFACE",
      file2: "S_OK",
      file3: "E_NOINTERFACE",
      file4: "E_NOINTERFACE",
      file5: "E_NOINTERFACE",
      file6: "E_NOINTERFACE",
      callback3: "E_NOTIMPL",
    });
  } else {
    assert.equal(caps.wine, null);
    assert.ok(caps.bitsVersion !== null && caps.bitsVersion !== "1.0", caps.bitsVersion ?? "null");
    for (const f of ["job2", "job3", "job4", "job5", "httpOptions", "file2", "file3"] as const) {
      assert.ok(caps.supports(f), f);
    }
  }
});

Deno.test("doctor and doctor --json, run as a user would", async () => {
  await using session = await BitsSession.open();
  const before = await session.liveJobIds();
  const human = await runCli(["doctor"]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^BITS: reachable, version /m);
  assert.match(human.stdout, new RegExp(`^Shim: ABI ${SHIM_ABI_VERSION}, .*bits_shim\\.dll$`, "m"));
  assert.match(human.stdout, /job4 +yes/);
  const json = await runCli(["doctor", "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const report = parseJson(json);
  assertCliJson("doctor", report);
  const caps = await session.bits.capabilities();
  assert.equal(report.version, 1);
  assert.equal(report.reachable, true);
  assert.equal(report.bitsVersion, caps.bitsVersion);
  assert.deepEqual(report.features, caps.features);
  assert.deepEqual(report.probes, caps.probes);
  assert.equal(report.wine, caps.wine);
  assert.deepEqual(report.shim, { path: caps.shim.path, abiVersion: SHIM_ABI_VERSION });
  if (ON_WINE) {
    assert.match(human.stdout, /^BITS: reachable, version 1\.0 \(registered manager CLSIDs: 1\.0\)$/m);
    assert.match(human.stdout, new RegExp(`^Wine: ${caps.wine?.replace(".", "\\.")}$`, "m"));
    assert.match(human.stdout, /job5 +no +E_NOINTERFACE; needs IBackgroundCopyJob5/);
    assert.deepEqual(report.errorTexts, {
      source: "table",
      tried: [{ source: "bits", code: "E_NOTIMPL" }, { source: "system", code: "ERROR_MR_MID_NOT_FOUND" }],
    });
  }
  assert.deepEqual([...await session.liveJobIds()].sort(), [...before].sort(), "doctor leaves no job");
});

Deno.test("doctor exits 1 with the reason when the shim cannot be loaded", async () => {
  const result = await runCli(["doctor", "--json"], { BITS_SHIM_PATH: "C:\\nowhere\\bits_shim.dll" });
  assert.equal(result.code, 1);
  const report = parseJson(result);
  assertCliJson("doctor", report);
  assert.equal(report.reachable, false);
  assert.match(String(report.reason), /Cannot load the BITS shim/);
  assert.match(result.stderr, /error: BITS is not reachable/);
});

Deno.test("the CLI prints the code's hint under a BitsError, and puts it in --json errors", async () => {
  const id = "{0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}";
  const human = await runCli(["info", id]);
  assert.equal(human.code, 4);
  const lines = human.stderr.trimEnd().split("\n");
  assert.match(lines[0], /^error: .*BG_E_NOT_FOUND/);
  assert.deepEqual(lines.slice(1), [
    "hint: 'bits list' shows the queue",
    "hint: the job left the queue (completed or cancelled) or belongs to another user",
  ]);
  const json = parseJson(await runCli(["info", id, "--json"]));
  assertCliJson("info", json);
  const error = json.error as Record<string, unknown>;
  assert.equal(error.name, "BG_E_NOT_FOUND");
  assert.equal(error.hint, "the job left the queue (completed or cancelled) or belongs to another user");
});

// Unit tests of src/cli/main.ts: exit codes, output streams and JSON documents, with a fake io.
// Everything here runs without BITS: on Linux the commands that need it fail cleanly.
//
// Permissions: --allow-read (the download command resolves its destination against the cwd).

import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { UsageError } from "../../src/cli/args.ts";
import { ExitCode } from "../../src/cli/exit_codes.ts";
import { classifyError } from "../../src/cli/main.ts";
import { BitsError, BitsUnavailableError, InvalidArgumentError } from "../../src/errors.ts";
import { runMain } from "../support/cli_capture.ts";

const ON_WINDOWS = Deno.build.os === "windows";
const JOB = "{4991D34B-80A1-4291-83B6-3328366B9097}";

const run = runMain;

Deno.test("cli: exit codes are the documented ones", () => {
  assert.deepEqual(ExitCode, { Ok: 0, Failure: 1, Usage: 2, Timeout: 3, NotFound: 4, OutputClosed: 141 });
});

Deno.test("cli: --help prints the overview on stdout and exits 0", async () => {
  const result = await run("--help");
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^Drive Windows BITS/);
  assert.match(result.stdout, /Usage: bits <command> \[options\]/);
  assert.match(result.stdout, /Exit codes: /);
  assert.equal(result.stderr, "");
  assert.equal((await run()).stdout, result.stdout, "no arguments shows the same help");
});

Deno.test("cli: `download --help` and `help download` print the download help", async () => {
  for (const argv of [["download", "--help"], ["help", "download"]]) {
    const result = await run(...argv);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: bits download \[url dest\.\.\.\] \[options\]/);
    assert.match(result.stdout, /Examples:/);
    assert.equal(result.stderr, "");
  }
});

Deno.test("cli: an unknown command exits 2 with `error: unknown command` on stderr, no class name", async () => {
  const result = await run("frobnicate");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: unknown command 'frobnicate'\n/);
  assert.match(result.stderr, /^hint: see 'bits/m);
  assert.equal(result.stdout, "");
});

Deno.test({
  name: "cli: the usage hint for an error without a command is `see 'bits --help'`",
  async fn(): Promise<void> {
    const result = await run("frobnicate");
    assert.match(result.stderr, /^hint: see 'bits --help'$/m);
  },
});

Deno.test("cli: a usage error about a command hints at that command's help", async () => {
  const result = await run("list", "--bogus");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: list: unknown option --bogus/);
  assert.match(result.stderr, /^hint: see 'bits list --help'$/m);
});

Deno.test("cli: usage errors with --json also print a JSON error document", async () => {
  const result = await run("info", "--json");
  assert.equal(result.code, 2);
  const document = JSON.parse(result.stdout);
  assert.equal(document.version, 1);
  assert.equal(document.error.name, "UsageError");
  assert.match(document.error.message, /missing <id>/);
});

Deno.test("cli: `download ftp://x/y C:\\a.bin` exits 2 with InvalidArgumentError, without BITS", async () => {
  const result = await run("download", "ftp://x/y", "C:\\a.bin");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: InvalidArgumentError: url must use http or https, not ftp/);
  assert.ok(!result.stderr.includes("BitsUnavailableError"), "the URL is checked before connecting");
  const json = await run("download", "ftp://x/y", "C:\\a.bin", "--json");
  assert.equal(json.code, 2);
  const document = JSON.parse(json.stdout);
  assert.equal(document.version, 1);
  assert.equal(document.error.name, "InvalidArgumentError");
  assert.equal(document.error.argument, "url");
});

Deno.test("cli: `download ... --timeout 5` without --wait exits 2", async () => {
  const result = await run("download", "https://x/y", "a.bin", "--timeout", "5");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: --timeout needs --wait/);
  const bad = await run("download", "https://x/y", "a.bin", "--wait", "--timeout", "soon");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--timeout: takes a duration/);
  // A duration with a unit passes the grammar and reaches the command's own check.
  const minutes = await run("download", "https://x/y", "a.bin", "--timeout", "10m");
  assert.equal(minutes.code, 2);
  assert.match(minutes.stderr, /^error: --timeout needs --wait/);
});

Deno.test({
  name: "cli: `list` off Windows exits 1 and names BitsUnavailableError on stderr",
  ignore: ON_WINDOWS,
  async fn(): Promise<void> {
    const result = await run("list");
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`^error: BitsUnavailableError: deno-bits drives .* only Windows has; this is ${Deno.build.os}`),
    );
    assert.equal(result.stdout, "");
  },
});

Deno.test({
  name: "cli: `list --json` off Windows prints a version 1 JSON error document",
  ignore: ON_WINDOWS,
  async fn(): Promise<void> {
    const result = await run("list", "--json");
    assert.equal(result.code, 1);
    const document = JSON.parse(result.stdout);
    assert.equal(document.version, 1);
    assert.equal(document.error.name, "BitsUnavailableError");
    assert.match(document.error.message, /Windows/);
    assert.match(result.stderr, /^error: BitsUnavailableError: /);
  },
});

Deno.test({
  name: "cli: `info`, `complete` and `cancel` off Windows exit 1 with BitsUnavailableError",
  ignore: ON_WINDOWS,
  async fn(): Promise<void> {
    for (const command of ["info", "complete", "cancel"]) {
      const result = await run(command, JOB);
      assert.equal(result.code, 1, command);
      assert.match(result.stderr, /^error: BitsUnavailableError: /, command);
    }
  },
});

Deno.test({
  name: "cli: `version --json` exits 0 with the module version and the shim marked unavailable",
  ignore: ON_WINDOWS,
  async fn(): Promise<void> {
    const result = await run("version", "--json");
    assert.equal(result.code, 0);
    const document = JSON.parse(result.stdout);
    assert.equal(document.version, 1);
    assert.equal(document.module, denoJson.version);
    assert.equal(document.deno, Deno.version.deno);
    assert.equal(typeof document.shim.unavailable, "string");
    assert.ok(document.shim.unavailable.includes(Deno.build.os), document.shim.unavailable);
    assert.ok(!document.shim.unavailable.includes("\n"), "first line only");
    assert.equal(result.stderr, "");
  },
});

Deno.test({
  name: "cli: `version` and `--version` print the module version for humans",
  ignore: ON_WINDOWS,
  async fn(): Promise<void> {
    for (const argv of [["version"], ["--version"]]) {
      const result = await run(...argv);
      assert.equal(result.code, 0);
      assert.ok(result.stdout.startsWith(`deno-bits ${denoJson.version} (deno ${Deno.version.deno})\n`));
      assert.match(result.stdout, /^shim: unavailable: /m);
    }
    const quiet = await run("version", "--quiet");
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stdout, "", "--quiet prints nothing on success");
  },
});

Deno.test({
  name: "cli: classifyError maps BG_E_NOT_FOUND to exit 4",
  fn(): void {
    const result = classifyError(new BitsError(0x80200001 | 0, { operation: "GetJob", jobId: JOB }));
    assert.equal(result.code, 4);
    assert.match(result.hint ?? "", /bits list/);
  },
});

Deno.test("cli: classifyError maps a cancelled job to 4, a timeout to 3 and bad arguments to 2", () => {
  const cancelled = new BitsError(0x80200002 | 0, { operation: "Waiting", jobId: JOB, state: "CANCELLED" });
  assert.equal(classifyError(cancelled).code, 4);
  assert.equal(classifyError(new DOMException("too slow", "TimeoutError")).code, 3);
  assert.equal(classifyError(new InvalidArgumentError("url", "bad")).code, 2);
  const usage = classifyError(new UsageError("bad", "download"));
  assert.equal(usage.code, 2);
  assert.equal(usage.hint, "see 'bits download --help'");
});

Deno.test("cli: classifyError maps other failures to 1", () => {
  assert.equal(classifyError(new BitsError(0x80004005 | 0, { operation: "Resume" })).code, 1);
  assert.equal(classifyError(new BitsError(0x80070005 | 0, { state: "TRANSFERRING" })).code, 1);
  assert.equal(classifyError(new BitsUnavailableError("platform", "no")).code, 1);
  assert.equal(classifyError(new DOMException("stop", "AbortError")).code, 1);
  assert.equal(classifyError(new Error("boom")).code, 1);
  assert.equal(classifyError("a string").code, 1);
  const failedJob = classifyError(
    BitsError.fromJobError({ context: "REMOTE_FILE", hresult: 0x80190194, code: "", description: "" }, JOB),
  );
  assert.equal(failedJob.code, 1);
  assert.ok(failedJob.hint?.includes(`bits info ${JOB}`), failedJob.hint ?? "no hint");
  assert.ok(failedJob.hint?.includes(`bits cancel ${JOB}`), failedJob.hint ?? "no hint");
});

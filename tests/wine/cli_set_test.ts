/**
 * `bits set` and `bits properties` end to end against the real BITS service,
 * spawned as a user would. What Wine implements is asserted by its effect
 * (credentials reach the test server and the download succeeds only with the
 * right password; values read back); what Wine stubs is still driven through
 * the real call path and the exact error is asserted. The secret rules are
 * checked on everything a user could see: the command line, stdout, stderr
 * and a `--log-file` written at debug level.
 */

import assert from "node:assert/strict";
import { type BitsJob, wineVersion } from "../../mod.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { assertCliJson } from "../support/cli_schema.ts";
import { startServer } from "../support/server.ts";
import { BitsSession, CLI_PERMISSIONS, type CliResult, parseJson, runCli } from "../support/wine.ts";

const onWine = wineVersion() !== null;
const CLI = new URL("../../cli.ts", import.meta.url);
const PASSWORD_VAR = "BITS_TEST_PASSWORD";

/**
 * Runs `cli.ts` like `runCli`, but lets it read `PASSWORD_VAR` (a user adds
 * the variable to `--allow-env`) and feeds `stdin` to it when given.
 */
async function runCliWithSecret(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string },
): Promise<CliResult> {
  const permissions = CLI_PERMISSIONS.map((p) => p.startsWith("--allow-env=") ? `${p},${PASSWORD_VAR}` : p);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "--no-check", ...permissions, CLI.href, ...args],
    env: { NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(90_000),
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** A suspended download job with one throwaway file. */
async function idleJob(session: BitsSession, name: string, url = "http://127.0.0.1:9/never"): Promise<BitsJob> {
  return session.track(
    await session.bits.download([{ url, path: session.path(`${name}.bin`) }], { displayName: name, suspended: true }),
  );
}

/** Asserts that none of `texts` contains any of `secrets`. */
function assertNowhere(secrets: readonly string[], texts: Record<string, string>): void {
  for (const [where, text] of Object.entries(texts)) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret leaked into ${where}:\n${text}`);
  }
}

/** The ways a password could show: itself, and the Basic header BITS builds from it. */
function leakForms(user: string, password: string): string[] {
  return [password, btoa(`${user}:${password}`)];
}

Deno.test("set --password-env: Basic credentials work; the password is in no argv, stdout, stderr or debug log", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const password = "pa55-Secret-" + crypto.randomUUID();
  const url = server.basicAuthUrl("alice", password, 4000, 31);
  const dest = session.path("auth.bin");
  const job = session.track(
    await session.bits.download([{ url, path: dest }], { displayName: "cli credentials", suspended: true }),
  );
  const log = session.path("set.log");
  const args = [
    "set",
    job.id,
    "--credentials-scheme",
    "BASIC",
    "--credentials-target",
    "SERVER",
    "--username",
    "alice",
    "--password-env",
    PASSWORD_VAR,
    "--description",
    "with credentials",
    "--verbose",
    "--log-file",
    log,
    "--json",
  ];
  const result = await runCliWithSecret(args, { env: { [PASSWORD_VAR]: password } });
  assert.equal(result.code, 0, result.stderr);
  const document = parseJson(result);
  assertCliJson("set", document);
  assert.deepEqual(document, {
    version: 1,
    id: job.id,
    set: ["description", "credentials"],
    removedCredentials: [],
    headersWriteOnly: false,
  });

  // The credentials work: BITS sends them, the server lets the download through, the bytes are right.
  await job.resume();
  await job.wait({ timeout: 60_000 });
  const request = server.requestLog.find((r) => r.path === new URL(url).pathname + new URL(url).search);
  assert.equal(request?.headers.authorization, `Basic ${btoa(`alice:${password}`)}`);
  assert.equal(await job.complete(), "completed");
  assert.equal(await fileSha256(dest), contentSha256(4000, 31));

  const logText = await Deno.readTextFile(log);
  assert.match(logText, /\[DBG\]/, "the log file is at debug level");
  assert.match(logText, /description, credentials/, "the log names what was set");
  assertNowhere(leakForms("alice", password), {
    argv: args.join(" "),
    stdout: result.stdout,
    stderr: result.stderr,
    "log file": logText,
  });
});

Deno.test("set --password-stdin: a wrong password ends in the job's 401; the password is printed nowhere", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const right = "right-" + crypto.randomUUID();
  const wrong = "wrong-" + crypto.randomUUID();
  const job = await idleJob(session, "cli wrong password", server.basicAuthUrl("bob", right, 100, 32));
  const log = session.path("wrong.log");
  const args = ["set", job.id.slice(1, 9), "--credentials-scheme", "basic", "--username", "bob", "--password-stdin"];
  const set = await runCliWithSecret([...args, "--verbose", "--log-file", log], { stdin: `${wrong}\nignored\n` });
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout, `Set credentials on job ${job.id}\n`);

  await job.resume();
  const error = await job.wait({ timeout: 60_000 }).then(() => assert.fail("a wrong password succeeded"), (e) => e);
  assert.equal(error.code, "BG_E_HTTP_ERROR_401");
  const info = await runCli(["info", job.id, "--json"]);
  assert.equal(info.code, 0, info.stderr);
  assert.equal((parseJson(info).job as { error: { code: string } }).error.code, "BG_E_HTTP_ERROR_401");
  const properties = await runCli(["properties", job.id, "--json", "--verbose"]);
  assert.equal(properties.code, 0, properties.stderr);
  assertCliJson("properties", parseJson(properties));

  assertNowhere([...leakForms("bob", wrong), ...leakForms("bob", right)], {
    argv: args.join(" "),
    "set stdout": set.stdout,
    "set stderr": set.stderr,
    "log file": await Deno.readTextFile(log),
    "info stdout": info.stdout,
    "properties stdout": properties.stdout,
    "properties stderr": properties.stderr,
  });
});

Deno.test("set --password-env without env permission: exit 2, naming neither the variable's value nor the password", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "cli env denied");
  const password = "never-read-" + crypto.randomUUID();
  // runCli grants only BITS_SHIM_PATH, as the documented permissions do.
  const result = await runCli(
    ["set", job.id, "--credentials-scheme", "BASIC", "--username", "u", "--password-env", PASSWORD_VAR],
    { [PASSWORD_VAR]: password },
  );
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /may not read that environment variable; run deno with --allow-env=BITS_SHIM_PATH,<NAME>/,
  );
  assertNowhere([password], { stdout: result.stdout, stderr: result.stderr });
});

Deno.test("set --clear-credentials: BITS stops sending them (401, no Authorization header)", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const url = server.basicAuthUrl("carol", "right", 100, 33);
  const job = session.track(
    await session.bits.download([{ url, path: session.path("cleared.bin") }], {
      displayName: "cli cleared credentials",
      suspended: true,
      properties: { credentials: [{ target: "SERVER", scheme: "BASIC", userName: "carol", password: "right" }] },
    }),
  );
  const result = await runCli(["set", job.id, "--clear-credentials", "BASIC/SERVER", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const document = parseJson(result);
  assertCliJson("set", document);
  assert.deepEqual(document.removedCredentials, [{ scheme: "BASIC", target: "SERVER" }]);
  assert.deepEqual(document.set, []);
  await job.resume();
  const error = await job.wait({ timeout: 60_000 }).then(() => assert.fail("removed credentials still sent"), (e) => e);
  assert.equal(error.code, "BG_E_HTTP_ERROR_401");
  const request = server.requestLog.find((r) => r.path === new URL(url).pathname + new URL(url).search);
  assert.equal(request?.headers.authorization, undefined);
});

Deno.test("set applies several properties in one call; properties reads them back (JSON and human)", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const job = await idleJob(session, "cli properties", server.contentUrl(3000, 34));
  const result = await runCli([
    "set",
    "cli properties",
    "--description",
    "set from the CLI",
    "--notify-flags",
    "job_transferred,JOB_MODIFICATION",
    "--header",
    "X-Deno-Bits: cli set",
    "--header",
    "X-Second: two; three",
    "--security-flags",
    "IGNORE_UNKNOWN_CA",
    "--redirect-policy",
    "DISALLOW",
    "--priority",
    "LOW",
    "--min-retry-delay",
    "2m",
    "--no-progress-timeout",
    "60",
    "--file-acl-flags",
    "OWNER,DACL",
    "--peer-caching-flags",
    "ENABLE_PEERCACHING_CLIENT",
    "--max-download-time",
    "1h",
    "--json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const document = parseJson(result);
  assertCliJson("set", document);
  assert.deepEqual(document.set, [
    "description",
    "priority",
    "notifyFlags",
    "minimumRetryDelay",
    "noProgressTimeout",
    "maximumDownloadTime",
    "customHeaders",
    "security",
    "fileAclFlags",
    "peerCachingFlags",
  ]);

  const read = await runCli(["properties", job.id, "--json"]);
  assert.equal(read.code, 0, read.stderr);
  const snapshot = parseJson(read) as unknown as {
    id: string;
    values: Record<string, unknown>;
    unsupported: string[];
  };
  assertCliJson("properties", snapshot);
  assert.equal(snapshot.id, job.id);
  assert.equal(snapshot.values.description, "set from the CLI");
  assert.deepEqual(snapshot.values.notifyFlags, ["JOB_TRANSFERRED", "JOB_MODIFICATION"]);
  assert.deepEqual(snapshot.values.customHeaders, ["X-Deno-Bits: cli set", "X-Second: two; three"]);
  assert.deepEqual(snapshot.values.security, { flags: ["IGNORE_UNKNOWN_CA"], redirectPolicy: "DISALLOW" });
  assert.deepEqual(snapshot, { ...snapshot, ...(await job.properties()) }, "the CLI reads what the API reads");
  if (onWine) {
    // Accepted and ignored by Wine: its getters return its constants, or nothing for ACL flags.
    assert.deepEqual(
      [snapshot.values.minimumRetryDelay, snapshot.values.noProgressTimeout, snapshot.values.fileAclFlags],
      [30, 900, []],
    );
    assert.ok(snapshot.unsupported.includes("priority") && snapshot.unsupported.includes("peerCachingFlags"));
  } else {
    assert.deepEqual(
      [snapshot.values.priority, snapshot.values.minimumRetryDelay, snapshot.values.noProgressTimeout],
      ["LOW", 120, 60],
    );
  }

  // One half of the security options keeps the other half as it was.
  assert.equal((await runCli(["set", job.id, "--redirect-policy", "ALLOW_REPORT"])).code, 0);
  assert.deepEqual(await job.getProperty("security"), { flags: ["IGNORE_UNKNOWN_CA"], redirectPolicy: "ALLOW_REPORT" });

  // Named properties only, by API name or set option; human output names the option that sets each.
  const some = parseJson(await runCli(["properties", job.id, "description", "header", "priority", "--json"]));
  assertCliJson("properties", some);
  assert.deepEqual(Object.keys(some.values as object), ["description", "customHeaders"]);
  assert.deepEqual(some.unsupported, onWine ? ["priority"] : []);
  const human = await runCli(["properties", job.id]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^PROPERTY\s+SET WITH\s+VALUE$/m);
  assert.match(human.stdout, /^description\s+--description\s+set from the CLI$/m);
  assert.match(human.stdout, /^customHeaders\s+--header\s+X-Deno-Bits: cli set\n\s+X-Second: two; three$/m);
  if (onWine) assert.match(human.stdout, /^Not supported by this BITS: priority, /m);

  // The headers set by the CLI reach the server.
  await job.resume();
  await job.wait({ timeout: 60_000 });
  const seen = server.requestLog.filter((r) => r.path === "/content/3000?seed=34");
  assert.ok(seen.length > 0);
  for (const request of seen) assert.equal(request.headers["x-deno-bits"], "cli set");
  assert.equal(await job.complete(), "completed");

  assert.equal((await runCli(["set", job.id.slice(1, 9), "--clear-headers"])).code, 4, "a finished job is gone");
});

Deno.test("set: a bad value changes nothing (exit 2); an unknown job is exit 4", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "cli refused");
  await job.setProperties({ description: "before" });
  const refused = await runCli(["set", job.id, "--description", "after", "--notify-flags", "JOB_DONE"]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--notify-flags: must be one of/);
  assert.equal(await job.getProperty("description"), "before");
  const missing = "{00000000-0000-0000-0000-00000000DEAD}";
  for (const args of [["set", missing, "--description", "x"], ["properties", missing]]) {
    const result = await runCli(args);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /BG_E_NOT_FOUND/);
  }
});

Deno.test("Wine: stubbed properties fail with their exact code (exit 1) and set says what it had changed", {
  ignore: !onWine,
}, async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "cli stubs");

  // description comes before proxy in the application order: it is set, then SetProxySettings fails.
  const partial = await runCli(["set", job.id, "--description", "after", "--proxy-usage", "NO_PROXY", "--json"]);
  assert.equal(partial.code, 1);
  const error = parseJson(partial);
  assertCliJson("set", error);
  const detail = error.error as { name: string; message: string };
  assert.equal(detail.name, "E_NOTIMPL");
  assert.match(detail.message, /^job proxy settings is not supported by this BITS \(E_NOTIMPL, 0x80004001\)/);
  assert.match(partial.stderr, /^note: changed before the failure, and left so: description$/m);
  assert.equal(await job.getProperty("description"), "after");

  const stubs: [string[], string, RegExp][] = [
    [["--display-name", "renamed"], "E_NOTIMPL", /changing a job's display name/],
    [["--notify-cmd", "C:\\windows\\system32\\cmd.exe /c exit"], "E_NOTIMPL", /notify command line/],
    [["--client-cert-subject", "CN=deno-bits"], "E_NOTIMPL", /client certificates/],
    [["--http-method", "PUT"], "E_NOINTERFACE", /custom HTTP method/],
    [["--dynamic-content", "on"], "E_NOINTERFACE", /IBackgroundCopyJob5 dynamic content/],
    [["--transfer-policy", "NOT_ROAMING"], "E_NOINTERFACE", /IBackgroundCopyJob5 cost flags/],
    [["--headers-write-only"], "E_NOINTERFACE", /write-only custom headers/],
  ];
  for (const [args, code, feature] of stubs) {
    const result = await runCli(["set", job.id, ...args, "--json"]);
    assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
    const document = parseJson(result);
    assertCliJson("set", document);
    const detail = document.error as { name: string; message: string };
    assert.equal(detail.name, code, args.join(" "));
    assert.match(detail.message, feature);
    assert.match(result.stderr, /^note: nothing was changed$/m, args.join(" "));
  }
  assert.equal(await job.getProperty("displayName"), "cli stubs");
});

// ---- The same options at creation: one-command downloads ----

Deno.test("download --password-env --header --priority --wait: one command; the credentials and header reach the server, the password shows nowhere", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const password = "dl-Secret-" + crypto.randomUUID();
  const url = server.basicAuthUrl("dora", password, 5000, 35);
  const dest = session.path("one-command.bin");
  const log = session.path("download.log");
  const name = `cli one command ${crypto.randomUUID().slice(0, 8)}`;
  const args = [
    "download",
    url,
    dest,
    "--name",
    name,
    "--credentials-scheme",
    "BASIC",
    "--username",
    "dora",
    "--password-env",
    PASSWORD_VAR,
    "--header",
    "X-Deno-Bits: one command",
    "--priority",
    "FOREGROUND",
    "--wait",
    "--timeout",
    "90",
    "--verbose",
    "--log-file",
    log,
    "--json",
  ];
  const result = await runCliWithSecret(args, { env: { [PASSWORD_VAR]: password } });
  assert.equal(result.code, 0, result.stderr);
  const document = parseJson({ ...result, command: "download" });
  assertCliJson("download", document);
  assert.deepEqual(document.set, ["priority", "credentials", "customHeaders"]);
  assert.equal(document.outcome, "completed");
  assert.equal(await fileSha256(dest), contentSha256(5000, 35));
  const request = server.requestLog.find((r) => r.path === new URL(url).pathname + new URL(url).search);
  assert.equal(request?.headers.authorization, `Basic ${btoa(`dora:${password}`)}`);
  assert.equal(request?.headers["x-deno-bits"], "one command");
  assertNowhere(leakForms("dora", password), {
    argv: args.join(" "),
    stdout: result.stdout,
    stderr: result.stderr,
    "log file": await Deno.readTextFile(log),
  });
});

Deno.test(
  "Wine: download with a setting BITS refuses: the new job is cancelled, the exact error, nothing left queued",
  {
    ignore: !onWine,
  },
  async () => {
    await using server = startServer();
    await using session = await BitsSession.open();
    const before = await session.liveJobIds();
    const name = `cli refused at creation ${crypto.randomUUID().slice(0, 8)}`;
    // Wine stubs SetProxySettings (E_NOTIMPL): priority is set, then the proxy fails, after the job exists.
    const result = await runCli([
      "download",
      server.contentUrl(100, 36),
      session.path("refused.bin"),
      "--name",
      name,
      "--priority",
      "HIGH",
      "--proxy-usage",
      "NO_PROXY",
      "--json",
    ]);
    assert.equal(result.code, 1, result.stderr);
    const document = parseJson(result);
    assertCliJson("download", document);
    assert.equal((document.error as { name: string }).name, "E_NOTIMPL");
    const after = await session.liveJobIds();
    const left = (await session.bits.listJobs()).filter((j) => after.has(j.id) && !before.has(j.id));
    assert.deepEqual(left.filter((j) => j.displayName === name), [], "no half-made job stays queued");
    assert.ok(!(await exists(session.path("refused.bin"))), "nothing was downloaded");
  },
);

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

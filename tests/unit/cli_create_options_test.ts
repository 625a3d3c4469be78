// The job-creating commands (download, submit, upload, create) take `set`'s property options: the same
// spec objects, every one that makes sense on a new job (a check fails when a row is added to `set` and
// not offered at creation), parsed and validated before BITS is touched (exit 2), a password never from
// argv, and credentials from the environment as `set` reads them.
//
// Permissions: --allow-read.

import assert from "node:assert/strict";
import { parseCommandLine } from "../../src/cli/args.ts";
import { CREATION_OPTIONS, CREATION_TARGETS, prepareCreationProperties } from "../../src/cli/creation_options.ts";
import { PROPERTY_CLI, SET_TARGETS } from "../../src/cli/property_options.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import { SET_OPTIONS } from "../../src/cli/set.ts";
import { SecretCredentials } from "../../src/credentials.ts";
import { runMain } from "../support/cli_capture.ts";

const CREATING = ["download", "submit", "upload", "create"];
/** Rows of `set` that only make sense on an existing job, or that each command spells its own way. */
const ONLY_SET = ["displayName", "description", "removeCredentials", "makeCustomHeadersWriteOnly"];

/** `set`'s options a new job can take: all but the rows above and the `--clear-…` undo switches. */
function creationTimeOptionsOfSet(): string[] {
  return SET_TARGETS.filter((t) => !ONLY_SET.includes(t))
    .flatMap((t) => Object.keys(PROPERTY_CLI[t].options))
    .filter((name) => !name.startsWith("clear-"));
}

Deno.test("creation options: `download --help` (and submit, upload, create) lists every creation-time option of set", async () => {
  const wanted = creationTimeOptionsOfSet();
  assert.ok(wanted.length >= 30, `set has ${wanted.length} creation-time options`);
  for (const command of CREATING) {
    const help = await runMain(command, "--help");
    assert.equal(help.code, 0, help.stderr);
    for (const name of wanted) {
      assert.match(help.stdout, new RegExp(`--${name}\\b`), `${command} --help lists --${name}`);
      // Defined once: the very spec object `set` uses.
      assert.equal(COMMANDS[command].options[name], SET_OPTIONS[name], `${command} --${name} is set's own spec`);
    }
  }
  assert.deepEqual(Object.keys(CREATION_OPTIONS), wanted);
  assert.deepEqual(CREATION_TARGETS, SET_TARGETS.filter((t) => !ONLY_SET.includes(t)));
});

Deno.test("creation options: a bad value is exit 2 before BITS is touched, for every creating command", async () => {
  const positionals: Record<string, string[]> = {
    download: ["https://example.com/a.bin", "/tmp/deno-bits-never/a.bin"],
    submit: [
      "https://example.com/a.wma",
      "/tmp/deno-bits-never/a.wma",
      "--provider",
      "P",
      "--track",
      "1",
      "--duration",
      "1",
    ],
    upload: ["https://example.com/up", "/tmp/deno-bits-never/a.bin"],
    create: ["a job"],
  };
  for (const command of CREATING) {
    const result = await runMain(command, ...positionals[command], "--priority", "URGENT");
    assert.equal(result.code, 2, `${command}: ${result.stderr}`);
    assert.match(result.stderr, /--priority: must be one of FOREGROUND, HIGH, NORMAL, LOW/, command);
  }
  const conflict = await runMain("create", "x", "--proxy-list", "proxy:8080");
  assert.equal(conflict.code, 2);
  assert.match(conflict.stderr, /--proxy-list and --proxy-bypass need --proxy-usage OVERRIDE/);
});

Deno.test("creation options: --password VALUE is refused (exit 2) and the value is printed nowhere", async () => {
  const secret = "argv-secret-" + crypto.randomUUID();
  const result = await runMain(
    "download",
    "https://example.com/a.bin",
    "/tmp/deno-bits-never/a.bin",
    "--credentials-scheme",
    "BASIC",
    "--username",
    "alice",
    "--password",
    secret,
  );
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--password is not accepted/);
  assert.ok(!result.stderr.includes(secret) && !result.stdout.includes(secret));
});

Deno.test("creation options: the --clear-… switches and set-only actions are not options of download", async () => {
  for (const option of ["--clear-headers", "--clear-credentials", "--headers-write-only", "--display-name"]) {
    const result = await runMain("download", "https://example.com/a.bin", "/tmp/x.bin", option);
    assert.equal(result.code, 2, option);
  }
});

Deno.test("creation options: credentials come from the environment as set reads them; names listed in apply order", async () => {
  const parsed = parseCommandLine([
    "download",
    "https://example.com/a.bin",
    "/tmp/a.bin",
    "--header",
    "X-Tenant: contoso",
    "--credentials-scheme",
    "basic",
    "--username",
    "alice",
    "--password-env",
    "PW",
    "--priority",
    "foreground",
  ], COMMANDS);
  const written: string[] = [];
  const ctx = { io: { stdout: () => {}, stderr: () => {}, stderrIsTerminal: false }, json: false, quiet: false };
  const result = await prepareCreationProperties(ctx, parsed.options, "download", {
    input: { isTerminal: () => false, setRaw: () => {}, read: () => Promise.resolve(null) },
    env: { allowed: () => true, get: (name) => name === "PW" ? "s3cret" : undefined },
    write: (t) => void written.push(t),
  });
  assert.deepEqual(result.names, ["priority", "credentials", "customHeaders"]);
  assert.equal(result.properties?.priority, "FOREGROUND");
  assert.deepEqual(result.properties?.customHeaders, ["X-Tenant: contoso"]);
  assert.ok(result.properties?.credentials?.[0] instanceof SecretCredentials);
  assert.deepEqual(written, [], "no prompt when the environment gives the password");

  // The command's own --description (and --name) are not set's rows: not parsed, not listed, not applied twice.
  const own = parseCommandLine(
    ["create", "x", "--description", "d".repeat(1025), "--priority", "low"],
    COMMANDS,
  );
  const mine = await prepareCreationProperties(ctx, own.options, "create");
  assert.deepEqual(mine.names, ["priority"]);
  assert.deepEqual(mine.properties, { priority: "LOW" });

  const none = await prepareCreationProperties(ctx, {}, "download");
  assert.deepEqual(none, { properties: undefined, names: [] });
});

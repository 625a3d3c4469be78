// Unit tests of `set` and `properties` without BITS: the property table against the API (every settable
// property has options, every option belongs to a property), the parsing of every option into the typed
// properties, usage errors (exit 2) before any COM call, the password rules (never from argv, never
// printed), the failure note, the human format, and the two JSON Schemas.
//
// Permissions: --allow-read (the schemas).

import assert from "node:assert/strict";
import { parseCommandLine } from "../../src/cli/args.ts";
import { GLOBAL_OPTIONS } from "../../src/cli/args.ts";
import { UsageError } from "../../src/cli/command.ts";
import {
  argumentOption,
  optionTarget,
  parseBytes,
  parseCommandLine as parseNotifyCommandLine,
  parseSeconds,
  PROPERTY_CLI,
  SET_TARGETS,
} from "../../src/cli/property_options.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import type { SecretEnvironment, SecretInput } from "../../src/cli/secrets.ts";
import { appliedBefore, prepareSet, SET_OPTIONS } from "../../src/cli/set.ts";
import { formatPropertyValue, readableName } from "../../src/cli/properties.ts";
import { givenProperties, type SecretIo } from "../../src/cli/property_plan.ts";
import { encodeCredentials, SecretCredentials } from "../../src/credentials.ts";
import { BitsError, BitsUnsupportedError } from "../../src/errors.ts";
import { HR } from "../../src/hresult.ts";
import { APPLY_ORDER, planProperties } from "../../src/properties/encode.ts";
import { PROPERTY_FEATURES } from "../../src/properties/features.ts";
import { READABLE_PROPERTIES } from "../../src/properties/native.ts";
import type { JobProperties } from "../../src/properties/types.ts";
import { validator } from "../support/cli_schema.ts";
import { runMain } from "../support/cli_capture.ts";

const JOB = "{4991D34B-80A1-4291-83B6-3328366B9097}";
const ACTIONS = ["removeCredentials", "makeCustomHeadersWriteOnly"];

const run = runMain;

/** A stdin with nothing to read (what a pipe from /dev/null gives). */
function noInput(terminal = false, chunks: string[] = []): SecretInput & { raw: boolean[] } {
  const raw: boolean[] = [];
  return {
    raw,
    isTerminal: () => terminal,
    setRaw: (r) => void raw.push(r),
    read: (buffer) => {
      const next = chunks.shift();
      if (next === undefined) return Promise.resolve(null);
      const bytes = new TextEncoder().encode(next);
      buffer.set(bytes);
      return Promise.resolve(bytes.length);
    },
  };
}

function secretIo(options: { vars?: Record<string, string>; input?: SecretInput } = {}): SecretIo & {
  written: string[];
} {
  const written: string[] = [];
  const env: SecretEnvironment = { allowed: () => true, get: (name) => options.vars?.[name] };
  return { input: options.input ?? noInput(), env, write: (t) => void written.push(t), written };
}

/** `set` options as the real parser produces them from argv. */
function options(...argv: string[]): Record<string, string | boolean | (string | boolean)[] | undefined> {
  const parsed = parseCommandLine(["set", JOB, ...argv], COMMANDS);
  assert.equal(parsed.command, "set");
  return { ...parsed.options };
}

/** The properties `set` would apply for `argv`. */
async function plan(...argv: string[]): Promise<JobProperties> {
  return (await prepareSet(options(...argv), secretIo())).properties;
}

/** The password a SecretCredentials holds (through the library's internal encoder). */
function passwordOf(credentials: unknown): string {
  assert.ok(credentials instanceof SecretCredentials);
  const encoded = encodeCredentials(credentials);
  const text = String.fromCharCode(...encoded.password.subarray(0, encoded.passwordLength));
  encoded.wipe();
  return text;
}

// ---- The table against the API ----

Deno.test("set table: one row per settable property, in the order setProperties applies them, plus the two actions", () => {
  assert.deepEqual(SET_TARGETS.filter((t) => !ACTIONS.includes(t)), [...APPLY_ORDER]);
  assert.deepEqual(SET_TARGETS.filter((t) => ACTIONS.includes(t)).sort(), [...ACTIONS].sort());
  // Everything with a feature name in the library (properties and the write-only action) has a row.
  for (const name of Object.keys(PROPERTY_FEATURES)) {
    assert.ok(SET_TARGETS.includes(name as never) || name === "makeCustomHeadersWriteOnly", name);
  }
});

Deno.test("set table: every option belongs to exactly one row, and `set` has exactly the table's options", () => {
  const fromTable = SET_TARGETS.flatMap((t) => Object.keys(PROPERTY_CLI[t].options));
  assert.equal(new Set(fromTable).size, fromTable.length, "an option is in two rows");
  assert.deepEqual(Object.keys(COMMANDS.set.options), fromTable);
  assert.deepEqual(Object.keys(SET_OPTIONS), fromTable);
  for (const option of fromTable) {
    assert.ok(optionTarget(option) !== undefined, option);
    assert.ok(!Object.hasOwn(GLOBAL_OPTIONS, option), `--${option} shadows a global option`);
    assert.match(option, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, "kebab-case");
  }
  for (const target of SET_TARGETS) assert.ok(Object.keys(PROPERTY_CLI[target].options).length > 0, target);
});

Deno.test("set table: every settable property can be set from the command line, and the result passes the library's checks", async () => {
  const cases: [string[], JobProperties][] = [
    [["--display-name", "Nightly"], { displayName: "Nightly" }],
    [["--description", "D:\\Data, nightly"], { description: "D:\\Data, nightly" }],
    [["--priority", "high"], { priority: "HIGH" }],
    [["--notify-flags", "JOB_TRANSFERRED,job-error"], { notifyFlags: ["JOB_TRANSFERRED", "JOB_ERROR"] }],
    [["--notify-flags", "NONE"], { notifyFlags: [] }],
    [["--notify-cmd", "C:\\Tools\\done.exe --job 1"], {
      notifyCommandLine: { program: "C:\\Tools\\done.exe", parameters: "C:\\Tools\\done.exe --job 1" },
    }],
    [["--notify-cmd", '"C:\\Program Files\\x.exe" a b'], {
      notifyCommandLine: { program: "C:\\Program Files\\x.exe", parameters: '"C:\\Program Files\\x.exe" a b' },
    }],
    [["--notify-cmd", "C:\\Tools\\done.exe"], { notifyCommandLine: { program: "C:\\Tools\\done.exe" } }],
    [["--clear-notify-cmd"], { notifyCommandLine: null }],
    [["--min-retry-delay", "60"], { minimumRetryDelay: 60 }],
    [["--no-progress-timeout", "10m"], { noProgressTimeout: 600 }],
    [["--no-progress-timeout", "0"], { noProgressTimeout: 0 }],
    [["--max-download-time", "2d"], { maximumDownloadTime: 172_800 }],
    [["--proxy-usage", "OVERRIDE", "--proxy-list", "http=p:8080,https=q:8443", "--proxy-bypass", "<local>"], {
      proxy: { usage: "OVERRIDE", proxies: ["http=p:8080", "https=q:8443"], bypass: ["<local>"] },
    }],
    [["--proxy-usage", "OVERRIDE", "--proxy-list", "a:1", "--proxy-list", "b:2"], {
      proxy: { usage: "OVERRIDE", proxies: ["a:1", "b:2"] },
    }],
    [["--proxy-usage", "no_proxy"], { proxy: { usage: "NO_PROXY" } }],
    [["--header", "X-A: 1", "--header", "X-B: two"], { customHeaders: ["X-A: 1", "X-B: two"] }],
    [["--clear-headers"], { customHeaders: [] }],
    [["--security-flags", "ENABLE_CRL_CHECK,IGNORE_UNKNOWN_CA", "--redirect-policy", "DISALLOW"], {
      security: { flags: ["ENABLE_CRL_CHECK", "IGNORE_UNKNOWN_CA"], redirectPolicy: "DISALLOW" },
    }],
    [["--redirect-policy", "allow-report"], { security: { redirectPolicy: "ALLOW_REPORT" } }],
    [["--client-cert-hash", "a9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 c2 6c 9c d0 d8 9d"], {
      clientCertificate: {
        storeLocation: "CURRENT_USER",
        storeName: "MY",
        hash: "a9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 c2 6c 9c d0 d8 9d",
      },
    }],
    [
      ["--client-cert-subject", "CN=deno-bits", "--client-cert-store", "CA", "--client-cert-location", "LOCAL_MACHINE"],
      {
        clientCertificate: { storeLocation: "LOCAL_MACHINE", storeName: "CA", subjectName: "CN=deno-bits" },
      },
    ],
    [["--clear-client-cert"], { clientCertificate: null }],
    [["--http-method", "PUT"], { httpMethod: "PUT" }],
    [["--file-acl-flags", "OWNER,DACL"], { fileAclFlags: ["OWNER", "DACL"] }],
    [["--peer-caching-flags", "ENABLE_PEERCACHING_CLIENT"], { peerCachingFlags: ["ENABLE_PEERCACHING_CLIENT"] }],
    [["--transfer-policy", "not-roaming"], { costFlags: "NOT_ROAMING" }],
    [["--cost-states", "UNRESTRICTED,BELOW_CAP", "--ignore-congestion", "on"], {
      costFlags: { states: ["UNRESTRICTED", "BELOW_CAP"], ignoreCongestion: true },
    }],
    [["--notification-clsid", "{4991D34B-80A1-4291-83B6-3328366B9097}"], {
      notificationClsid: "{4991D34B-80A1-4291-83B6-3328366B9097}",
    }],
    [["--clear-notification-clsid"], { notificationClsid: null }],
    [["--dynamic-content", "on"], { dynamicContent: true }],
    [["--high-performance", "OFF"], { highPerformance: false }],
    [["--max-download-size", "500MB"], { maxDownloadSize: 500_000_000 }],
    [["--max-download-size", "2GiB"], { maxDownloadSize: 2 * 2 ** 30 }],
    [["--use-stored-credentials", "SERVER,PROXY"], { useStoredCredentials: ["SERVER", "PROXY"] }],
    [["--min-notification-interval", "0.5"], { minimumNotificationInterval: 500 }],
    [["--min-notification-interval", "250ms"], { minimumNotificationInterval: 250 }],
    [["--on-demand", "on"], { onDemandMode: true }],
  ];
  const covered = new Set<string>();
  for (const [argv, expected] of cases) {
    const properties = await plan(...argv);
    assert.deepEqual(properties, expected, argv.join(" "));
    planProperties(properties);
    for (const key of Object.keys(properties)) covered.add(key);
  }
  // Credentials have their own tests below; every other settable property is covered here.
  assert.deepEqual([...covered].sort(), APPLY_ORDER.filter((p) => p !== "credentials").sort());
});

Deno.test("set: several properties at once come back in one plan, applied in the table's order", async () => {
  const properties = await plan(
    "--priority",
    "LOW",
    "--description",
    "d",
    "--header",
    "X: y",
    "--min-retry-delay",
    "5m",
  );
  assert.deepEqual(properties, { description: "d", priority: "LOW", minimumRetryDelay: 300, customHeaders: ["X: y"] });
  assert.deepEqual(givenProperties(properties), ["description", "priority", "minimumRetryDelay", "customHeaders"]);
});

Deno.test("set: removing credentials and write-only headers are planned apart from setProperties", async () => {
  const result = await prepareSet(
    options(
      "--clear-credentials",
      "basic/server",
      "--clear-credentials",
      "NTLM/PROXY",
      "--clear-credentials",
      "DIGEST",
      "--headers-write-only",
    ),
    secretIo(),
  );
  assert.deepEqual(result.properties, {});
  assert.deepEqual(result.removeCredentials, [
    { scheme: "BASIC", target: "SERVER" },
    { scheme: "NTLM", target: "PROXY" },
    { scheme: "DIGEST", target: "SERVER" },
  ]);
  assert.equal(result.headersWriteOnly, true);
});

// ---- Invalid input: exit 2 before any COM call ----

Deno.test("set: invalid values are usage errors naming the option, before BITS is touched (exit 2)", async () => {
  const cases: [string[], RegExp][] = [
    [[], /nothing to set/],
    [["--priority", "URGENT"], /--priority: must be one of FOREGROUND, HIGH, NORMAL, LOW/],
    [["--notify-flags", "JOB_TRANSFERRED,,JOB_ERROR"], /--notify-flags: takes a comma-separated list/],
    [["--notify-flags", "JOB_DONE"], /--notify-flags: must be one of JOB_TRANSFERRED/],
    [["--notify-cmd", "done.exe --x"], /--notify-cmd: notifyCommandLine.program must be a full Windows path/],
    [["--notify-cmd", "C:\\x.exe", "--clear-notify-cmd"], /--clear-notify-cmd cannot be combined with --notify-cmd/],
    [["--min-retry-delay=-1"], /--min-retry-delay: takes a duration/],
    [["--min-retry-delay", "1.5"], /--min-retry-delay: takes whole seconds/],
    [["--min-retry-delay", "soon"], /--min-retry-delay: takes a duration/],
    [["--no-progress-timeout", "50000d"], /--no-progress-timeout: is more than 4294967295 seconds/],
    [["--proxy-list", "p:1"], /--proxy-list and --proxy-bypass need --proxy-usage OVERRIDE/],
    [["--proxy-usage", "OVERRIDE"], /--proxy-list: proxy.proxies needs at least one proxy/],
    [["--proxy-usage", "NO_PROXY", "--proxy-bypass", "<local>"], /--proxy-usage: proxy lists are only allowed/],
    [["--header", "no colon"], /--header: customHeaders\[0\] must look like/],
    [["--header", "X: a", "--clear-headers"], /--clear-headers cannot be combined with --header/],
    [["--security-flags", "IGNORE_EVERYTHING"], /--security-flags: must be one of ENABLE_CRL_CHECK/],
    [["--redirect-policy", "FOLLOW"], /--redirect-policy: must be one of ALLOW_SILENT/],
    [["--client-cert-hash", "abc"], /--client-cert-hash: clientCertificate.hash must be a SHA-1 hash/],
    [["--client-cert-store", "MY"], /need --client-cert-hash or --client-cert-subject/],
    [["--client-cert-hash", "ab", "--client-cert-subject", "CN=x"], /exclude each other/],
    [["--clear-client-cert", "--client-cert-store", "MY"], /--clear-client-cert cannot be combined/],
    [["--http-method", "GET POST"], /--http-method: /],
    [["--http-method", "PUT", "--dynamic-content", "on"], /httpMethod cannot be combined with dynamicContent/],
    [["--transfer-policy", "NEVER"], /--transfer-policy: must be one of ALWAYS/],
    [["--transfer-policy", "ALWAYS", "--cost-states", "ROAMING"], /--transfer-policy excludes --cost-states/],
    [["--ignore-congestion", "on"], /--ignore-congestion needs --cost-states/],
    [["--notification-clsid", "not-a-guid"], /--notification-clsid: notificationClsid must be a GUID/],
    [["--dynamic-content", "yes"], /--dynamic-content: takes on or off/],
    [["--max-download-size", "1.5B"], /--max-download-size: must come to a whole number of bytes/],
    [["--max-download-size", "10 parsecs"], /--max-download-size: takes a byte count/],
    [["--use-stored-credentials", "EVERYONE"], /--use-stored-credentials: must be one of SERVER, PROXY/],
    [["--min-notification-interval", "0.0001"], /--min-notification-interval: is finer than a millisecond/],
    [["--display-name", ""], /--display-name: /],
    [["--description", "d".repeat(1025)], /--description: description is 1025 characters/],
    [["--clear-credentials", "BASIC/SERVER/X"], /--clear-credentials: takes SCHEME or SCHEME\/TARGET/],
    [["--clear-credentials", "KERBEROS"], /--clear-credentials: must be one of BASIC, DIGEST, NTLM/],
    [["--username", "alice"], /--credentials-scheme is needed with --username/],
    [["--password-env", "PW"], /--credentials-scheme is needed with --password-env/],
    [["--credentials-scheme", "BASIC"], /--username is needed with --credentials-scheme BASIC/],
    [["--credentials-scheme", "NTLM", "--password-stdin"], /--username is needed with a password/],
    [["--credentials-scheme", "BASIC", "--username", "a", "--password-env", "PW", "--password-stdin"], /only one of/],
    [["--credentials-scheme", "BASIC", "--credentials-target", "CLIENT", "--username", "a"], /--credentials-target: /],
    [["--credentials-scheme", "BASIC", "--username", "u".repeat(301), "--password-env", "PW"], /--username: /],
  ];
  for (const [argv, pattern] of cases) {
    const result = await run("set", JOB, ...argv);
    assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, /^error: (?!UsageError)/, argv.join(" "));
    assert.match(result.stderr, pattern, argv.join(" "));
    assert.match(result.stderr, /^hint: see 'bits set --help'$/m);
    // BITS is absent here: reaching it would have failed with BitsUnavailableError (exit 1) instead.
    assert.doesNotMatch(result.stderr, /BitsUnavailableError/);
    assert.equal(result.stdout, "");
  }
});

Deno.test("set: valid options get past validation to BITS (here: unavailable, exit 1), so exit 2 above means refused", async () => {
  const result = await run("set", JOB, "--priority", "HIGH", "--header", "X: y");
  assert.equal(result.code, Deno.build.os === "windows" ? 4 : 1, result.stderr);
});

Deno.test("set: an invalid value in --json mode is an error document with exit 2", async () => {
  const result = await run("set", JOB, "--priority", "URGENT", "--json");
  assert.equal(result.code, 2);
  const document = JSON.parse(result.stdout);
  assert.equal(document.error.name, "UsageError");
  validator("error.schema.json")(document);
});

// ---- Passwords ----

Deno.test("set: --password VALUE and --password=VALUE are refused, saying how to pass it, never echoing it", async () => {
  const secret = "Hunter2-" + crypto.randomUUID();
  for (const argv of [["--password", secret], [`--password=${secret}`], ["--json", "--password", secret]]) {
    const result = await run("set", JOB, "--credentials-scheme", "BASIC", "--username", "alice", ...argv);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--password is not accepted/);
    assert.match(result.stderr, /--password-env NAME/);
    assert.match(result.stderr, /--password-stdin/);
    assert.match(result.stderr, /--password-prompt/);
    assert.ok(!result.stderr.includes(secret) && !result.stdout.includes(secret), "the password was echoed");
  }
  // Also alone, before anything else is checked.
  const alone = await run("set", JOB, "--password", secret);
  assert.match(alone.stderr, /--password is not accepted/);
  // An empty value is still a password on the command line: refused the same way, not taken as "no password".
  for (const argv of [["--password="], ["--password", ""]]) {
    const empty = await run("set", JOB, "--credentials-scheme", "BASIC", "--username", "alice", ...argv);
    assert.equal(empty.code, 2, argv.join(" "));
    assert.match(empty.stderr, /--password is not accepted/, argv.join(" "));
  }
});

Deno.test("set: --password-env reads the variable into SecretCredentials (target SERVER by default)", async () => {
  const io = secretIo({ vars: { BITS_PW: "from-env" } });
  const result = await prepareSet(
    options("--credentials-scheme", "basic", "--username", "alice", "--password-env", "BITS_PW"),
    io,
  );
  const [credentials] = result.properties.credentials ?? [];
  assert.ok(credentials instanceof SecretCredentials);
  assert.deepEqual([credentials.scheme, credentials.target], ["BASIC", "SERVER"]);
  assert.equal(passwordOf(credentials), "from-env");
  assert.deepEqual(io.written, [], "no prompt");
  assert.ok(!JSON.stringify(result).includes("from-env") && !Deno.inspect(result, { depth: 9 }).includes("from-env"));
  assert.ok(!JSON.stringify(result).includes("alice"), "the user name is redacted too");
});

Deno.test("set: an unset --password-env variable is a usage error (exit 2) that names neither it nor a value", async () => {
  await assert.rejects(
    prepareSet(options("--credentials-scheme", "BASIC", "--username", "a", "--password-env", "NOPE"), secretIo()),
    (e) => e instanceof UsageError && e.command === "set" && /not set/.test(e.message) && !e.message.includes("NOPE"),
  );
});

Deno.test("set: --password-stdin reads one line of a pipe; a terminal gets the masked prompt instead", async () => {
  const piped = await prepareSet(
    options("--credentials-scheme", "DIGEST", "--credentials-target", "PROXY", "--username", "u", "--password-stdin"),
    secretIo({ input: noInput(false, ["piped pw\r\n", "rest\n"]) }),
  );
  const [credentials] = piped.properties.credentials ?? [];
  assert.equal(passwordOf(credentials), "piped pw");
  assert.deepEqual([credentials.scheme, credentials.target], ["DIGEST", "PROXY"]);

  const terminal = noInput(true, ["typed\x7fD\r"]);
  const io = secretIo({ input: terminal });
  const prompted = await prepareSet(
    options("--credentials-scheme", "BASIC", "--username", "u", "--password-stdin"),
    io,
  );
  assert.equal(passwordOf(prompted.properties.credentials?.[0]), "typeD");
  assert.deepEqual(terminal.raw, [true, false]);
  assert.equal(io.written.join(""), "Password for the server (BASIC): \n");
});

Deno.test("set: --username without a source prompts on a terminal and is refused on a pipe", async () => {
  const terminal = noInput(true, ["secret\r"]);
  const prompted = await prepareSet(
    options("--credentials-scheme", "BASIC", "--credentials-target", "PROXY", "--username", "u"),
    secretIo({ input: terminal }),
  );
  assert.equal(passwordOf(prompted.properties.credentials?.[0]), "secret");
  await assert.rejects(
    prepareSet(
      options("--credentials-scheme", "BASIC", "--username", "u"),
      secretIo({ input: noInput(false, ["x\n"]) }),
    ),
    (e) => e instanceof UsageError && /--username needs a password/.test(e.message),
  );
  await assert.rejects(
    prepareSet(options("--credentials-scheme", "BASIC", "--username", "u", "--password-prompt"), secretIo()),
    (e) => e instanceof UsageError && /--password-prompt needs a terminal/.test(e.message),
  );
});

Deno.test("set: NTLM or NEGOTIATE without a user name means the logged-on user's credentials: no password read", async () => {
  const terminal = noInput(true, ["never read\r"]);
  const result = await prepareSet(options("--credentials-scheme", "NEGOTIATE"), secretIo({ input: terminal }));
  const [credentials] = result.properties.credentials ?? [];
  assert.equal(passwordOf(credentials), "");
  assert.deepEqual(terminal.raw, [], "no prompt");
});

Deno.test("set: other options are checked before anyone types a password", async () => {
  const terminal = noInput(true, ["typed\r"]);
  await assert.rejects(
    prepareSet(
      options("--credentials-scheme", "BASIC", "--username", "u", "--priority", "URGENT"),
      secretIo({ input: terminal }),
    ),
    /--priority/,
  );
  assert.deepEqual(terminal.raw, [], "the prompt never started");
});

Deno.test("set: a password over BITS' limit is refused by length, not content", async () => {
  const long = "p".repeat(65_536);
  await assert.rejects(
    prepareSet(
      options("--credentials-scheme", "BASIC", "--username", "u", "--password-env", "PW"),
      secretIo({ vars: { PW: long } }),
    ),
    (e) => e instanceof UsageError && /the password: .*65536 characters/.test(e.message) && !e.message.includes("ppp"),
  );
});

// ---- After a BITS failure ----

Deno.test("appliedBefore: the properties applied before the one a BITS error names", () => {
  const given = givenProperties({ description: "d", priority: "LOW", proxy: { usage: "NO_PROXY" }, credentials: [] });
  assert.deepEqual(given, ["description", "priority", "proxy", "credentials"]);
  const unsupported = new BitsUnsupportedError(HR.E_NOTIMPL, { operation: "Set proxy", feature: "job proxy settings" });
  assert.deepEqual(appliedBefore(unsupported, given), ["description", "priority"]);
  const credentials = new BitsError(0x80070005, { operation: "Set credentials (SERVER BASIC)" });
  assert.deepEqual(appliedBefore(credentials, given), ["description", "priority", "proxy"]);
  assert.deepEqual(appliedBefore(new BitsError(0x80070005, { operation: "Set description" }), given), []);
  assert.deepEqual(appliedBefore(new BitsError(0x80070005, { operation: "GetJob" }), given), []);
  assert.deepEqual(appliedBefore(new Error("x"), given), []);
});

Deno.test("argumentOption: the library's argument names lead back to the option", () => {
  assert.equal(argumentOption("customHeaders[3]"), "header");
  assert.equal(argumentOption("proxy.bypass[0]"), "proxy-bypass");
  assert.equal(argumentOption("proxy.proxies"), "proxy-list");
  assert.equal(argumentOption("credentials.userName"), "username");
  assert.equal(argumentOption("notifyCommandLine.parameters"), "notify-cmd");
  assert.equal(argumentOption("costFlags.states[1]"), "cost-states");
  assert.equal(argumentOption("minimumRetryDelay"), "min-retry-delay");
  assert.equal(argumentOption("nonsense"), undefined);
});

// ---- Value parsers ----

Deno.test("parsers: durations, byte counts and command lines", () => {
  assert.equal(parseSeconds("600", "x"), 600);
  assert.equal(parseSeconds("90s", "x"), 90);
  assert.equal(parseSeconds("1.5h", "x"), 5400);
  assert.equal(parseSeconds("14d", "x"), 1_209_600);
  assert.equal(parseSeconds("4294967295", "x"), 4_294_967_295);
  assert.throws(() => parseSeconds("4294967296", "x"), UsageError);
  assert.throws(() => parseSeconds("1500ms", "x"), /whole seconds/);
  assert.equal(parseBytes("0", "x"), 0);
  assert.equal(parseBytes("1kb", "x"), 1000);
  assert.equal(parseBytes("1 KiB", "x"), 1024);
  assert.equal(parseBytes("1.5GB", "x"), 1_500_000_000);
  assert.equal(parseBytes("9007199254740991", "x"), Number.MAX_SAFE_INTEGER);
  assert.throws(() => parseBytes("9007199254740992", "x"), UsageError);
  assert.throws(() => parseBytes("-1", "x"), UsageError);
  assert.deepEqual(parseNotifyCommandLine("  C:\\a.exe  ", "x"), { program: "C:\\a.exe" });
  assert.deepEqual(parseNotifyCommandLine('"C:\\a b\\c.exe"', "x"), { program: "C:\\a b\\c.exe" });
  assert.throws(() => parseNotifyCommandLine('"unclosed', "x"), UsageError);
});

// ---- properties ----

Deno.test("properties: names are the API's or a set option's; credentials are write-only; unknown ones refused", () => {
  assert.equal(readableName("minimumRetryDelay"), "minimumRetryDelay");
  assert.equal(readableName("min-retry-delay"), "minimumRetryDelay");
  assert.equal(readableName("--proxy-bypass"), "proxy");
  assert.equal(readableName("header"), "customHeaders");
  assert.equal(readableName("transfer-policy"), "costFlags");
  assert.throws(() => readableName("credentials"), /write-only/);
  assert.throws(() => readableName("password-env"), /write-only/);
  assert.throws(() => readableName("frobnicate"), /unknown property "frobnicate"; known: displayName/);
  // Every readable property is reachable by its main set option.
  for (const name of READABLE_PROPERTIES) {
    assert.equal(readableName(Object.keys(PROPERTY_CLI[name].options)[0]), name);
  }
});

Deno.test("properties: an unknown name is a usage error before BITS (exit 2)", async () => {
  const result = await run("properties", JOB, "priority", "frobnicate");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown property "frobnicate"/);
});

Deno.test("properties: values formatted for people", () => {
  assert.deepEqual(formatPropertyValue("minimumRetryDelay", 600), ["600 seconds"]);
  assert.deepEqual(formatPropertyValue("noProgressTimeout", 1), ["1 second"]);
  assert.deepEqual(formatPropertyValue("minimumNotificationInterval", 500), ["500 ms"]);
  assert.deepEqual(formatPropertyValue("maxDownloadSize", 0), ["0 (no limit)"]);
  assert.deepEqual(formatPropertyValue("dynamicContent", true), ["on"]);
  assert.deepEqual(formatPropertyValue("notifyFlags", []), ["(none)"]);
  assert.deepEqual(formatPropertyValue("notifyFlags", ["JOB_TRANSFERRED", "JOB_ERROR"]), [
    "JOB_TRANSFERRED, JOB_ERROR",
  ]);
  assert.deepEqual(formatPropertyValue("customHeaders", ["A: 1", "B: 2, 3"]), ["A: 1", "B: 2, 3"]);
  assert.deepEqual(formatPropertyValue("notifyCommandLine", null), ["(none)"]);
  assert.deepEqual(
    formatPropertyValue("proxy", { usage: "OVERRIDE", proxies: ["p:1", "q:2"], bypass: [] }),
    ["usage: OVERRIDE; proxies: p:1 q:2; bypass: (none)"],
  );
});

// ---- Help ----

Deno.test("help: set lists every option with at least two examples; properties has its own", async () => {
  const set = await run("set", "--help");
  assert.equal(set.code, 0);
  assert.match(set.stdout, /^Usage: bits set <id> \[options\]$/m);
  for (const option of Object.keys(SET_OPTIONS)) {
    assert.match(set.stdout, new RegExp(`--${option}(?![a-z0-9-])`), option);
  }
  assert.match(set.stdout, /applied in order until BITS refuses\sone/);
  assert.ok(set.stdout.split("\n").filter((l) => l.startsWith("  bits set ")).length >= 2);
  assert.match(set.stdout, /--password-env BITS_PASSWORD/);
  const properties = await run("properties", "--help");
  assert.match(properties.stdout, /^Usage: bits properties <id> \[names\.\.\.\] \[options\]$/m);
  assert.ok(properties.stdout.split("\n").filter((l) => l.startsWith("  bits properties ")).length >= 2);
});

// ---- JSON Schemas ----

Deno.test("schemas: set.schema.json names exactly the settable properties and accepts what set prints", () => {
  const schema = JSON.parse(Deno.readTextFileSync(new URL("../../docs/cli-json/set.schema.json", import.meta.url)));
  assert.deepEqual(schema.definitions.propertyName.enum, [...APPLY_ORDER]);
  const validate = validator("set.schema.json");
  const document = {
    version: 1,
    id: JOB,
    set: ["description", "credentials"],
    removedCredentials: [{ scheme: "BASIC", target: "SERVER" }],
    headersWriteOnly: false,
  };
  assert.ok(validate(document), JSON.stringify(validate.errors));
  assert.ok(!validate({ ...document, set: ["password"] }), "an unknown property name");
  assert.ok(!validate({ ...document, credentials: [{ password: "x" }] }), "no extra members");
});

Deno.test("schemas: properties.schema.json covers exactly the readable properties and their value shapes", () => {
  const schema = JSON.parse(
    Deno.readTextFileSync(new URL("../../docs/cli-json/properties.schema.json", import.meta.url)),
  );
  assert.deepEqual(Object.keys(schema.properties.values.properties), [...READABLE_PROPERTIES]);
  assert.deepEqual(schema.definitions.readableName.enum, [...READABLE_PROPERTIES]);
  const validate = validator("properties.schema.json");
  const values = {
    displayName: "n",
    description: "",
    priority: "NORMAL",
    notifyFlags: ["JOB_TRANSFERRED", "UNKNOWN(0x40)"],
    notifyCommandLine: { program: "C:\\a.exe", parameters: "C:\\a.exe x" },
    minimumRetryDelay: 600,
    noProgressTimeout: 1_209_600,
    maximumDownloadTime: 7_776_000,
    proxy: { usage: "PRECONFIG", proxies: [], bypass: [] },
    customHeaders: ["X: y"],
    security: { flags: [], redirectPolicy: "ALLOW_SILENT" },
    clientCertificate: null,
    httpMethod: "GET",
    fileAclFlags: [],
    peerCachingFlags: ["DISABLE_BRANCH_CACHE"],
    costFlags: { states: ["UNRESTRICTED"], ignoreCongestion: true, policy: null },
    notificationClsid: null,
    dynamicContent: false,
    highPerformance: false,
    maxDownloadSize: 0,
    useStoredCredentials: ["SERVER"],
    minimumNotificationInterval: 500,
    onDemandMode: false,
  };
  assert.ok(validate({ version: 1, id: JOB, values, unsupported: [] }), JSON.stringify(validate.errors));
  const partial = { version: 1, id: JOB, values: { description: "d" }, unsupported: ["priority", "proxy"] };
  assert.ok(validate(partial), JSON.stringify(validate.errors));
  assert.ok(!validate({ ...partial, values: { credentials: [] } }), "credentials are never read");
  assert.ok(!validate({ ...partial, values: { priority: "URGENT" } }));
  assert.ok(!validate({ ...partial, unsupported: ["credentials"] }));
});

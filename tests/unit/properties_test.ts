// Unit tests of job properties without BITS: validation and limits (exact
// boundary accepted, one more refused), flag and enum encoding both ways,
// hash and CLSID parsing, the plan of native calls, and that a password
// never shows in errors, JSON or inspect output.
//
// Permissions: --allow-read (compares the shim ids with ffi/bits_properties.h).

import assert from "node:assert/strict";
import { encodeCredentials, SecretCredentials } from "../../src/credentials.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  APPLY_ORDER,
  decodeCertificateInfo,
  decodeClsid,
  decodeCostFlags,
  decodeSecurity,
  encodeClsid,
  encodeCostFlags,
  encodeSecurity,
  formatCertHash,
  parseCertHash,
  planProperties,
  type PropertyOp,
  splitHeaders,
  splitList,
} from "../../src/properties/encode.ts";
import { PROPERTY_FEATURES } from "../../src/properties/features.ts";
import {
  ACL_FLAGS,
  AUTH_TARGETS,
  COST_STATES,
  decodeFlags,
  encodeFlags,
  NOTIFY_FLAGS,
  PEER_CACHING_FLAGS,
  SECURITY_FLAGS,
  TRANSFER_POLICIES,
} from "../../src/properties/names.ts";
import type { JobProperties } from "../../src/properties/types.ts";
import { REQUIRES } from "../../src/features.ts";
import { PROP, STRPROP } from "../../ffi/symbols_properties.ts";
import {
  MAX_CUSTOM_HEADERS,
  MAX_NOTIFY_PARAMETERS,
  MAX_PASSWORD,
  MAX_PROXY_LIST,
  MAX_USER_NAME,
} from "../../src/validate.ts";

/** Asserts that planning `properties` throws an InvalidArgumentError about `argument`; returns it. */
function refused(properties: unknown, argument: string): InvalidArgumentError {
  let caught: unknown;
  try {
    planProperties(properties as JobProperties);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InvalidArgumentError, `expected InvalidArgumentError for ${argument}, got ${caught}`);
  assert.equal(caught.argument, argument, caught.message);
  return caught;
}

function only(properties: JobProperties): PropertyOp {
  const ops = planProperties(properties);
  assert.equal(ops.length, 1);
  return ops[0];
}

const PROGRAM = "C:\\Tools\\notify.exe";

Deno.test("limits: each exact boundary is accepted and one more is refused", () => {
  const cases: [string, JobProperties, JobProperties, string][] = [
    ["displayName", { displayName: "n".repeat(256) }, { displayName: "n".repeat(257) }, "displayName"],
    ["description", { description: "d".repeat(1024) }, { description: "d".repeat(1025) }, "description"],
    [
      "notify parameters",
      { notifyCommandLine: { program: PROGRAM, parameters: PROGRAM + " " + "a".repeat(MAX_NOTIFY_PARAMETERS - 20) } },
      { notifyCommandLine: { program: PROGRAM, parameters: PROGRAM + " " + "a".repeat(MAX_NOTIFY_PARAMETERS - 19) } },
      "notifyCommandLine.parameters",
    ],
    [
      "notify program (MAX_PATH)",
      { notifyCommandLine: { program: "C:\\" + "p".repeat(256) } },
      { notifyCommandLine: { program: "C:\\" + "p".repeat(257) } },
      "notifyCommandLine.program",
    ],
    [
      "proxy list (32 KB)",
      { proxy: { usage: "OVERRIDE", proxies: ["p".repeat(MAX_PROXY_LIST)] } },
      { proxy: { usage: "OVERRIDE", proxies: ["p".repeat(MAX_PROXY_LIST + 1)] } },
      "proxy.proxies",
    ],
    [
      "bypass list (32 KB)",
      { proxy: { usage: "OVERRIDE", proxies: ["p"], bypass: ["b".repeat(MAX_PROXY_LIST)] } },
      { proxy: { usage: "OVERRIDE", proxies: ["p"], bypass: ["b".repeat(MAX_PROXY_LIST + 1)] } },
      "proxy.bypass",
    ],
    [
      "user name",
      { credentials: [{ target: "SERVER", scheme: "BASIC", userName: "u".repeat(MAX_USER_NAME) }] },
      { credentials: [{ target: "SERVER", scheme: "BASIC", userName: "u".repeat(MAX_USER_NAME + 1) }] },
      "credentials[0].userName",
    ],
    [
      "password",
      { credentials: [{ target: "PROXY", scheme: "NTLM", password: "p".repeat(MAX_PASSWORD) }] },
      { credentials: [{ target: "PROXY", scheme: "NTLM", password: "p".repeat(MAX_PASSWORD + 1) }] },
      "credentials[0].password",
    ],
    ["DWORD", { minimumRetryDelay: 0xffff_ffff }, { minimumRetryDelay: 0x1_0000_0000 }, "minimumRetryDelay"],
    [
      "max download size",
      { maxDownloadSize: Number.MAX_SAFE_INTEGER },
      { maxDownloadSize: 2 ** 53 },
      "maxDownloadSize",
    ],
  ];
  for (const [what, accepted, rejected, argument] of cases) {
    assert.doesNotThrow(() => planProperties(accepted), what);
    refused(rejected, argument);
  }
  assert.equal(MAX_PROXY_LIST, 16_383, "32 KB of UTF-16 with the NUL");
});

Deno.test("custom headers: 16,384 characters with CRLFs and the NUL fit, one more does not", () => {
  const first = "X-A: " + "a".repeat(8000);
  const fill = (length: number): string[] => [first, "X-B: " + "b".repeat(length - first.length - 2 - 5)];
  const exact = fill(MAX_CUSTOM_HEADERS - 1);
  assert.equal(exact.join("\r\n").length + 1, MAX_CUSTOM_HEADERS);
  const op = only({ customHeaders: exact });
  assert.deepEqual(op, {
    property: "customHeaders",
    kind: "string",
    id: STRPROP.CUSTOM_HEADERS,
    value: exact.join("\r\n"),
  });
  refused({ customHeaders: fill(MAX_CUSTOM_HEADERS) }, "customHeaders");
});

Deno.test("custom headers: one Name: value per element, CR/LF/NUL only as separators", () => {
  assert.deepEqual(only({ customHeaders: [] }), { property: "customHeaders", kind: "string", id: 3, value: "" });
  assert.equal((only({ customHeaders: ["X-Tab:\ta b", "Y: "] }) as { value: string }).value, "X-Tab:\ta b\r\nY: ");
  refused({ customHeaders: ["X-A: 1\r\nX-B: 2"] }, "customHeaders[0]");
  refused({ customHeaders: ["X-A: 1", "X-B: 2\n"] }, "customHeaders[1]");
  refused({ customHeaders: ["X-A: \0"] }, "customHeaders[0]");
  refused({ customHeaders: ["no colon"] }, "customHeaders[0]");
  refused({ customHeaders: [": no name"] }, "customHeaders[0]");
  refused({ customHeaders: ["Bad Name: x"] }, "customHeaders[0]");
  refused({ customHeaders: "X-A: 1" }, "customHeaders");
  assert.deepEqual(splitHeaders("A: 1\r\nB: 2\r\n"), ["A: 1", "B: 2"]);
  assert.deepEqual(splitHeaders(""), []);
});

Deno.test("notify command line: parameters must begin with the program path", () => {
  const ok = (parameters: string | undefined): PropertyOp =>
    only({ notifyCommandLine: { program: PROGRAM, parameters } });
  assert.deepEqual(ok(`${PROGRAM} --done`), {
    property: "notifyCommandLine",
    kind: "notifyCommandLine",
    program: PROGRAM,
    parameters: `${PROGRAM} --done`,
  });
  assert.equal(
    (ok(`"${PROGRAM.toLowerCase()}" x`) as { parameters: string }).parameters,
    `"${PROGRAM.toLowerCase()}" x`,
  );
  assert.equal((ok(PROGRAM) as { parameters: string }).parameters, PROGRAM);
  assert.equal((ok(undefined) as { parameters: string }).parameters, "");
  const error = refused(
    { notifyCommandLine: { program: PROGRAM, parameters: "--done" } },
    "notifyCommandLine.parameters",
  );
  assert.match(error.message, /must begin with the program path/);
  refused(
    { notifyCommandLine: { program: PROGRAM, parameters: `${PROGRAM}x --done` } },
    "notifyCommandLine.parameters",
  );
  refused({ notifyCommandLine: { program: "notify.exe" } }, "notifyCommandLine.program");
  assert.deepEqual(only({ notifyCommandLine: null }), {
    property: "notifyCommandLine",
    kind: "notifyCommandLine",
    program: "",
    parameters: "",
  });
});

Deno.test("proxy: lists only with OVERRIDE, which needs a proxy", () => {
  assert.deepEqual(only({ proxy: { usage: "OVERRIDE", proxies: ["http=a:80", "https=b:443"], bypass: ["<local>"] } }), {
    property: "proxy",
    kind: "proxy",
    usage: 2,
    list: "http=a:80 https=b:443",
    bypass: "<local>",
  });
  assert.deepEqual(only({ proxy: { usage: "AUTODETECT" } }), {
    property: "proxy",
    kind: "proxy",
    usage: 3,
    list: "",
    bypass: "",
  });
  refused({ proxy: { usage: "OVERRIDE" } }, "proxy.proxies");
  refused({ proxy: { usage: "NO_PROXY", bypass: ["x"] } }, "proxy.usage");
  refused({ proxy: { usage: "OVERRIDE", proxies: ["a b"] } }, "proxy.proxies[0]");
  refused({ proxy: { usage: "DIRECT" } }, "proxy.usage");
  assert.deepEqual(splitList(" a  b\tc "), ["a", "b", "c"]);
});

Deno.test("flag sets encode and decode both ways, unknown bits kept", () => {
  const tables = [NOTIFY_FLAGS, SECURITY_FLAGS, ACL_FLAGS, PEER_CACHING_FLAGS, COST_STATES, AUTH_TARGETS];
  for (const table of tables) {
    const names = Object.keys(table);
    const all = encodeFlags(table, names, "flags");
    assert.equal(all, Object.values(table).reduce((a, b) => (a | b) >>> 0, 0));
    assert.deepEqual(decodeFlags(table, all), names);
    for (const name of names) {
      assert.deepEqual(decodeFlags(table, encodeFlags(table, [name], "flags")), [name]);
    }
    assert.deepEqual(decodeFlags(table, 0), []);
  }
  assert.equal(encodeFlags(NOTIFY_FLAGS, ["JOB_ERROR", "JOB_TRANSFERRED", "JOB_ERROR"], "n"), 0x3);
  assert.deepEqual(decodeFlags(NOTIFY_FLAGS, 0x3), ["JOB_TRANSFERRED", "JOB_ERROR"]);
  assert.deepEqual(decodeFlags(NOTIFY_FLAGS, 0x41), ["JOB_TRANSFERRED", "UNKNOWN(0x40)"]);
  assert.deepEqual(decodeFlags(ACL_FLAGS, 0xf), ["OWNER", "GROUP", "DACL", "SACL"]);
  refused({ notifyFlags: ["JOB_TRANSFERED"] }, "notifyFlags[0]");
  refused({ notifyFlags: "JOB_ERROR" }, "notifyFlags");
  assert.deepEqual(only({ peerCachingFlags: ["DISABLE_BRANCH_CACHE"] }), {
    property: "peerCachingFlags",
    kind: "u64",
    id: PROP.PEER_CACHING_FLAGS,
    value: 4,
  });
});

Deno.test("security flags: the redirect policy lives in its mask", () => {
  assert.equal(encodeSecurity({}), 0);
  assert.equal(
    encodeSecurity({ flags: ["ENABLE_CRL_CHECK", "ALLOW_HTTPS_TO_HTTP"], redirectPolicy: "DISALLOW" }),
    0xa01,
  );
  assert.equal(encodeSecurity({ redirectPolicy: "ALLOW_REPORT" }), 0x100);
  assert.deepEqual(decodeSecurity(0xa01), {
    flags: ["ENABLE_CRL_CHECK", "ALLOW_HTTPS_TO_HTTP"],
    redirectPolicy: "DISALLOW",
  });
  assert.deepEqual(decodeSecurity(0x1e), {
    flags: ["IGNORE_CERT_CN_INVALID", "IGNORE_CERT_DATE_INVALID", "IGNORE_UNKNOWN_CA", "IGNORE_CERT_WRONG_USAGE"],
    redirectPolicy: "ALLOW_SILENT",
  });
  assert.deepEqual(decodeSecurity(0x300), { flags: [], redirectPolicy: "UNKNOWN(0x300)" });
  refused({ security: { redirectPolicy: "FOLLOW" } }, "security.redirectPolicy");
  refused({ security: { flags: ["IGNORE_EVERYTHING"] } }, "security.flags[0]");
});

Deno.test("cost flags: predefined policies and explicit states, both ways", () => {
  for (const [policy, bits] of Object.entries(TRANSFER_POLICIES)) {
    assert.equal(encodeCostFlags(policy), bits);
    const decoded = decodeCostFlags(bits);
    assert.equal(decoded.policy, policy);
    assert.equal(decoded.ignoreCongestion, true);
    assert.equal(encodeCostFlags({ states: decoded.states, ignoreCongestion: true }), bits, policy);
  }
  assert.deepEqual(decodeCostFlags(0x80000067).states, [
    "UNRESTRICTED",
    "CAPPED_USAGE_UNKNOWN",
    "BELOW_CAP",
    "OVERCAP_THROTTLED",
    "USAGE_BASED",
  ]);
  assert.equal(encodeCostFlags({ states: ["UNRESTRICTED", "ROAMING"] }), 0x81);
  assert.deepEqual(decodeCostFlags(0x81), {
    states: ["UNRESTRICTED", "ROAMING"],
    ignoreCongestion: false,
    policy: null,
  });
  refused({ costFlags: "CHEAP" }, "costFlags");
  refused({ costFlags: { states: ["FREE"] } }, "costFlags.states[0]");
  refused({ costFlags: { states: [], ignoreCongestion: "yes" } }, "costFlags.ignoreCongestion");
});

Deno.test("enums and booleans: upper-case BITS names, values by index", () => {
  assert.deepEqual(only({ priority: "LOW" }), { property: "priority", kind: "u64", id: PROP.PRIORITY, value: 3 });
  assert.match(refused({ priority: "low" }, "priority").message, /FOREGROUND, HIGH, NORMAL, LOW/);
  assert.deepEqual(only({ dynamicContent: true }), {
    property: "dynamicContent",
    kind: "u64",
    id: PROP.DYNAMIC_CONTENT,
    value: 1,
  });
  refused({ onDemandMode: 1 }, "onDemandMode");
  assert.deepEqual(only({ useStoredCredentials: ["PROXY", "SERVER"] }), {
    property: "useStoredCredentials",
    kind: "u64",
    id: PROP.USE_STORED_CREDENTIALS,
    value: 3,
  });
  refused({ minimumNotificationInterval: 1.5 }, "minimumNotificationInterval");
  refused({ noProgressTimeout: -1 }, "noProgressTimeout");
});

Deno.test("certificate hashes and CLSIDs parse and format", () => {
  const hex = "A9993E364706816ABA3E25717850C26C9CD0D89D";
  const bytes = parseCertHash(hex);
  assert.equal(bytes.length, 20);
  assert.equal(bytes[0], 0xa9);
  assert.equal(bytes[19], 0x9d);
  assert.equal(formatCertHash(bytes), hex);
  assert.deepEqual(parseCertHash("a9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 c2 6c 9c d0 d8 9d"), bytes);
  assert.deepEqual(parseCertHash(hex.match(/../g)!.join(":")), bytes);
  assert.deepEqual(parseCertHash(bytes), bytes);
  assert.throws(() => parseCertHash(hex.slice(2)), InvalidArgumentError);
  assert.throws(() => parseCertHash(hex + "00"), InvalidArgumentError);
  assert.throws(() => parseCertHash("Z" + hex.slice(1)), InvalidArgumentError);
  assert.throws(() => parseCertHash(new Uint8Array(19)), InvalidArgumentError);

  const op = only({ clientCertificate: { storeLocation: "LOCAL_MACHINE", storeName: "MY", hash: hex } });
  assert.deepEqual(op, {
    property: "clientCertificate",
    kind: "clientCertificate",
    certificate: { location: 1, storeName: "MY", hash: bytes },
  });
  assert.deepEqual(
    only({ clientCertificate: { storeLocation: "CURRENT_USER", storeName: "MY", subjectName: "CN=x" } }),
    {
      property: "clientCertificate",
      kind: "clientCertificate",
      certificate: { location: 0, storeName: "MY", subjectName: "CN=x" },
    },
  );
  refused({ clientCertificate: { storeLocation: "CURRENT_USER", storeName: "MY" } }, "clientCertificate");
  refused(
    { clientCertificate: { storeLocation: "CURRENT_USER", storeName: "MY", hash: hex, subjectName: "CN=x" } },
    "clientCertificate",
  );
  refused(
    { clientCertificate: { storeLocation: "ROAMING", storeName: "MY", hash: hex } },
    "clientCertificate.storeLocation",
  );
  refused(
    { clientCertificate: { storeLocation: "CURRENT_USER", storeName: "", hash: hex } },
    "clientCertificate.storeName",
  );
  assert.equal(decodeCertificateInfo("CURRENT_USER", "", "0".repeat(40), ""), null);
  assert.deepEqual(decodeCertificateInfo("USERS", "MY", hex, ""), {
    storeLocation: "USERS",
    storeName: "MY",
    hash: hex,
    subjectName: "",
  });

  const clsid = "{4991D34B-80A1-4291-83B6-3328366B9097}";
  const encoded = encodeClsid(clsid.toLowerCase().slice(1, -1));
  assert.deepEqual([...encoded.slice(0, 4)], [0x4b, 0xd3, 0x91, 0x49], "Data1 little-endian");
  assert.equal(decodeClsid(encoded), clsid);
  assert.equal(decodeClsid(new Uint8Array(16)), null);
  assert.throws(() => encodeClsid("not-a-guid"), InvalidArgumentError);
  assert.deepEqual(only({ notificationClsid: null }), {
    property: "notificationClsid",
    kind: "clsid",
    clsid: new Uint8Array(16),
  });
});

Deno.test("the plan follows APPLY_ORDER, refuses unknown names, and the HTTP method comes last", () => {
  const ops = planProperties({
    httpMethod: "PUT",
    onDemandMode: false,
    priority: "FOREGROUND",
    description: "d",
    displayName: "n",
  });
  assert.deepEqual(ops.map((op) => op.property), [
    "displayName",
    "description",
    "priority",
    "onDemandMode",
    "httpMethod",
  ]);
  assert.equal(APPLY_ORDER.at(-1), "httpMethod");
  refused({ priorty: "HIGH" }, "priorty");
  refused({ httpMethod: "PUT", dynamicContent: true }, "httpMethod");
  refused({ httpMethod: "GET /x" }, "httpMethod");
  refused(null, "properties");
  assert.deepEqual(planProperties({}), []);
  assert.deepEqual(planProperties({ description: undefined }), []);
});

Deno.test("every property names its feature and what provides it", () => {
  for (const name of APPLY_ORDER) assert.ok(PROPERTY_FEATURES[name]?.feature, name);
  assert.equal(PROPERTY_FEATURES.costFlags.requires, REQUIRES.job5);
  assert.equal(PROPERTY_FEATURES.httpMethod.requires, REQUIRES.httpOptions2);
  assert.equal(PROPERTY_FEATURES.makeCustomHeadersWriteOnly.requires, REQUIRES.httpOptions3);
  assert.equal(PROPERTY_FEATURES.credentials.requires, REQUIRES.job2);
  assert.equal(PROPERTY_FEATURES.fileAclFlags.requires, REQUIRES.job3);
  assert.equal(PROPERTY_FEATURES.maximumDownloadTime.requires, REQUIRES.job4);
});

Deno.test("a password never appears in errors, JSON or inspect output", () => {
  const password = "hunter2-Sécret-" + "x".repeat(10);
  const credentials = { target: "SERVER", scheme: "BASIC", userName: "alice", password } as const;
  const secret = SecretCredentials.from(credentials);
  const ops = planProperties({ credentials: [credentials], description: "d" });
  const shown = [
    JSON.stringify(secret),
    String(secret),
    Deno.inspect(secret, { depth: 10, showHidden: true }),
    Deno.inspect(ops, { depth: 10, showHidden: true }),
    JSON.stringify(ops),
  ];
  const errors = [
    refused({ credentials: [{ ...credentials, password: password + "\0" }] }, "credentials[0].password"),
    refused({ credentials: [{ ...credentials, password: password.repeat(5000) }] }, "credentials[0].password"),
    refused({ credentials: [{ ...credentials, target: "ORIGIN" }] }, "credentials[0].target"),
    refused({ credentials: [{ ...credentials, scheme: "BEARER" }] }, "credentials[0].scheme"),
    refused({ credentials: [{ ...credentials, userName: password + "\0" }] }, "credentials[0].userName"),
    refused({ credentials: [credentials, { ...credentials, target: "ORIGIN" }] }, "credentials[1].target"),
  ];
  for (const error of errors) {
    shown.push(error.message, String(error.stack), JSON.stringify(error), Deno.inspect(error));
  }
  for (const text of shown) {
    assert.ok(!text.includes(password), `password shown in: ${text}`);
    assert.ok(!text.includes("hunter2"), `password shown in: ${text}`);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(secret)), {
    target: "SERVER",
    scheme: "BASIC",
    userName: "[redacted]",
    password: "[redacted]",
  });
});

Deno.test("credentials encode to NUL-terminated UTF-16 for one call and wipe to zeros", () => {
  const secret = SecretCredentials.from({ target: "PROXY", scheme: "NEGOTIATE", userName: "bob", password: "pw€" });
  const encoded = encodeCredentials(secret);
  assert.deepEqual([encoded.target, encoded.scheme], [2, 4]);
  assert.deepEqual([...encoded.userName], [0x62, 0x6f, 0x62, 0]);
  assert.deepEqual([...encoded.password], [0x70, 0x77, 0x20ac, 0]);
  assert.deepEqual([encoded.userNameLength, encoded.passwordLength], [3, 3]);
  encoded.wipe();
  assert.ok(encoded.userName.every((u) => u === 0) && encoded.password.every((u) => u === 0));
  // A second encoding is independent of the wiped one.
  assert.deepEqual([...encodeCredentials(secret).password], [0x70, 0x77, 0x20ac, 0]);
  const none = encodeCredentials(SecretCredentials.from({ target: "SERVER", scheme: "NTLM" }));
  assert.deepEqual([none.userNameLength, none.passwordLength], [0, 0], "omitted means NULL (default credentials)");
  assert.equal(SecretCredentials.from(secret), secret);
});

Deno.test("the shim's property ids match ffi/bits_properties.h", async () => {
  const header = await Deno.readTextFile(new URL("../../ffi/bits_properties.h", import.meta.url));
  const defined = (prefix: string): Record<string, number> =>
    Object.fromEntries(
      [...header.matchAll(new RegExp(`#define ${prefix}(\\w+) (\\d+)u`, "g"))].map((m) => [m[1], Number(m[2])]),
    );
  assert.deepEqual(defined("BITS_PROP_"), { ...PROP });
  assert.deepEqual(defined("BITS_STRPROP_"), { ...STRPROP });
});

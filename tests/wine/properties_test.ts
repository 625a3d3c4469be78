/**
 * Job properties against the real BITS service. What Wine implements is
 * asserted by its effect (headers and credentials at the test server, values
 * read back); what Wine stubs is still driven through the real call path,
 * and the test asserts the exact error that surfaces.
 */

import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import {
  type BitsJob,
  BitsUnsupportedError,
  InvalidArgumentError,
  type ReadablePropertyName,
  wineVersion,
} from "../../mod.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startServer } from "../support/server.ts";
import { BitsSession, countCalls } from "../support/wine.ts";
import { loadShim } from "../../ffi/library.ts";
import { jobRef } from "../../src/job.ts";
import { encodeUtf16 } from "../../src/utf16.ts";
import { formatWmpDescription } from "../../wmp.ts";
import { READABLE_PROPERTIES } from "../../src/properties.ts";
import { REQUIRES } from "../../errors.ts";

const onWine = wineVersion() !== null;

/** A suspended download job with one throwaway file: a target for property calls. */
async function idleJob(session: BitsSession, name: string): Promise<BitsJob> {
  return session.track(
    await session.bits.download([{ url: "http://127.0.0.1:9/never", path: session.path(`${name}.bin`) }], {
      displayName: name,
      suspended: true,
    }),
  );
}

/** Asserts that `promise` rejects with a BitsUnsupportedError for `code`, `feature` and `requires`. */
async function assertUnsupported(
  promise: Promise<unknown>,
  code: "E_NOTIMPL" | "E_NOINTERFACE",
  feature: string,
  requires: string,
): Promise<void> {
  const error = await promise.then(() => assert.fail(`resolved; expected ${code} for ${feature}`), (e) => e);
  assert.ok(error instanceof BitsUnsupportedError, `expected BitsUnsupportedError, got ${error}`);
  assert.deepEqual(
    { code: error.code, feature: error.feature, requires: error.requires },
    { code, feature, requires },
  );
}

Deno.test("custom headers reach the server and read back as lines", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const dest = session.path("headers.bin");
  const headers = ["X-Deno-Bits: properties test", "X-Second-Header: two; three"];
  const job = session.track(
    await session.bits.download([{ url: server.contentUrl(5000, 11), path: dest }], {
      displayName: "custom headers",
      properties: { customHeaders: headers },
    }),
  );
  assert.deepEqual(await job.getProperty("customHeaders"), headers);
  await job.wait({ timeout: 60_000 });
  const seen = server.requestLog.filter((r) => r.path === "/content/5000?seed=11");
  assert.ok(seen.length > 0, "the server saw no request");
  for (const request of seen) {
    assert.equal(request.headers["x-deno-bits"], "properties test");
    assert.equal(request.headers["x-second-header"], "two; three");
  }
  assert.equal(await job.complete(), "completed");
  assert.equal(await fileSha256(dest), contentSha256(5000, 11));
});

Deno.test("custom headers are removed with [] and invalid ones never reach BITS", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "headers-cleared");
  await job.setProperties({ customHeaders: ["X-One: 1"] });
  assert.deepEqual(await job.getProperty("customHeaders"), ["X-One: 1"]);
  await assert.rejects(
    job.setProperties({ customHeaders: ["X-Two: 2\r\nX-Injected: 3"] }),
    (e) => e instanceof InvalidArgumentError && e.argument === "customHeaders[0]",
  );
  assert.deepEqual(await job.getProperty("customHeaders"), ["X-One: 1"], "a refused value changed nothing");
  await job.setProperties({ customHeaders: [] });
  assert.deepEqual(await job.getProperty("customHeaders"), []);
});

Deno.test("Basic credentials reach the server; the password appears in no output of ours", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  // ASCII: how WinHTTP encodes other characters for Basic is not this test's subject.
  const password = "pa55-Secret-" + crypto.randomUUID();
  const records: LogRecord[] = [];
  await configure({
    sinks: { memory: (record) => records.push(record) },
    loggers: [
      { category: ["deno-bits"], lowestLevel: "debug", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
    ],
    reset: true,
  });
  try {
    const dest = session.path("auth.bin");
    const url = server.basicAuthUrl("alice", password, 4000, 21);
    const job = session.track(
      await session.bits.download([{ url, path: dest }], {
        displayName: "basic auth",
        properties: { credentials: [{ target: "SERVER", scheme: "BASIC", userName: "alice", password }] },
      }),
    );
    const done = await job.wait({ timeout: 60_000 });
    const request = server.requestLog.find((r) => r.path === new URL(url).pathname + new URL(url).search);
    assert.equal(request?.headers.authorization, `Basic ${btoa(`alice:${password}`)}`);
    const properties = await job.properties();
    const files = await job.files();
    assert.equal(await job.complete(), "completed");
    assert.equal(await fileSha256(dest), contentSha256(4000, 21));

    // Wrong password: the server answers 401 and the job ends in ERROR.
    const wrong = session.track(
      await session.bits.download(
        [{ url: server.basicAuthUrl("bob", password, 100, 22), path: session.path("x.bin") }],
        {
          displayName: "wrong password",
          properties: {
            credentials: [{ target: "SERVER", scheme: "BASIC", userName: "bob", password: password + "x" }],
          },
        },
      ),
    );
    const error = await wrong.wait({ timeout: 60_000 }).then(() => assert.fail("a wrong password succeeded"), (e) => e);
    assert.equal(error.code, "BG_E_HTTP_ERROR_401");

    const outputs = [
      JSON.stringify(done),
      JSON.stringify(properties),
      Deno.inspect(properties, { depth: 10 }),
      JSON.stringify(files),
      String(error),
      error.stack ?? "",
      JSON.stringify(error),
      Deno.inspect(error),
      ...records.map((r) => JSON.stringify(r.properties) + r.message.join("")),
    ];
    for (const output of outputs) assert.ok(!output.includes(password), `password leaked into: ${output}`);
    assert.ok(records.length > 0, "the library logged nothing to check");
  } finally {
    await reset();
  }
});

Deno.test("credentials work only with the right password and can be removed", async () => {
  await using server = startServer();
  await using session = await BitsSession.open();
  const url = server.basicAuthUrl("carol", "right", 100, 23);
  const job = session.track(
    await session.bits.download([{ url, path: session.path("removed.bin") }], {
      displayName: "removed credentials",
      suspended: true,
      properties: { credentials: [{ target: "SERVER", scheme: "BASIC", userName: "carol", password: "right" }] },
    }),
  );
  await job.removeCredentials("SERVER", "BASIC");
  await job.resume();
  const error = await job.wait({ timeout: 60_000 }).then(() => assert.fail("removed credentials still sent"), (e) => e);
  assert.equal(error.code, "BG_E_HTTP_ERROR_401");
  const request = server.requestLog.find((r) => r.path === new URL(url).pathname + new URL(url).search);
  assert.equal(request?.headers.authorization, undefined);
});

Deno.test("description: 1,024 characters accepted and read back, 1,025 refused before BITS", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "description");
  const longest = "d".repeat(1023) + "é";
  await job.setProperties({ description: longest });
  assert.equal(await job.getProperty("description"), longest);
  const error = await job.setProperties({ description: "d".repeat(1025) }).then(
    () => assert.fail("accepted"),
    (e) => e,
  );
  assert.ok(error instanceof InvalidArgumentError);
  assert.equal(error.argument, "description");
  assert.equal(await job.getProperty("description"), longest, "nothing changed");
});

Deno.test("a bad value anywhere refuses the whole set: nothing changes", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "all-or-nothing");
  await job.setProperties({ description: "before", notifyFlags: ["JOB_TRANSFERRED"] });
  await assert.rejects(
    job.setProperties({ description: "after", notifyFlags: ["JOB_ERROR"], minimumRetryDelay: -1 }),
    (e) => e instanceof InvalidArgumentError && e.argument === "minimumRetryDelay",
  );
  assert.equal(await job.getProperty("description"), "before");
  assert.deepEqual(await job.getProperty("notifyFlags"), ["JOB_TRANSFERRED"]);
});

Deno.test("notify flags and security flags read back as set", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "flags");
  assert.deepEqual(await job.getProperty("notifyFlags"), ["JOB_TRANSFERRED", "JOB_ERROR"], "BITS' default 0x3");
  await job.setProperties({ notifyFlags: ["JOB_MODIFICATION", "JOB_TRANSFERRED", "FILE_TRANSFERRED"] });
  assert.deepEqual(await job.getProperty("notifyFlags"), ["JOB_TRANSFERRED", "JOB_MODIFICATION", "FILE_TRANSFERRED"]);
  const security = {
    flags: ["ENABLE_CRL_CHECK", "IGNORE_UNKNOWN_CA", "ALLOW_HTTPS_TO_HTTP"] as const,
    redirectPolicy: "DISALLOW" as const,
  };
  await job.setProperties({ security });
  assert.deepEqual(await job.getProperty("security"), { flags: [...security.flags], redirectPolicy: "DISALLOW" });
  if (onWine) {
    // Wine refuses FILE_RANGES_TRANSFERRED (0x20), as BITS before 10.1 does.
    await assertUnsupported(
      job.setProperties({ notifyFlags: ["FILE_RANGES_TRANSFERRED"] }),
      "E_NOTIMPL",
      "job notify flags",
      REQUIRES.job,
    );
  }
});

Deno.test(
  "Wine: stubbed job properties surface as BitsUnsupportedError with the exact code",
  { ignore: !onWine },
  async () => {
    await using session = await BitsSession.open();
    const job = await idleJob(session, "stubs");
    await assertUnsupported(
      job.setProperties({ displayName: "renamed" }),
      "E_NOTIMPL",
      "changing a job's display name",
      REQUIRES.job,
    );
    assert.equal(await job.getProperty("displayName"), "stubs");
    // SetPriority succeeds and is ignored; GetPriority is a stub.
    await job.setProperties({ priority: "LOW" });
    await assertUnsupported(job.getProperty("priority"), "E_NOTIMPL", "job priority", REQUIRES.job);
    const cmd = { program: "C:\\windows\\system32\\cmd.exe", parameters: "C:\\windows\\system32\\cmd.exe /c exit" };
    await assertUnsupported(
      job.setProperties({ notifyCommandLine: cmd }),
      "E_NOTIMPL",
      "notify command line",
      REQUIRES.job2,
    );
    await assertUnsupported(job.getProperty("notifyCommandLine"), "E_NOTIMPL", "notify command line", REQUIRES.job2);
    await assertUnsupported(
      job.setProperties({ proxy: { usage: "OVERRIDE", proxies: ["http=proxy:8080"], bypass: ["<local>"] } }),
      "E_NOTIMPL",
      "job proxy settings",
      REQUIRES.job,
    );
    await assertUnsupported(job.getProperty("proxy"), "E_NOTIMPL", "job proxy settings", REQUIRES.job);
    // Retry delay and no-progress timeout: accepted, ignored; the getters return Wine's constants.
    await job.setProperties({ minimumRetryDelay: 120, noProgressTimeout: 60 });
    assert.equal(await job.getProperty("minimumRetryDelay"), 30);
    assert.equal(await job.getProperty("noProgressTimeout"), 900);
    // Job3 ACL flags: a no-op that reports success (the getter writes nothing back).
    await job.setProperties({ fileAclFlags: ["OWNER", "DACL"] });
    assert.deepEqual(await job.getProperty("fileAclFlags"), []);
    // Job4: setters are no-op S_OK, getters E_NOTIMPL.
    await job.setProperties({ peerCachingFlags: ["ENABLE_PEERCACHING_CLIENT"], maximumDownloadTime: 3600 });
    await assertUnsupported(job.getProperty("peerCachingFlags"), "E_NOTIMPL", "peer caching flags", REQUIRES.job4);
    await assertUnsupported(
      job.getProperty("maximumDownloadTime"),
      "E_NOTIMPL",
      "maximum download time",
      REQUIRES.job4,
    );
  },
);

Deno.test("Wine: Job5, HttpOptions2/3 and client certificates are unsupported", { ignore: !onWine }, async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "missing-interfaces");
  const job5: [Parameters<BitsJob["setProperties"]>[0], string][] = [
    [{ costFlags: "NOT_ROAMING" }, "IBackgroundCopyJob5 cost flags"],
    [{ notificationClsid: "{4991D34B-80A1-4291-83B6-3328366B9097}" }, "IBackgroundCopyJob5 notification CLSID"],
    [{ dynamicContent: true }, "IBackgroundCopyJob5 dynamic content"],
    [{ highPerformance: true }, "IBackgroundCopyJob5 high performance"],
    [{ maxDownloadSize: 1_000_000 }, "IBackgroundCopyJob5 maximum download size"],
    [{ useStoredCredentials: ["SERVER", "PROXY"] }, "IBackgroundCopyJob5 use of stored credentials"],
    [{ minimumNotificationInterval: 1000 }, "IBackgroundCopyJob5 minimum notification interval"],
    [{ onDemandMode: true }, "IBackgroundCopyJob5 on-demand mode"],
  ];
  for (const [properties, feature] of job5) {
    await assertUnsupported(job.setProperties(properties), "E_NOINTERFACE", feature, REQUIRES.job5);
    const name = Object.keys(properties)[0] as ReadablePropertyName;
    await assertUnsupported(job.getProperty(name), "E_NOINTERFACE", feature, REQUIRES.job5);
  }
  await assertUnsupported(
    job.setProperties({ httpMethod: "PUT" }),
    "E_NOINTERFACE",
    "custom HTTP method",
    REQUIRES.httpOptions2,
  );
  await assertUnsupported(job.getProperty("httpMethod"), "E_NOINTERFACE", "custom HTTP method", REQUIRES.httpOptions2);
  await assertUnsupported(
    job.makeCustomHeadersWriteOnly(),
    "E_NOINTERFACE",
    "write-only custom headers",
    REQUIRES.httpOptions3,
  );
  const hash = "a9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 c2 6c 9c d0 d8 9d";
  await assertUnsupported(
    job.setClientCertificate({ storeLocation: "CURRENT_USER", storeName: "MY", hash }),
    "E_NOTIMPL",
    "client certificates",
    REQUIRES.httpOptions,
  );
  await assertUnsupported(
    job.setClientCertificate({ storeLocation: "LOCAL_MACHINE", storeName: "MY", subjectName: "CN=deno-bits" }),
    "E_NOTIMPL",
    "client certificates",
    REQUIRES.httpOptions,
  );
  await assertUnsupported(job.removeClientCertificate(), "E_NOTIMPL", "client certificates", REQUIRES.httpOptions);
  await assertUnsupported(job.clientCertificate(), "E_NOTIMPL", "client certificates", REQUIRES.httpOptions);
});

Deno.test("properties() reads what this BITS has and lists what it lacks", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "snapshot");
  await job.setProperties({
    description: "all properties",
    notifyFlags: ["JOB_TRANSFERRED"],
    customHeaders: ["X-A: a"],
    security: { flags: ["IGNORE_CERT_DATE_INVALID"], redirectPolicy: "ALLOW_REPORT" },
  });
  const { values, unsupported } = await job.properties();
  assert.deepEqual(
    [...Object.keys(values), ...unsupported].sort(),
    [...READABLE_PROPERTIES].sort(),
    "every readable property is either read or listed",
  );
  assert.equal(values.displayName, "snapshot");
  assert.equal(values.description, "all properties");
  assert.deepEqual(values.notifyFlags, ["JOB_TRANSFERRED"]);
  assert.deepEqual(values.customHeaders, ["X-A: a"]);
  assert.deepEqual(values.security, { flags: ["IGNORE_CERT_DATE_INVALID"], redirectPolicy: "ALLOW_REPORT" });
  if (onWine) {
    assert.deepEqual(unsupported, [
      "priority",
      "notifyCommandLine",
      "maximumDownloadTime",
      "proxy",
      "clientCertificate",
      "httpMethod",
      "peerCachingFlags",
      "costFlags",
      "notificationClsid",
      "dynamicContent",
      "highPerformance",
      "maxDownloadSize",
      "useStoredCredentials",
      "minimumNotificationInterval",
      "onDemandMode",
    ]);
    assert.deepEqual(
      { retry: values.minimumRetryDelay, timeout: values.noProgressTimeout, acl: values.fileAclFlags },
      { retry: 30, timeout: 900, acl: [] },
    );
  }
});

Deno.test("createJob with properties: bad values create no job; a BITS failure cancels the new job", async () => {
  await using session = await BitsSession.open();
  const before = await session.liveJobIds();
  await assert.rejects(
    session.bits.createJob("never created", { properties: { priority: "URGENT" as "HIGH" } }),
    (e) => e instanceof InvalidArgumentError && e.argument === "priority",
  );
  assert.deepEqual(await session.liveJobIds(), before, "validation failed before CreateJob");
  if (onWine) {
    // SetDisplayName is a stub on Wine: the job is created, the property fails, the job is cancelled.
    await assertUnsupported(
      session.bits.createJob("created then cancelled", { properties: { displayName: "renamed" } }),
      "E_NOTIMPL",
      "changing a job's display name",
      REQUIRES.job,
    );
    assert.deepEqual(await session.liveJobIds(), before, "the half-built job was cancelled");
    // The Player-owned guard protects WMP_JOB jobs from others; a job this call created and could not set up is
    // still removed.
    const description = formatWmpDescription({
      serviceId: 7,
      provider: "Proseware",
      albumArtist: "A",
      albumTitle: "B",
      trackNumber: 1,
      title: "C",
      duration: 60,
      rating: 0,
    });
    await assertUnsupported(
      session.bits.createJob("a WMP_JOB created then cancelled", { description, properties: { displayName: "x" } }),
      "E_NOTIMPL",
      "changing a job's display name",
      REQUIRES.job,
    );
    assert.deepEqual(await session.liveJobIds(), before, "the half-built WMP_JOB job was cancelled too");
  }
  const job = session.track(
    await session.bits.createJob("with properties", {
      description: "from options",
      properties: { description: "from properties", notifyFlags: ["JOB_ERROR"] },
    }),
  );
  assert.equal(await job.getProperty("description"), "from properties");
  assert.deepEqual(await job.getProperty("notifyFlags"), ["JOB_ERROR"]);
});

Deno.test("the shim zeroes the caller's user name and password buffers, even for refused input", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "wipe");
  const shim = loadShim().symbols;
  const user = encodeUtf16("dave");
  const password = encodeUtf16("wipe-me-please");
  const hr = await jobRef(job).handle.use((pointer) =>
    shim.bits_job_set_credentials(pointer, 1, 1, user.buffer, user.length, password.buffer, password.length)
  );
  assert.equal(hr, 0);
  assert.ok(
    user.buffer.every((u) => u === 0) && password.buffer.every((u) => u === 0),
    "buffers still hold the secret",
  );
  // A length that does not match the NUL is refused with E_INVALIDARG before COM, and still wiped.
  const refusedPassword = encodeUtf16("wipe-me-too");
  const refusedHr = await jobRef(job).handle.use((pointer) =>
    shim.bits_job_set_credentials(pointer, 1, 1, user.buffer, 0, refusedPassword.buffer, 4)
  );
  assert.equal(refusedHr >>> 0, 0x80070057);
  assert.ok(refusedPassword.buffer.subarray(0, 5).every((u) => u === 0));
});

Deno.test("custom header values (often tokens) are wiped from the buffers that carried them, in and out", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "wipe-headers");
  const token = "Authorization: Bearer wipe-me-" + crypto.randomUUID();
  const counted = countCalls(["bits_job_set_string", "bits_job_get_string"]);
  let read;
  try {
    await job.setProperties({ customHeaders: [token] });
    read = await job.getProperty("customHeaders");
  } finally {
    counted.restore();
  }
  assert.deepEqual(read, [token], "the header round-trips");
  const buffers = [...counted.calls.get("bits_job_set_string")!, ...counted.calls.get("bits_job_get_string")!]
    .map((args) => args[2] as Uint16Array);
  assert.ok(buffers.length >= 2, "both directions were seen");
  for (const buffer of buffers) assert.ok(buffer.every((u) => u === 0), "a buffer still holds the header value");
});

Deno.test("getProperty refuses a name that is not a readable property, as a rejected promise", async () => {
  await using session = await BitsSession.open();
  const job = await idleJob(session, "bad-name");
  const pending = job.getProperty("credentials" as ReadablePropertyName);
  assert.ok(pending instanceof Promise);
  await assert.rejects(pending, (e) => e instanceof InvalidArgumentError && e.argument === "name");
});

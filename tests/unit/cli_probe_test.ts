// `probeUrl` (src/probe.ts) and the `probe` command against the fault-injecting server: what BITS
// needs from a server (HEAD with the size, Range honoured), what the probe recommends when it is
// missing, and that signed URLs never leak. No BITS involved: these run on Linux.
//
// Permissions: --allow-net=127.0.0.1, --allow-read (schemas), --allow-write (a log file).

import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import { BITS_USER_AGENT, probeUrl } from "../../src/probe.ts";
import { assessProbe } from "../../src/probe/assess.ts";
import { looksPresigned, redactUrl } from "../../src/probe/redact.ts";
import type { ProbeExchange } from "../../src/probe/report.ts";
import { assertCliJson } from "../support/cli_schema.ts";
import { startFaultServer } from "../support/faults.ts";
import { runMain } from "../support/cli_capture.ts";

const run = runMain;

Deno.test("probe: a BITS-friendly file is ready: size from HEAD, range honoured, HEAD then a 0-0 range GET as BITS", async () => {
  await using server = startFaultServer();
  const report = await probeUrl(server.url("/ok/100000?seed=2"));
  assert.equal(report.verdict, "ready");
  assert.deepEqual([report.headAllowed, report.sizeKnown, report.size, report.rangesHonoured], [
    true,
    true,
    100000,
    true,
  ]);
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.recommendations, []);
  assert.equal(report.head.status, 200);
  assert.equal(report.rangeGet.status, 206);
  assert.equal(report.rangeGet.headers["content-range"], "bytes 0-0/100000");
  const [head, get] = server.requests;
  assert.deepEqual([head.method, get.method], ["HEAD", "GET"]);
  assert.equal(get.headers["range"], "bytes=0-0");
  assert.equal(head.headers["range"], undefined);
  assert.equal(get.headers["user-agent"], BITS_USER_AGENT);
  assert.equal(server.requests.length, 2);
});

Deno.test("probe: redirects are followed by hand and listed; validators and Content-Disposition are reported", async () => {
  await using server = startFaultServer();
  const report = await probeUrl(server.url("/redirect/2/meta/5000/disk%20image.iso"));
  assert.equal(report.verdict, "ready");
  assert.deepEqual(
    report.redirects.map((r) => [r.status, new URL(r.from).pathname, new URL(r.to).pathname, r.httpsToHttp]),
    [
      [302, "/redirect/2/meta/5000/disk%20image.iso", "/redirect/1/meta/5000/disk%20image.iso", false],
      [302, "/redirect/1/meta/5000/disk%20image.iso", "/meta/5000/disk%20image.iso", false],
    ],
  );
  assert.equal(report.rangeGet.redirects.length, 2, "the GET follows them too");
  assert.equal(report.etag, '"5000-1"');
  assert.equal(report.lastModified, "Tue, 01 Apr 2025 12:00:00 GMT");
  assert.equal(report.contentDisposition, 'attachment; filename="disk image.iso"');
  assert.ok(report.notes.some((n) => /Content-Disposition/.test(n)), report.notes.join("\n"));
  assert.ok(report.notes.some((n) => /2 redirect/.test(n)), report.notes.join("\n"));
});

Deno.test("probe: HEAD refused (presigned-style) needs dynamic content and foreground priority; size from Content-Range", async () => {
  await using server = startFaultServer();
  const url = server.url("/nohead/4096?X-Amz-Expires=60&X-Amz-Signature=0123456789abcdef");
  const report = await probeUrl(url);
  assert.equal(report.verdict, "needs-settings");
  assert.equal(report.headAllowed, false);
  assert.equal(report.head.status, 403);
  assert.equal(report.sizeKnown, false, "BITS wants the size from HEAD");
  assert.equal(report.size, 4096, "the size is still known from the GET's Content-Range");
  assert.equal(report.rangesHonoured, true);
  assert.deepEqual(report.recommendations.map((r) => [r.property, r.value]), [
    ["dynamicContent", true],
    ["priority", "FOREGROUND"],
  ]);
  assert.match(report.recommendations[0].reason, /BITS 5\.0/);
  assert.ok(report.notes.some((n) => /presigned/.test(n)), report.notes.join("\n"));
  // The signature is a bearer secret: never in the report.
  const json = JSON.stringify(report);
  assert.ok(!json.includes("0123456789abcdef"), json);
  assert.match(report.url, /X-Amz-Signature=REDACTED/);
});

Deno.test("probe: a server that ignores Range, or sends no length, needs dynamic content", async () => {
  await using server = startFaultServer();
  const ignored = await probeUrl(server.url("/norange/5000"));
  assert.equal(ignored.verdict, "needs-settings");
  assert.equal(ignored.rangesHonoured, false);
  assert.equal(ignored.sizeKnown, true);
  assert.equal(ignored.rangeGet.status, 200);
  assert.ok(ignored.problems.some((p) => /ignores Range/.test(p)), ignored.problems.join("\n"));
  assert.equal(ignored.recommendations[0].property, "dynamicContent");
  for (const path of ["/nolength/3000", "/chunked/3000"]) {
    const report = await probeUrl(server.url(path));
    assert.equal(report.verdict, "needs-settings", path);
    assert.equal(report.sizeKnown, false, path);
    assert.equal(report.size, null, path);
    assert.ok(report.problems.some((p) => /no Content-Length/.test(p)), path);
    assert.equal(report.recommendations[0].property, "dynamicContent", path);
  }
});

Deno.test("probe: HTTP errors and unreachable servers fail; a Basic challenge recommends credentials", async () => {
  await using server = startFaultServer();
  const missing = await probeUrl(server.url("/status/404"));
  assert.equal(missing.verdict, "fails");
  assert.ok(missing.problems.some((p) => p.includes("BG_E_HTTP_ERROR_404")), missing.problems.join("\n"));
  assert.deepEqual(missing.recommendations, []);
  const challenged = await probeUrl(server.url("/auth/ann/secret/10"));
  assert.equal(challenged.verdict, "needs-settings");
  assert.deepEqual(challenged.recommendations.map((r) => [r.property, r.value]), [
    ["credentials", [{ target: "SERVER", scheme: "BASIC" }]],
  ]);
  const url = server.url("/ok/10");
  server.stop();
  const down = await probeUrl(url);
  assert.equal(down.verdict, "fails");
  assert.equal(down.head.status, null);
  assert.match(down.rangeGet.error ?? "", /\S/);
  assert.equal(down.rangeGet.timedOut, false);
});

Deno.test("probe: a server that never answers times out (exit 3 from the CLI)", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/silent`;
    const report = await probeUrl(url, { timeout: 200 });
    assert.equal(report.verdict, "fails");
    assert.deepEqual([report.head.timedOut, report.rangeGet.timedOut], [true, true]);
    assert.match(report.rangeGet.error ?? "", /no answer within 0\.2 s/);
    const cli = await run("probe", url, "--timeout", "0.2", "--json");
    assert.equal(cli.code, 3, cli.stderr);
    assertCliJson("probe", JSON.parse(cli.stdout));
  } finally {
    listener.close();
    for (const conn of held) conn.close();
    await accepting.catch(() => {});
  }
});

function exchange(method: "HEAD" | "GET", status: number, headers: Record<string, string>): ProbeExchange {
  return { method, status, error: null, timedOut: false, redirects: [], finalUrl: "https://a.example/f", headers };
}

Deno.test("probe: a redirect from https to http is flagged, with the security flag that allows it", () => {
  const downgrade = { from: "https://a.example/f", to: "http://b.example/f", status: 302, httpsToHttp: true };
  const head = { ...exchange("HEAD", 200, { "content-length": "10" }), redirects: [downgrade] };
  const get = {
    ...exchange("GET", 206, { "content-range": "bytes 0-0/10", "last-modified": "x" }),
    redirects: [downgrade],
  };
  const report = assessProbe("https://a.example/f", head, get);
  assert.equal(report.verdict, "needs-settings");
  assert.ok(report.problems.some((p) => /from https to http/.test(p)), report.problems.join("\n"));
  assert.deepEqual(report.recommendations.map((r) => [r.property, r.value]), [
    ["security", { flags: ["ALLOW_HTTPS_TO_HTTP"] }],
  ]);
  assert.match(report.recommendations[0].reason, /unencrypted/);
  // Without the downgrade the same answers are ready.
  const clean = assessProbe("https://a.example/f", { ...head, redirects: [] }, { ...get, redirects: [] });
  assert.equal(clean.verdict, "ready");
});

Deno.test("probe: an empty file (416 with bytes */0) is ready with size 0; a range that does not start at 0 is not honoured", () => {
  const empty = assessProbe(
    "https://a.example/f",
    exchange("HEAD", 200, { "content-length": "0" }),
    exchange("GET", 416, { "content-range": "bytes */0" }),
  );
  assert.equal(empty.verdict, "ready");
  assert.equal(empty.size, 0);
  const wrong = assessProbe(
    "https://a.example/f",
    exchange("HEAD", 200, { "content-length": "10" }),
    exchange("GET", 206, { "content-range": "bytes 5-5/10" }),
  );
  assert.equal(wrong.rangesHonoured, false);
  assert.equal(wrong.verdict, "needs-settings");
});

Deno.test("probe: a challenge stops the other checks; a scheme BITS speaks recommends credentials, another fails", () => {
  const head = exchange("HEAD", 407, {});
  const proxy = assessProbe(
    "https://a.example/f",
    head,
    exchange("GET", 407, { "proxy-authenticate": "NTLM realm=x", "www-authenticate": "Basic" }),
  );
  assert.equal(proxy.verdict, "needs-settings");
  // HEAD's refusal is not reported: nothing but the challenge could be checked.
  assert.deepEqual(proxy.problems, ["The proxy asks for credentials (407)."]);
  assert.deepEqual(proxy.recommendations.map((r) => [r.property, r.value]), [
    ["credentials", [{ target: "PROXY", scheme: "NTLM" }]],
  ]);
  assert.deepEqual(proxy.notes, [
    "Size, ranges and HEAD could not be checked without credentials (the probe sends none).",
  ]);
  const bearer = assessProbe("https://a.example/f", head, exchange("GET", 401, { "www-authenticate": "Bearer x" }));
  assert.equal(bearer.verdict, "fails");
  assert.deepEqual(bearer.recommendations, []);
  const stuck = assessProbe("https://a.example/f", head, exchange("GET", 302, {}));
  assert.equal(stuck.verdict, "fails");
  assert.deepEqual(stuck.problems, ["The GET ends in a 302 redirect without a Location."]);
});

Deno.test("probe: findings come in rule order: HEAD, ranges, then the redirect; notes after them", () => {
  const downgrade = { from: "https://a.example/f", to: "http://b.example/f", status: 302, httpsToHttp: true };
  const report = assessProbe(
    "https://a.example/f?sig=abc",
    { ...exchange("HEAD", 403, {}), redirects: [downgrade] },
    exchange("GET", 200, { "content-length": "10", "content-disposition": "attachment" }),
  );
  assert.equal(report.verdict, "needs-settings");
  assert.deepEqual(report.size, 10);
  assert.deepEqual(report.problems.map((p) => p.split(/[,:(]/)[0]), [
    "The server refuses HEAD ",
    "The server ignores Range ",
    "A redirect goes from https to http ",
  ]);
  assert.deepEqual(report.recommendations.map((r) => r.property), ["dynamicContent", "priority", "security"]);
  assert.deepEqual(report.notes.map((n) => n.split(/[:(]/)[0]), [
    "This looks like a presigned URL",
    "BITS follows the 1 redirect",
    "No Last-Modified",
    "BITS ignores Content-Disposition",
  ]);
});

Deno.test("probe: URLs are redacted for printing; presigned URLs are recognised", () => {
  assert.equal(
    redactUrl("https://bucket.s3.amazonaws.com/a.iso?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abc#frag"),
    "https://bucket.s3.amazonaws.com/a.iso?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED",
  );
  assert.equal(redactUrl("https://u:p@example.com/a"), "https://example.com/a");
  assert.equal(redactUrl("https://example.com/a"), "https://example.com/a");
  assert.equal(redactUrl("not a url"), "not a url");
  assert.equal(looksPresigned("https://x.blob.core.windows.net/c/a?sv=2020&sig=abc"), true);
  assert.equal(looksPresigned("https://storage.googleapis.com/b/a?X-Goog-Signature=abc"), true);
  assert.equal(looksPresigned("https://example.com/a?page=2"), false);
});

Deno.test("probe: a URL BITS cannot take, or bad options, are refused before any request", async () => {
  await using server = startFaultServer();
  await assert.rejects(probeUrl("ftp://example.com/a"), InvalidArgumentError);
  await assert.rejects(probeUrl("https://u:p@example.com/a"), InvalidArgumentError);
  await assert.rejects(probeUrl(server.url("/ok/1"), { timeout: 0 }), InvalidArgumentError);
  await assert.rejects(probeUrl(server.url("/ok/1"), { maxRedirects: -1 }), InvalidArgumentError);
  const cli = await run("probe", "ftp://example.com/a", "--json");
  assert.equal(cli.code, 2);
  assertCliJson("probe", JSON.parse(cli.stdout));
  assert.equal(JSON.parse(cli.stdout).error.argument, "url");
  assert.equal(server.requests.length, 0);
});

Deno.test("probe: too many redirects end the exchange", async () => {
  await using server = startFaultServer();
  const report = await probeUrl(server.url("/redirect/4/ok/10"), { maxRedirects: 2 });
  assert.equal(report.verdict, "fails");
  assert.match(report.rangeGet.error ?? "", /more than 2 redirects/);
});

Deno.test("probe CLI: exit 0 when ready, 1 otherwise; --json documents match probe.schema.json", async () => {
  await using server = startFaultServer();
  for (
    const [path, code, verdict] of [["/ok/1000", 0, "ready"], ["/nohead/1000", 1, "needs-settings"], [
      "/status/404",
      1,
      "fails",
    ]] as const
  ) {
    const json = await run("probe", server.url(path), "--json");
    assert.equal(json.code, code, `${path}: ${json.stderr}`);
    const document = JSON.parse(json.stdout);
    assertCliJson("probe", document);
    assert.equal(document.verdict, verdict);
    const human = await run("probe", server.url(path));
    assert.equal(human.code, code, path);
    assert.match(human.stdout, new RegExp(`^Verdict: +${verdict.replace("-", " ")}`, "m"));
  }
  const human = await run("probe", server.url("/nohead/1000"));
  assert.match(human.stdout, /^Recommended settings:\n {2}dynamicContent = true: /m);
  const quiet = await run("probe", server.url("/ok/1000"), "--quiet");
  assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);
});

Deno.test("probe CLI: a signed URL's signature appears nowhere: not in stdout, stderr or the log file", async () => {
  await using server = startFaultServer();
  const dir = await Deno.makeTempDir();
  try {
    const log = `${dir}/probe.log`;
    const secret = "5ec12e7516a7d0e0c0ffee";
    const url = server.url(`/redirect/1/nohead/100?X-Amz-Signature=${secret}`);
    for (const extra of [[], ["--json"]]) {
      const result = await run("probe", url, "--verbose", "--log-file", log, ...extra);
      assert.equal(result.code, 1);
      assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), result.stdout + result.stderr);
    }
    const logged = await Deno.readTextFile(log);
    assert.match(logged, /probe: "HEAD"/, "the requests are logged");
    assert.ok(!logged.includes(secret), logged);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probe CLI: without --allow-net it says so (exit 1), rather than blaming the server", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-check",
      "--allow-read",
      new URL("../../cli.ts", import.meta.url).href,
      "probe",
      "http://127.0.0.1:1234/a",
    ],
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 1, stderr);
  assert.match(stderr, /^error: NotCapable: .*--allow-net/m);
  assert.equal(new TextDecoder().decode(output.stdout), "");
});

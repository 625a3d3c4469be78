// The dashboard's HTTP surface and its guard, request by request, with raw HTTP so Host and Origin can be anything.
// The queue behind it is a scripted source (tests/support/dashboard_scripted_source.ts); the browser test in
// tests/browser/ runs the same server against real BITS under Wine.

import assert from "node:assert/strict";
import { type Dashboard, serveDashboardFrom } from "../../src/dashboard/server.ts";
import { isLoopback, sameToken } from "../../src/dashboard/security.ts";
import { jobView, nextRate } from "../../src/dashboard/view.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { browserCommand } from "../../src/cli/dashboard.ts";
import { runMain } from "../support/cli_capture.ts";
import { scriptedJob, ScriptedSource } from "../support/dashboard_scripted_source.ts";

const JOB = "{4991D34B-80A1-4291-83B6-3328366B9097}";

interface Reply {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** One HTTP/1.1 request written by hand, so every header (Host included) is what the test says. */
async function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = "",
): Promise<Reply> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const all = { host: `127.0.0.1:${port}`, connection: "close", ...headers };
  const bytes = new TextEncoder().encode(body);
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(all)) if (value !== "") head += `${name}: ${value}\r\n`;
  if (method === "POST") head += `content-length: ${bytes.length}\r\n`;
  await conn.write(new TextEncoder().encode(head + "\r\n"));
  if (bytes.length > 0) await conn.write(bytes);
  const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
  const [top, ...rest] = text.split("\r\n\r\n");
  const [statusLine, ...lines] = top.split("\r\n");
  const map = new Map(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
  let content = rest.join("\r\n\r\n");
  if (map.get("transfer-encoding") === "chunked") content = unchunk(content);
  return { status: Number(statusLine.split(" ")[1]), headers: map, body: content };
}

function unchunk(body: string): string {
  let out = "";
  let rest = body;
  while (rest.length > 0) {
    const end = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, end), 16);
    if (!size) break;
    out += rest.slice(end + 2, end + 2 + size);
    rest = rest.slice(end + 2 + size + 2);
  }
  return out;
}

async function withDashboard(
  fn: (d: Dashboard, source: ScriptedSource, token: string) => Promise<void>,
): Promise<void> {
  const source = new ScriptedSource();
  await using dashboard = await serveDashboardFrom(source);
  const token = new URL(dashboard.url).searchParams.get("token")!;
  await fn(dashboard, source, token);
}

function action(
  port: number,
  token: string | null,
  path: string,
  extra: Record<string, string> = {},
  body = "{}",
): Promise<Reply> {
  return raw(port, "POST", path, {
    origin: `http://127.0.0.1:${port}`,
    "content-type": "application/json",
    ...(token === null ? {} : { "x-bits-token": token }),
    ...extra,
  }, body);
}

Deno.test("dashboard: the URL is loopback with a 43-character random token; two servers get different tokens", async () => {
  await withDashboard(async (a, _source, tokenA) => {
    await withDashboard((b, _s, tokenB) => {
      assert.match(a.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
      assert.notEqual(tokenA, tokenB);
      assert.notEqual(a.port, b.port);
      return Promise.resolve();
    });
  });
});

Deno.test("dashboard: the page needs the token (none or a wrong one: 403); with it, the page and a CSP", async () => {
  await withDashboard(async (d, _source, token) => {
    for (const path of ["/", "/?token=", `/?token=${token.slice(0, -1)}x`, "/events", "/api/jobs", "/nothing"]) {
      const reply = await raw(d.port, "GET", path);
      assert.equal(reply.status, 403, path);
      assert.ok(!reply.body.includes(token), path);
    }
    const page = await raw(d.port, "GET", `/?token=${token}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /^text\/html/);
    const csp = page.headers.get("content-security-policy")!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1];
    assert.ok(page.body.includes(`<script nonce="${nonce}">`));
    assert.equal(page.headers.get("referrer-policy"), "no-referrer");
    assert.equal(page.headers.get("cache-control"), "no-store");
    // The token is not written into the page: the script reads it from its own URL.
    assert.ok(!page.body.includes(token));
    // No resource from elsewhere: no CDN, no external script or style.
    assert.doesNotMatch(page.body, /(src|href)=["']?(https?:)?\/\//);
    assert.equal((await raw(d.port, "GET", `/nothing?token=${token}`)).status, 404);
  });
});

Deno.test("dashboard: a foreign Host gets 403 even with the token (DNS rebinding); localhost and [::1] pass", async () => {
  await withDashboard(async (d, _source, token) => {
    for (const host of ["evil.example", `evil.example:${d.port}`, `127.0.0.1:${d.port + 1}`, "127.0.0.1", ""]) {
      assert.equal((await raw(d.port, "GET", `/api/jobs?token=${token}`, { host })).status, 403, host);
    }
    for (const host of [`localhost:${d.port}`, `[::1]:${d.port}`, `LOCALHOST:${d.port}`]) {
      assert.equal((await raw(d.port, "GET", `/api/jobs?token=${token}`, { host })).status, 200, host);
    }
  });
});

Deno.test("dashboard: a foreign Origin or a cross-site fetch gets 403 and no action runs", async () => {
  await withDashboard(async (d, source, token) => {
    source.emit(scriptedJob(JOB));
    const path = `/api/jobs/${encodeURIComponent(JOB)}/cancel`;
    for (
      const origin of [
        "http://evil.example",
        `http://evil.example:${d.port}`,
        `http://127.0.0.1:${d.port + 1}`,
        `https://127.0.0.1:${d.port}`,
        "null",
      ]
    ) {
      assert.equal((await action(d.port, token, path, { origin })).status, 403, origin);
      assert.equal((await raw(d.port, "GET", `/api/jobs?token=${token}`, { origin })).status, 403, origin);
    }
    const crossSite = await action(d.port, token, path, { "sec-fetch-site": "cross-site" });
    assert.equal(crossSite.status, 403);
    assert.deepEqual(source.calls, []);
  });
});

Deno.test("dashboard: actions need POST, the token in a header (not the query), an Origin and a JSON body", async () => {
  await withDashboard(async (d, source, token) => {
    source.emit(scriptedJob(JOB));
    const path = `/api/jobs/${encodeURIComponent(JOB)}/suspend`;
    assert.equal((await raw(d.port, "GET", `${path}?token=${token}`)).status, 403, "GET with the token in the query");
    const get = await raw(d.port, "GET", path, { "x-bits-token": token });
    assert.equal(get.status, 405, "GET with the token");
    assert.equal((await action(d.port, null, `${path}?token=${token}`)).status, 403, "token only in the query");
    assert.equal((await action(d.port, "wrong", path)).status, 403, "wrong token");
    assert.equal((await action(d.port, token, path, { origin: "" })).status, 403, "no Origin");
    assert.equal((await action(d.port, token, path, { "content-type": "text/plain" })).status, 415, "form-like body");
    assert.deepEqual(source.calls, []);
    const ok = await action(d.port, token, path);
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).job.state, "SUSPENDED");
    assert.deepEqual(source.calls, [{ id: JOB, action: "suspend", options: {} }]);
    assert.equal((await action(d.port, token, `/api/jobs/${encodeURIComponent(JOB)}/explode`)).status, 404);
  });
});

Deno.test("dashboard: bad action bodies get 400 with a typed error and reach no job", async () => {
  await withDashboard(async (d, source, token) => {
    source.emit(scriptedJob(JOB));
    const base = `/api/jobs/${encodeURIComponent(JOB)}`;
    const cases: [string, string, string][] = [
      ["complete", "not json", "SyntaxError"],
      ["complete", "[]", "InvalidArgumentError"],
      ["complete", '{"force":true}', "InvalidArgumentError"],
      ["complete", '{"sha256":"abc"}', "InvalidArgumentError"],
      ["complete", '{"size":-1}', "InvalidArgumentError"],
      ["suspend", '{"size":10}', "InvalidArgumentError"],
      ["complete", JSON.stringify({ sha256: "a".repeat(5000) }), "InvalidArgumentError"],
    ];
    source.onAct = () => {
      throw new Error("must not be reached");
    };
    for (const [name, body, error] of cases) {
      const reply = await action(d.port, token, `${base}/${name}`, {}, body);
      assert.equal(reply.status, 400, body);
      assert.equal(JSON.parse(reply.body).error.name, error, body);
    }
    const huge = await action(d.port, token, `${base}/complete`, {}, JSON.stringify({ pad: "x".repeat(100_000) }));
    assert.equal(huge.status, 400);
    assert.match(JSON.parse(huge.body).error.message, /larger than 4096 bytes/);
  });
});

Deno.test("dashboard: the event stream sends the queue, then each change and removal", async () => {
  await withDashboard(async (d, source, token) => {
    source.emit(scriptedJob(JOB, { state: "QUEUED" }));
    const response = await fetch(`http://127.0.0.1:${d.port}/events?token=${token}`);
    assert.match(response.headers.get("content-type")!, /^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const next = async (): Promise<{ event: string; data: Record<string, unknown> }> => {
      while (!buffer.includes("\n\n")) buffer += (await reader.read()).value ?? "";
      const end = buffer.indexOf("\n\n");
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)![1];
      return { event, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) };
    };
    const first = await next();
    assert.equal(first.event, "jobs");
    assert.deepEqual((first.data.jobs as { state: string }[]).map((j) => j.state), ["QUEUED"]);
    source.emit(scriptedJob(JOB, {
      state: "TRANSFERRING",
      progress: { bytesTotal: 1000, bytesTransferred: 250, filesTotal: 1, filesTransferred: 0 },
    }));
    let update = await next();
    while (update.data.state !== "TRANSFERRING") update = await next();
    assert.equal(update.event, "job");
    assert.equal(update.data.bytesTransferred, 250);
    source.remove(JOB);
    let gone = await next();
    while (gone.event !== "removed") gone = await next();
    assert.deepEqual(gone.data, { id: JOB });
    await reader.cancel();
  });
});

Deno.test("dashboard: nothing secret reaches the page: URL user, password and query values are dropped", async () => {
  await withDashboard(async (d, source, token) => {
    source.fileLists.set(JOB, [{
      remoteName: "https://alice:hunter2@files.example/a.iso?sig=S3CR3T&se=2030",
      localName: "C:\\Downloads\\a.iso",
      bytesTotal: 10,
      bytesTransferred: 0,
      completed: false,
    }]);
    source.emit(scriptedJob(JOB));
    let body = "";
    for (let i = 0; i < 50 && !body.includes("files.example"); i++) {
      body = (await raw(d.port, "GET", `/api/jobs?token=${token}`)).body;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(body.includes("https://files.example/a.iso?sig=REDACTED&se=REDACTED"), body);
    for (const secret of ["alice", "hunter2", "S3CR3T", "2030"]) assert.ok(!body.includes(secret), secret);
  });
});

Deno.test("dashboard: listening beyond loopback needs allowRemote, and never on a wildcard address", async () => {
  const source = new ScriptedSource();
  await assert.rejects(serveDashboardFrom(source, { hostname: "192.0.2.1" }), InvalidArgumentError);
  await assert.rejects(serveDashboardFrom(source, { hostname: "0.0.0.0", allowRemote: true }), InvalidArgumentError);
  await assert.rejects(serveDashboardFrom(source, { hostname: "::", allowRemote: true }), InvalidArgumentError);
  await assert.rejects(serveDashboardFrom(source, { port: 70000 }), InvalidArgumentError);
  // A port in use is a rejection too, and nothing is left listening.
  await using first = await serveDashboardFrom(source);
  await assert.rejects(serveDashboardFrom(source, { port: first.port }), Deno.errors.AddrInUse);
  for (const h of ["127.0.0.1", "127.3.2.1", "localhost", "::1", "[::1]"]) assert.ok(isLoopback(h), h);
  for (const h of ["192.0.2.1", "0.0.0.0", "::", "127.0.0.1.evil.example", "localhost.evil.example"]) {
    assert.ok(!isLoopback(h), h);
  }
  // The CLI warns before anything listens (here BITS is unavailable, so it stops right after).
  const result = await runMain("dashboard", "--listen", "192.0.2.1");
  assert.match(result.stderr, /warning: listening on 192\.0\.2\.1, not loopback/);
  const local = await runMain("dashboard");
  assert.doesNotMatch(local.stderr, /warning/);
});

Deno.test("dashboard: tokens compare equal only when equal", () => {
  assert.ok(sameToken("abc", "abc"));
  for (const other of ["abd", "ab", "abcd", ""]) assert.ok(!sameToken("abc", other), other);
});

Deno.test("dashboard view: total from the files when BITS has none, a smoothed rate, an ETA, the error's hint", () => {
  const snapshot = scriptedJob(JOB, {
    state: "TRANSFERRING",
    progress: { bytesTotal: null, bytesTransferred: 400, filesTotal: 2, filesTransferred: 0 },
  });
  const files = [10, 990].map((size) => ({
    remoteName: "http://h/x",
    localName: "C:\\x",
    bytesTotal: size,
    bytesTransferred: 0,
    completed: false,
  }));
  let sample = nextRate(undefined, 0, 0, "TRANSFERRING");
  sample = nextRate(sample, 200, 1000, "TRANSFERRING");
  sample = nextRate(sample, 400, 2000, "TRANSFERRING");
  const view = jobView(snapshot, files, sample);
  assert.equal(view.bytesTotal, 1000);
  assert.equal(view.rate, 200);
  assert.equal(view.eta, 3);
  assert.equal(jobView(snapshot, [{ ...files[0], bytesTotal: null }], sample).bytesTotal, null);
  assert.equal(nextRate(sample, 400, 3000, "SUSPENDED").rate, null);
  const failed = jobView(
    scriptedJob(JOB, {
      state: "ERROR",
      error: { context: "LOCAL_FILE", hresult: 0x80070003, code: "ERROR_PATH_NOT_FOUND", description: "no path" },
    }),
    undefined,
  );
  assert.equal(failed.error?.code, "ERROR_PATH_NOT_FOUND");
  assert.match(failed.error?.hint ?? "", /destination directory does not exist/);
  const wmp = jobView(scriptedJob(JOB, { description: "::WMP_JOB:1:42:Store:Artist:Album:3:Title:200:50" }), undefined);
  assert.deepEqual(wmp.wmp, {
    kind: "job",
    serviceId: 42,
    provider: "Store",
    title: "Title",
    albumArtist: "Artist",
    albumTitle: "Album",
    trackNumber: 3,
  });
});

Deno.test("dashboard --open: the URL goes to the system's opener as one argument, never through a shell", () => {
  const url = "http://127.0.0.1:8765/?token=a&b|c";
  assert.deepEqual(browserCommand("windows", url), ["rundll32", "url.dll,FileProtocolHandler", url]);
  assert.deepEqual(browserCommand("linux", url), ["xdg-open", url]);
  assert.deepEqual(browserCommand("darwin", url), ["open", url]);
});

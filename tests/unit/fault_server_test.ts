// The fault server misbehaves exactly as documented, or the reliability tests built on it prove nothing.
import assert from "node:assert/strict";
import { BIG_BLOCK, bigBlock, bigBodyChunks, bigBodySha256 } from "../support/big_body.ts";
import { contentSha256 } from "../support/content.ts";
import { startFaultServer } from "../support/faults.ts";
import { createHash } from "node:crypto";
import { RssSampler } from "../support/rss.ts";

/** A raw request: status line, headers and the body bytes received before the server closed. */
async function raw(origin: string, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<{
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}> {
  const { port } = new URL(origin);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  const head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
  await conn.write(new TextEncoder().encode(head));
  const parts: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    parts.push(buffer.slice(0, n));
  }
  conn.close();
  const all = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  const split = all.findIndex((_, i) => all[i] === 13 && all[i + 1] === 10 && all[i + 2] === 13 && all[i + 3] === 10);
  const [statusLine, ...lines] = new TextDecoder().decode(all.subarray(0, split)).split("\r\n");
  const parsed: Record<string, string> = {};
  for (const line of lines) {
    parsed[line.slice(0, line.indexOf(":")).toLowerCase()] = line.slice(line.indexOf(":") + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1]), headers: parsed, body: all.subarray(split + 4) };
}

const sha = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

Deno.test("fault server: /ok serves the content with its length, HEAD and a byte range", async () => {
  await using server = startFaultServer();
  const full = await raw(server.origin, "/ok/100000?seed=7");
  assert.equal(full.status, 200);
  assert.equal(full.headers["content-length"], "100000");
  assert.equal(sha(full.body), contentSha256(100000, 7));
  const head = await raw(server.origin, "/ok/100000?seed=7", {}, "HEAD");
  assert.equal(head.headers["content-length"], "100000");
  assert.equal(head.body.length, 0);
  const range = await raw(server.origin, "/ok/100000?seed=7", { range: "bytes=70000-" });
  assert.equal(range.status, 206);
  assert.equal(range.headers["content-range"], "bytes 70000-99999/100000");
  assert.deepEqual(range.body, full.body.subarray(70000));
  assert.equal((await raw(server.origin, "/ok/10", { range: "bytes=10-" })).status, 416);
});

Deno.test("fault server: truncation and drops send fewer bytes than Content-Length", async () => {
  await using server = startFaultServer();
  for (const mode of ["truncate", "drop"]) {
    const reply = await raw(server.origin, `/${mode}/200000/50000`);
    assert.equal(reply.headers["content-length"], "200000", mode);
    assert.equal(reply.body.length, 50000, mode);
  }
});

Deno.test("fault server: no length, chunked, statuses, redirects and Basic auth", async () => {
  await using server = startFaultServer();
  const noLength = await raw(server.origin, "/nolength/3000?seed=2");
  assert.equal(noLength.headers["content-length"], undefined);
  assert.equal(sha(noLength.body), contentSha256(3000, 2));
  const chunked = await raw(server.origin, "/chunked/3000");
  assert.equal(chunked.headers["transfer-encoding"], "chunked");
  assert.match(new TextDecoder().decode(chunked.body.subarray(0, 6)), /^bb8\r\n/);
  assert.equal((await raw(server.origin, "/status/500")).status, 500);
  const redirect = await raw(server.origin, "/redirect/3/ok/10");
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers["location"], "/redirect/2/ok/10");
  assert.equal((await raw(server.origin, "/redirect/1/ok/10")).headers["location"], "/ok/10");
  assert.equal((await raw(server.origin, "/auth/ann/s%3Acret/10")).status, 401);
  const authorized = await raw(server.origin, "/auth/ann/s%3Acret/10", {
    authorization: `Basic ${btoa("ann:s:cret")}`,
  });
  assert.equal(authorized.status, 200);
  assert.equal(server.requests.at(-1)?.headers["authorization"], `Basic ${btoa("ann:s:cret")}`);
});

Deno.test("fault server: goes down and comes back on the same port", async () => {
  await using server = startFaultServer();
  server.stop();
  await assert.rejects(raw(server.origin, "/ok/10"));
  server.start();
  assert.equal((await raw(server.origin, "/ok/10")).status, 200);
});

Deno.test("fault server: /flaky fails its first requests with the given status, then serves the file", async () => {
  await using server = startFaultServer();
  const path = "/flaky/2/503/50000?seed=9";
  for (const attempt of [1, 2]) {
    const failed = await raw(server.origin, path);
    assert.equal(failed.status, 503, `attempt ${attempt}`);
    assert.equal(new TextDecoder().decode(failed.body), `status 503 (failure ${attempt} of 2)\n`);
  }
  const served = await raw(server.origin, path);
  assert.equal(served.status, 200);
  assert.equal(sha(served.body), contentSha256(50000, 9));
  // Each path and query counts on its own, so a test can start afresh with a new query.
  assert.equal((await raw(server.origin, "/flaky/2/503/50000?seed=9&run=2")).status, 503);
  assert.equal((await raw(server.origin, "/flaky/0/503/10")).status, 200);
});

Deno.test("fault server: /nohead refuses HEAD, /norange ignores Range, /meta adds validators and a file name", async () => {
  await using server = startFaultServer();
  const refused = await raw(server.origin, "/nohead/1000?seed=3", {}, "HEAD");
  assert.equal(refused.status, 403);
  const served = await raw(server.origin, "/nohead/1000?seed=3", { range: "bytes=0-0" });
  assert.equal(served.status, 206);
  assert.equal(served.headers["content-range"], "bytes 0-0/1000");
  const ignored = await raw(server.origin, "/norange/1000?seed=3", { range: "bytes=0-0" });
  assert.equal(ignored.status, 200);
  assert.equal(ignored.headers["content-range"], undefined);
  assert.equal(ignored.headers["accept-ranges"], undefined);
  assert.equal(sha(ignored.body), contentSha256(1000, 3));
  const meta = await raw(server.origin, "/meta/1000/a%20b.iso?seed=3", {}, "HEAD");
  assert.equal(meta.status, 200);
  assert.equal(meta.headers["content-length"], "1000");
  assert.equal(meta.headers["etag"], '"1000-3"');
  assert.equal(meta.headers["last-modified"], "Tue, 01 Apr 2025 12:00:00 GMT");
  assert.equal(meta.headers["content-disposition"], 'attachment; filename="a b.iso"');
});

const MIB = 1024 * 1024;
const concat = (chunks: Iterable<Uint8Array>): Uint8Array => {
  const parts = [...chunks];
  const all = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return all;
};

Deno.test("big body: deterministic, different per seed and block, and any range equals that slice of the whole", () => {
  const size = 3 * BIG_BLOCK + 12_345; // not a whole number of blocks, nor of words
  const whole = concat(bigBodyChunks(size, 5));
  assert.equal(whole.length, size);
  assert.deepEqual(concat(bigBodyChunks(size, 5)), whole);
  assert.notDeepEqual(concat(bigBodyChunks(size, 6)), whole);
  // No block repeats another (a pattern that repeats would hide misplaced blocks).
  assert.notDeepEqual(whole.subarray(0, BIG_BLOCK), whole.subarray(BIG_BLOCK, 2 * BIG_BLOCK));
  for (
    const [start, end] of [[0, 1], [1, 3], [BIG_BLOCK - 1, BIG_BLOCK + 1], [70_000, size], [size - 1, size], [5, 5]]
  ) {
    assert.deepEqual(concat(bigBodyChunks(size, 5, start, end)), whole.subarray(start, end), `${start}-${end}`);
  }
  assert.equal(bigBodySha256(size, 5), sha(whole));
  // A range far into a 1 TiB body starts at its block: nothing before it is generated.
  const far = 2 ** 40 - 10;
  assert.deepEqual(concat(bigBodyChunks(2 ** 40, 5, far)), bigBlock(5, Math.floor(far / BIG_BLOCK)).subarray(-10));
});

Deno.test("big body: 1 GiB streamed into a hash never holds more than a few blocks", () => {
  const size = 1024 * MIB;
  const hash = createHash("sha256");
  using total = new RssSampler();
  // The first tens of MiB are garbage the collector has not met yet; after that RSS must stay flat.
  let warm: RssSampler | undefined;
  let bytes = 0;
  for (const chunk of bigBodyChunks(size, 9)) {
    hash.update(chunk);
    bytes += chunk.length;
    if (bytes === 256 * MIB) warm = new RssSampler();
    // The loop never yields to the samplers' timers: sample by hand.
    if (bytes % (16 * MIB) === 0) [total, warm].forEach((s) => s?.sample());
  }
  warm![Symbol.dispose]();
  assert.equal(bytes, size);
  assert.equal(hash.digest("hex"), bigBodySha256(size, 9));
  const mib = (n: number): string => `${(n / MIB).toFixed(1)} MiB`;
  // Holding the body would grow RSS by the 768 MiB generated after warm-up; 64 MiB leaves room for lazy collection
  // on a loaded machine (16 MiB failed once while a Wine run shared the two cores).
  assert.ok(warm!.growth < 64 * MIB, `RSS grew ${mib(warm!.growth)} over the last 768 MiB`);
  assert.ok(total.growth < 128 * MIB, `RSS grew ${mib(total.growth)} while generating 1 GiB`);
});

Deno.test("fault server: /big streams 256 MiB with its length, ranges from any block, and bounded memory", async () => {
  await using server = startFaultServer();
  const size = 256 * MIB;
  const head = await raw(server.origin, `/big/${size}?seed=3`, {}, "HEAD");
  assert.equal(head.headers["content-length"], String(size));
  assert.equal(head.headers["accept-ranges"], "bytes");
  const range = await raw(server.origin, `/big/${size}?seed=3`, { range: `bytes=${size - 100_000}-` });
  assert.equal(range.status, 206);
  assert.equal(range.headers["content-range"], `bytes ${size - 100_000}-${size - 1}/${size}`);
  assert.deepEqual(range.body, concat(bigBodyChunks(size, 3, size - 100_000)));
  using rss = new RssSampler(50);
  const response = await fetch(server.url(`/big/${size}?seed=3`));
  assert.equal(response.headers.get("content-length"), String(size));
  const hash = createHash("sha256");
  let bytes = 0;
  let pausedGrowth = NaN;
  for await (const chunk of response.body!) {
    hash.update(chunk);
    bytes += chunk.length;
    if (bytes >= 16 * MIB && Number.isNaN(pausedGrowth)) {
      // The client stops reading: a streaming server stops at the socket's buffers, one holding the body would
      // go on generating it into memory.
      using paused = new RssSampler(20);
      await new Promise((resolve) => setTimeout(resolve, 500));
      pausedGrowth = paused.growth;
    }
  }
  assert.equal(bytes, size);
  assert.equal(hash.digest("hex"), bigBodySha256(size, 3));
  const mib = (n: number): string => `${(n / MIB).toFixed(1)} MiB`;
  assert.ok(pausedGrowth < 16 * MIB, `RSS grew ${mib(pausedGrowth)} while the client read nothing`);
  // Server and client share this process; the collector lets some tens of MiB of served blocks pile up.
  assert.ok(rss.growth < 128 * MIB, `RSS grew ${mib(rss.growth)} while serving 256 MiB`);
});

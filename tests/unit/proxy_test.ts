// The test proxy of tests/support, driven by Deno's own HTTP client configured to use it: forwarded
// requests and CONNECT tunnels reach the server intact and are recorded; targets off loopback are refused.

import assert from "node:assert/strict";
import { startProxy } from "../support/proxy.ts";
import { startServer } from "../support/server.ts";
import { contentSha256 } from "../support/content.ts";
import { createHash } from "node:crypto";

async function sha256Of(response: Response): Promise<string> {
  return createHash("sha256").update(new Uint8Array(await response.arrayBuffer())).digest("hex");
}

Deno.test("proxy: a forwarded GET reaches the server through the proxy, body intact, and is recorded", async () => {
  await using server = startServer();
  await using proxy = startProxy();
  using client = Deno.createHttpClient({ proxy: { url: `http://${proxy.address}` } });
  const url = server.contentUrl(300_000, 31);
  const response = await fetch(url, { client });
  assert.equal(response.status, 200);
  assert.equal(await sha256Of(response), contentSha256(300_000, 31));
  assert.deepEqual(proxy.requests, [{ method: "GET", target: url }]);
  // The server saw an origin-form request, as from any client.
  assert.deepEqual(server.requests, ["/content/300000?seed=31"]);
});

Deno.test("proxy: CONNECT opens a tunnel to a loopback port and carries the exchange both ways", async () => {
  await using server = startServer();
  await using proxy = startProxy();
  const [host, port] = proxy.address.split(":");
  using conn = await Deno.connect({ hostname: host, port: Number(port) });
  const target = new URL(server.origin).host;
  await conn.write(new TextEncoder().encode(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
  await conn.write(
    new TextEncoder().encode(`GET /content/10?seed=1 HTTP/1.1\r\nHost: ${target}\r\nConnection: close\r\n\r\n`),
  );
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
  }
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  assert.match(text, /^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  assert.deepEqual(proxy.requests, [{ method: "CONNECT", target }]);
  assert.deepEqual(server.requests, ["/content/10?seed=1"]);
});

Deno.test("proxy: targets off 127.0.0.1 are refused without a connection", async () => {
  await using proxy = startProxy();
  const [host, port] = proxy.address.split(":");
  for (const request of ["GET http://192.0.2.1:8080/x HTTP/1.1", "CONNECT 192.0.2.1:443 HTTP/1.1"]) {
    using conn = await Deno.connect({ hostname: host, port: Number(port) });
    await conn.write(new TextEncoder().encode(`${request}\r\nHost: 192.0.2.1\r\n\r\n`));
    const buffer = new Uint8Array(1024);
    const n = await conn.read(buffer);
    assert.match(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), /^HTTP\/1\.1 403 /);
  }
  assert.deepEqual(proxy.requests, [
    { method: "GET", target: "http://192.0.2.1:8080/x", refused: 403 },
    { method: "CONNECT", target: "192.0.2.1:443", refused: 403 },
  ]);
});

Deno.test("proxy: with basicAuth, requests without the exact credentials get 407 and a challenge", async () => {
  await using server = startServer();
  await using proxy = startProxy({ basicAuth: { user: "pu", password: "pp" } });
  const url = server.contentUrl(100, 32);
  using anonymous = Deno.createHttpClient({ proxy: { url: `http://${proxy.address}` } });
  const refused = await fetch(url, { client: anonymous });
  await refused.body?.cancel();
  assert.equal(refused.status, 407);
  assert.match(refused.headers.get("proxy-authenticate") ?? "", /^Basic /);
  using wrong = Deno.createHttpClient({
    proxy: { url: `http://${proxy.address}`, basicAuth: { username: "pu", password: "nope" } },
  });
  const denied = await fetch(url, { client: wrong });
  await denied.body?.cancel();
  assert.equal(denied.status, 407);
  using right = Deno.createHttpClient({
    proxy: { url: `http://${proxy.address}`, basicAuth: { username: "pu", password: "pp" } },
  });
  const ok = await fetch(url, { client: right });
  assert.equal(await sha256Of(ok), contentSha256(100, 32));
  assert.deepEqual(proxy.requests.map((r) => [r.refused, r.authorized]), [[407, false], [407, false], [
    undefined,
    true,
  ]]);
  assert.deepEqual(server.requests, ["/content/100?seed=32"], "only the authorized request reached the server");
});

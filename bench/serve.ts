/**
 * The benchmark's HTTP server, in its own process so the bytes BITS downloads
 * are not served by the process that measures. It serves the test content of
 * tests/support/content.ts (`GET /content/<size>?seed=N`, as
 * tests/support/server.ts does, with a Content-Length) and times each body on
 * the server side: when a body's last chunk has been handed to the socket it
 * prints one JSON line `{"seed", "size", "startMs", "endMs", "marks"}` (ms
 * since the epoch; start = request arrival; `marks`: ms after the start at
 * which each further 64 MiB was handed over, a throughput profile of the
 * transfer). The first line it prints is its origin.
 * Serves until its stdin closes.
 *
 * Usage: deno run --allow-net=127.0.0.1 bench/serve.ts
 *
 * @module
 */

import { contentChunks } from "../tests/support/content.ts";

/** A throughput mark every this many bytes (a multiple of the content's 64 KiB chunks). */
const MARK_BYTES = 64 * 1024 * 1024;

if (import.meta.main) {
  const closing = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    const match = /^\/content\/(\d+)$/.exec(url.pathname);
    if (!match) return new Response("not found\n", { status: 404 });
    const size = Number(match[1]);
    const seed = Number(url.searchParams.get("seed") ?? "1");
    const headers = { "content-type": "application/octet-stream", "content-length": String(size) };
    if (request.method === "HEAD") return new Response(null, { headers });
    const startMs = Date.now();
    const chunks = contentChunks(size, seed);
    const marks: number[] = [];
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller): void {
        const next = chunks.next();
        if (next.done || closing.signal.aborted) {
          controller.close();
          console.log(JSON.stringify({ seed, size, startMs, endMs: Date.now(), marks }));
          return;
        }
        sent += next.value.length;
        if (sent % MARK_BYTES === 0) marks.push(Date.now() - startMs);
        controller.enqueue(next.value);
      },
    });
    return new Response(body, { headers });
  });
  console.log(`http://127.0.0.1:${server.addr.port}`);
  for await (const _ of Deno.stdin.readable) {
    // Nothing to read: serves until EOF.
  }
  closing.abort();
  await server.shutdown();
}

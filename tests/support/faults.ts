/**
 * A fault-injecting HTTP/1.1 server for reliability tests: 127.0.0.1 only,
 * an ephemeral port, written on raw TCP (`Deno.listen`) so that it can
 * misbehave in ways a conforming server library never would: lie about
 * Content-Length, drop the connection mid-body, omit lengths, and go down
 * and come back on the same port.
 *
 * Routes (`<size>` in bytes; the content is {@linkcode contentChunks} for `seed`):
 * - `/ok/<size>?seed=N`: a BITS-friendly file: HEAD with Content-Length, GET with Range support (206);
 * - `/status/<code>`: that status with a short body (403 and 500 bodies included);
 * - `/auth/<user>/<password>/<size>`: 401 with `WWW-Authenticate: Basic` unless the request carries exactly those
 *   Basic credentials, else like `/ok`;
 * - `/drop/<size>/<at>`: headers for `size`, `at` bytes, then the connection is closed mid-body;
 * - `/truncate/<size>/<at>`: Content-Length `size` but only `at` bytes, then a clean close;
 * - `/nolength/<size>`: no Content-Length; the body ends when the connection closes;
 * - `/chunked/<size>`: `Transfer-Encoding: chunked`;
 * - `/trickle/<size>/<bytesPerSecond>`: the body at that rate;
 * - `/redirect/<hops>/<rest>`: `hops` 302 redirects, then `/<rest>` (e.g. `/redirect/3/ok/1000`);
 * - `/flaky/<failures>/<code>/<size>`: a flaky server: the first `failures` requests for this exact path and
 *   query get status `<code>`, every later one is served like `/ok/<size>` (vary the query to start afresh).
 * - `/nohead/<size>`: HEAD refused with 403 (as presigned URLs signed for GET answer it), GET like `/ok`;
 * - `/norange/<size>`: Range ignored: always 200 with the whole file (Content-Length, no Accept-Ranges);
 * - `/meta/<size>/<filename>`: like `/ok`, plus ETag, Last-Modified and `Content-Disposition: attachment`.
 * - `/big/<size>?seed=N`: like `/ok`, with the seekable content of tests/support/big_body.ts, for bodies of a
 *   gigabyte and more: a range starts at its first block instead of generating everything before it.
 * Anything else is 404. Bodies are generated in chunks, so a 1 GB body is never held in memory.
 *
 * @module
 */

import { bigBodyChunks } from "./big_body.ts";
import { contentChunks } from "./content.ts";

/** One request the server received. */
export interface FaultRequest {
  readonly method: string;
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A running fault server. */
export interface FaultServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` (the port survives {@linkcode FaultServer.stop} and {@linkcode FaultServer.start}). */
  readonly origin: string;
  /** Requests so far, in order of arrival. */
  readonly requests: readonly FaultRequest[];
  /** `origin + path`. */
  url(path: string): string;
  /** Stops listening and closes every open connection (the server "goes down"). */
  stop(): void;
  /** Listens again on the same port after {@linkcode FaultServer.stop}. */
  start(): void;
  /** Stops for good. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const HEADER_LIMIT = 64 * 1024;

interface Reply {
  status: number;
  headers: Record<string, string>;
  /** Body chunks; absent for HEAD and empty bodies. */
  body?: Iterable<Uint8Array>;
  /** Bytes per second. */
  rate?: number;
  /** Close the connection after this many body bytes (a lie about the length). */
  cutAt?: number;
  chunked?: boolean;
}

const REASONS: Record<number, string> = {
  200: "OK",
  206: "Partial Content",
  302: "Found",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  416: "Range Not Satisfiable",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Bytes `[start, end)` of the content for (size, seed), still in chunks. */
function* contentSlice(size: number, seed: number, start: number, end: number): Generator<Uint8Array> {
  let offset = 0;
  for (const chunk of contentChunks(size, seed)) {
    const from = Math.max(start - offset, 0);
    const to = Math.min(end - offset, chunk.length);
    if (to > from) yield chunk.subarray(from, to);
    offset += chunk.length;
    if (offset >= end) return;
  }
}

/** Yields bytes `[start, end)` of the `size`-byte content for `seed`. */
type Slicer = (size: number, seed: number, start: number, end: number) => Iterable<Uint8Array>;

/** A BITS-friendly file reply: Content-Length, and a single byte range when asked. */
function fileReply(request: FaultRequest, size: number, seed: number, slice: Slicer = contentSlice): Reply {
  const headers: Record<string, string> = { "content-type": "application/octet-stream", "accept-ranges": "bytes" };
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers["range"] ?? "");
  let start = 0;
  let end = size;
  let status = 200;
  if (range) {
    start = Number(range[1]);
    end = range[2] ? Math.min(Number(range[2]) + 1, size) : size;
    if (start >= size || end <= start) {
      return { status: 416, headers: { "content-range": `bytes */${size}`, "content-length": "0" } };
    }
    status = 206;
    headers["content-range"] = `bytes ${start}-${end - 1}/${size}`;
  }
  headers["content-length"] = String(end - start);
  return { status, headers, body: request.method === "HEAD" ? undefined : slice(size, seed, start, end) };
}

function textReply(status: number, text: string, extra: Record<string, string> = {}): Reply {
  const body = encoder.encode(text);
  return {
    status,
    headers: { "content-type": "text/plain", "content-length": String(body.length), ...extra },
    body: [body],
  };
}

/** Requests seen so far per `/flaky/…` path and query, so each one fails its given number of times. */
type FlakyCounts = Map<string, number>;

function route(request: FaultRequest, flaky: FlakyCounts): Reply {
  const url = new URL(request.path, "http://127.0.0.1");
  const seed = Number(url.searchParams.get("seed") ?? "1");
  const parts = url.pathname.split("/").slice(1);
  const n = (i: number): number => Number(parts[i]);
  const body = (size: number): Iterable<Uint8Array> | undefined =>
    request.method === "HEAD" ? undefined : contentChunks(size, seed);
  switch (parts[0]) {
    case "ok":
      return fileReply(request, n(1), seed);
    case "status":
      return textReply(n(1), `status ${n(1)}\n`);
    case "auth": {
      const expected = `Basic ${btoa(`${decodeURIComponent(parts[1])}:${decodeURIComponent(parts[2])}`)}`;
      if (request.headers["authorization"] !== expected) {
        return textReply(401, "credentials required\n", { "www-authenticate": 'Basic realm="deno-bits tests"' });
      }
      return fileReply(request, n(3), seed);
    }
    case "drop":
    case "truncate":
      return {
        status: 200,
        headers: { "content-type": "application/octet-stream", "content-length": String(n(1)) },
        body: body(n(1)),
        cutAt: n(2),
        // A drop happens while the body is still flowing; a truncation is a clean close after the last byte sent.
        rate: parts[0] === "drop" ? 256 * 1024 : undefined,
      };
    case "nolength":
      return { status: 200, headers: { "content-type": "application/octet-stream" }, body: body(n(1)) };
    case "chunked":
      return { status: 200, headers: { "content-type": "application/octet-stream" }, body: body(n(1)), chunked: true };
    case "trickle":
      return { ...fileReply(request, n(1), seed), rate: n(2) };
    case "flaky": {
      const seen = flaky.get(request.path) ?? 0;
      flaky.set(request.path, seen + 1);
      return seen < n(1)
        ? textReply(n(2), `status ${n(2)} (failure ${seen + 1} of ${n(1)})\n`)
        : fileReply(request, n(3), seed);
    }
    case "redirect": {
      const hops = n(1);
      const rest = parts.slice(2).join("/") + url.search;
      return textReply(302, "moved\n", { location: hops > 1 ? `/redirect/${hops - 1}/${rest}` : `/${rest}` });
    }
    case "nohead":
      return request.method === "HEAD" ? textReply(403, "signed for GET only\n") : fileReply(request, n(1), seed);
    case "norange": {
      const reply = fileReply({ ...request, headers: { ...request.headers, range: "" } }, n(1), seed);
      delete reply.headers["accept-ranges"];
      return reply;
    }
    case "meta": {
      const reply = fileReply(request, n(1), seed);
      reply.headers["etag"] = `"${n(1)}-${seed}"`;
      reply.headers["last-modified"] = "Tue, 01 Apr 2025 12:00:00 GMT";
      reply.headers["content-disposition"] = `attachment; filename="${decodeURIComponent(parts[2] ?? "file.bin")}"`;
      return reply;
    }
    case "big":
      return fileReply(request, n(1), seed, bigBodyChunks);
  }
  return textReply(404, "not found\n");
}

/** Reads one request head; `undefined` when the peer closed first. */
async function readRequest(conn: Deno.Conn): Promise<FaultRequest | undefined> {
  const buffer = new Uint8Array(HEADER_LIMIT);
  let length = 0;
  for (;;) {
    const read = await conn.read(buffer.subarray(length));
    if (read === null) return undefined;
    length += read;
    const text = new TextDecoder().decode(buffer.subarray(0, length));
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const [line, ...lines] = text.slice(0, end).split("\r\n");
      const [method, path] = line.split(" ");
      const headers: Record<string, string> = {};
      for (const header of lines) {
        const colon = header.indexOf(":");
        if (colon > 0) headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
      }
      return { method, path, headers };
    }
    if (length === buffer.length) return undefined;
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) written += await conn.write(bytes.subarray(written));
}

async function sendReply(conn: Deno.Conn, reply: Reply, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = { ...reply.headers, connection: "close" };
  if (reply.chunked) headers["transfer-encoding"] = "chunked";
  const head = `HTTP/1.1 ${reply.status} ${REASONS[reply.status] ?? "Status"}\r\n` +
    Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("") + "\r\n";
  await writeAll(conn, encoder.encode(head));
  let sent = 0;
  for (const chunk of reply.body ?? []) {
    if (signal.aborted) return;
    let piece = chunk;
    if (reply.cutAt !== undefined) piece = piece.subarray(0, Math.max(0, reply.cutAt - sent));
    if (reply.rate) await new Promise((resolve) => setTimeout(resolve, (piece.length / reply.rate!) * 1000));
    if (reply.chunked) {
      await writeAll(conn, encoder.encode(`${piece.length.toString(16)}\r\n`));
      await writeAll(conn, piece);
      await writeAll(conn, encoder.encode("\r\n"));
    } else {
      await writeAll(conn, piece);
    }
    sent += piece.length;
    if (reply.cutAt !== undefined && sent >= reply.cutAt) return;
  }
  if (reply.chunked) await writeAll(conn, encoder.encode("0\r\n\r\n"));
}

/** Starts a fault server on 127.0.0.1 with an ephemeral port. */
export function startFaultServer(): FaultServer {
  const requests: FaultRequest[] = [];
  const connections = new Set<Deno.Conn>();
  const flaky: FlakyCounts = new Map();
  let listener: Deno.Listener | undefined;
  let down = new AbortController();
  let port = 0;

  const serve = async (conn: Deno.Conn, signal: AbortSignal): Promise<void> => {
    connections.add(conn);
    try {
      const request = await readRequest(conn);
      if (request === undefined) return;
      requests.push(request);
      await sendReply(conn, route(request, flaky), signal);
    } catch {
      // The client (or stop()) closed the connection: nothing to answer.
    } finally {
      connections.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed by stop().
      }
    }
  };

  const start = (): void => {
    if (listener) return;
    down = new AbortController();
    const signal = down.signal;
    const current = Deno.listen({ hostname: "127.0.0.1", port, transport: "tcp" });
    listener = current;
    port = (current.addr as Deno.NetAddr).port;
    (async () => {
      try {
        for await (const conn of current) serve(conn, signal);
      } catch {
        // Listener closed by stop().
      }
    })();
  };

  const stop = (): void => {
    down.abort();
    listener?.close();
    listener = undefined;
    for (const conn of connections) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
    connections.clear();
  };

  start();
  const origin = `http://127.0.0.1:${port}`;
  const close = (): Promise<void> => {
    stop();
    return Promise.resolve();
  };
  return { origin, requests, url: (path) => `${origin}${path}`, stop, start, close, [Symbol.asyncDispose]: close };
}

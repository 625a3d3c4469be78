/**
 * A small HTTP proxy for tests, on 127.0.0.1 with an ephemeral port: it
 * forwards absolute-form requests (`GET http://host:port/path HTTP/1.1`) and
 * tunnels `CONNECT host:port`, and records each, so a test can prove a
 * transfer went through it rather than straight to the server. Targets are
 * limited to 127.0.0.1 so a test can never reach beyond the machine. One
 * request per connection (the forwarded request is sent with
 * `Connection: close`). With `basicAuth`, a request without exactly those
 * Basic `Proxy-Authorization` credentials gets 407 and a
 * `Proxy-Authenticate` challenge, so a test can prove a client sent its
 * proxy credentials.
 *
 * @module
 */

/** One request the proxy handled. */
export interface ProxiedRequest {
  /** `CONNECT` or the forwarded method. */
  readonly method: string;
  /** `host:port` for CONNECT, else the absolute URL. */
  readonly target: string;
  /** The status the proxy itself answered (a forwarded request's status is the server's). */
  readonly refused?: number;
  /** Whether the request carried the expected `Proxy-Authorization` (only with `basicAuth`). */
  readonly authorized?: boolean;
}

/** Options of {@linkcode startProxy}. */
export interface ProxyOptions {
  /** Require these HTTP Basic proxy credentials. */
  readonly basicAuth?: { readonly user: string; readonly password: string };
}

/** A running proxy. */
export interface TestProxy extends AsyncDisposable {
  /** `127.0.0.1:<port>`, as BITS' proxy list and `Deno.createHttpClient` want it. */
  readonly address: string;
  /** Requests handled, in order of arrival. */
  readonly requests: readonly ProxiedRequest[];
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

const HEAD_LIMIT = 64 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function indexOfHeadEnd(bytes: Uint8Array, length: number): number {
  for (let i = 3; i < length; i++) {
    if (bytes[i - 3] === 13 && bytes[i - 2] === 10 && bytes[i - 1] === 13 && bytes[i] === 10) return i + 1;
  }
  return -1;
}

/** Reads up to the end of the request head; returns the head and any body bytes read past it. */
async function readHead(conn: Deno.Conn): Promise<{ head: string; rest: Uint8Array } | undefined> {
  const buffer = new Uint8Array(HEAD_LIMIT);
  let length = 0;
  while (length < buffer.length) {
    const n = await conn.read(buffer.subarray(length));
    if (n === null) return undefined;
    length += n;
    const end = indexOfHeadEnd(buffer, length);
    if (end !== -1) return { head: decoder.decode(buffer.subarray(0, end)), rest: buffer.slice(end, length) };
  }
  return undefined;
}

async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      let written = 0;
      while (written < n) written += await to.write(buffer.subarray(written, n));
    }
  } catch {
    // The other side closed.
  }
  // Half-close: the other direction may still be carrying the answer.
  await Promise.resolve().then(() => to.closeWrite()).catch(() => {});
}

function loopbackTarget(host: string, port: string): boolean {
  return host === "127.0.0.1" && /^\d{1,5}$/.test(port);
}

/** Starts a proxy on 127.0.0.1 with an ephemeral port. */
export function startProxy(options: ProxyOptions = {}): TestProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: ProxiedRequest[] = [];
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();

  const answer = async (conn: Deno.Conn, status: number, reason: string, extra = ""): Promise<void> => {
    await conn.write(
      encoder.encode(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`),
    );
  };
  const expected = options.basicAuth &&
    `Basic ${btoa(String.fromCharCode(...encoder.encode(`${options.basicAuth.user}:${options.basicAuth.password}`)))}`;
  /** True when no credentials are required or the request carries exactly the expected ones. */
  const authorized = (headerLines: readonly string[]): boolean =>
    expected === undefined ||
    headerLines.some((line) =>
      /^proxy-authorization:/i.test(line) && line.slice(line.indexOf(":") + 1).trim() === expected
    );
  const challenge = 'Proxy-Authenticate: Basic realm="deno-bits proxy"\r\n';
  /** Records the request and answers 403 (not loopback) or 407 (credentials); true when it may go through. */
  const admit = async (
    client: Deno.Conn,
    request: { method: string; target: string; host: string; port: string; headerLines: readonly string[] },
  ): Promise<boolean> => {
    const { method, target } = request;
    if (!loopbackTarget(request.host, request.port)) {
      requests.push({ method, target, refused: 403 });
      await answer(client, 403, "Forbidden");
      return false;
    }
    if (!authorized(request.headerLines)) {
      requests.push({ method, target, refused: 407, authorized: false });
      await answer(client, 407, "Proxy Authentication Required", challenge);
      return false;
    }
    requests.push({ method, target, ...(expected ? { authorized: true } : {}) });
    return true;
  };

  const serve = async (client: Deno.Conn): Promise<void> => {
    let upstream: Deno.Conn | undefined;
    try {
      const read = await readHead(client);
      if (read === undefined) return;
      const [requestLine, ...headerLines] = read.head.split("\r\n");
      const [method, target, version] = requestLine.split(" ");
      if (method === "CONNECT") {
        const [host, port] = target.split(":");
        if (!await admit(client, { method, target, host, port, headerLines })) return;
        upstream = await Deno.connect({ hostname: host, port: Number(port) });
        open.add(upstream);
        await client.write(encoder.encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
        if (read.rest.length > 0) await upstream.write(read.rest);
        await Promise.all([pipe(client, upstream), pipe(upstream, client)]);
        return;
      }
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        requests.push({ method, target, refused: 400 });
        return await answer(client, 400, "Bad Request");
      }
      if (url.protocol !== "http:") {
        requests.push({ method, target, refused: 403 });
        return await answer(client, 403, "Forbidden");
      }
      if (!await admit(client, { method, target, host: url.hostname, port: url.port || "80", headerLines })) return;
      upstream = await Deno.connect({ hostname: url.hostname, port: Number(url.port || "80") });
      open.add(upstream);
      // Hop-by-hop headers are the proxy's own; the origin server gets one request and closes.
      const headers = headerLines.filter((line) =>
        line !== "" && !/^(proxy-connection|proxy-authorization|connection|keep-alive):/i.test(line)
      );
      const forwarded = [`${method} ${url.pathname}${url.search} ${version}`, ...headers, "Connection: close", "", ""];
      await upstream.write(encoder.encode(forwarded.join("\r\n")));
      if (read.rest.length > 0) await upstream.write(read.rest);
      await Promise.all([pipe(client, upstream), pipe(upstream, client)]);
    } catch {
      // A connection reset mid-request ends this exchange only.
    } finally {
      for (const conn of [client, upstream]) {
        if (conn === undefined) continue;
        open.delete(conn);
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
    }
  };

  const accepting = (async (): Promise<void> => {
    for await (const conn of listener) {
      open.add(conn);
      const task = serve(conn).finally(() => tasks.delete(task));
      tasks.add(task);
    }
  })().catch(() => {});

  const close = async (): Promise<void> => {
    listener.close();
    for (const conn of open) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
    await Promise.allSettled([accepting, ...tasks]);
  };
  return {
    address: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

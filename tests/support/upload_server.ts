/**
 * A BITS upload server for tests: the BITS 1.5 upload protocol that IIS's
 * BITS server extension speaks, on 127.0.0.1 with an ephemeral port, so the
 * upload and upload-reply tests have a server without IIS.
 *
 * Every request is a `BITS_POST` whose `BITS-Packet-Type` header says what it
 * is; every answer is an `Ack` (`BITS-Packet-Type: Ack`, a Content-Length even
 * when empty):
 * - `Ping`: 200;
 * - `Create-Session`: the client lists its protocols in
 *   `BITS-Supported-Protocols`; the answer names the one chosen
 *   (`BITS-Protocol`) and a new `BITS-Session-Id`;
 * - `Fragment`: `Content-Range: bytes A-B/TOTAL` and the bytes. The server
 *   keeps one contiguous prefix per session: a fragment starting beyond it
 *   gets 416; one overlapping it is written only past what was received (a
 *   repeated fragment changes nothing); the Ack's
 *   `BITS-Received-Content-Range` is always the next offset it expects, which
 *   is where a client resumes. The last fragment of an upload-reply
 *   session's file gets `BITS-Reply-URL`, served by `GET` from this server;
 * - `Close-Session`: the complete file is committed under its URL path
 *   ({@linkcode UploadServer.uploads});
 * - `Cancel-Session`: the session and its bytes are dropped.
 *
 * Errors are Acks with an HTTP error status, `BITS-Error-Code` (an HRESULT in
 * hex) and `BITS-Error-Context` (0x5, the remote file, or 0x7, the server
 * application): an unknown or expired session is `BG_E_SESSION_NOT_FOUND`, a
 * file over `maxSize` `BG_E_TOO_LARGE`, no shared protocol
 * `BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH`, a malformed packet `E_INVALIDARG`;
 * {@linkcode UploadServer.failNext} injects any other. Sessions expire after
 * `sessionTtlMs` without a packet.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** The only protocol BITS clients offer: the BITS 1.5 upload protocol. */
export const BITS_UPLOAD_PROTOCOL = "{7df0354d-249b-430f-820d-3d2a9bef4931}";
/** `BG_E_SESSION_NOT_FOUND` */
export const BG_E_SESSION_NOT_FOUND = 0x8020001F;
/** `BG_E_TOO_LARGE` */
export const BG_E_TOO_LARGE = 0x80200020;
/** `BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH` */
export const BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH = 0x80200022;
/** `E_INVALIDARG` */
export const E_INVALIDARG = 0x80070057;
/** `BITS-Error-Context` for an error about the remote file. */
export const CONTEXT_REMOTE_FILE = 0x5;
/** `BITS-Error-Context` for an error the server application reported. */
export const CONTEXT_REMOTE_APPLICATION = 0x7;

/** The packet types of the protocol. */
export type PacketType = "Ping" | "Create-Session" | "Fragment" | "Close-Session" | "Cancel-Session";

const PACKET_TYPES: ReadonlySet<string> = new Set([
  "Ping",
  "Create-Session",
  "Fragment",
  "Close-Session",
  "Cancel-Session",
]);

/** One packet as the server saw it and answered it. */
export interface UploadPacket {
  /** `BITS-Packet-Type` as sent (may be anything for a malformed request). */
  readonly type: string;
  /** URL path the packet was sent to. */
  readonly path: string;
  /** `BITS-Session-Id`, when sent. */
  readonly sessionId?: string;
  /** A fragment's range, inclusive, and the file's total length. */
  readonly range?: { readonly start: number; readonly end: number; readonly total: number };
  /** HTTP status answered. */
  readonly status: number;
  /** `BITS-Error-Code` answered, when any. */
  readonly errorCode?: number;
}

/** An error the server answers once, instead of handling the packet (see {@linkcode UploadServer.failNext}). */
export interface InjectedError {
  /** HTTP status, e.g. 500. */
  readonly status: number;
  /** The HRESULT for `BITS-Error-Code`. */
  readonly code: number;
  /** `BITS-Error-Context`; default {@linkcode CONTEXT_REMOTE_APPLICATION}. */
  readonly context?: number;
}

/** Options of {@linkcode startUploadServer}. */
export interface UploadServerOptions {
  /**
   * Make every session an upload-reply one: the answer to the last fragment
   * carries `BITS-Reply-URL`, whose body is `reply(upload)` (default: the
   * upload's SHA-256 in hex, so a test can check the reply is about its file).
   */
  readonly reply?: boolean | ((upload: Uint8Array, path: string) => Uint8Array);
  /** Largest file accepted, in bytes (default unlimited). */
  readonly maxSize?: number;
  /** A session unused for this long is forgotten (default 10 minutes). */
  readonly sessionTtlMs?: number;
  /** The clock, for expiry (default `Date.now`; tests pass their own). */
  readonly now?: () => number;
  /**
   * Accept at most this many bytes of a session in total, then answer every
   * fragment crossing it with 503 after storing the part before it, once:
   * a transfer cut short whose client must resume from the server's range.
   */
  readonly interruptAt?: number;
}

/** A running upload server. */
export interface UploadServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `origin + path`. */
  url(path: string): string;
  /** Every packet, in order of arrival. */
  readonly packets: readonly UploadPacket[];
  /** Committed (closed) uploads by URL path. */
  readonly uploads: ReadonlyMap<string, Uint8Array>;
  /** Open sessions: id → bytes received so far (the next offset expected). */
  openSessions(): Map<string, number>;
  /** Answers the next packet of `type` with `error` instead of handling it. */
  failNext(type: PacketType, error: InjectedError): void;
  /** Stops the server. */
  close(): Promise<void>;
}

interface Session {
  readonly path: string;
  readonly chunks: Uint8Array[];
  received: number;
  total?: number;
  name?: string;
  lastUsed: number;
  interrupted: boolean;
}

/** `0x8020001F`: eight upper-case hex digits, as IIS writes them. */
function hex(code: number): string {
  return `0x${(code >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/i;

/** Starts an upload server on 127.0.0.1 with an ephemeral port. */
export function startUploadServer(options: UploadServerOptions = {}): UploadServer {
  const now = options.now ?? Date.now;
  const ttl = options.sessionTtlMs ?? 10 * 60_000;
  const sessions = new Map<string, Session>();
  const uploads = new Map<string, Uint8Array>();
  const replies = new Map<string, Uint8Array<ArrayBuffer>>();
  const packets: UploadPacket[] = [];
  const injected = new Map<string, InjectedError>();

  const ack = (status: number, headers: Record<string, string> = {}, body?: Uint8Array<ArrayBuffer>): Response =>
    new Response(body ?? null, {
      status,
      headers: { "bits-packet-type": "Ack", "content-length": String(body?.length ?? 0), ...headers },
    });
  const fail = (status: number, code: number, context = CONTEXT_REMOTE_FILE, extra = {}): Response =>
    ack(status, { "bits-error-code": hex(code), "bits-error-context": hex(context), ...extra });

  const expire = (): void => {
    const t = now();
    for (const [id, session] of sessions) if (t - session.lastUsed > ttl) sessions.delete(id);
  };

  const makeReply = (upload: Uint8Array, path: string): Uint8Array<ArrayBuffer> => {
    if (typeof options.reply === "function") return new Uint8Array(options.reply(upload, path));
    return new TextEncoder().encode(createHash("sha256").update(upload).digest("hex"));
  };

  const fragment = (session: Session, id: string, request: Request, body: Uint8Array, origin: string): Response => {
    const range = RANGE.exec(request.headers.get("content-range") ?? "");
    const idHeader = { "bits-session-id": id };
    if (!range) return fail(400, E_INVALIDARG, CONTEXT_REMOTE_FILE, idHeader);
    const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (end < start || end >= total || body.length !== end - start + 1) {
      return fail(400, E_INVALIDARG, CONTEXT_REMOTE_FILE, idHeader);
    }
    if (session.total !== undefined && session.total !== total) {
      return fail(400, E_INVALIDARG, CONTEXT_REMOTE_FILE, idHeader);
    }
    if (options.maxSize !== undefined && total > options.maxSize) {
      return fail(413, BG_E_TOO_LARGE, CONTEXT_REMOTE_FILE, idHeader);
    }
    session.total = total;
    session.name ??= request.headers.get("content-name") ?? undefined;
    const at = { ...idHeader, "bits-received-content-range": String(session.received) };
    // The server keeps one contiguous prefix: a gap is refused with where to resume.
    if (start > session.received) return ack(416, at);
    // Only what lies past the received prefix is written; a repeated fragment changes nothing.
    let fresh = body.subarray(session.received - start);
    const cut = options.interruptAt;
    if (cut !== undefined && !session.interrupted && session.received + fresh.length > cut) {
      session.interrupted = true;
      fresh = fresh.subarray(0, Math.max(0, cut - session.received));
      session.chunks.push(fresh.slice());
      session.received += fresh.length;
      return ack(503, { ...idHeader, "bits-received-content-range": String(session.received) });
    }
    if (fresh.length > 0) {
      session.chunks.push(fresh.slice());
      session.received += fresh.length;
    }
    const headers: Record<string, string> = { ...idHeader, "bits-received-content-range": String(session.received) };
    if (session.received === total && options.reply) {
      if (!replies.has(id)) replies.set(id, makeReply(concat(session.chunks, total), session.path));
      headers["bits-reply-url"] = `${origin}/reply/${encodeURIComponent(id)}`;
    }
    return ack(200, headers);
  };

  let origin = "";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    if (request.method === "GET" || request.method === "HEAD") {
      const reply = /^\/reply\/(.+)$/.exec(url.pathname);
      const body = reply ? replies.get(decodeURIComponent(reply[1])) : undefined;
      if (body === undefined) return new Response("not found\n", { status: 404 });
      const headers = { "content-type": "application/octet-stream", "content-length": String(body.length) };
      return new Response(request.method === "HEAD" ? null : body, { headers });
    }
    const body = new Uint8Array(await request.arrayBuffer());
    const type = request.headers.get("bits-packet-type") ?? "";
    const sessionId = request.headers.get("bits-session-id") ?? undefined;
    const response = handle(request, url, type, sessionId, body);
    const range = RANGE.exec(request.headers.get("content-range") ?? "");
    const code = response.headers.get("bits-error-code");
    packets.push({
      type,
      path: url.pathname,
      ...(sessionId !== undefined ? { sessionId } : {}),
      ...(type === "Fragment" && range
        ? { range: { start: Number(range[1]), end: Number(range[2]), total: Number(range[3]) } }
        : {}),
      status: response.status,
      ...(code !== null ? { errorCode: Number(code) } : {}),
    });
    return response;
  });
  origin = `http://127.0.0.1:${server.addr.port}`;

  function handle(request: Request, url: URL, type: string, sessionId: string | undefined, body: Uint8Array): Response {
    if (request.method !== "BITS_POST") return new Response("method not allowed\n", { status: 405 });
    if (!PACKET_TYPES.has(type)) return fail(400, E_INVALIDARG);
    const error = injected.get(type);
    if (error !== undefined) {
      injected.delete(type);
      return fail(error.status, error.code, error.context ?? CONTEXT_REMOTE_APPLICATION);
    }
    if (type === "Ping") return ack(200);
    if (type === "Create-Session") {
      const offered = (request.headers.get("bits-supported-protocols") ?? "").toLowerCase().split(/\s+/);
      if (!offered.includes(BITS_UPLOAD_PROTOCOL)) return fail(400, BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH);
      const id = `{${crypto.randomUUID()}}`;
      sessions.set(id, {
        path: url.pathname,
        chunks: [],
        received: 0,
        lastUsed: now(),
        interrupted: false,
      });
      return ack(200, { "bits-protocol": BITS_UPLOAD_PROTOCOL, "bits-session-id": id, "accept-encoding": "Identity" });
    }
    expire();
    const session = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (sessionId === undefined || session === undefined || session.path !== url.pathname) {
      return fail(400, BG_E_SESSION_NOT_FOUND, CONTEXT_REMOTE_FILE, sessionId ? { "bits-session-id": sessionId } : {});
    }
    session.lastUsed = now();
    const idHeader = { "bits-session-id": sessionId };
    if (type === "Fragment") return fragment(session, sessionId, request, body, origin);
    if (type === "Cancel-Session") {
      sessions.delete(sessionId);
      return ack(200, idHeader);
    }
    // Close-Session: only a complete file is committed.
    if (session.total === undefined || session.received !== session.total) {
      return fail(400, E_INVALIDARG, CONTEXT_REMOTE_FILE, idHeader);
    }
    uploads.set(session.path, concat(session.chunks, session.total));
    sessions.delete(sessionId);
    return ack(200, idHeader);
  }

  const close = async (): Promise<void> => {
    await server.shutdown();
  };
  return {
    origin,
    url: (path) => `${origin}${path}`,
    packets,
    uploads,
    openSessions: () => {
      expire();
      return new Map([...sessions].map(([id, s]) => [id, s.received]));
    },
    failNext: (type, error) => void injected.set(type, error),
    close,
    [Symbol.asyncDispose]: close,
  };
}

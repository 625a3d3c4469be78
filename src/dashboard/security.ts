/**
 * The dashboard's guard: a local web server that can cancel jobs is an attack
 * surface, so every request must carry the random token printed at start,
 * name this server in `Host` (no DNS rebinding), and come from this origin
 * (no cross-site requests). State changes additionally need POST, the token
 * in a header (a cross-site page cannot set one without a CORS preflight,
 * which this server never grants) and a JSON body. Pure: tested on any OS.
 *
 * @module
 */

/** The header that carries the token on POST requests. */
export const TOKEN_HEADER = "x-bits-token";

/** The query parameter that carries the token on GET requests (the page, the event stream). */
export const TOKEN_PARAMETER = "token";

/** A fresh token: 32 random bytes from `crypto.getRandomValues`, base64url without padding. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** True when `a` and `b` are equal, in a time that depends only on their lengths. */
export function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ (y[i % Math.max(y.length, 1)] ?? 0);
  return diff === 0;
}

/** True for an address that only this machine can reach: 127.0.0.0/8, ::1 or `localhost`. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The `Host` values (lower case, with the port) a request may carry. On
 * loopback: 127.0.0.1, localhost and [::1] at `port`, plus `hostname` itself;
 * elsewhere only the address listened on.
 */
export function allowedHosts(hostname: string, port: number): ReadonlySet<string> {
  const bracketed = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  const names = [bracketed.toLowerCase()];
  if (isLoopback(hostname)) names.push("127.0.0.1", "localhost", "[::1]");
  return new Set(names.map((name) => `${name}:${port}`));
}

/** What a request must satisfy. */
export interface RequestPolicy {
  /** The token printed at start. */
  readonly token: string;
  /** From {@linkcode allowedHosts}. */
  readonly hosts: ReadonlySet<string>;
}

/** Why a request was refused: the status to answer and a short reason (no secret in it). */
export interface Refusal {
  /** 403 for a missing or wrong token, Host or Origin; 405 for a state change by GET; 415 for a body that is not JSON. */
  readonly status: 403 | 405 | 415;
  /** What was wrong, fit to show. */
  readonly reason: string;
}

/** Paths whose requests change state (POST only). */
export function isAction(path: string): boolean {
  return path.startsWith("/api/jobs/") && path.split("/").length === 5;
}

/**
 * Checks a request against the policy before anything else looks at it;
 * `null` when it may proceed.
 */
export function refusal(request: Request, policy: RequestPolicy): Refusal | null {
  const url = new URL(request.url);
  const host = (request.headers.get("host") ?? "").toLowerCase();
  if (!policy.hosts.has(host)) return { status: 403, reason: "unknown Host" };
  const origin = request.headers.get("origin");
  if (origin !== null && !policy.hosts.has(originHost(origin))) return { status: 403, reason: "foreign Origin" };
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    return { status: 403, reason: "cross-site request" };
  }
  if (isAction(url.pathname)) {
    // The query may not stand in for the header: a link or a form cannot set a header.
    const token = request.headers.get(TOKEN_HEADER);
    if (token === null || !sameToken(token, policy.token)) return { status: 403, reason: "missing or wrong token" };
    if (request.method !== "POST") return { status: 405, reason: "actions need POST" };
    if (origin === null) return { status: 403, reason: "actions need an Origin" };
    const type = request.headers.get("content-type") ?? "";
    if (!/^application\/json\s*(;|$)/i.test(type)) return { status: 415, reason: "actions take a JSON body" };
    return null;
  }
  const token = url.searchParams.get(TOKEN_PARAMETER);
  if (token === null || !sameToken(token, policy.token)) return { status: 403, reason: "missing or wrong token" };
  if (request.method !== "GET" && request.method !== "HEAD") return { status: 405, reason: "only GET here" };
  return null;
}

/** `host:port` of an `Origin` value; `""` for `null` or anything that is not an http origin. */
function originHost(origin: string): string {
  try {
    const url = new URL(origin);
    if (url.protocol !== "http:" || url.origin !== origin) return "";
    return url.host.toLowerCase() + (url.port === "" ? ":80" : "");
  } catch {
    return "";
  }
}

/**
 * Headers on every answer: nothing loads from elsewhere (`nonce` admits the
 * page's own inline script and style), no framing, no caching, and no
 * `Referer` that could carry the token away.
 */
export function securityHeaders(nonce?: string): Record<string, string> {
  const own = nonce === undefined ? "'none'" : `'nonce-${nonce}'`;
  return {
    "content-security-policy": `default-src 'none'; script-src ${own}; style-src ${own}; connect-src 'self'; ` +
      "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-resource-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
  };
}

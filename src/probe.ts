/**
 * An HTTP preflight for BITS downloads: a HEAD and a `Range: bytes=0-0` GET,
 * each followed through its redirects by hand, then an assessment of what
 * Windows BITS needs (Microsoft's "HTTP Requirements for BITS Downloads"): HEAD must
 * answer with the size, GET must honour ranges (206 with Content-Range).
 * Where the server falls short it recommends the job settings that get
 * around it, as {@linkcode JobProperties} names and values.
 *
 * Needs `--allow-net` for the URL's host (and every host it redirects to);
 * no BITS and no FFI. URLs in reports and logs have their query values and
 * fragment removed, since presigned URLs carry their signature there.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { JobProperties } from "./properties/types.ts";
import { InvalidArgumentError } from "./errors.ts";
import { checkRemoteUrl } from "./validate.ts";

const logger = getLogger(["deno-bits", "probe"]);

/** One response on the way to the final one. */
export interface ProbeRedirect {
  /** The URL requested (query values redacted). */
  readonly from: string;
  /** Where the server sent the request (query values redacted). */
  readonly to: string;
  /** The redirect status (301, 302, 303, 307, 308). */
  readonly status: number;
  /** True for a redirect from https to http, which BITS refuses by default. */
  readonly httpsToHttp: boolean;
}

/** One request (HEAD or the range GET), followed through its redirects. */
export interface ProbeExchange {
  /** The method. */
  readonly method: "HEAD" | "GET";
  /** The final response's status; `null` when no final response came (network error, timeout, redirect loop). */
  readonly status: number | null;
  /** Why there is no final response; `null` when there is one. */
  readonly error: string | null;
  /** True when `error` is a timeout. */
  readonly timedOut: boolean;
  /** The redirects followed, in order. */
  readonly redirects: readonly ProbeRedirect[];
  /** The URL of the final response (query values redacted), or `null`. */
  readonly finalUrl: string | null;
  /** The final response's headers that matter to BITS (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
}

/** A setting that would let BITS download the URL, as a {@linkcode JobProperties} name and value. */
export interface ProbeRecommendation {
  /** The job property (as in `JobProperties`; the CLI's `set --<property>`). */
  readonly property: keyof JobProperties;
  /** The value to set. */
  readonly value: unknown;
  /** Why, and what it costs. */
  readonly reason: string;
}

/**
 * What the probe predicts: `ready` (BITS can download it as is),
 * `needs-settings` (only with the recommended settings), `fails` (the server
 * does not serve it: network error, HTTP error, no final response).
 */
export type ProbeVerdict = "ready" | "needs-settings" | "fails";

/** The probe's findings. */
export interface ProbeReport {
  /** The URL probed (query values redacted). */
  readonly url: string;
  /** The prediction. */
  readonly verdict: ProbeVerdict;
  /** The HEAD request. */
  readonly head: ProbeExchange;
  /** The `Range: bytes=0-0` GET. */
  readonly rangeGet: ProbeExchange;
  /** HEAD answered 2xx. */
  readonly headAllowed: boolean;
  /** The size in bytes: HEAD's Content-Length, else the total of GET's Content-Range; `null` when unknown. */
  readonly size: number | null;
  /** HEAD reported the size (Content-Length), as BITS needs. */
  readonly sizeKnown: boolean;
  /** GET answered the range with 206 and a matching Content-Range. */
  readonly rangesHonoured: boolean;
  /** Every redirect followed (HEAD's chain, or GET's when HEAD got none). */
  readonly redirects: readonly ProbeRedirect[];
  /** The final response's Content-Type, or `null`. */
  readonly contentType: string | null;
  /** The final response's Content-Disposition, or `null` (BITS ignores it: the local name is yours). */
  readonly contentDisposition: string | null;
  /** Last-Modified, or `null` (BITS compares it, with the size, to notice a file that changed). */
  readonly lastModified: string | null;
  /** ETag, or `null`. */
  readonly etag: string | null;
  /** What stands in BITS' way, one sentence each. */
  readonly problems: readonly string[];
  /** Settings that get around the problems. */
  readonly recommendations: readonly ProbeRecommendation[];
  /** Things worth knowing that are no problem. */
  readonly notes: readonly string[];
}

/** Options of {@linkcode probeUrl}. */
export interface ProbeOptions {
  /** Per request, in ms (each of the two requests and its redirects); default 15,000. */
  readonly timeout?: number;
  /** Redirects followed per request before giving up; default 10 (WinHTTP's default). */
  readonly maxRedirects?: number;
  /** Aborts both requests. */
  readonly signal?: AbortSignal;
  /** The User-Agent sent; default BITS' own, so servers answer as they would answer BITS. */
  readonly userAgent?: string;
}

/** The User-Agent BITS sends (Windows 10 and 11). */
export const BITS_USER_AGENT = "Microsoft BITS/7.8";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const KEPT_HEADERS = [
  "content-length",
  "content-range",
  "accept-ranges",
  "content-type",
  "content-disposition",
  "last-modified",
  "etag",
  "www-authenticate",
  "proxy-authenticate",
  "transfer-encoding",
];
// Query parameters that carry a presigned URL's signature (S3, Azure SAS, Google Cloud Storage).
const SIGNATURE_PARAMETERS = /^(x-amz-signature|signature|sig|x-goog-signature)$/i;

/**
 * A URL fit to print: user name, password and fragment dropped, each query
 * value replaced by `REDACTED` (names kept, so a presigned URL still looks
 * like one). Text that is no URL is returned as is.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  parsed.username = "";
  parsed.password = "";
  parsed.hash = "";
  const names = [...parsed.searchParams.keys()];
  if (names.length === 0) return parsed.href;
  parsed.search = names.map((name) => `${encodeURIComponent(name)}=REDACTED`).join("&");
  return parsed.href;
}

/** True when the URL carries a signature parameter (a presigned S3, Azure SAS or GCS URL). */
export function looksPresigned(url: string): boolean {
  try {
    return [...new URL(url).searchParams.keys()].some((name) => SIGNATURE_PARAMETERS.test(name));
  } catch {
    return false;
  }
}

/** Replaces every occurrence of the raw URLs in an error message with their redacted form. */
function redactMessage(message: string, urls: readonly string[]): string {
  let text = message;
  for (const url of urls) text = text.replaceAll(url, redactUrl(url));
  return text;
}

/** Sends one request and follows its redirects by hand, recording each. */
async function exchange(
  method: "HEAD" | "GET",
  url: string,
  options: Required<Pick<ProbeOptions, "timeout" | "maxRedirects" | "userAgent">> & { signal?: AbortSignal },
): Promise<ProbeExchange> {
  const redirects: ProbeRedirect[] = [];
  const seen: string[] = [url];
  let current = url;
  const headers: Record<string, string> = { "user-agent": options.userAgent, "accept-encoding": "identity" };
  if (method === "GET") headers.range = "bytes=0-0";
  const failure = (error: string, timedOut = false): ProbeExchange => ({
    method,
    status: null,
    error,
    timedOut,
    redirects,
    finalUrl: null,
    headers: {},
  });
  for (;;) {
    const signals = [AbortSignal.timeout(options.timeout), ...(options.signal ? [options.signal] : [])];
    let response: Response;
    try {
      response = await fetch(current, { method, headers, redirect: "manual", signal: AbortSignal.any(signals) });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      // A missing --allow-net is the caller's to fix, not a finding about the server.
      if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) throw error;
      const timedOut = error instanceof DOMException && error.name === "TimeoutError";
      const text = timedOut
        ? `no answer within ${options.timeout / 1000} s`
        : redactMessage(error instanceof Error ? error.message : String(error), seen);
      logger.debug("probe: {method} {url} failed: {error}", { method, url: redactUrl(current), error: text });
      return failure(text, timedOut);
    }
    // Only the head matters: drop the body (for a GET that ignored the range, the whole file).
    await response.body?.cancel().catch(() => {});
    logger.debug("probe: {method} {url} -> {status}", { method, url: redactUrl(current), status: response.status });
    const location = response.headers.get("location");
    if (REDIRECT_STATUSES.has(response.status) && location !== null) {
      let next: string;
      try {
        next = new URL(location, current).href;
      } catch {
        return failure(`${response.status} redirect to an invalid Location ${JSON.stringify(location)}`);
      }
      seen.push(next);
      redirects.push({
        from: redactUrl(current),
        to: redactUrl(next),
        status: response.status,
        httpsToHttp: new URL(current).protocol === "https:" && new URL(next).protocol === "http:",
      });
      if (redirects.length > options.maxRedirects) return failure(`more than ${options.maxRedirects} redirects`);
      current = next;
      continue;
    }
    const kept: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) kept[name] = value;
    }
    return {
      method,
      status: response.status,
      error: null,
      timedOut: false,
      redirects,
      finalUrl: redactUrl(current),
      headers: kept,
    };
  }
}

const ok = (status: number | null): boolean => status !== null && status >= 200 && status < 300;

function wholeNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/** The auth scheme a 401/407 challenge asks for, as a BITS scheme name, or `null`. */
function challengeScheme(challenge: string | undefined): string | null {
  const scheme = challenge?.trim().split(/\s+/)[0]?.toUpperCase();
  return scheme && ["BASIC", "DIGEST", "NTLM", "NEGOTIATE"].includes(scheme) ? scheme : null;
}

const DYNAMIC_CONTENT_COST = "needs BITS 5.0 (Windows 8 / Server 2012) or later; download jobs only; set it " +
  "before the first resume; BITS then neither asks for the size nor uses ranges, so any interruption restarts " +
  "the file from byte 0";

/**
 * Assesses the two exchanges (pure; {@linkcode probeUrl} calls it, tests
 * call it with made-up exchanges).
 */
export function assessProbe(url: string, head: ProbeExchange, rangeGet: ProbeExchange): ProbeReport {
  const problems: string[] = [];
  const notes: string[] = [];
  const recommendations: ProbeRecommendation[] = [];
  const recommend = (property: keyof JobProperties, value: unknown, reason: string): void => {
    if (!recommendations.some((r) => r.property === property)) recommendations.push({ property, value, reason });
  };
  let fails = false;

  const headAllowed = ok(head.status);
  const headLength = headAllowed ? wholeNumber(head.headers["content-length"]) : null;
  const range = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(rangeGet.headers["content-range"]?.trim() ?? "");
  const rangeTotal = range && range[3] !== "*" ? Number(range[3]) : null;
  const rangesHonoured = rangeGet.status === 206 && range !== null && range[1] === "0" && range[2] === "0";
  const emptyFile = rangeGet.status === 416 && /^bytes\s+\*\/0$/i.test(rangeGet.headers["content-range"] ?? "");
  const getLength = rangeGet.status === 200 ? wholeNumber(rangeGet.headers["content-length"]) : null;
  const size = headLength ?? rangeTotal ?? (emptyFile ? 0 : getLength);
  const final = ok(rangeGet.status) ? rangeGet : headAllowed ? head : rangeGet;

  // The GET is what BITS finally needs: without it nothing else matters.
  if (rangeGet.status === null) {
    fails = true;
    problems.push(`The GET got no answer: ${rangeGet.error}.`);
  } else if (rangeGet.status === 401 || rangeGet.status === 407) {
    const proxy = rangeGet.status === 407;
    const scheme = challengeScheme(rangeGet.headers[proxy ? "proxy-authenticate" : "www-authenticate"]);
    problems.push(`The ${proxy ? "proxy" : "server"} asks for credentials (${rangeGet.status}).`);
    notes.push("Size, ranges and HEAD could not be checked without credentials (the probe sends none).");
    if (scheme) {
      recommend(
        "credentials",
        [{ target: proxy ? "PROXY" : "SERVER", scheme }],
        `The ${proxy ? "proxy" : "server"} challenges with ${scheme}; give the job credentials for it.`,
      );
    } else fails = true;
  } else if (rangeGet.status >= 400 && !emptyFile) {
    fails = true;
    problems.push(
      `The server answers GET with ${rangeGet.status}: BITS fails with BG_E_HTTP_ERROR_${rangeGet.status}.`,
    );
  } else if (REDIRECT_STATUSES.has(rangeGet.status)) {
    fails = true;
    problems.push(`The GET ends in a ${rangeGet.status} redirect without a Location.`);
  }

  const challenged = rangeGet.status === 401 || rangeGet.status === 407;
  if (!fails && !challenged) {
    if (!headAllowed) {
      problems.push(
        head.status === null
          ? `HEAD got no answer (${head.error}), and BITS asks for the size with HEAD.`
          : `The server refuses HEAD (${head.status}), and BITS asks for the size with HEAD.`,
      );
      if (looksPresigned(url)) {
        notes.push("This looks like a presigned URL: such URLs are signed for GET only, so HEAD is refused.");
      }
    } else if (headLength === null) {
      problems.push(
        `HEAD reports no Content-Length${
          head.headers["transfer-encoding"] ? ` (${head.headers["transfer-encoding"]} encoding)` : ""
        }, and BITS needs the size before it downloads.`,
      );
    }
    if (!rangesHonoured && !emptyFile) {
      problems.push(
        rangeGet.status === 200
          ? "The server ignores Range (200 with the whole file), so BITS cannot download in pieces or resume."
          : `The server answers Range with ${rangeGet.status} but no matching Content-Range ` +
            `(${JSON.stringify(rangeGet.headers["content-range"] ?? "")}).`,
      );
    }
    if (problems.length > 0) {
      recommend(
        "dynamicContent",
        true,
        `The server misses BITS' HTTP requirements; with dynamic content BITS ` +
          `downloads it with one plain GET. This ${DYNAMIC_CONTENT_COST}.`,
      );
      recommend(
        "priority",
        "FOREGROUND",
        "Microsoft recommends foreground priority with dynamic content, so the single request is not throttled " +
          "into a restart.",
      );
    }
  }

  const redirects = head.redirects.length > 0 || headAllowed ? head.redirects : rangeGet.redirects;
  const downgrade = [...head.redirects, ...rangeGet.redirects].find((r) => r.httpsToHttp);
  if (downgrade) {
    problems.push(`A redirect goes from https to http (${downgrade.from} -> ${downgrade.to}); BITS refuses that.`);
    recommend(
      "security",
      { flags: ["ALLOW_HTTPS_TO_HTTP"] },
      "Lets BITS follow the redirect from https to http (IBackgroundCopyJobHttpOptions security flags). The " +
        "download then travels unencrypted: better ask for an https URL.",
    );
  }
  if (redirects.length > 0) {
    notes.push(`BITS follows the ${redirects.length} redirect(s) silently (redirect policy ALLOW_SILENT).`);
  }
  const lastModified = final.headers["last-modified"] ?? null;
  const etag = final.headers["etag"] ?? null;
  if (!fails && !challenged && lastModified === null) {
    notes.push("No Last-Modified: BITS can only compare the size to notice that the file changed between requests.");
  }
  const contentDisposition = final.headers["content-disposition"] ?? null;
  if (contentDisposition !== null) {
    notes.push("BITS ignores Content-Disposition: the file is saved under the local name you give.");
  }
  const verdict: ProbeVerdict = fails ? "fails" : problems.length > 0 ? "needs-settings" : "ready";
  return {
    url: redactUrl(url),
    verdict,
    head,
    rangeGet,
    headAllowed,
    size,
    sizeKnown: headLength !== null,
    rangesHonoured,
    redirects,
    contentType: final.headers["content-type"] ?? null,
    contentDisposition,
    lastModified,
    etag,
    problems,
    recommendations,
    notes,
  };
}

/**
 * Predicts whether Windows BITS can download `url`: sends a HEAD, then a GET
 * for `Range: bytes=0-0` (the body is not read), each following redirects by
 * hand, and assesses the answers with {@linkcode assessProbe}. Network
 * failures and HTTP errors are findings in the report, not exceptions.
 *
 * Wine's BITS neither sends HEAD nor uses ranges, so under Wine a server
 * that fails these checks may still work; the prediction is for Windows.
 *
 * @example
 * ```ts ignore
 * import { probeUrl } from "@deno-bits/bits";
 *
 * const report = await probeUrl("https://example.com/big.iso");
 * if (report.verdict !== "ready") console.log(report.problems, report.recommendations);
 * ```
 *
 * @throws {InvalidArgumentError} for a URL BITS cannot take (not http/https, credentials in it, too long), or
 *   a `timeout` or `maxRedirects` out of range; nothing is sent then.
 * @throws {DOMException} `AbortError` when `options.signal` aborts.
 * @throws {Deno.errors.NotCapable} without `--allow-net` for a host on the way.
 */
export async function probeUrl(url: string, options: ProbeOptions = {}): Promise<ProbeReport> {
  checkRemoteUrl(url);
  if (options.timeout !== undefined && !(Number.isFinite(options.timeout) && options.timeout > 0)) {
    throw new InvalidArgumentError("timeout", `timeout must be a positive number of ms, got ${options.timeout}`);
  }
  if (
    options.maxRedirects !== undefined && !(Number.isInteger(options.maxRedirects) && options.maxRedirects >= 0)
  ) {
    throw new InvalidArgumentError("maxRedirects", `maxRedirects must be a whole number, got ${options.maxRedirects}`);
  }
  const settings = {
    timeout: options.timeout ?? 15_000,
    maxRedirects: options.maxRedirects ?? 10,
    userAgent: options.userAgent ?? BITS_USER_AGENT,
    signal: options.signal,
  };
  const head = await exchange("HEAD", url, settings);
  const rangeGet = await exchange("GET", url, settings);
  return assessProbe(url, head, rangeGet);
}

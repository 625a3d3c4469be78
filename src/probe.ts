/**
 * An HTTP preflight for BITS downloads: a HEAD and a `Range: bytes=0-0` GET,
 * each followed through its redirects by hand, then an assessment of what
 * Windows BITS needs (Microsoft's "HTTP Requirements for BITS Downloads"): HEAD must
 * answer with the size, GET must honour ranges (206 with Content-Range).
 * Where the server falls short it recommends the job settings that get
 * around it, as `JobProperties` names and values.
 *
 * Needs `--allow-net` for the URL's host (and every host it redirects to);
 * no BITS and no FFI. URLs in reports and logs have their query values and
 * fragment removed, since presigned URLs carry their signature there.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { InvalidArgumentError } from "./errors.ts";
import { assessProbe } from "./probe/assess.ts";
import { redactMessage, redactUrl } from "./probe/redact.ts";
import { type ProbeExchange, type ProbeRedirect, type ProbeReport, REDIRECT_STATUSES } from "./probe/report.ts";
import { checkRemoteUrl } from "./validate.ts";

// The probe's parts, in src/probe/: the verdict, redaction, the report's types.

const logger = getLogger(["deno-bits", "probe"]);

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
 * import { probeUrl } from "@deno-bits/bits/probe";
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

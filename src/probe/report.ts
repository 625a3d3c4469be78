/**
 * The probe's report: what `probeUrl` found, as `assessProbe` writes it up.
 * Types only, plus the redirect statuses that both the requests and the
 * assessment go by.
 *
 * @module
 */

import type { JobProperties } from "../properties/types.ts";

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

/** The statuses the probe follows as redirects, as WinHTTP (and so BITS) does. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

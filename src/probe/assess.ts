/**
 * The probe's verdict: what the HEAD and the range GET say about a server,
 * against what Windows BITS needs (Microsoft's "HTTP Requirements for BITS
 * Downloads"). Pure: {@linkcode assessProbe} takes the two exchanges, so
 * tests can hand it made-up ones; `probeUrl` (src/probe.ts) makes the real
 * ones.
 *
 * The assessment is a fixed sequence of rules, one function each; every rule
 * reads the {@linkcode Facts} measured once from the exchanges and adds to
 * the {@linkcode Findings}. Their order is the order of the report's
 * problems, recommendations and notes.
 *
 * @module
 */

import type { JobProperties } from "../properties/types.ts";
import { looksPresigned, redactUrl } from "./redact.ts";
import {
  type ProbeExchange,
  type ProbeRecommendation,
  type ProbeRedirect,
  type ProbeReport,
  type ProbeVerdict,
  REDIRECT_STATUSES,
} from "./report.ts";

const DYNAMIC_CONTENT_COST = "needs BITS 5.0 (Windows 8 / Server 2012) or later; download jobs only; set it " +
  "before the first resume; BITS then neither asks for the size nor uses ranges, so any interruption restarts " +
  "the file from byte 0";

const ok = (status: number | null): boolean => status !== null && status >= 200 && status < 300;

function wholeNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/** The auth scheme a 401/407 challenge asks for, as a BITS scheme name, or `null`. */
function challengeScheme(challenge: string | undefined): string | null {
  const scheme = challenge?.trim().split(/\s+/)[0]?.toUpperCase();
  return scheme && ["BASIC", "DIGEST", "NTLM", "NEGOTIATE"].includes(scheme) ? scheme : null;
}

/** What the two exchanges say, measured once for every rule. */
interface Facts {
  readonly url: string;
  readonly head: ProbeExchange;
  readonly rangeGet: ProbeExchange;
  /** HEAD answered 2xx. */
  readonly headAllowed: boolean;
  /** HEAD's Content-Length, or `null`. */
  readonly headLength: number | null;
  /** GET answered `bytes=0-0` with 206 and a matching Content-Range. */
  readonly rangesHonoured: boolean;
  /** GET answered 416 with a Content-Range total of 0: an empty file, which has no range to serve. */
  readonly emptyFile: boolean;
  /** The size from whichever answer gave it, or `null`. */
  readonly size: number | null;
  /** The response whose headers describe the file. */
  readonly final: ProbeExchange;
  /** GET was answered 401 or 407: nothing else could be checked without credentials. */
  readonly challenged: boolean;
}

function measure(url: string, head: ProbeExchange, rangeGet: ProbeExchange): Facts {
  const headAllowed = ok(head.status);
  const headLength = headAllowed ? wholeNumber(head.headers["content-length"]) : null;
  const range = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(rangeGet.headers["content-range"]?.trim() ?? "");
  const rangeTotal = range && range[3] !== "*" ? Number(range[3]) : null;
  const emptyFile = rangeGet.status === 416 && /^bytes\s+\*\/0$/i.test(rangeGet.headers["content-range"] ?? "");
  const getLength = rangeGet.status === 200 ? wholeNumber(rangeGet.headers["content-length"]) : null;
  return {
    url,
    head,
    rangeGet,
    headAllowed,
    headLength,
    rangesHonoured: rangeGet.status === 206 && range !== null && range[1] === "0" && range[2] === "0",
    emptyFile,
    size: headLength ?? rangeTotal ?? (emptyFile ? 0 : getLength),
    final: ok(rangeGet.status) ? rangeGet : headAllowed ? head : rangeGet,
    challenged: rangeGet.status === 401 || rangeGet.status === 407,
  };
}

/** What the rules found so far. */
class Findings {
  readonly problems: string[] = [];
  readonly notes: string[] = [];
  readonly recommendations: ProbeRecommendation[] = [];
  /** The server does not serve the file at all. */
  fails = false;

  /** Adds a recommendation, unless one for the same property is already there. */
  recommend(property: keyof JobProperties, value: unknown, reason: string): void {
    if (!this.recommendations.some((r) => r.property === property)) {
      this.recommendations.push({ property, value, reason });
    }
  }

  fail(problem: string): void {
    this.fails = true;
    this.problems.push(problem);
  }
}

/** The GET is what BITS finally needs: no answer, an HTTP error or a broken redirect fails the download. */
function checkGet({ rangeGet, emptyFile }: Facts, found: Findings): void {
  if (rangeGet.status === null) {
    found.fail(`The GET got no answer: ${rangeGet.error}.`);
  } else if (rangeGet.status === 401 || rangeGet.status === 407) {
    checkChallenge(rangeGet, found);
  } else if (rangeGet.status >= 400 && !emptyFile) {
    found.fail(`The server answers GET with ${rangeGet.status}: BITS fails with BG_E_HTTP_ERROR_${rangeGet.status}.`);
  } else if (REDIRECT_STATUSES.has(rangeGet.status)) {
    found.fail(`The GET ends in a ${rangeGet.status} redirect without a Location.`);
  }
}

/** A 401/407: credentials for a scheme BITS speaks get around it; any other scheme fails. */
function checkChallenge(rangeGet: ProbeExchange, found: Findings): void {
  const proxy = rangeGet.status === 407;
  const scheme = challengeScheme(rangeGet.headers[proxy ? "proxy-authenticate" : "www-authenticate"]);
  found.problems.push(`The ${proxy ? "proxy" : "server"} asks for credentials (${rangeGet.status}).`);
  found.notes.push("Size, ranges and HEAD could not be checked without credentials (the probe sends none).");
  if (scheme) {
    found.recommend(
      "credentials",
      [{ target: proxy ? "PROXY" : "SERVER", scheme }],
      `The ${proxy ? "proxy" : "server"} challenges with ${scheme}; give the job credentials for it.`,
    );
  } else found.fails = true;
}

/** BITS asks for the size with HEAD: HEAD must be allowed and report a Content-Length. */
function checkHead({ url, head, headAllowed, headLength }: Facts, found: Findings): void {
  if (!headAllowed) {
    found.problems.push(
      head.status === null
        ? `HEAD got no answer (${head.error}), and BITS asks for the size with HEAD.`
        : `The server refuses HEAD (${head.status}), and BITS asks for the size with HEAD.`,
    );
    if (looksPresigned(url)) {
      found.notes.push("This looks like a presigned URL: such URLs are signed for GET only, so HEAD is refused.");
    }
  } else if (headLength === null) {
    found.problems.push(
      `HEAD reports no Content-Length${
        head.headers["transfer-encoding"] ? ` (${head.headers["transfer-encoding"]} encoding)` : ""
      }, and BITS needs the size before it downloads.`,
    );
  }
}

/** BITS downloads in pieces and resumes with Range: GET must answer `bytes=0-0` with a 206. */
function checkRanges({ rangeGet, rangesHonoured, emptyFile }: Facts, found: Findings): void {
  if (rangesHonoured || emptyFile) return;
  found.problems.push(
    rangeGet.status === 200
      ? "The server ignores Range (200 with the whole file), so BITS cannot download in pieces or resume."
      : `The server answers Range with ${rangeGet.status} but no matching Content-Range ` +
        `(${JSON.stringify(rangeGet.headers["content-range"] ?? "")}).`,
  );
}

/** A server that misses the HTTP requirements still serves BITS' dynamic content mode, in the foreground. */
function recommendDynamicContent(found: Findings): void {
  if (found.problems.length === 0) return;
  found.recommend(
    "dynamicContent",
    true,
    `The server misses BITS' HTTP requirements; with dynamic content BITS ` +
      `downloads it with one plain GET. This ${DYNAMIC_CONTENT_COST}.`,
  );
  found.recommend(
    "priority",
    "FOREGROUND",
    "Microsoft recommends foreground priority with dynamic content, so the single request is not throttled " +
      "into a restart.",
  );
}

/** The redirects reported: HEAD's chain, or GET's when HEAD got none and was refused. */
function reportedRedirects({ head, rangeGet, headAllowed }: Facts): readonly ProbeRedirect[] {
  return head.redirects.length > 0 || headAllowed ? head.redirects : rangeGet.redirects;
}

/** BITS refuses a redirect from https to http unless the job's security flags allow it. */
function checkDowngrade({ head, rangeGet }: Facts, found: Findings): void {
  const downgrade = [...head.redirects, ...rangeGet.redirects].find((r) => r.httpsToHttp);
  if (!downgrade) return;
  found.problems.push(`A redirect goes from https to http (${downgrade.from} -> ${downgrade.to}); BITS refuses that.`);
  found.recommend(
    "security",
    { flags: ["ALLOW_HTTPS_TO_HTTP"] },
    "Lets BITS follow the redirect from https to http (IBackgroundCopyJobHttpOptions security flags). The " +
      "download then travels unencrypted: better ask for an https URL.",
  );
}

function noteRedirects(redirects: readonly ProbeRedirect[], found: Findings): void {
  if (redirects.length > 0) {
    found.notes.push(`BITS follows the ${redirects.length} redirect(s) silently (redirect policy ALLOW_SILENT).`);
  }
}

/** Without Last-Modified BITS has only the size to notice a file that changed between requests. */
function noteLastModified({ final, challenged }: Facts, found: Findings): void {
  if (!found.fails && !challenged && final.headers["last-modified"] === undefined) {
    found.notes.push(
      "No Last-Modified: BITS can only compare the size to notice that the file changed between requests.",
    );
  }
}

function noteContentDisposition({ final }: Facts, found: Findings): void {
  if (final.headers["content-disposition"] !== undefined) {
    found.notes.push("BITS ignores Content-Disposition: the file is saved under the local name you give.");
  }
}

function verdictOf(found: Findings): ProbeVerdict {
  return found.fails ? "fails" : found.problems.length > 0 ? "needs-settings" : "ready";
}

/**
 * Assesses the two exchanges (pure; `probeUrl` calls it, tests call it with
 * made-up exchanges).
 */
export function assessProbe(url: string, head: ProbeExchange, rangeGet: ProbeExchange): ProbeReport {
  const facts = measure(url, head, rangeGet);
  const found = new Findings();
  checkGet(facts, found);
  // HEAD and ranges matter only once the GET itself is served.
  if (!found.fails && !facts.challenged) {
    checkHead(facts, found);
    checkRanges(facts, found);
    recommendDynamicContent(found);
  }
  const redirects = reportedRedirects(facts);
  checkDowngrade(facts, found);
  noteRedirects(redirects, found);
  noteLastModified(facts, found);
  noteContentDisposition(facts, found);
  const { final } = facts;
  return {
    url: redactUrl(url),
    verdict: verdictOf(found),
    head,
    rangeGet,
    headAllowed: facts.headAllowed,
    size: facts.size,
    sizeKnown: facts.headLength !== null,
    rangesHonoured: facts.rangesHonoured,
    redirects,
    contentType: final.headers["content-type"] ?? null,
    contentDisposition: final.headers["content-disposition"] ?? null,
    lastModified: final.headers["last-modified"] ?? null,
    etag: final.headers["etag"] ?? null,
    problems: found.problems,
    recommendations: found.recommendations,
    notes: found.notes,
  };
}

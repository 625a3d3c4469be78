/**
 * `bits probe`: an HTTP preflight that predicts whether Windows BITS
 * can download a URL, and which job settings it needs (see `src/probe.ts`).
 * Needs `--allow-net`; no BITS.
 *
 * @module
 */

import { probeUrl } from "../probe.ts";
import type { ProbeExchange, ProbeReport } from "../probe/report.ts";
import { type Command, type OptionSpec, type ParsedArgs, TIMEOUT_OPTION } from "./command.ts";
import { type Context, emit, interruptSignal } from "./context.ts";
import { durationOption } from "./duration.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, table } from "./format.ts";

const VERDICTS: Readonly<Record<ProbeReport["verdict"], string>> = {
  ready: "ready: BITS can download this as it is",
  "needs-settings": "needs settings: BITS can download this only with the settings below",
  fails: "fails: the server does not serve this file",
};

function exchangeText(e: ProbeExchange): string {
  if (e.status === null) return `no answer: ${e.error}`;
  const h = e.headers;
  const parts = [String(e.status)];
  if (h["content-length"] !== undefined) parts.push(`Content-Length ${h["content-length"]}`);
  if (h["content-range"] !== undefined) parts.push(`Content-Range ${h["content-range"]}`);
  if (h["transfer-encoding"] !== undefined) parts.push(`Transfer-Encoding ${h["transfer-encoding"]}`);
  return parts.join(", ");
}

/** The report for people. */
export function describeProbe(r: ProbeReport): string {
  const rows: string[][] = [
    ["URL", r.url],
    ["Verdict", VERDICTS[r.verdict]],
    ["HEAD", exchangeText(r.head)],
    ["Range GET", exchangeText(r.rangeGet)],
    [
      "Size",
      r.size === null ? "unknown" : `${r.size} bytes (${formatBytes(r.size)})${r.sizeKnown ? "" : ", not from HEAD"}`,
    ],
    [
      "Ranges",
      r.rangesHonoured
        ? "honoured"
        : r.rangeGet.status === 401 || r.rangeGet.status === 407
        ? "not checked"
        : "not honoured",
    ],
  ];
  for (const redirect of r.redirects) {
    rows.push([
      "Redirect",
      `${redirect.status} ${redirect.from} -> ${redirect.to}${redirect.httpsToHttp ? " (https to http!)" : ""}`,
    ]);
  }
  if (r.contentType) rows.push(["Content-Type", r.contentType]);
  if (r.contentDisposition) rows.push(["Disposition", r.contentDisposition]);
  rows.push([
    "Validators",
    [r.etag && `ETag ${r.etag}`, r.lastModified && `Last-Modified ${r.lastModified}`].filter(Boolean).join(", ") ||
    "none",
  ]);
  const lines = [table(rows.map(([k, v]) => [`${k}:`, v]))];
  if (r.problems.length) lines.push("Problems:", ...r.problems.map((p) => `  - ${p}`));
  if (r.recommendations.length) {
    lines.push(
      "Recommended settings:",
      ...r.recommendations.map((s) => `  ${s.property} = ${JSON.stringify(s.value)}: ${s.reason}`),
    );
  }
  if (r.notes.length) lines.push("Notes:", ...r.notes.map((n) => `  - ${n}`));
  return lines.join("\n");
}

/** `probe`: exit 0 when BITS can download the URL as it is, 1 otherwise, 3 when the server did not answer in time. */
export async function probe(ctx: Context, url: string, options: ParsedArgs["options"]): Promise<number> {
  const timeout = durationOption(options.timeout, "timeout", PROBE_TIMEOUT_OPTION, "probe") ?? 15_000;
  using interrupt = interruptSignal();
  const report = await probeUrl(url, { timeout, signal: interrupt.signal });
  emit(ctx, { ...report }, () => describeProbe(report));
  if (report.verdict === "ready") return ExitCode.Ok;
  if (report.verdict === "fails" && (report.rangeGet.timedOut || report.head.timedOut)) return ExitCode.Timeout;
  return ExitCode.Failure;
}

/** `--timeout DURATION`: per request here. */
const PROBE_TIMEOUT_OPTION: OptionSpec = {
  ...TIMEOUT_OPTION,
  description: "Per request (default 15s; exit 3 when it expires): 90s, 2m, or seconds",
};

/** The `probe` command. */
export const command: Command = {
  summary: "Check a URL before downloading: size known, ranges honoured, HEAD allowed; recommends job settings",
  positionals: ["url"],
  options: {
    timeout: PROBE_TIMEOUT_OPTION,
  },
  examples: [
    "probe https://example.com/releases/app-1.2.msi",
    'probe "https://bucket.s3.amazonaws.com/a.iso?X-Amz-Signature=…" --json',
    "probe https://example.com/a.iso --timeout 5",
  ],
  run: (ctx, { args, options }) => probe(ctx, args.url, options),
};

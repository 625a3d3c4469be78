/**
 * HTTP preflight for downloads: {@linkcode probeUrl} asks a server what BITS
 * will ask it (a HEAD, then a one-byte range GET, both with BITS' user agent)
 * and reports whether a download will work, and with which settings
 * (e.g. `dynamicContent` for a server without sizes or ranges). It does not
 * need BITS, so it runs on any OS.
 *
 * ```ts
 * import { probeUrl } from "@deno-bits/bits/probe";
 *
 * const report = await probeUrl("https://example.com/file.zip");
 * console.log(report.verdict, report.recommendations); // "ready" []
 * ```
 *
 * Permissions: `--allow-net` for the probed host (and any it redirects to).
 *
 * @module
 */

export { BITS_USER_AGENT, probeUrl } from "./src/probe.ts";
export type { ProbeOptions } from "./src/probe.ts";
export type {
  ProbeExchange,
  ProbeRecommendation,
  ProbeRedirect,
  ProbeReport,
  ProbeVerdict,
} from "./src/probe/report.ts";

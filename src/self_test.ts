/**
 * The self-test: a few safe checks of this machine's BITS, run for real
 * against a server this process starts on 127.0.0.1, so a bug report can
 * carry facts instead of guesses. Nothing leaves the machine, every job it
 * creates is removed before it returns, and its files live in a temporary
 * directory that is deleted too.
 *
 * Each check passes, fails, or finds the feature unsupported (as Wine's BITS
 * stubs many, docs/compat.md); the verdict sums them up: `"full"` when every
 * check passed, `"partial"` when some feature is missing but nothing failed,
 * `"failed"` when a check failed.
 *
 * Permissions: --allow-ffi, --allow-net=127.0.0.1 (its server), --allow-read and
 * --allow-write (the temporary directory).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { BitsError, BitsUnsupportedError } from "./errors.ts";
import type { BitsJob } from "./job.ts";
import type { BitsManager } from "./manager.ts";
import { wineVersion } from "./platform.ts";
import { cancelCrashesWine, FINAL_STATES } from "./types.ts";

/** How one check ended. */
export type SelfTestResult = "pass" | "fail" | "unsupported";

/** The verdict over all checks. */
export type SelfTestVerdict = "full" | "partial" | "failed";

/** One check: what it tried, how it ended, and why. */
export interface SelfTestCheck {
  /** Short name, e.g. `"download"`. */
  readonly name: string;
  /** What it verifies, for people. */
  readonly description: string;
  /** How it ended. */
  readonly result: SelfTestResult;
  /** The facts: what was seen, or the error. */
  readonly detail: string;
}

/** What {@linkcode runSelfTest} found. */
export interface SelfTestReport {
  /** The Wine version, or `null` on native Windows. */
  readonly wine: string | null;
  /** Every check, in the order run. */
  readonly checks: readonly SelfTestCheck[];
  /** The sum of the checks. */
  readonly verdict: SelfTestVerdict;
  /** Jobs the self-test created that could not be removed (0 unless something is badly wrong). */
  readonly jobsLeft: number;
}

/** Options of {@linkcode runSelfTest}. */
export interface SelfTestOptions {
  /** Longest wait for one transfer, in milliseconds (default 60,000). */
  readonly timeout?: number;
}

/** The verdict for a set of results. */
export function selfTestVerdict(results: readonly SelfTestResult[]): SelfTestVerdict {
  if (results.includes("fail")) return "failed";
  return results.includes("unsupported") ? "partial" : "full";
}

const BODY_SIZE = 256 * 1024;

/** The self-test's server: one generated body at `/file` (HEAD, ranges), and 404 for anything else. */
function serve(body: Uint8Array<ArrayBuffer>): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (path !== "/file") return new Response("not found\n", { status: 404 });
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
    };
    // Windows' BITS asks for ranges; one range is all it asks for at a time.
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.get("range") ?? "");
    let part = body;
    let status = 200;
    if (range) {
      const start = Number(range[1]);
      const end = range[2] === "" ? body.length - 1 : Math.min(Number(range[2]), body.length - 1);
      if (start > end) {
        return new Response(null, { status: 416, headers: { "content-range": `bytes */${body.length}` } });
      }
      part = body.subarray(start, end + 1);
      status = 206;
      headers["content-range"] = `bytes ${start}-${end}/${body.length}`;
    }
    headers["content-length"] = String(part.length);
    return new Response(request.method === "HEAD" ? null : part, { status, headers });
  });
}

/** Runs `check`; a BitsUnsupportedError means the feature is missing, any other error a failure. */
async function attempt(
  name: string,
  description: string,
  check: () => Promise<string>,
): Promise<SelfTestCheck> {
  try {
    return { name, description, result: "pass", detail: await check() };
  } catch (error) {
    const result = error instanceof BitsUnsupportedError ? "unsupported" : "fail";
    return { name, description, result, detail: error instanceof Error ? error.message.split("\n")[0] : String(error) };
  }
}

/**
 * Runs the checks against `bits` and removes everything it created. Never
 * throws for what it finds; it throws only when the local server cannot start
 * (no `--allow-net=127.0.0.1`).
 */
export async function runSelfTest(bits: BitsManager, options: SelfTestOptions = {}): Promise<SelfTestReport> {
  const timeout = options.timeout ?? 60_000;
  const wine = wineVersion();
  const body = new Uint8Array(BODY_SIZE);
  crypto.getRandomValues(body.subarray(0, 65_536));
  for (let i = 65_536; i < BODY_SIZE; i++) body[i] = body[i % 65_536] ^ (i >>> 16);
  const sha256 = createHash("sha256").update(body).digest("hex");
  const server = serve(body);
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const dir = await Deno.makeTempDir({ prefix: "bits-self-test-" });
  const jobs: BitsJob[] = [];
  const track = (job: BitsJob): BitsJob => {
    jobs.push(job);
    return job;
  };
  const idle = async (name: string): Promise<BitsJob> =>
    track(
      await bits.download([{ url: `${origin}/never`, path: join(dir, `${name}.bin`) }], {
        displayName: `deno-bits self-test ${name}`,
        suspended: true,
      }),
    );
  const checks: SelfTestCheck[] = [];
  try {
    checks.push(
      await attempt("download", "a download completes and its content is byte-identical (SHA-256)", async () => {
        const path = join(dir, "download.bin");
        const job = track(
          await bits.download([{ url: `${origin}/file`, path }], { displayName: "deno-bits self-test download" }),
        );
        await job.wait({ timeout });
        const outcome = await job.complete({ expect: [{ path, size: BODY_SIZE, sha256 }] });
        if (outcome !== "completed") throw new Error(`Complete reported ${outcome}`);
        return `${BODY_SIZE} bytes, SHA-256 ${sha256.slice(0, 16)}…`;
      }),
    );
    checks.push(
      await attempt("http-error", "a 404 puts the job in ERROR with BG_E_HTTP_ERROR_404", async () => {
        const job = track(
          await bits.download([{ url: `${origin}/missing`, path: join(dir, "missing.bin") }], {
            displayName: "deno-bits self-test 404",
          }),
        );
        const error = await job.wait({ timeout }).then(() => undefined, (e) => e);
        if (!(error instanceof BitsError)) throw new Error(`expected a BitsError, got ${error ?? "success"}`);
        if (error.code !== "BG_E_HTTP_ERROR_404") throw new Error(`expected BG_E_HTTP_ERROR_404, got ${error.code}`);
        return `${error.code} in context ${error.context ?? "unknown"}`;
      }),
    );
    checks.push(
      await attempt("suspend", "suspend() leaves the job SUSPENDED", async () => {
        const job = await idle("suspend");
        await job.suspend();
        const { state } = await job.snapshot();
        if (state !== "SUSPENDED") throw new Error(`state ${state} after suspend()`);
        return "SUSPENDED";
      }),
    );
    checks.push(
      await attempt("priority", "the job priority reads back as set", async () => {
        const job = await idle("priority");
        await job.setProperties({ priority: "LOW" });
        const priority = await job.getProperty("priority");
        if (priority !== "LOW") throw new Error(`read back ${priority}, set LOW`);
        return "LOW";
      }),
    );
    checks.push(
      await attempt("job5", "IBackgroundCopyJob5 properties can be read (dynamic content)", async () => {
        const job = await idle("job5");
        return `dynamicContent ${await job.getProperty("dynamicContent")}`;
      }),
    );
    checks.push(
      await attempt("file3", "IBackgroundCopyFile3: the temporary file name is readable", async () => {
        const job = await idle("file3");
        using file = await job.file(0);
        return await file.temporaryName();
      }),
    );
  } finally {
    await server.shutdown();
  }
  let jobsLeft = 0;
  for (const job of jobs) {
    try {
      let { state } = await job.snapshot();
      // Cancelling a running transfer crashes Wine's BITS (docs/compat.md): let it end first.
      if (cancelCrashesWine(state, wine !== null)) {
        state = (await job.wait({ timeout }).catch(() => job.snapshot())).state;
      }
      if (!FINAL_STATES.has(state)) await job.cancel();
    } catch (error) {
      if (!(error instanceof BitsError && error.code === "BG_E_NOT_FOUND")) jobsLeft++;
    } finally {
      job.dispose();
    }
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  return { wine, checks, verdict: selfTestVerdict(checks.map((c) => c.result)), jobsLeft };
}

/**
 * A retry policy for flaky servers, in two layers:
 * 1. BITS' own: `minimumRetryDelay` and `noProgressTimeout` (job properties,
 *    in seconds) make BITS retry a TRANSIENT_ERROR every so often until the
 *    job has made no progress for that long, then give up with ERROR;
 * 2. the application's: after ERROR, resume the job with exponential backoff,
 *    a bounded number of times, then cancel it (only when it is not running).
 *
 * ```sh
 * deno run --allow-ffi --allow-read --allow-write --allow-env=LOCALAPPDATA,BITS_SHIM_PATH examples/retry_policy.ts URL DESTINATION [--attempts N] [--backoff SECONDS]
 * ```
 *
 * `--attempts` (default 4) counts every try, the first included; `--backoff`
 * (default 5) is the first wait, doubled after each failure. Wine's BITS
 * accepts both properties but ignores them (they read back as 30 and 900)
 * and never enters TRANSIENT_ERROR: every failure is an ERROR, so there the
 * application layer does all the retrying. Exit codes: 0 downloaded, 1 gave
 * up (the job is cancelled), 2 usage.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { BitsError, BitsUnavailableError, connect, type JobState } from "@deno-bits/bits";

/** States in which a job may be transferring: never cancel those (under Wine it crashes BITS). */
const RUNNING: ReadonlySet<JobState> = new Set(["QUEUED", "CONNECTING", "TRANSFERRING"]);

async function main(args: string[]): Promise<number> {
  const { values, positionals: [url, path] } = parseArgs({
    args,
    allowPositionals: true,
    options: { attempts: { type: "string", default: "4" }, backoff: { type: "string", default: "5" } },
  });
  const attempts = Number(values.attempts);
  const backoff = Number(values.backoff);
  if (url === undefined || path === undefined || !Number.isInteger(attempts) || attempts < 1 || !(backoff >= 0)) {
    console.error("usage: retry_policy.ts URL DESTINATION [--attempts N] [--backoff SECONDS]");
    return 2;
  }

  using bits = await connect();
  using job = await bits.download([{ url, path }], {
    displayName: "retry_policy example",
    properties: { minimumRetryDelay: 60, noProgressTimeout: 300 },
  });
  const delay = await job.getProperty("minimumRetryDelay");
  const patience = await job.getProperty("noProgressTimeout");
  console.log(`job ${job.id}: BITS retries every ${delay} s, gives up after ${patience} s without progress`);

  for (let attempt = 1;; attempt++) {
    try {
      await job.wait({
        onEvent: (event) => {
          if (event.kind === "state" && event.state === "TRANSIENT_ERROR") {
            console.log(`attempt ${attempt}: transient error, BITS retries by itself`);
          }
        },
      });
      console.log(`attempt ${attempt}: transferred`);
      break;
    } catch (error) {
      if (!(error instanceof BitsError)) throw error;
      console.log(`attempt ${attempt}: ${error.state ?? "ERROR"} ${error.code}`);
      if (attempt >= attempts) {
        const { state } = await job.snapshot();
        if (RUNNING.has(state)) {
          console.log(`giving up after ${attempt} attempts; job ${job.id} is ${state}, so it is left to finish`);
        } else {
          await job.cancel();
          console.log(`giving up after ${attempt} attempts; job cancelled`);
        }
        return 1;
      }
      const wait = backoff * 2 ** (attempt - 1);
      console.log(`retrying in ${wait} s`);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      await job.resume();
    }
  }
  console.log(`${await job.complete()}: ${path}`);
  return 0;
}

Deno.exitCode = await main(Deno.args).catch((error) => {
  // Off Windows, or without a permission the shim needs: one line that says why, nothing was done.
  if (!(error instanceof BitsUnavailableError)) throw error;
  console.error(error.message);
  return 1;
});

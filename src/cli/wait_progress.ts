/**
 * Waiting for a transfer with progress on stderr: what the commands that
 * wait for their own job (`download --wait`, `wmp finish --wait`) share.
 *
 * @module
 */

import type { BitsJob } from "../job.ts";
import type { JobFile, JobSnapshot } from "../types.ts";
import { type Context, PROGRAM } from "./context.ts";
import { knownTotal } from "./format.ts";
import { ProgressReporter } from "./progress.ts";

/**
 * Waits for TRANSFERRED, drawing progress on stderr unless quiet or JSON.
 * Also reads the file list until every file's size is known, because BITS on
 * Wine never reports a job total.
 */
export async function waitWithProgress(
  ctx: Context,
  job: BitsJob,
  timeout?: number,
  transientErrorLimit?: number,
): Promise<JobSnapshot> {
  const reporter = ctx.quiet || ctx.json
    ? undefined
    : new ProgressReporter(ctx.io.stderr, ctx.io.stderrIsTerminal, ctx.io.columns);
  let files: JobFile[] | undefined;
  let reading: Promise<void> | undefined;
  const refreshFiles = (snapshot: JobSnapshot): void => {
    if (reading || snapshot.progress.bytesTotal !== null || (files && knownTotal(snapshot, files) !== null)) return;
    reading = job.files().then((f) => void (files = f), () => {}).finally(() => reading = undefined);
  };
  try {
    return await job.wait({
      timeout,
      transientErrorLimit,
      interval: 200,
      onSnapshot: (snapshot) => {
        if (reporter) refreshFiles(snapshot);
        reporter?.update(snapshot, files);
      },
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new DOMException(`${error.message}; the job keeps running: '${PROGRAM} info ${job.id}'`, "TimeoutError");
    }
    throw error;
  } finally {
    await reading;
    reporter?.finish();
  }
}

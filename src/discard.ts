/**
 * Cleaning up after a job that could not be set up.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { cancelJob } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";

const logger = getLogger(["deno-bits", "job"]);

/**
 * Removes a job this process has just created and could not set up, so that
 * nothing half-built stays in the queue, then releases it. No Player guard:
 * the guard keeps other programs' `::WMP_JOB:` jobs safe, and this one is
 * ours and never started. A failure to cancel is logged, not thrown: the
 * caller rethrows the error that made it give up.
 */
export async function discardHalfBuilt(ref: JobRef, what = "job"): Promise<void> {
  logger.warn(`Setting up ${what} {id} failed; cancelling it so nothing half-built stays queued`, { id: ref.id });
  await cancelJob(ref).catch((cancelError) =>
    logger.error("Could not cancel job {id}: {error}", { id: ref.id, error: String(cancelError) })
  );
  ref.handle.dispose();
}

/**
 * Cleaning up after a job that could not be set up.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { BitsJob } from "./job.ts";

const logger = getLogger(["deno-bits", "job"]);

/**
 * Removes a job this process has just created and could not set up, so that
 * nothing half-built stays in the queue, then releases it. Forced: the guard
 * on `::WMP_JOB:` jobs keeps other programs' Player jobs safe, and this one is
 * ours and never started. A failure to cancel is logged, not thrown: the
 * caller rethrows the error that made it give up.
 */
export async function discardHalfBuilt(job: BitsJob, what = "job"): Promise<void> {
  logger.warn(`Setting up ${what} {id} failed; cancelling it so nothing half-built stays queued`, { id: job.id });
  await job.cancel({ force: true }).catch((cancelError) =>
    logger.error("Could not cancel job {id}: {error}", { id: job.id, error: String(cancelError) })
  );
  job.dispose();
}

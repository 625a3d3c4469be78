/**
 * Finishing a job: Complete (optionally only with files that are what the
 * caller expects) and Cancel, both refusing a job the Windows Media Player
 * owns unless forced.
 *
 * @module
 */

import { cancelJob, completeJob, refuseIfPlayerOwned } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";
import type { CancelOutcome, CompleteOutcome } from "./types.ts";
import { checkExpectedFiles, completeVerified, type ExpectedFile } from "./verified_complete.ts";

/** Options of `BitsJob.complete` and `BitsJob.cancel`. */
export interface FinishOptions {
  /**
   * Act on a Windows Media Player `WMP_JOB` job anyway. Such jobs belong to
   * the Player, which completes them itself; without `force` the call is
   * refused with a `WmpJobOwnedError`.
   */
  readonly force?: boolean;
}

/** Options of `BitsJob.complete`. */
export interface CompleteOptions extends FinishOptions {
  /**
   * Expected size and/or SHA-256 of some of the job's files: checked in BITS'
   * temporary files before Complete where BITS exposes them (BITS 3.0), else
   * at the destinations right after Complete, removing any file that does not
   * match. A mismatch throws an `IntegrityError`.
   */
  readonly expect?: readonly ExpectedFile[];
}

/**
 * Completes the job: expectations validated first, then the Player guard,
 * then Complete (verified when `expect` names files).
 */
export async function completeChecked(job: JobRef, options: CompleteOptions = {}): Promise<CompleteOutcome> {
  if (options.expect !== undefined) checkExpectedFiles(options.expect);
  if (!options.force) await refuseIfPlayerOwned(job, "complete");
  if (options.expect?.length) return await completeVerified(job, options.expect);
  return await completeJob(job);
}

/** Cancels the job, after the Player guard. */
export async function cancelChecked(job: JobRef, options: FinishOptions = {}): Promise<CancelOutcome> {
  if (!options.force) await refuseIfPlayerOwned(job, "cancel");
  return await cancelJob(job);
}

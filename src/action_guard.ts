/**
 * What must hold before a job action reaches BITS, for every front end (the
 * CLI's commands, the dashboard): the Player's `WMP_JOB` jobs are left alone
 * unless forced, and under Wine an upload job is never resumed (Wine's BITS
 * would download over the file to upload; forcing cannot make that safe).
 *
 * @module
 */

import { WmpJobOwnedError } from "./errors.ts";
import type { BitsJob } from "./job.ts";
import { wineVersion } from "./platform.ts";
import type { JobSnapshot } from "./types.ts";
import { wineUploadRefusal } from "./upload.ts";
import { wmpKindOf } from "./wmp/codec.ts";

/** An action on an existing job. */
export type GuardedAction = "complete" | "cancel" | "suspend" | "resume" | "take-ownership";

/**
 * Checks `action` on `job`; returns the job's snapshot read for it.
 *
 * @throws {WmpJobOwnedError} for a `WMP_JOB` job without `force`.
 * @throws {BitsUnsupportedError} for `resume` of an upload job under Wine.
 */
export async function guardAction(job: BitsJob, action: GuardedAction, force: boolean): Promise<JobSnapshot> {
  const snapshot = await job.snapshot();
  if (!force && wmpKindOf(snapshot.description) === "job") throw new WmpJobOwnedError(job.id, action);
  if (action === "resume" && snapshot.type !== "DOWNLOAD" && wineVersion() !== null) {
    const [file] = await job.files();
    throw wineUploadRefusal(file?.localName ?? "the job's file", job.id);
  }
  return snapshot;
}

/**
 * What `suspend`, `resume` and `take-ownership` share: one action on one job,
 * then the job as it is afterwards. Like complete and cancel, they refuse a
 * Windows Media Player `WMP_JOB` job unless `--force` (the Player owns it);
 * `resume` also refuses, under Wine, an upload job (Wine's BITS would
 * download over its file).
 *
 * @module
 */

import { guardAction } from "../action_guard.ts";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";

/** A job action `jobAction` runs. */
export type JobAction = "suspend" | "resume" | "take-ownership";

const DONE: Readonly<Record<JobAction, string>> = {
  suspend: "Suspended",
  resume: "Resumed",
  "take-ownership": "Took ownership of",
};

/** Runs one action on the job `id` names and prints the job as it is afterwards. */
export async function jobAction(ctx: Context, id: string, action: JobAction, force: boolean): Promise<number> {
  using bits = await connect();
  using job = await resolveJob(bits, id);
  await guardAction(job, action, force);
  if (action === "suspend") await job.suspend();
  else if (action === "resume") await job.resume();
  else await job.takeOwnership();
  const after = await job.snapshot();
  emit(ctx, { job: after }, () => `${DONE[action]} job ${job.id} (${after.state})`);
  return ExitCode.Ok;
}

/**
 * The job actions besides complete and cancel: suspend, resume and
 * take-ownership. Like complete and cancel, they refuse a Windows Media
 * Player `WMP_JOB` job unless `--force` (the Player owns it); `resume` also
 * refuses, under Wine, an upload job (Wine's BITS would download over its file).
 *
 * @module
 */

import { guardAction } from "../action_guard.ts";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import { type Command, FORCE_OPTION } from "./command.ts";
import type { Context } from "./context.ts";
import { emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";

/** A job action of this module. */
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

/** The job actions, by name. */
export const ACTION_COMMANDS: Readonly<Record<string, Command>> = {
  suspend: {
    summary: "Suspend a job: it stops transferring until resumed",
    positionals: ["id"],
    options: { force: FORCE_OPTION },
    examples: ["suspend {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}", 'suspend "nightly backup" --json'],
    run: (ctx, { args, options }) => jobAction(ctx, args.id, "suspend", options.force === true),
  },
  resume: {
    summary: "Resume a job: queue a new or suspended job, or retry one in ERROR",
    positionals: ["id"],
    options: { force: FORCE_OPTION },
    examples: ["resume {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}", 'resume "nightly backup" --json', "resume 0f3c1c2e"],
    run: (ctx, { args, options }) => jobAction(ctx, args.id, "resume", options.force === true),
  },
  "take-ownership": {
    summary: "Make the current user the job's owner (another user's job needs administrator rights)",
    positionals: ["id"],
    options: { force: FORCE_OPTION },
    examples: ["take-ownership {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}", 'take-ownership "nightly backup" --json'],
    run: (ctx, { args, options }) => jobAction(ctx, args.id, "take-ownership", options.force === true),
  },
};

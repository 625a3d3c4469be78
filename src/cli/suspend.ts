/**
 * `bits suspend`: a job stops transferring until resumed.
 * Refused for a Windows Media Player WMP_JOB job unless `--force` (`job_action.ts`).
 *
 * @module
 */

import { type Command, FORCE_OPTION } from "./command.ts";
import { jobAction } from "./job_action.ts";

/** The `suspend` command. */
export const command: Command = {
  summary: "Suspend a job: it stops transferring until resumed",
  positionals: ["id"],
  options: { force: FORCE_OPTION },
  examples: ["suspend {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}", 'suspend "nightly backup" --json'],
  run: (ctx, { args, options }) => jobAction(ctx, args.id, "suspend", options.force === true),
};

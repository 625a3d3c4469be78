/**
 * `bits take-ownership`: the current user becomes the job's owner (another
 * user's job needs administrator rights).
 * Refused for a Windows Media Player WMP_JOB job unless `--force` (`job_action.ts`).
 *
 * @module
 */

import { type Command, FORCE_OPTION } from "./command.ts";
import { jobAction } from "./job_action.ts";

/** The `take-ownership` command. */
export const command: Command = {
  summary: "Make the current user the job's owner (another user's job needs administrator rights)",
  positionals: ["id"],
  options: { force: FORCE_OPTION },
  examples: ["take-ownership {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}", 'take-ownership "nightly backup" --json'],
  run: (ctx, { args, options }) => jobAction(ctx, args.id, "take-ownership", options.force === true),
};

/**
 * `bits resume`: queues a new or suspended job, or retries one in ERROR. Under
 * Wine it refuses an upload job (Wine's BITS would download over its file).
 * Refused for a Windows Media Player WMP_JOB job unless `--force` (`job_action.ts`).
 *
 * @module
 */

import { type Command, FORCE_OPTION } from "./command.ts";
import { jobAction } from "./job_action.ts";

/** The `resume` command. */
export const command: Command = {
  summary: "Resume a job: queue a new or suspended job, or retry one in ERROR",
  positionals: ["id"],
  options: { force: FORCE_OPTION },
  examples: ["resume {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}", 'resume "nightly backup" --json', "resume 0f3c1c2e"],
  run: (ctx, { args, options }) => jobAction(ctx, args.id, "resume", options.force === true),
};

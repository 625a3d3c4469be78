/**
 * `bits cancel`: cancels a job and deletes its temporary files. Refused for a
 * Windows Media Player WMP_JOB job unless `--force`.
 *
 * @module
 */

import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import { type Command, FORCE_OPTION } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";

/** `cancel`: cancels a job (refused for WMP_JOB jobs unless forced). */
export async function cancel(ctx: Context, id: string, force: boolean): Promise<number> {
  using bits = await connect();
  using job = await resolveJob(bits, id);
  const outcome = await job.cancel({ force });
  emit(
    ctx,
    { id: job.id, outcome },
    () =>
      outcome === "cancelled" ? `Cancelled job ${job.id}` : `Cancelled job ${job.id}; some files could not be deleted`,
  );
  return ExitCode.Ok;
}

/** The `cancel` command. */
export const command: Command = {
  summary: "Cancel a job and delete its temporary files",
  positionals: ["id"],
  options: { force: FORCE_OPTION },
  examples: ["cancel {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}", 'cancel "nightly backup"'],
  run: (ctx, { args, options }) => cancel(ctx, args.id, options.force === true),
};

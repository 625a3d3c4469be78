/**
 * `bits wait`: waits for a job to be transferred (optionally completes it),
 * with exit codes for scripts.
 *
 * @module
 */

import { BitsError } from "../errors.ts";
import { HR } from "../hresult.ts";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import type { JobSnapshot } from "../types.ts";
import {
  type Command,
  INTERVAL_OPTION,
  MAX_TRANSIENT_ERRORS_OPTION,
  type ParsedArgs,
  TIMEOUT_OPTION,
} from "./command.ts";
import { type Context, emit, interruptSignal, PROGRAM } from "./context.ts";
import { transientErrorLimit } from "./option_values.ts";
import { durationOption } from "./duration.ts";
import { ExitCode } from "./exit_codes.ts";

/** `wait`: waits for a job, with exit codes for scripts. */
export async function waitCommand(ctx: Context, id: string, options: ParsedArgs["options"]): Promise<number> {
  const timeout = durationOption(options.timeout, "timeout", TIMEOUT_OPTION, "wait");
  const interval = durationOption(options.interval, "interval", INTERVAL_OPTION, "wait") ?? 1000;
  const limit = transientErrorLimit(options["max-transient-errors"]);
  using bits = await connect();
  using job = await resolveJob(bits, id);
  using interrupt = interruptSignal();
  let snapshot: JobSnapshot;
  try {
    snapshot = await job.wait({ timeout, interval, signal: interrupt.signal, transientErrorLimit: limit });
  } catch (error) {
    if (error instanceof BitsError && error.state === "ACKNOWLEDGED") {
      // Another process completed it: the transfer is done.
      const done = await job.snapshot();
      emit(ctx, { job: done, outcome: "completed-elsewhere" }, () => `Job ${job.id} was completed by another process`);
      return ExitCode.Ok;
    }
    if (error instanceof BitsError && error.code === "BG_E_NOT_FOUND") {
      throw new BitsError(HR.BG_E_NOT_FOUND, {
        operation: "Waiting (the job left the queue)",
        jobId: job.id,
        state: "CANCELLED",
      });
    }
    throw error;
  }
  if (options.complete !== true) {
    emit(
      ctx,
      { job: snapshot },
      () => `Job ${job.id} is TRANSFERRED; complete it with '${PROGRAM} complete ${job.id}'`,
    );
    return ExitCode.Ok;
  }
  const outcome = await job.complete();
  emit(ctx, { job: snapshot, outcome }, () => `Job ${job.id} transferred and ${outcome}`);
  return outcome === "partial" ? ExitCode.Failure : ExitCode.Ok;
}

/** The `wait` command. */
export const command: Command = {
  summary: "Wait for a job to be transferred; exit 0 done, 1 job error, 3 timeout, 4 cancelled or vanished",
  positionals: ["id"],
  options: {
    complete: { type: "boolean", description: "Complete the job once it is transferred" },
    timeout: TIMEOUT_OPTION,
    interval: INTERVAL_OPTION,
    "max-transient-errors": MAX_TRANSIENT_ERRORS_OPTION,
  },
  examples: [
    "wait {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10} --complete --timeout 600",
    'wait "nightly backup" --json',
    "wait 0f3c1c2e --timeout 1h --interval 5",
    "wait 0f3c1c2e --max-transient-errors 3 --complete",
  ],
  run: (ctx, { args, options }) => waitCommand(ctx, args.id, options),
};

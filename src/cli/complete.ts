/**
 * `bits complete`: completes a transferred job, so BITS moves its files into
 * place; `--sha256`/`--size` check a single file first. Refused for a Windows
 * Media Player WMP_JOB job unless `--force`.
 *
 * @module
 */

import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import type { ExpectedFile } from "../verified_complete.ts";
import { type Command, FORCE_OPTION, type ParsedArgs, UsageError } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { expectationOptions } from "./file_expectation.ts";

/** `complete`: completes a job (refused for WMP_JOB jobs unless forced). */
export async function complete(ctx: Context, id: string, options: ParsedArgs["options"]): Promise<number> {
  const expectation = expectationOptions(options, "complete");
  using bits = await connect();
  using job = await resolveJob(bits, id);
  let expect: ExpectedFile[] = [];
  if (expectation) {
    const files = await job.files();
    if (files.length !== 1) {
      throw new UsageError(
        `--sha256 and --size need a job with one file; job ${job.id} has ${files.length}`,
        "complete",
      );
    }
    expect = [{ ...expectation, path: files[0].localName }];
  }
  const outcome = await job.complete({ force: options.force === true, expect });
  emit(
    ctx,
    { id: job.id, outcome },
    () =>
      outcome === "completed"
        ? `Completed job ${job.id}`
        : outcome === "partial"
        ? `Completed job ${job.id} partially: some files were not finished or could not be moved (BG_S_PARTIAL_COMPLETE)`
        : `Completed job ${job.id}; BITS could not delete some temporary files (BG_S_UNABLE_TO_DELETE_FILES)`,
  );
  return outcome === "partial" ? ExitCode.Failure : ExitCode.Ok;
}

/** The `complete` command. */
export const command: Command = {
  summary: "Complete a transferred job: BITS moves its files into place",
  positionals: ["id"],
  options: {
    force: FORCE_OPTION,
    sha256: {
      type: "string",
      value: "HEX",
      description: "The (single) file's SHA-256; checked before it is accepted",
    },
    size: { type: "string", value: "BYTES", description: "The (single) file's exact size; checked likewise" },
  },
  examples: [
    "complete {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}",
    "complete 0f3c1c2e --size 1048576",
  ],
  run: (ctx, { args, options }) => complete(ctx, args.id, options),
};

/**
 * `bits wmp finish`: completes a WMP_STATUS job and files its media in the
 * library as `<Artist>\\<Album>\\<NN> <Title>.<ext>`.
 *
 * @module
 */

import { resolve } from "node:path";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import { finishWmpStatusJob } from "../wmp/submit.ts";
import { type Command, type ParsedArgs, UsageError, WAIT_TIMEOUT_OPTION } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { requiredOption } from "./option_values.ts";
import { durationOption } from "./duration.ts";
import { ExitCode } from "./exit_codes.ts";
import { waitWithProgress } from "./wait_progress.ts";

/** `wmp finish`: completes a WMP_STATUS job and files its media. */
export async function wmpFinish(ctx: Context, id: string, options: ParsedArgs["options"]): Promise<number> {
  const library = requiredOption(options.library, "library", "wmp finish");
  const timeout = durationOption(options.timeout, "timeout", WAIT_TIMEOUT_OPTION, "wmp finish");
  if (timeout !== undefined && options.wait !== true) throw new UsageError("--timeout needs --wait", "wmp finish");
  using bits = await connect();
  using job = await resolveJob(bits, id);
  if (options.wait === true) await waitWithProgress(ctx, job, timeout);
  const finished = await finishWmpStatusJob(job, resolve(library));
  emit(ctx, { ...finished }, () => `Completed job ${job.id}; filed as ${finished.path}`);
  return ExitCode.Ok;
}

/** The `wmp finish` command. */
export const command: Command = {
  summary: "Complete a WMP_STATUS job and file its media as <Artist>\\<Album>\\<NN> <Title>.<ext>",
  positionals: ["id"],
  options: {
    library: { type: "string", value: "DIR", description: "Library root (required)" },
    wait: { type: "boolean", short: "w", description: "Wait for the transfer first" },
    timeout: WAIT_TIMEOUT_OPTION,
  },
  examples: [
    "wmp finish {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10} --library C:\\Users\\me\\Music --wait",
    'wmp finish 0f3c1c2e --library "D:\\Media\\Music" --wait --timeout 10m --json',
  ],
  run: (ctx, { args, options }) => wmpFinish(ctx, args.id, options),
};

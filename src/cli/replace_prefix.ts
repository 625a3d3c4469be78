/**
 * `bits replace-prefix` (bitsadmin's `/replaceremoteprefix`): moves a job's
 * files to another server by rewriting the start of their remote names.
 *
 * @module
 */

import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import type { Command } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";

/**
 * `replace-prefix`: rewrites the start of the job's remote names; prints how many files changed. Both
 * prefixes are checked by `job.replaceRemotePrefix` before BITS is called (InvalidArgumentError, exit 2).
 */
export async function replacePrefix(
  ctx: Context,
  id: string,
  oldPrefix: string,
  newPrefix: string,
): Promise<number> {
  using bits = await connect();
  using job = await resolveJob(bits, id);
  const changed = await job.replaceRemotePrefix(oldPrefix, newPrefix);
  const files = await job.files();
  emit(
    ctx,
    { id: job.id, changed, files },
    () => `Job ${job.id}: ${changed} of ${files.length} remote names now start with ${newPrefix}`,
  );
  return ExitCode.Ok;
}

/** The `replace-prefix` command. */
export const command: Command = {
  summary: "Point a job's files at another server: replace the start of every remote name that begins with <old>",
  positionals: ["id", "old", "new"],
  options: {},
  examples: [
    'replace-prefix "nightly backup" https://old.example.com/ https://mirror.example.com/',
    "replace-prefix 0f3c1c2e http://10.0.0.5/pkgs/ https://cdn.example.com/pkgs/ --json",
  ],
  run: (ctx, { args }) => replacePrefix(ctx, args.id, args.old, args.new),
};

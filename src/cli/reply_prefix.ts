/**
 * `replace-prefix` (bitsadmin /replaceremoteprefix: move a job's files to
 * another server) and `reply` (an upload-reply job's reply: bitsadmin
 * /getreplyfilename, /getreplyprogress, /getreplydata).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import type { Command, ParsedArgs } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes } from "./format.ts";

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

/** `reply`: an upload-reply job's reply file name, progress and (with `--data`) the reply itself. */
export async function reply(ctx: Context, id: string, options: ParsedArgs["options"]): Promise<number> {
  using bits = await connect();
  using job = await resolveJob(bits, id);
  const fileName = await job.replyFileName();
  const progress = await job.replyProgress();
  const data = options.data === true ? await job.replyData() : undefined;
  emit(
    ctx,
    {
      id: job.id,
      fileName,
      progress,
      ...(data ? { data: Buffer.from(data).toString("base64"), dataBytes: data.length } : {}),
    },
    () =>
      [
        `Reply file: ${fileName || "(none)"}`,
        `Reply: ${formatBytes(progress.bytesTransferred)}${
          progress.bytesTotal === null ? "" : ` of ${formatBytes(progress.bytesTotal)}`
        }`,
        ...(data ? [`Reply data (${data.length} bytes): ${new TextDecoder().decode(data)}`] : []),
      ].join("\n"),
  );
  return ExitCode.Ok;
}

/** The remote-side commands, by name. */
export const REPLY_PREFIX_COMMANDS: Readonly<Record<string, Command>> = {
  "replace-prefix": {
    summary: "Point a job's files at another server: replace the start of every remote name that begins with <old>",
    positionals: ["id", "old", "new"],
    options: {},
    examples: [
      'replace-prefix "nightly backup" https://old.example.com/ https://mirror.example.com/',
      "replace-prefix 0f3c1c2e http://10.0.0.5/pkgs/ https://cdn.example.com/pkgs/ --json",
    ],
    run: (ctx, { args }) => replacePrefix(ctx, args.id, args.old, args.new),
  },
  reply: {
    summary: "Show an upload-reply job's reply: file name, progress, and with --data the reply itself (Windows only)",
    positionals: ["id"],
    options: { data: { type: "boolean", description: "Also read the reply (up to 1 MiB; base64 in JSON)" } },
    examples: ['reply "report upload"', "reply 0f3c1c2e --data --json"],
    run: (ctx, { args, options }) => reply(ctx, args.id, options),
  },
};

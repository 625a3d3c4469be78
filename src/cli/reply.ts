/**
 * `bits reply`: an upload-reply job's reply (bitsadmin's `/getreplyfilename`,
 * `/getreplyprogress`, `/getreplydata`).
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

/** The `reply` command. */
export const command: Command = {
  summary: "Show an upload-reply job's reply: file name, progress, and with --data the reply itself (Windows only)",
  positionals: ["id"],
  options: { data: { type: "boolean", description: "Also read the reply (up to 1 MiB; base64 in JSON)" } },
  examples: ['reply "report upload"', "reply 0f3c1c2e --data --json"],
  run: (ctx, { args, options }) => reply(ctx, args.id, options),
};

/**
 * `bits upload`: an UPLOAD job (UPLOAD_REPLY with `--reply`) with its single
 * file, resumed unless `--suspended`.
 *
 * @module
 */

import { resolve } from "node:path";
import { connect } from "../manager.ts";
import { checkRemoteUrl } from "../validate.ts";
import { type Command, DESCRIPTION_OPTION, type ParsedArgs } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { text } from "./option_values.ts";
import { CREATION_OPTIONS, prepareCreationProperties } from "./creation_options.ts";
import { ExitCode } from "./exit_codes.ts";

/**
 * `upload`: an UPLOAD job (UPLOAD_REPLY with `--reply`) with its single file,
 * resumed unless `--suspended`. Under Wine the library refuses to resume one
 * (Wine's BITS would download over the file), so there only `--suspended` works.
 */
export async function upload(ctx: Context, url: string, file: string, options: ParsedArgs["options"]): Promise<number> {
  checkRemoteUrl(url);
  const path = resolve(file);
  const reply = typeof options.reply === "string" ? { fileName: resolve(options.reply) } : undefined;
  const { properties, names } = await prepareCreationProperties(ctx, options, "upload");
  using bits = await connect();
  using job = await bits.upload({
    url,
    path,
    reply,
    displayName: typeof options.name === "string" ? options.name : undefined,
    description: text(options.description),
    suspended: options.suspended === true,
    properties,
  });
  const snapshot = await job.snapshot();
  emit(
    ctx,
    { job: snapshot, file: { url, path }, replyFileName: reply?.fileName ?? null, set: names },
    () =>
      [
        `Created ${
          snapshot.type === "UPLOAD" ? "upload" : "upload-reply"
        } job ${job.id} (${snapshot.state}): ${path} -> ${url}`,
        ...(reply ? [`Reply file: ${reply.fileName}`] : []),
        ...(snapshot.state === "SUSPENDED" ? [`Start it with 'bits resume ${job.id}'.`] : []),
      ].join("\n"),
  );
  return ExitCode.Ok;
}

/** The `upload` command. */
export const command: Command = {
  summary: "Create an upload job (upload-reply with --reply) for one file and resume it (upload: Windows only)",
  positionals: ["url", "file"],
  options: {
    reply: {
      type: "string",
      value: "PATH",
      description: "Make an upload-reply job; BITS writes the server's reply to PATH",
    },
    suspended: { type: "boolean", description: "Leave the job suspended (start it later with resume)" },
    name: { type: "string", value: "NAME", description: 'Display name (default: "deno-bits upload")' },
    description: DESCRIPTION_OPTION,
    ...CREATION_OPTIONS,
  },
  examples: [
    "upload https://upload.example.com/reports/q3.pdf C:\\Reports\\q3.pdf",
    "upload https://upload.example.com/submit C:\\Forms\\claim.xml --reply C:\\Forms\\claim-reply.xml",
    "upload https://upload.example.com/logs/app.log C:\\Logs\\app.log --suspended --json",
  ],
  run: (ctx, { args, options }) => upload(ctx, args.url, args.file, options),
};

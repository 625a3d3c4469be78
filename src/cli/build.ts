/**
 * The job-building commands: create (an empty job), add-file (files, or one
 * file with byte ranges, into an existing job) and upload (an upload or
 * upload-reply job with its file), the `bitsadmin /create`, `/addfile`,
 * `/addfileset` and `/addfilewithranges` of this CLI.
 *
 * @module
 */

import { resolve } from "node:path";
import { checkRanges } from "../files.ts";
import { checkDestination } from "../create_job.ts";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import type { JobType } from "../types.ts";
import { checkLocalPath, checkRemoteUrl } from "../validate.ts";
import {
  type Command,
  DESCRIPTION_OPTION,
  OVERWRITE_OPTION,
  type ParsedArgs,
  ROOT_OPTION,
  UsageError,
} from "./command.ts";
import { type Context, emit, text } from "./context.ts";
import { rootOption } from "./destination.ts";
import { logger } from "./log.ts";
import { CREATION_OPTIONS, prepareCreationProperties } from "./creation_options.ts";
import { ExitCode } from "./exit_codes.ts";
import { pairsFromArguments, parseRanges, readFileLists, resolvePairs } from "./file_list.ts";

// The CLI spells job types the way bitsadmin's /create switches do.
const TYPES: Readonly<Record<string, JobType>> = {
  download: "DOWNLOAD",
  upload: "UPLOAD",
  "upload-reply": "UPLOAD_REPLY",
};

/** `--type` as a job type; `DOWNLOAD` when absent. */
function jobTypeOption(value: ParsedArgs["options"][string]): JobType {
  if (value === undefined) return "DOWNLOAD";
  const type = typeof value === "string" ? TYPES[value.toLowerCase()] : undefined;
  if (!type) {
    throw new UsageError(`--type takes ${Object.keys(TYPES).join(", ")}, got ${JSON.stringify(value)}`, "create");
  }
  return type;
}

/** `create`: an empty, suspended job; prints its id. */
export async function create(ctx: Context, name: string, options: ParsedArgs["options"]): Promise<number> {
  const type = jobTypeOption(options.type);
  const { properties, names } = await prepareCreationProperties(ctx, options, "create");
  using bits = await connect();
  using job = await bits.createJob(name, { type, description: text(options.description), properties });
  logger.debug("Created {type} job {id}", { type, id: job.id });
  const snapshot = await job.snapshot();
  // The bare id on stdout, so scripts can capture it (`for /f %i in ('bits create x') do …`).
  emit(ctx, { job: snapshot, set: names }, () => job.id);
  return ExitCode.Ok;
}

/**
 * `add-file`: adds files to an existing job in one AddFileSet call, or one
 * file with `--range`s through AddFileWithRanges. Everything is checked
 * before BITS is asked; a refused call adds nothing.
 */
export async function addFile(
  ctx: Context,
  id: string,
  args: readonly string[],
  options: ParsedArgs["options"],
): Promise<number> {
  const given = [...pairsFromArguments(args, "add-file"), ...await readFileLists(options["from-file"], "add-file")];
  if (given.length === 0) throw new UsageError("add-file: missing <url> <dest> (or --from-file LIST)", "add-file");
  const ranges = parseRanges(options.range, "add-file");
  if (ranges.length > 0 && given.length !== 1) {
    throw new UsageError(`--range applies to one file; ${given.length} were given`, "add-file");
  }
  // All of it before the job is even looked up: bad input changes nothing.
  if (ranges.length > 0) checkRanges(ranges, "--range");
  const pairs = resolvePairs(given, "add-file");
  pairs.forEach((pair, i) => checkLocalPath(pair.path, pairs.length === 1 ? "path" : `files[${i}].path`));
  for (const pair of pairs) await checkDestination(pair.path, options.overwrite === true);
  using bits = await connect();
  using job = await resolveJob(bits, id);
  const root = rootOption(options.root);
  if (ranges.length > 0) await job.addFileWithRanges(pairs[0].url, pairs[0].path, ranges, { root });
  else await job.addFiles(pairs.map(({ url, path }) => ({ url, path })), { root });
  const snapshot = await job.snapshot();
  const added = pairs.map(({ url, path }) => ({ url, path }));
  emit(
    ctx,
    { job: snapshot, added, ranges: ranges.length > 0 ? ranges : null },
    () =>
      [
        `Added ${pairs.length} file${
          pairs.length === 1 ? "" : "s"
        } to job ${job.id} (${snapshot.state}, ${snapshot.progress.filesTotal} in all):`,
        ...pairs.map((p) => `  ${p.url} -> ${p.path}`),
        ...(ranges.length > 0
          ? [`  ranges: ${ranges.map((r) => `${r.offset}:${r.length === "EOF" ? "eof" : r.length}`).join(", ")}`]
          : []),
      ].join("\n"),
  );
  return ExitCode.Ok;
}

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

/** `--from-file`, shared by download and add-file. */
const FROM_FILE = {
  type: "string",
  value: "LIST",
  multiple: true,
  description: 'A file list: "URL DEST" per line, # comments, "quoted paths" (repeatable)',
} as const;

/** The job-building commands, by name. */
export const BUILD_COMMANDS: Readonly<Record<string, Command>> = {
  create: {
    summary: "Create an empty, suspended job and print its id (add files with add-file, start it with resume)",
    positionals: ["name"],
    options: {
      type: { type: "string", value: "TYPE", description: "download (default), upload or upload-reply" },
      description: DESCRIPTION_OPTION,
      ...CREATION_OPTIONS,
    },
    examples: [
      'create "nightly backup"',
      'create "driver pack" --priority foreground --description "Fabrikam drivers 2.1"',
      'create "intranet" --header "Authorization: Bearer %TOKEN%" --credentials-scheme NEGOTIATE --json',
      'create "report upload" --type upload --json',
    ],
    run: (ctx, { args, options }) => create(ctx, args.name, options),
  },
  "add-file": {
    summary: "Add files to a job in one call (URL DEST pairs or --from-file), or one file with byte --ranges",
    positionals: ["id"],
    rest: "url dest",
    options: {
      root: ROOT_OPTION,
      "from-file": FROM_FILE,
      range: {
        type: "string",
        value: "OFFSET:LENGTH",
        multiple: true,
        description: "Only these bytes of the (single) file; LENGTH may be eof (repeatable, up to 500)",
      },
      overwrite: OVERWRITE_OPTION,
    },
    examples: [
      'add-file "nightly backup" https://example.com/a.iso C:\\Downloads\\a.iso',
      "add-file 0f3c1c2e https://example.com/a.zip C:\\Downloads\\a.zip https://example.com/b.zip C:\\Downloads\\b.zip",
      "add-file {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10} --from-file C:\\Jobs\\files.txt --json",
      "add-file 0f3c1c2e https://example.com/big.bin C:\\Downloads\\head.bin --range 0:1048576 --range 5242880:eof",
    ],
    run: (ctx, { args, rest, options }) => addFile(ctx, args.id, rest ?? [], options),
  },
  upload: {
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
  },
};

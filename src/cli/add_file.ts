/**
 * `bits add-file`: files into an existing job in one AddFileSet call
 * (bitsadmin's `/addfile`, `/addfileset`), or one file with byte ranges
 * (`/addfilewithranges`).
 *
 * @module
 */

import { checkRanges } from "../files.ts";
import { checkDestination } from "../create_job.ts";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import { checkLocalPath } from "../validate.ts";
import {
  type Command,
  FROM_FILE_OPTION,
  OVERWRITE_OPTION,
  type ParsedArgs,
  ROOT_OPTION,
  UsageError,
} from "./command.ts";
import { type Context, emit } from "./context.ts";
import { rootOption } from "./destination.ts";
import { ExitCode } from "./exit_codes.ts";
import { pairsFromArguments, parseRanges, readFileLists, resolvePairs } from "./file_list.ts";

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

/** The `add-file` command. */
export const command: Command = {
  summary: "Add files to a job in one call (URL DEST pairs or --from-file), or one file with byte --ranges",
  positionals: ["id"],
  rest: "url dest",
  options: {
    root: ROOT_OPTION,
    "from-file": FROM_FILE_OPTION,
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
};

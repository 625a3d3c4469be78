/**
 * `bits download`: one download job for one or many files (URL → destination
 * pairs and `--from-file` lists, added in one AddFileSet call), resumed, and
 * with `--wait` waited for, checked (`--sha256`, `--size`) and completed.
 *
 * @module
 */

import { basename } from "node:path";
import { connect } from "../manager.ts";
import {
  type Command,
  DESCRIPTION_OPTION,
  FROM_FILE_OPTION,
  MAX_TRANSIENT_ERRORS_OPTION,
  OVERWRITE_OPTION,
  type ParsedArgs,
  ROOT_OPTION,
  UsageError,
  WAIT_TIMEOUT_OPTION,
} from "./command.ts";
import { type Context, emit } from "./context.ts";
import { transientErrorLimit } from "./option_values.ts";
import { durationOption } from "./duration.ts";
import { rootOption } from "./destination.ts";
import { logger } from "./log.ts";
import { CREATION_OPTIONS, prepareCreationProperties } from "./creation_options.ts";
import { ExitCode } from "./exit_codes.ts";
import { pairsFromArguments, readFileLists, resolvePairs } from "./file_list.ts";
import { formatBytes } from "./format.ts";
import { waitWithProgress } from "./wait_progress.ts";
import { expectationOptions } from "./file_expectation.ts";

/**
 * `download`: one download job for one or many files (URL → destination
 * pairs and `--from-file` lists, added in one AddFileSet call), resumed, and
 * with `--wait` waited for and completed. The library cancels the job if
 * anything fails after it was created, so nothing half-built stays queued.
 */
export async function download(
  ctx: Context,
  args: readonly string[],
  options: ParsedArgs["options"],
): Promise<number> {
  const timeout = durationOption(options.timeout, "timeout", WAIT_TIMEOUT_OPTION, "download");
  if (timeout !== undefined && options.wait !== true) throw new UsageError("--timeout needs --wait", "download");
  const limit = transientErrorLimit(options["max-transient-errors"]);
  if (limit !== undefined && options.wait !== true) {
    throw new UsageError("--max-transient-errors needs --wait", "download");
  }
  const expectation = expectationOptions(options, "download");
  if (expectation && options.wait !== true) throw new UsageError("--sha256 and --size need --wait", "download");
  const given = [...pairsFromArguments(args, "download"), ...await readFileLists(options["from-file"], "download")];
  if (given.length === 0) throw new UsageError("download: missing <url> <dest> (or --from-file LIST)", "download");
  if (expectation && given.length !== 1) {
    throw new UsageError(`--sha256 and --size need exactly one file; this download has ${given.length}`, "download");
  }
  const pairs = resolvePairs(given);
  const { properties, names } = await prepareCreationProperties(ctx, options, "download");
  using bits = await connect();
  const first = basename(pairs[0].path);
  using job = await bits.download(pairs.map(({ url, path }) => ({ url, path })), {
    displayName: typeof options.name === "string"
      ? options.name
      : pairs.length === 1
      ? first
      : `${first} +${pairs.length - 1}`,
    description: typeof options.description === "string" ? options.description : "",
    overwrite: options.overwrite === true,
    root: rootOption(options.root),
    properties,
  });
  logger.debug("Created job {id} with {count} files", { id: job.id, count: pairs.length });
  const listed = pairs.map(({ url, path }) => ({ url, path }));
  if (options.wait !== true) {
    const snapshot = await job.snapshot();
    emit(
      ctx,
      { job: snapshot, files: listed, set: names },
      () =>
        pairs.length === 1 ? `Created job ${job.id} (${snapshot.state}): ${pairs[0].url} -> ${pairs[0].path}` : [
          `Created job ${job.id} (${snapshot.state}) with ${pairs.length} files:`,
          ...pairs.map((p) => `  ${p.url} -> ${p.path}`),
        ].join("\n"),
    );
    return ExitCode.Ok;
  }
  const final = await waitWithProgress(ctx, job, timeout, limit);
  const outcome = await job.complete({ expect: expectation ? [{ ...expectation, path: pairs[0].path }] : [] });
  const files: { url: string; path: string; bytes: number | null }[] = [];
  for (const file of listed) {
    // A file BITS could not move into place (a partial completion) has no size to report.
    const bytes = await Deno.stat(file.path).then((info) => info.size, () => null);
    files.push({ ...file, bytes });
  }
  emit(ctx, { job: final, outcome, files, set: names }, () => {
    const done = outcome === "completed" ? "Completed" : `Completed (${outcome})`;
    const size = (bytes: number | null): string => bytes === null ? "missing" : formatBytes(bytes);
    return files.length === 1
      ? `${done} job ${job.id}: ${size(files[0].bytes)} -> ${files[0].path}`
      : [`${done} job ${job.id}:`, ...files.map((f) => `  ${size(f.bytes)} -> ${f.path}`)].join("\n");
  });
  return outcome === "partial" ? ExitCode.Failure : ExitCode.Ok;
}

/** The `download` command. */
export const command: Command = {
  summary: "Create one download job for one or many files (URL DEST pairs or --from-file), resume it, optionally wait",
  positionals: [],
  rest: "url dest",
  options: {
    root: ROOT_OPTION,
    "from-file": FROM_FILE_OPTION,
    name: {
      type: "string",
      value: "NAME",
      description: "Display name (default: the destination file name; several files: the first + the count)",
    },
    description: DESCRIPTION_OPTION,
    overwrite: OVERWRITE_OPTION,
    wait: { type: "boolean", short: "w", description: "Wait for the transfer, then complete the job" },
    timeout: WAIT_TIMEOUT_OPTION,
    "max-transient-errors": {
      ...MAX_TRANSIENT_ERRORS_OPTION,
      description: `With --wait: ${MAX_TRANSIENT_ERRORS_OPTION.description}`,
    },
    sha256: {
      type: "string",
      value: "HEX",
      description: "With --wait, one file only: its SHA-256; a mismatch is removed (exit 1)",
    },
    size: {
      type: "string",
      value: "BYTES",
      description: "With --wait, one file only: its exact size; a mismatch is removed",
    },
    ...CREATION_OPTIONS,
  },
  examples: [
    "download https://example.com/a.iso C:\\Downloads\\a.iso",
    "download https://example.com/a.iso C:\\Downloads\\a.iso https://example.com/a.iso.sig C:\\Downloads\\a.iso.sig --wait",
    "download --from-file C:\\Jobs\\nightly.txt --name nightly --wait --timeout 1h --max-transient-errors 5",
    "download https://example.com/a.iso a.iso --wait --sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "download https://example.com/a.iso a.iso --json",
    "download \\\\fileserver\\builds\\setup.msi C:\\Installers\\ --wait",
    'download https://intranet.example/a.iso C:\\Downloads\\ --credentials-scheme BASIC --username alice --password-env BITS_PASSWORD --header "X-Tenant: contoso" --priority FOREGROUND --wait',
  ],
  run: (ctx, { rest, options }) => download(ctx, rest ?? [], options),
};

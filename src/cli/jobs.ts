/**
 * The job commands: download, list, info, complete, cancel.
 *
 * @module
 */

import { basename } from "node:path";
import { formatHresult } from "../hresult.ts";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import { checkExpectation, type FileExpectation } from "../integrity.ts";
import type { ExpectedFile } from "../verified_complete.ts";
import type { DetailsField, JobDetails } from "../inspection.ts";
import type { JobPropertiesSnapshot } from "../properties.ts";
import { JOB_STATES, type JobFile, type JobSnapshot } from "../types.ts";
import { UsageError } from "./args.ts";
import {
  ALL_USERS_OPTION,
  type Command,
  DESCRIPTION_OPTION,
  FORCE_OPTION,
  MAX_TRANSIENT_ERRORS_OPTION,
  OVERWRITE_OPTION,
  type ParsedArgs,
  ROOT_OPTION,
  WAIT_TIMEOUT_OPTION,
} from "./command.ts";
import { type Context, emit, integerOption, transientErrorLimit } from "./context.ts";
import { durationOption } from "./duration.ts";
import { rootOption } from "./destination.ts";
import { logger } from "./log.ts";
import { CREATION_OPTIONS, prepareCreationProperties } from "./creation_options.ts";
import { ExitCode } from "./exit_codes.ts";
import { pairsFromArguments, readFileLists, resolvePairs } from "./file_list.ts";
import { formatBytes, knownTotal, table } from "./format.ts";
import { waitWithProgress } from "./monitor.ts";
import { nameMatcher, newestFirst, parseStates } from "./filters.ts";

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

/** A listed job: its snapshot, and its times where BITS reports them. */
export interface ListedJob extends JobSnapshot {
  /** When the job was created; `null` where BITS does not say (Wine). */
  readonly creationTime: Date | null;
  /** When the job last changed; `null` where BITS does not say (Wine). */
  readonly modificationTime: Date | null;
}

/** A time for people: local `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${
    p(date.getMinutes())
  }:${p(date.getSeconds())}`;
}

/** `list`: the queue (or the jobs matching `--state` and `--name`), newest first. */
export async function list(ctx: Context, options: ParsedArgs["options"]): Promise<number> {
  const states = parseStates(options.state, "list");
  const matches = typeof options.name === "string" ? nameMatcher(options.name) : undefined;
  using bits = await connect();
  // The whole queue with its times in one FFI call.
  const queue = await bits.listJobsWithTimes({ allUsers: options["all-users"] === true });
  const jobs: ListedJob[] = newestFirst(
    queue
      .filter((job) => (!states || states.has(job.state)) && (!matches || matches(job.displayName)))
      .map(({ times, ...snapshot }) => ({
        ...snapshot,
        creationTime: times?.creationTime ?? null,
        modificationTime: times?.modificationTime ?? null,
      })),
    (job) => job.creationTime,
  );
  const dated = jobs.some((j) => j.creationTime !== null);
  emit(ctx, { jobs }, () =>
    jobs.length === 0 ? (states || matches ? "No matching jobs." : "No jobs.") : table([
      ["ID", "STATE", "BYTES", "FILES", ...(dated ? ["CREATED"] : []), "NAME"],
      ...jobs.map((j) => [
        j.id,
        j.state,
        j.progress.bytesTotal === null
          ? formatBytes(j.progress.bytesTransferred)
          : `${formatBytes(j.progress.bytesTransferred)}/${formatBytes(j.progress.bytesTotal)}`,
        `${j.progress.filesTransferred}/${j.progress.filesTotal}`,
        ...(dated ? [j.creationTime ? formatTime(j.creationTime) : "?"] : []),
        j.displayName,
      ]),
    ]));
  return ExitCode.Ok;
}

/**
 * A properties snapshot fit to print: custom header values are replaced by
 * `(hidden)`, since they often carry tokens (names stay, to show what is set).
 */
export function redactProperties(properties: JobPropertiesSnapshot): JobPropertiesSnapshot {
  const headers = properties.values.customHeaders;
  if (headers === undefined) return properties;
  return {
    ...properties,
    values: {
      ...properties.values,
      customHeaders: headers.map((header) => {
        const colon = header.indexOf(":");
        return `${colon < 0 ? header : header.slice(0, colon)}: (hidden)`;
      }),
    },
  };
}

/** `info`: one job's snapshot and files; with `--verbose` also its details and properties. */
export async function info(ctx: Context, id: string, verbose: boolean): Promise<number> {
  using bits = await connect();
  using job = await resolveJob(bits, id);
  const snapshot = await job.snapshot();
  const files = await job.files();
  if (!verbose) {
    emit(ctx, { job: snapshot, files }, () => describeJob(snapshot, files));
    return ExitCode.Ok;
  }
  const details = await job.details();
  const properties = redactProperties(await job.properties());
  emit(
    ctx,
    { job: snapshot, files, details, properties },
    () => [describeJob(snapshot, files), describeDetails(details), describeProperties(properties)].join("\n"),
  );
  return ExitCode.Ok;
}

function describeDetails(d: JobDetails): string {
  const time = (date: Date | null): string => date ? formatTime(date) : "-";
  const unknown = (field: DetailsField): string => d.unsupported.includes(field) ? "(not supported by this BITS)" : "-";
  const rows: string[][] = [
    ["Created", d.creationTime ? formatTime(d.creationTime) : unknown("times")],
    ["Modified", d.modificationTime ? formatTime(d.modificationTime) : unknown("times")],
    ["Transferred at", d.unsupported.includes("times") ? unknown("times") : time(d.transferCompletionTime)],
    [
      "Owner",
      d.ownerSid === null ? unknown("owner") : d.ownerAccount ? `${d.ownerAccount} (${d.ownerSid})` : d.ownerSid,
    ],
    ["Integrity", d.ownerIntegrityLevel ?? unknown("ownerIntegrityLevel")],
    ["Elevated", d.ownerElevated === null ? unknown("ownerElevated") : d.ownerElevated ? "yes" : "no"],
    ["Error count", d.errorCount === null ? unknown("errorCount") : String(d.errorCount)],
  ];
  if (d.error) {
    const e = d.error;
    rows.push(["Error", `${e.code} (${formatHresult(e.hresult)}) in ${e.context}: ${e.description}`]);
    if (e.file) rows.push(["Error file", `${e.file.remoteName} -> ${e.file.localName}`]);
    if (e.protocol) rows.push(["Error protocol", e.protocol]);
    if (e.localizedDescription) rows.push(["BITS says", e.localizedDescription]);
    if (e.contextDescription) rows.push(["Context", e.contextDescription]);
    if (e.hint) rows.push(["Hint", e.hint]);
  }
  return table(rows.map(([k, v]) => [`${k}:`, v]));
}

function propertyText(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) return value.length ? value.map(propertyText).join(", ") : "(none)";
  if (typeof value === "object") {
    return Object.entries(value).map(([k, v]) => `${k}=${propertyText(v)}`).join(" ");
  }
  return String(value);
}

function describeProperties(p: JobPropertiesSnapshot): string {
  const rows = Object.entries(p.values).map(([name, value]) => [`  ${name}`, propertyText(value)]);
  return [
    "Properties:",
    table(rows),
    ...(p.unsupported.length ? [`  not supported by this BITS: ${p.unsupported.join(", ")}`] : []),
  ].join("\n");
}

function describeJob(s: JobSnapshot, files: readonly JobFile[]): string {
  const total = knownTotal(s, files);
  const rows: string[][] = [
    ["ID", s.id],
    ["Name", s.displayName],
    ["Description", s.description],
    ["Type", s.type],
    ["State", s.state],
    ["Bytes", total === null ? formatBytes(s.progress.bytesTransferred) : `${s.progress.bytesTransferred} / ${total}`],
    ["Files", `${s.progress.filesTransferred} / ${s.progress.filesTotal}`],
  ];
  if (s.error) {
    rows.push([
      "Error",
      `${s.error.code} (${formatHresult(s.error.hresult)}) in ${s.error.context}: ${s.error.description}`,
    ]);
  }
  const lines = [table(rows.map(([k, v]) => [`${k}:`, v]))];
  for (const f of files) {
    const size = f.bytesTotal === null ? "?" : String(f.bytesTotal);
    lines.push(`  ${f.completed ? "done" : "    "}  ${f.bytesTransferred}/${size}  ${f.remoteName} -> ${f.localName}`);
  }
  return lines.join("\n");
}

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

/** `cancel`: cancels a job (refused for WMP_JOB jobs unless forced). */
export async function cancel(ctx: Context, id: string, force: boolean): Promise<number> {
  using bits = await connect();
  using job = await resolveJob(bits, id);
  const outcome = await job.cancel({ force });
  emit(
    ctx,
    { id: job.id, outcome },
    () =>
      outcome === "cancelled" ? `Cancelled job ${job.id}` : `Cancelled job ${job.id}; some files could not be deleted`,
  );
  return ExitCode.Ok;
}

/** `--sha256` / `--size` as an expectation; `undefined` when neither is given. */
function expectationOptions(options: ParsedArgs["options"], command: string): FileExpectation | undefined {
  const sha256 = typeof options.sha256 === "string" ? options.sha256 : undefined;
  const size = integerOption(options.size, "size");
  if (sha256 === undefined && size === undefined) return undefined;
  try {
    return checkExpectation({ sha256, size }, "--sha256/--size");
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`, command);
  }
}

/** The job commands, by name. */
export const JOB_COMMANDS: Readonly<Record<string, Command>> = {
  download: {
    summary:
      "Create one download job for one or many files (URL DEST pairs or --from-file), resume it, optionally wait",
    positionals: [],
    rest: "url dest",
    options: {
      root: ROOT_OPTION,
      "from-file": {
        type: "string",
        value: "LIST",
        multiple: true,
        description: 'A file list: "URL DEST" per line, # comments, "quoted paths" (repeatable)',
      },
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
  },
  list: {
    summary: "List the jobs in the queue, newest first; filter by state and display name",
    positionals: [],
    options: {
      state: {
        type: "string",
        value: "STATE[,STATE…]",
        multiple: true,
        description: `Only jobs in these states (any case): ${JOB_STATES.join(", ")}`,
      },
      name: {
        type: "string",
        value: "PATTERN",
        description: "Only jobs whose display name contains PATTERN (any case); with * or ? a glob over the whole name",
      },
      "all-users": ALL_USERS_OPTION,
    },
    examples: [
      "list",
      "list --state error,transient_error",
      'list --name "nightly*" --json',
      "list --all-users --state TRANSFERRED",
    ],
    run: (ctx, { options }) => list(ctx, options),
  },
  info: {
    summary: "Show one job's state, progress, error and files; with --verbose also times, owner and properties",
    positionals: ["id"],
    options: {},
    examples: [
      "info {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}",
      "info 0f3c1c2e --json",
      'info "nightly backup" --verbose',
      "info 0f3c1c2e --verbose --json",
    ],
    run: (ctx, { args, options }) => info(ctx, args.id, options.verbose === true),
  },
  complete: {
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
  },
  cancel: {
    summary: "Cancel a job and delete its temporary files",
    positionals: ["id"],
    options: { force: FORCE_OPTION },
    examples: ["cancel {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}", 'cancel "nightly backup"'],
    run: (ctx, { args, options }) => cancel(ctx, args.id, options.force === true),
  },
};

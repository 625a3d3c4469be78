/**
 * The CLI: commands, output (human on a terminal, JSON with `--json`), exit
 * codes and logging setup. `cli.ts` calls {@linkcode main}.
 *
 * @module
 */

import { basename, resolve } from "node:path";
import { configure, getLogger, getTextFormatter, type LogLevel, reset } from "@logtape/logtape";
import denoJson from "../../deno.json" with { type: "json" };
import { loadShim } from "../../ffi/library.ts";
import { SHIM_ABI_VERSION } from "../../ffi/symbols.ts";
import { BitsError, BitsUnavailableError, InvalidArgumentError } from "../errors.ts";
import { formatHresult } from "../hresult.ts";
import type { BitsJob } from "../job.ts";
import { connect } from "../manager.ts";
import { wineVersion } from "../platform.ts";
import type { JobFile, JobSnapshot } from "../types.ts";
import { checkRemoteUrl } from "../validate.ts";
import { helpText, parseCommandLine, type ParsedArgs, parseSeconds, UsageError } from "./args.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, knownTotal, table } from "./format.ts";
import { ProgressReporter } from "./progress.ts";

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal (live progress, colours). */
  readonly stderrIsTerminal: boolean;
}

const encoder = new TextEncoder();

/** The process's real streams. */
export function processIo(): CliIo {
  return {
    stdout: (text) => Deno.stdout.writeSync(encoder.encode(text)),
    stderr: (text) => Deno.stderr.writeSync(encoder.encode(text)),
    stderrIsTerminal: Deno.stderr.isTerminal(),
  };
}

const PROGRAM = "bits";
const logger = getLogger(["deno-bits", "cli"]);

interface Context {
  readonly io: CliIo;
  readonly json: boolean;
  readonly quiet: boolean;
}

/** Prints a JSON document (with `"version": 1`) or human text. */
function emit(ctx: Context, document: Record<string, unknown>, human: () => string): void {
  if (ctx.json) ctx.io.stdout(JSON.stringify({ version: 1, ...document }, null, 2) + "\n");
  else if (!ctx.quiet) ctx.io.stdout(human() + "\n");
}

/**
 * Runs the CLI with `argv` (without the program name) and returns the exit
 * code. Never throws: every error is printed and mapped to an exit code.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let parsed: ParsedArgs;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    return reportError({ io, json: argv.includes("--json"), quiet: false }, error);
  }
  const ctx: Context = { io, json: parsed.options.json === true, quiet: parsed.options.quiet === true };
  await configureLogging(io, parsed.options.verbose === true ? "debug" : ctx.quiet ? "error" : "warning");
  try {
    return await run(ctx, parsed);
  } catch (error) {
    return reportError(ctx, error);
  } finally {
    await reset();
  }
}

async function configureLogging(io: CliIo, lowestLevel: LogLevel): Promise<void> {
  const format = getTextFormatter();
  await configure({
    reset: true,
    sinks: { stderr: (record) => io.stderr(format(record)) },
    loggers: [
      { category: ["deno-bits"], lowestLevel, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}

async function run(ctx: Context, parsed: ParsedArgs): Promise<number> {
  const { args, options } = parsed;
  switch (parsed.command) {
    case "help":
      ctx.io.stdout(helpText(PROGRAM, args.command) + "\n");
      return ExitCode.Ok;
    case "version":
      return version(ctx);
    case "download":
      return await download(ctx, args.url, args.dest, options);
    case "list":
      return await list(ctx, options["all-users"] === true);
    case "info":
      return await info(ctx, args.id);
    case "complete":
      return await complete(ctx, args.id);
    case "cancel":
      return await cancel(ctx, args.id);
  }
  throw new UsageError(`Unknown command ${JSON.stringify(parsed.command)}`);
}

function version(ctx: Context): number {
  let shim: Record<string, unknown>;
  try {
    const loaded = loadShim();
    shim = { abi: SHIM_ABI_VERSION, path: String(loaded.candidate.location), wine: wineVersion() };
  } catch (error) {
    shim = { unavailable: error instanceof Error ? error.message.split("\n")[0] : String(error) };
  }
  emit(ctx, { module: denoJson.version, deno: Deno.version.deno, shim }, () =>
    [
      `deno-bits ${denoJson.version} (deno ${Deno.version.deno})`,
      shim.unavailable
        ? `shim: unavailable: ${shim.unavailable}`
        : `shim: ABI ${shim.abi}, ${shim.path}${shim.wine ? `, Wine ${shim.wine}` : ""}`,
    ].join("\n"));
  return ExitCode.Ok;
}

async function download(
  ctx: Context,
  url: string,
  dest: string,
  options: ParsedArgs["options"],
): Promise<number> {
  checkRemoteUrl(url);
  const timeout = parseSeconds(options.timeout, "timeout");
  if (timeout !== undefined && options.wait !== true) throw new UsageError("--timeout needs --wait", "download");
  using bits = await connect();
  const path = resolve(dest);
  using job = await bits.download([{ url, path }], {
    displayName: typeof options.name === "string" ? options.name : basename(path),
    description: typeof options.description === "string" ? options.description : "",
    overwrite: options.overwrite === true,
  });
  logger.debug("Created job {id} for {url} -> {path}", { id: job.id, url, path });
  if (options.wait !== true) {
    const snapshot = await job.snapshot();
    emit(ctx, { job: snapshot }, () => `Created job ${job.id} (${snapshot.state}): ${url} -> ${path}`);
    return ExitCode.Ok;
  }
  const final = await waitWithProgress(ctx, job, timeout);
  const outcome = await job.complete();
  const files = [{ path, bytes: (await Deno.stat(path)).size }];
  emit(
    ctx,
    { job: final, outcome, files },
    () =>
      `${outcome === "completed" ? "Completed" : `Completed (${outcome})`} job ${job.id}: ${
        formatBytes(files[0].bytes)
      } -> ${path}`,
  );
  return outcome === "partial" ? ExitCode.Failure : ExitCode.Ok;
}

/**
 * Waits for TRANSFERRED, drawing progress on stderr unless quiet or JSON.
 * Also reads the file list until every file's size is known, because BITS on
 * Wine never reports a job total.
 */
async function waitWithProgress(ctx: Context, job: BitsJob, timeout?: number): Promise<JobSnapshot> {
  const reporter = ctx.quiet || ctx.json ? undefined : new ProgressReporter(ctx.io.stderr, ctx.io.stderrIsTerminal);
  let files: JobFile[] | undefined;
  let reading: Promise<void> | undefined;
  const refreshFiles = (snapshot: JobSnapshot): void => {
    if (reading || snapshot.progress.bytesTotal !== null || (files && knownTotal(snapshot, files) !== null)) return;
    reading = job.files().then((f) => void (files = f), () => {}).finally(() => reading = undefined);
  };
  try {
    return await job.wait({
      timeout,
      interval: 200,
      onSnapshot: (snapshot) => {
        if (reporter) refreshFiles(snapshot);
        reporter?.update(snapshot, files);
      },
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new DOMException(`${error.message}; the job keeps running: '${PROGRAM} info ${job.id}'`, "TimeoutError");
    }
    throw error;
  } finally {
    await reading;
    reporter?.finish();
  }
}

async function list(ctx: Context, allUsers: boolean): Promise<number> {
  using bits = await connect();
  const jobs = await bits.listJobs({ allUsers });
  emit(ctx, { jobs }, () =>
    jobs.length === 0 ? "No jobs." : table([
      ["ID", "STATE", "BYTES", "FILES", "NAME"],
      ...jobs.map((j) => [
        j.id,
        j.state,
        j.progress.bytesTotal === null
          ? formatBytes(j.progress.bytesTransferred)
          : `${formatBytes(j.progress.bytesTransferred)}/${formatBytes(j.progress.bytesTotal)}`,
        `${j.progress.filesTransferred}/${j.progress.filesTotal}`,
        j.displayName,
      ]),
    ]));
  return ExitCode.Ok;
}

async function info(ctx: Context, id: string): Promise<number> {
  using bits = await connect();
  using job = await bits.getJob(id);
  const snapshot = await job.snapshot();
  const files = await job.files();
  emit(ctx, { job: snapshot, files }, () => describeJob(snapshot, files));
  return ExitCode.Ok;
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

async function complete(ctx: Context, id: string): Promise<number> {
  using bits = await connect();
  using job = await bits.getJob(id);
  const outcome = await job.complete();
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

async function cancel(ctx: Context, id: string): Promise<number> {
  using bits = await connect();
  using job = await bits.getJob(id);
  const outcome = await job.cancel();
  emit(
    ctx,
    { id: job.id, outcome },
    () =>
      outcome === "cancelled" ? `Cancelled job ${job.id}` : `Cancelled job ${job.id}; some files could not be deleted`,
  );
  return ExitCode.Ok;
}

/** The exit code and the hint for an error. */
export function classifyError(error: unknown): { code: number; hint?: string } {
  if (error instanceof UsageError) {
    return { code: ExitCode.Usage, hint: `see '${[PROGRAM, error.command, "--help"].filter(Boolean).join(" ")}'` };
  }
  if (error instanceof InvalidArgumentError) return { code: ExitCode.Usage };
  if (error instanceof DOMException && error.name === "TimeoutError") return { code: ExitCode.Timeout };
  if (error instanceof BitsUnavailableError) return { code: ExitCode.Failure };
  if (error instanceof BitsError) {
    if (error.code === "BG_E_NOT_FOUND") return { code: ExitCode.NotFound, hint: `'${PROGRAM} list' shows the queue` };
    if (error.state === "CANCELLED") return { code: ExitCode.NotFound };
    if (error.state === "ERROR" && error.jobId) {
      return {
        code: ExitCode.Failure,
        hint: `the job stays queued: '${PROGRAM} info ${error.jobId}', '${PROGRAM} cancel ${error.jobId}'`,
      };
    }
    return { code: ExitCode.Failure };
  }
  return { code: ExitCode.Failure };
}

function reportError(ctx: Context, error: unknown): number {
  const { code, hint } = classifyError(error);
  const err = error instanceof Error ? error : new Error(String(error));
  const name = err instanceof BitsError ? err.code : err.name;
  if (ctx.json) {
    const detail: Record<string, unknown> = { name, message: err.message };
    if (err instanceof BitsError) Object.assign(detail, { hresult: formatHresult(err.hresult), jobId: err.jobId });
    if (err instanceof InvalidArgumentError) detail.argument = err.argument;
    ctx.io.stdout(JSON.stringify({ version: 1, error: detail }, null, 2) + "\n");
  }
  // A BitsError's message already carries its symbolic name.
  ctx.io.stderr(`error: ${err.message.includes(name) ? "" : `${name}: `}${err.message}\n`);
  if (hint) ctx.io.stderr(`hint: ${hint}\n`);
  if (code === ExitCode.Failure && !(err instanceof BitsError) && !(err instanceof BitsUnavailableError)) {
    logger.debug("{stack}", { stack: err.stack ?? "" });
  }
  return code;
}

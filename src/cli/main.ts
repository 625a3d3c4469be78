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
import { BitsError, BitsUnavailableError, InvalidArgumentError, WmpJobOwnedError } from "../errors.ts";
import { formatHresult } from "../hresult.ts";
import type { BitsJob } from "../job.ts";
import { connect } from "../manager.ts";
import { wineVersion } from "../platform.ts";
import type { JobFile, JobSnapshot } from "../types.ts";
import { checkRemoteUrl } from "../validate.ts";
import { formatWmpDescription, newServiceId, WmpConventionError, type WmpMetadata } from "../wmp/codec.ts";
import { downloadCollection, WMP_DOWNLOAD_STATE_NAMES, WMP_ITEM_INFO_NAMES } from "../wmp/collection.ts";
import { LibraryFileExistsError } from "../wmp/library.ts";
import { getRefreshDownload, setRefreshDownload } from "../wmp/refresh.ts";
import { finishWmpStatusJob, submitWmpJob } from "../wmp/submit.ts";
import { helpText, parseCommandLine, type ParsedArgs, parseSeconds, UsageError } from "./args.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, knownTotal, table } from "./format.ts";
import { ProgressReporter } from "./progress.ts";
import { barView, jsonView, lineView, type WatchView } from "./watch_view.ts";
import type { WatchEvent } from "../watch/events.ts";
import { watch } from "../watch/watch.ts";

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
      return await complete(ctx, args.id, options.force === true);
    case "cancel":
      return await cancel(ctx, args.id, options.force === true);
    case "submit":
      return await submit(ctx, args.url, args.dest, options);
    case "wmp finish":
      return await wmpFinish(ctx, args.id, options);
    case "wmp list":
      return await wmpList(ctx, integerOption(options["service-id"], "service-id"));
    case "wmp refresh":
      return wmpRefresh(ctx, options);
    case "watch":
      return await watchCommand(ctx, parsed.rest ?? [], options);
    case "wait":
      return await waitCommand(ctx, args.id, options);
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

async function complete(ctx: Context, id: string, force: boolean): Promise<number> {
  using bits = await connect();
  using job = await bits.getJob(id);
  const outcome = await job.complete({ force });
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

async function cancel(ctx: Context, id: string, force: boolean): Promise<number> {
  using bits = await connect();
  using job = await bits.getJob(id);
  const outcome = await job.cancel({ force });
  emit(
    ctx,
    { id: job.id, outcome },
    () =>
      outcome === "cancelled" ? `Cancelled job ${job.id}` : `Cancelled job ${job.id}; some files could not be deleted`,
  );
  return ExitCode.Ok;
}

/** Parses an option that takes a whole number (digits only); `undefined` when absent. */
export function integerOption(value: string | boolean | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d{1,15}$/.test(value)) {
    throw new UsageError(`--${option} takes a whole number, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function requiredOption(value: string | boolean | undefined, option: string, command: string): string {
  if (typeof value !== "string") throw new UsageError(`${command}: --${option} is required`, command);
  return value;
}

function text(value: string | boolean | undefined): string {
  return typeof value === "string" ? value : "";
}

async function submit(ctx: Context, url: string, dest: string, options: ParsedArgs["options"]): Promise<number> {
  const metadata: WmpMetadata = {
    serviceId: integerOption(options["service-id"], "service-id") ?? newServiceId(),
    provider: requiredOption(options.provider, "provider", "submit"),
    albumArtist: text(options.artist),
    albumTitle: text(options.album),
    trackNumber: integerOption(requiredOption(options.track, "track", "submit"), "track") ?? 0,
    title: text(options.title),
    duration: integerOption(requiredOption(options.duration, "duration", "submit"), "duration") ?? 0,
    rating: integerOption(options.rating, "rating") ?? 0,
  };
  const kind = options.status === true ? "status" : "job";
  // Fails here, before BITS is touched, for anything the convention forbids.
  formatWmpDescription(metadata, { kind });
  checkRemoteUrl(url);
  using bits = await connect();
  const path = resolve(dest);
  using job = await submitWmpJob(bits, {
    url,
    path,
    metadata,
    kind,
    displayName: typeof options.name === "string" ? options.name : undefined,
    overwrite: options.overwrite === true,
  });
  const snapshot = await job.snapshot();
  if (!ctx.json && !ctx.quiet) {
    ctx.io.stderr("note: BITS descriptions are visible to every administrator; this job's metadata is too\n");
  }
  emit(ctx, { job: snapshot, kind, serviceId: metadata.serviceId }, () =>
    [
      `Submitted ${kind === "job" ? "WMP_JOB" : "WMP_STATUS"} job ${job.id} (service id ${metadata.serviceId})`,
      `Description: ${snapshot.description}`,
      kind === "job"
        ? "Windows Media Player finishes this job; enable its queue scan with 'bits wmp refresh --enable'."
        : `Finish it with '${PROGRAM} wmp finish ${job.id} --library <dir> --wait'.`,
    ].join("\n"));
  return ExitCode.Ok;
}

async function wmpFinish(ctx: Context, id: string, options: ParsedArgs["options"]): Promise<number> {
  const library = requiredOption(options.library, "library", "wmp finish");
  const timeout = parseSeconds(options.timeout, "timeout");
  if (timeout !== undefined && options.wait !== true) throw new UsageError("--timeout needs --wait", "wmp finish");
  using bits = await connect();
  using job = await bits.getJob(id);
  if (options.wait === true) await waitWithProgress(ctx, job, timeout);
  const finished = await finishWmpStatusJob(job, resolve(library));
  emit(ctx, { ...finished }, () => `Completed job ${job.id}; filed as ${finished.path}`);
  return ExitCode.Ok;
}

async function wmpList(ctx: Context, serviceId: number | undefined): Promise<number> {
  using bits = await connect();
  const invalid: { jobId: string; error: string }[] = [];
  const items = await downloadCollection(
    bits,
    serviceId,
    (jobId, error) => invalid.push({ jobId, error: error.message }),
  );
  const rows = items.map((item) => ({
    jobId: item.jobId,
    kind: item.kind,
    serviceId: item.metadata.serviceId,
    downloadState: item.downloadState,
    downloadStateName: WMP_DOWNLOAD_STATE_NAMES[item.downloadState],
    progress: item.progress,
    size: item.size,
    info: Object.fromEntries(WMP_ITEM_INFO_NAMES.map((name) => [name, item.getItemInfo(name)])),
  }));
  emit(ctx, { items: rows, invalid }, () =>
    [
      rows.length === 0 ? "No WMP jobs." : table([
        ["ID", "KIND", "SERVICE", "STATE", "BYTES", "ARTIST", "TITLE"],
        ...rows.map((r) => [
          r.jobId,
          r.kind,
          String(r.serviceId),
          r.downloadStateName,
          r.size ? `${formatBytes(r.progress)}/${formatBytes(r.size)}` : formatBytes(r.progress),
          r.info.AlbumArtist,
          r.info.Title,
        ]),
      ]),
      ...invalid.map((i) => `invalid WMP description on ${i.jobId}: ${i.error}`),
    ].join("\n"));
  return ExitCode.Ok;
}

function wmpRefresh(ctx: Context, options: ParsedArgs["options"]): number {
  if (options.enable === true && options.disable === true) {
    throw new UsageError("--enable and --disable exclude each other", "wmp refresh");
  }
  const state = options.enable === true
    ? setRefreshDownload(true)
    : options.disable === true
    ? setRefreshDownload(false)
    : getRefreshDownload();
  emit(
    ctx,
    { refreshDownload: state },
    () =>
      `RefreshDownload = ${state.value ?? "(not set)"}: the Player ${
        state.enabled ? "scans" : "does not scan"
      } the BITS queue for WMP jobs`,
  );
  return ExitCode.Ok;
}

/** Aborts on Ctrl+C (and SIGBREAK on Windows) until disposed, so commands end cleanly. */
function interruptSignal(): AbortController & Disposable {
  const controller = new AbortController();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM"];
  const onSignal = (): void => controller.abort(new DOMException("Interrupted", "AbortError"));
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  return Object.assign(controller, {
    [Symbol.dispose]: () => {
      for (const s of signals) Deno.removeSignalListener(s, onSignal);
    },
  });
}

async function watchCommand(ctx: Context, ids: readonly string[], options: ParsedArgs["options"]): Promise<number> {
  if (ids.length === 0 && options.all !== true) throw new UsageError("watch needs job ids or --all", "watch");
  if (ids.length > 0 && options.all === true) throw new UsageError("give job ids or --all, not both", "watch");
  const interval = parseSeconds(options.interval, "interval") ?? 1000;
  using bits = await connect();
  const jobs = [];
  try {
    for (const id of ids) jobs.push(await bits.getJob(id));
    const names = new Map<string, string>();
    for (const job of jobs) names.set(job.id, (await job.snapshot()).displayName);
    const totals = new Map<string, number | null>();
    const view0 = ctx.json
      ? jsonView(ctx.io.stdout)
      : ctx.quiet
      ? { show: () => {}, close: () => {} }
      : ctx.io.stderrIsTerminal
      ? barView(names, (id) => totals.get(id) ?? null)
      : lineView(ctx.io.stderr, names);
    // BITS on Wine never reports a job total: read the files' sizes once they are known.
    const reading = new Set<Promise<void>>();
    const fillTotal = (event: WatchEvent): void => {
      if (event.progress?.bytesTotal !== null || totals.has(event.jobId) || !ctx.io.stderrIsTerminal) return;
      if (event.state !== "TRANSFERRING" && event.state !== "TRANSFERRED") return;
      totals.set(event.jobId, null);
      const read: Promise<void> = bits.getJob(event.jobId).then(async (job) => {
        using owned = job;
        const files = await owned.files();
        if (files.length && files.every((f) => f.bytesTotal !== null)) {
          totals.set(event.jobId, files.reduce((sum, f) => sum + (f.bytesTotal ?? 0), 0));
        } else {
          totals.delete(event.jobId);
        }
      }).catch(() => void totals.delete(event.jobId)).finally(() => reading.delete(read));
      reading.add(read);
    };
    const view: WatchView = {
      show: (event) => {
        fillTotal(event);
        view0.show(event);
      },
      close: () => view0.close(),
    };
    using interrupt = interruptSignal();
    let failed = false;
    try {
      for await (
        const event of watch(options.all === true ? bits : jobs, {
          signal: interrupt.signal,
          pollInterval: interval,
          untilSettled: true,
        })
      ) {
        if (event.snapshot && !names.has(event.jobId)) names.set(event.jobId, event.snapshot.displayName);
        if (event.kind === "error") failed = true;
        view.show(event);
      }
    } finally {
      await Promise.all(reading);
      view.close();
    }
    if (interrupt.signal.aborted) return ExitCode.Ok;
    return failed ? ExitCode.Failure : ExitCode.Ok;
  } finally {
    for (const job of jobs) job.dispose();
  }
}

async function waitCommand(ctx: Context, id: string, options: ParsedArgs["options"]): Promise<number> {
  const timeout = parseSeconds(options.timeout, "timeout");
  const interval = parseSeconds(options.interval, "interval") ?? 1000;
  using bits = await connect();
  using job = await bits.getJob(id);
  using interrupt = interruptSignal();
  let snapshot: JobSnapshot;
  try {
    snapshot = await job.wait({ timeout, interval, signal: interrupt.signal });
  } catch (error) {
    if (error instanceof BitsError && error.state === "ACKNOWLEDGED") {
      // Another process completed it: the transfer is done.
      const done = await job.snapshot();
      emit(ctx, { job: done, outcome: "completed-elsewhere" }, () => `Job ${job.id} was completed by another process`);
      return ExitCode.Ok;
    }
    if (error instanceof BitsError && error.code === "BG_E_NOT_FOUND") {
      throw new BitsError(0x80200001, {
        operation: "Waiting (the job left the queue)",
        jobId: job.id,
        state: "CANCELLED",
      });
    }
    throw error;
  }
  if (options.complete !== true) {
    emit(
      ctx,
      { job: snapshot },
      () => `Job ${job.id} is TRANSFERRED; complete it with '${PROGRAM} complete ${job.id}'`,
    );
    return ExitCode.Ok;
  }
  const outcome = await job.complete();
  emit(ctx, { job: snapshot, outcome }, () => `Job ${job.id} transferred and ${outcome}`);
  return outcome === "partial" ? ExitCode.Failure : ExitCode.Ok;
}

/** The exit code and the hint for an error. */
export function classifyError(error: unknown): { code: number; hint?: string } {
  if (error instanceof UsageError) {
    return { code: ExitCode.Usage, hint: `see '${[PROGRAM, error.command, "--help"].filter(Boolean).join(" ")}'` };
  }
  if (error instanceof InvalidArgumentError || error instanceof WmpConventionError) return { code: ExitCode.Usage };
  if (error instanceof WmpJobOwnedError) return { code: ExitCode.Failure, hint: "add --force to override" };
  if (error instanceof LibraryFileExistsError) return { code: ExitCode.Failure, hint: "the job was left as it was" };
  if (error instanceof DOMException && error.name === "TimeoutError") return { code: ExitCode.Timeout };
  if (error instanceof DOMException && error.name === "AbortError") return { code: ExitCode.Failure };
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
    if (err instanceof WmpConventionError) detail.field = err.field;
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

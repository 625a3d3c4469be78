/**
 * The job commands: download, list, info, complete, cancel, version.
 *
 * @module
 */

import { basename, resolve } from "node:path";
import denoJson from "../../deno.json" with { type: "json" };
import { loadShim } from "../../ffi/library.ts";
import { SHIM_ABI_VERSION } from "../../ffi/symbols.ts";
import { formatHresult } from "../hresult.ts";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import { checkExpectation, type FileExpectation } from "../integrity.ts";
import type { ExpectedFile } from "../verified_complete.ts";
import { wineVersion } from "../platform.ts";
import type { JobFile, JobSnapshot } from "../types.ts";
import { checkRemoteUrl } from "../validate.ts";
import { type ParsedArgs, parseSeconds, UsageError } from "./args.ts";
import { type Context, emit, integerOption, logger } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, knownTotal, table } from "./format.ts";
import { waitWithProgress } from "./monitor.ts";

/** `version`: the module, Deno and shim versions. */
export function version(ctx: Context): number {
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

/** `download`: one-file download job, optionally waited for and completed. */
export async function download(
  ctx: Context,
  url: string,
  dest: string,
  options: ParsedArgs["options"],
): Promise<number> {
  checkRemoteUrl(url);
  const timeout = parseSeconds(options.timeout, "timeout");
  if (timeout !== undefined && options.wait !== true) throw new UsageError("--timeout needs --wait", "download");
  const expectation = expectationOptions(options, "download");
  if (expectation && options.wait !== true) throw new UsageError("--sha256 and --size need --wait", "download");
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
  const outcome = await job.complete({ expect: expectation ? [{ ...expectation, path }] : [] });
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

/** `list`: the queue, newest first. */
export async function list(ctx: Context, allUsers: boolean): Promise<number> {
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

/** `info`: one job's snapshot and files. */
export async function info(ctx: Context, id: string): Promise<number> {
  using bits = await connect();
  using job = await resolveJob(bits, id);
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

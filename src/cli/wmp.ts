/**
 * The Windows Media Player commands: submit, wmp finish, wmp list, wmp refresh.
 *
 * @module
 */

import { resolve } from "node:path";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import { checkRemoteUrl } from "../validate.ts";
import { formatWmpDescription, newServiceId, type WmpMetadata } from "../wmp/codec.ts";
import { downloadCollection, WMP_DOWNLOAD_STATE_NAMES, WMP_ITEM_INFO_NAMES } from "../wmp/collection.ts";
import { getRefreshDownload, setRefreshDownload } from "../wmp/refresh.ts";
import { finishWmpStatusJob, submitWmpJob } from "../wmp/submit.ts";
import { type ParsedArgs, parseSeconds, UsageError } from "./args.ts";
import { type Context, emit, integerOption, PROGRAM, requiredOption, text } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, table } from "./format.ts";
import { waitWithProgress } from "./monitor.ts";

/** `submit`: queues a Windows Media Player convention job. */
export async function submit(ctx: Context, url: string, dest: string, options: ParsedArgs["options"]): Promise<number> {
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

/** `wmp finish`: completes a WMP_STATUS job and files its media. */
export async function wmpFinish(ctx: Context, id: string, options: ParsedArgs["options"]): Promise<number> {
  const library = requiredOption(options.library, "library", "wmp finish");
  const timeout = parseSeconds(options.timeout, "timeout");
  if (timeout !== undefined && options.wait !== true) throw new UsageError("--timeout needs --wait", "wmp finish");
  using bits = await connect();
  using job = await resolveJob(bits, id);
  if (options.wait === true) await waitWithProgress(ctx, job, timeout);
  const finished = await finishWmpStatusJob(job, resolve(library));
  emit(ctx, { ...finished }, () => `Completed job ${job.id}; filed as ${finished.path}`);
  return ExitCode.Ok;
}

/** `wmp list`: the convention jobs as the Player's download collection. */
export async function wmpList(ctx: Context, serviceId: number | undefined): Promise<number> {
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

/** `wmp refresh`: shows or sets RefreshDownload. */
export function wmpRefresh(ctx: Context, options: ParsedArgs["options"]): number {
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

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
import { UsageError } from "./args.ts";
import {
  type Command,
  DURATION_VALUE,
  type OptionSpec,
  OVERWRITE_OPTION,
  type ParsedArgs,
  ROOT_OPTION,
  WAIT_TIMEOUT_OPTION,
} from "./command.ts";
import { type Context, emit, integerOption, PROGRAM, requiredOption, text } from "./context.ts";
import { CREATION_OPTIONS, prepareCreationProperties } from "./creation_options.ts";
import { destinationPath, rootOption } from "./destination.ts";
import { durationOption } from "./duration.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, table } from "./format.ts";
import { waitWithProgress } from "./monitor.ts";

/** `submit --duration`: the track's playing time, whole seconds (the convention's field), 0 allowed. */
const TRACK_DURATION_OPTION: OptionSpec = {
  type: "string",
  value: DURATION_VALUE,
  duration: { bare: "s", zero: true },
  description: "Playing time in whole seconds: 245, or 4m, 90s (required)",
};

/** The `--duration` value in whole seconds. */
function trackSeconds(value: string): number {
  const ms = durationOption(value, "duration", TRACK_DURATION_OPTION, "submit") ?? 0;
  if (ms % 1000 !== 0) {
    throw new UsageError(`submit: --duration: takes whole seconds, got ${JSON.stringify(value)}`, "submit");
  }
  return ms / 1000;
}

/** `submit`: queues a Windows Media Player convention job. */
export async function submit(ctx: Context, url: string, dest: string, options: ParsedArgs["options"]): Promise<number> {
  const metadata: WmpMetadata = {
    serviceId: integerOption(options["service-id"], "service-id") ?? newServiceId(),
    provider: requiredOption(options.provider, "provider", "submit"),
    albumArtist: text(options.artist),
    albumTitle: text(options.album),
    trackNumber: integerOption(requiredOption(options.track, "track", "submit"), "track") ?? 0,
    title: text(options.title),
    duration: trackSeconds(requiredOption(options.duration, "duration", "submit")),
    rating: integerOption(options.rating, "rating") ?? 0,
  };
  const kind = options.status === true ? "status" : "job";
  // Fails here, before BITS is touched, for anything the convention forbids.
  formatWmpDescription(metadata, { kind });
  checkRemoteUrl(url);
  const path = destinationPath(url, dest, "submit");
  const { properties, names } = await prepareCreationProperties(ctx, options, "submit");
  using bits = await connect();
  using job = await submitWmpJob(bits, {
    url,
    path,
    metadata,
    kind,
    displayName: typeof options.name === "string" ? options.name : undefined,
    overwrite: options.overwrite === true,
    root: rootOption(options.root),
    properties,
  });
  const snapshot = await job.snapshot();
  if (!ctx.json && !ctx.quiet) {
    ctx.io.stderr("note: BITS descriptions are visible to every administrator; this job's metadata is too\n");
  }
  emit(ctx, { job: snapshot, kind, serviceId: metadata.serviceId, set: names }, () =>
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
  const timeout = durationOption(options.timeout, "timeout", WAIT_TIMEOUT_OPTION, "wmp finish");
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

/** The Windows Media Player commands, by name. */
export const WMP_COMMANDS: Readonly<Record<string, Command>> = {
  submit: {
    summary: "Queue a Windows Media Player convention job for one media file (.wma, .wmv, .mp3, .asf)",
    positionals: ["url", "dest"],
    options: {
      root: ROOT_OPTION,
      provider: { type: "string", value: "KEY", description: "Online store key name (required)" },
      artist: { type: "string", value: "TEXT", description: "Album artist" },
      album: { type: "string", value: "TEXT", description: "Album title" },
      track: { type: "string", value: "N", description: "Track number, 1 or more (required)" },
      title: { type: "string", value: "TEXT", description: "Track title" },
      duration: TRACK_DURATION_OPTION,
      rating: { type: "string", value: "R", description: "User rating: 0, 1, 25, 50, 75 or 99 (default 0)" },
      "service-id": { type: "string", value: "N", description: "Service id 1..2147483647 (default: random)" },
      status: { type: "boolean", description: "WMP_STATUS: the Player only shows progress; finish with 'wmp finish'" },
      name: { type: "string", value: "NAME", description: "Display name (default: the title)" },
      overwrite: OVERWRITE_OPTION,
      ...CREATION_OPTIONS,
    },
    examples: [
      'submit https://store.example/t/3.wma C:\\Music\\Incoming\\3.wma --provider Proseware --artist "Example Artist" --album "Example Album" --track 3 --title "Example Track" --duration 245 --rating 75',
      "submit https://store.example/t/3.mp3 3.mp3 --provider Proseware --track 3 --duration 245 --status --service-id 305419896 --json",
    ],
    run: (ctx, { args, options }) => submit(ctx, args.url, args.dest, options),
  },
  "wmp finish": {
    summary: "Complete a WMP_STATUS job and file its media as <Artist>\\<Album>\\<NN> <Title>.<ext>",
    positionals: ["id"],
    options: {
      library: { type: "string", value: "DIR", description: "Library root (required)" },
      wait: { type: "boolean", short: "w", description: "Wait for the transfer first" },
      timeout: WAIT_TIMEOUT_OPTION,
    },
    examples: [
      "wmp finish {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10} --library C:\\Users\\me\\Music --wait",
      'wmp finish 0f3c1c2e --library "D:\\Media\\Music" --wait --timeout 10m --json',
    ],
    run: (ctx, { args, options }) => wmpFinish(ctx, args.id, options),
  },
  "wmp list": {
    summary: "Show the convention jobs in the queue, as the Player's download collection",
    positionals: [],
    options: { "service-id": { type: "string", value: "N", description: "Only this service's jobs" } },
    examples: ["wmp list", "wmp list --service-id 305419896 --json"],
    run: (ctx, { options }) => wmpList(ctx, integerOption(options["service-id"], "service-id")),
  },
  "wmp refresh": {
    summary: "Show or set RefreshDownload (HKCU): whether the Player scans the BITS queue",
    positionals: [],
    options: {
      enable: { type: "boolean", description: "Set RefreshDownload to 1" },
      disable: { type: "boolean", description: "Set RefreshDownload to 0" },
      status: { type: "boolean", description: "Show the value (the default)" },
    },
    examples: ["wmp refresh --status", "wmp refresh --enable --json"],
    run: (ctx, { options }) => wmpRefresh(ctx, options),
  },
};

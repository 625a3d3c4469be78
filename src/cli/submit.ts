/**
 * `bits submit`: queues a job of the Windows Media Player download convention
 * for one media file (WMP_JOB, or WMP_STATUS with `--status`).
 *
 * @module
 */

import { connect } from "../manager.ts";
import { checkRemoteUrl } from "../validate.ts";
import { formatWmpDescription, newServiceId, type WmpMetadata } from "../wmp/codec.ts";
import { submitWmpJob } from "../wmp/submit.ts";
import {
  type Command,
  DURATION_VALUE,
  type OptionSpec,
  OVERWRITE_OPTION,
  type ParsedArgs,
  ROOT_OPTION,
  UsageError,
} from "./command.ts";
import { type Context, emit, PROGRAM } from "./context.ts";
import { integerOption, requiredOption, text } from "./option_values.ts";
import { CREATION_OPTIONS, prepareCreationProperties } from "./creation_options.ts";
import { destinationPath, rootOption } from "./destination.ts";
import { durationOption } from "./duration.ts";
import { ExitCode } from "./exit_codes.ts";

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

/** The `submit` command. */
export const command: Command = {
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
};

/**
 * `bits wmp list`: the convention jobs in the queue, as the Player's download
 * collection.
 *
 * @module
 */

import { connect } from "../manager.ts";
import { downloadCollection, WMP_DOWNLOAD_STATE_NAMES, WMP_ITEM_INFO_NAMES } from "../wmp/collection.ts";
import type { Command } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { integerOption } from "./option_values.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, table } from "./format.ts";

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

/** The `wmp list` command. */
export const command: Command = {
  summary: "Show the convention jobs in the queue, as the Player's download collection",
  positionals: [],
  options: { "service-id": { type: "string", value: "N", description: "Only this service's jobs" } },
  examples: ["wmp list", "wmp list --service-id 305419896 --json"],
  run: (ctx, { options }) => wmpList(ctx, integerOption(options["service-id"], "service-id")),
};

/**
 * The store page's view of its downloads, as the Player's
 * `DownloadManager.getDownloadCollection(serviceId)` gives it: the queue's
 * convention jobs for one serviceId, with `getItemInfo` names, the Player's
 * `downloadState` values, and byte progress and size.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { BitsManager } from "../manager.ts";
import type { JobSnapshot, JobState } from "../types.ts";
import { parseWmpDescription, type WmpKind, type WmpMetadata } from "./codec.ts";

/** The names `DownloadItem.getItemInfo` accepts (docs/wmp-convention.md, rule R10). */
export const WMP_ITEM_INFO_NAMES = [
  "AlbumArtist",
  "Album",
  "Duration",
  "WM/Provider",
  "Title",
  "UserRating",
  "WM/TrackNumber",
] as const;

/** One of {@linkcode WMP_ITEM_INFO_NAMES}. */
export type WmpItemInfoName = typeof WMP_ITEM_INFO_NAMES[number];

/** The Player's `DownloadItem.downloadState`: 0 downloading, 1 paused, 2 processing, 3 completed, 4 cancelled. */
export type WmpDownloadState = 0 | 1 | 2 | 3 | 4;

/** Names of the {@linkcode WmpDownloadState} values, by value. */
export const WMP_DOWNLOAD_STATE_NAMES = ["downloading", "paused", "processing", "completed", "cancelled"] as const;

/**
 * Maps a BITS state to the Player's download state. ERROR and SUSPENDED read
 * as paused (the transfer waits for someone to act); TRANSFERRED as processing
 * (data is in, the job is not finished yet).
 */
export function wmpDownloadState(state: JobState): WmpDownloadState {
  switch (state) {
    case "SUSPENDED":
    case "ERROR":
      return 1;
    case "TRANSFERRED":
      return 2;
    case "ACKNOWLEDGED":
      return 3;
    case "CANCELLED":
      return 4;
    default:
      return 0;
  }
}

/** One item of a download collection. */
export interface WmpDownloadItem {
  /** The BITS job. */
  readonly jobId: string;
  /** `WMP_JOB` or `WMP_STATUS`. */
  readonly kind: WmpKind;
  /** The convention fields read back from the description. */
  readonly metadata: WmpMetadata;
  /** The Player's download state. */
  readonly downloadState: WmpDownloadState;
  /** Bytes transferred. */
  readonly progress: number;
  /** Total bytes; 0 while unknown. */
  readonly size: number;
  /** The value `DownloadItem.getItemInfo(name)` gives, as a string. */
  getItemInfo(name: WmpItemInfoName): string;
}

function itemInfo(metadata: WmpMetadata): Record<WmpItemInfoName, string> {
  return {
    AlbumArtist: metadata.albumArtist,
    Album: metadata.albumTitle,
    Duration: String(metadata.duration),
    "WM/Provider": metadata.provider,
    Title: metadata.title,
    UserRating: String(metadata.rating),
    "WM/TrackNumber": String(metadata.trackNumber),
  };
}

/** Builds a collection item from a job snapshot; `size` comes from the job or its files. */
export function toDownloadItem(
  snapshot: JobSnapshot,
  parsed: WmpMetadata & { kind: WmpKind },
  size: number | null,
): WmpDownloadItem {
  const { kind, ...metadata } = parsed;
  const info = itemInfo(metadata);
  return {
    jobId: snapshot.id,
    kind,
    metadata,
    downloadState: wmpDownloadState(snapshot.state),
    progress: snapshot.progress.bytesTransferred,
    size: size ?? 0,
    getItemInfo(name: WmpItemInfoName): string {
      if (!Object.hasOwn(info, name)) {
        throw new InvalidArgumentError("name", `getItemInfo accepts ${WMP_ITEM_INFO_NAMES.join(", ")}; got ${name}`);
      }
      return info[name];
    },
  };
}

/**
 * The queue's convention jobs whose serviceId is `serviceId` (or every
 * convention job when it is undefined), newest first. Descriptions that
 * claim the convention but break it are skipped (and reported through
 * `onInvalid`), as a scan of the whole queue must not fail on one bad job.
 */
export async function downloadCollection(
  bits: BitsManager,
  serviceId?: number,
  onInvalid?: (jobId: string, error: Error) => void,
): Promise<WmpDownloadItem[]> {
  const items: WmpDownloadItem[] = [];
  const jobs = await bits.jobs();
  try {
    for (const job of jobs) {
      const snapshot = await job.snapshot();
      let parsed: (WmpMetadata & { kind: WmpKind }) | null;
      try {
        parsed = parseWmpDescription(snapshot.description);
      } catch (error) {
        onInvalid?.(snapshot.id, error as Error);
        continue;
      }
      if (parsed === null || (serviceId !== undefined && parsed.serviceId !== serviceId)) continue;
      let size = snapshot.progress.bytesTotal;
      if (size === null) {
        // BITS on Wine never fills in the job total; the single file knows its size.
        const files = await job.files().catch(() => []);
        size = files.length === 1 ? files[0].bytesTotal : null;
      }
      items.push(toDownloadItem(snapshot, parsed, size));
    }
  } finally {
    for (const job of jobs) job.dispose();
  }
  return items;
}

/**
 * The Windows Media Player convention: BITS jobs whose description is
 * `::WMP_JOB:1:serviceId:Provider:AlbumArtist:AlbumTitle:TrackNumber:Title:Duration:Rating`
 * (or `::WMP_STATUS:1:…`) are picked up by Windows Media Player 10 and later.
 * This entry point builds, validates, submits and reads such jobs back, and
 * files a finished status job into a music library.
 *
 * ```ts
 * import { connect } from "@deno-bits/bits";
 * import { downloadCollection, finishWmpStatusJob, newServiceId, submitWmpJob } from "@deno-bits/bits/wmp";
 *
 * using bits = await connect();
 * const serviceId = newServiceId(); // keep it: it is the store's collection id
 * using job = await submitWmpJob(bits, {
 *   url: "https://store.example/tracks/3.wma",
 *   path: "C:\\Music\\Incoming\\3.wma",
 *   metadata: {
 *     serviceId,
 *     provider: "Proseware",
 *     albumArtist: "Example Artist",
 *     albumTitle: "Example Album",
 *     trackNumber: 3,
 *     title: "Example Track",
 *     duration: 245,
 *     rating: 75,
 *   },
 *   kind: "status",
 * });
 * for (const item of await downloadCollection(bits, serviceId)) console.log(item.getItemInfo("Title"), item.progress);
 * await job.wait();
 * await finishWmpStatusJob(job, "C:\\Users\\me\\Music");
 * ```
 *
 * Descriptions are visible to every administrator of the machine: the
 * metadata is not private.
 *
 * @module
 */

export {
  formatWmpDescription,
  hasWmpMediaExtension,
  isWmpDescription,
  MAX_WMP_DESCRIPTION,
  newServiceId,
  parseWmpDescription,
  ratingToStars,
  starsToRating,
  WMP_MEDIA_EXTENSIONS,
  WMP_RATINGS,
  WmpConventionError,
  wmpKindOf,
} from "./src/wmp/codec.ts";
export type { FormatWmpOptions, WmpKind, WmpMetadata, WmpSanitizeChange } from "./src/wmp/codec.ts";
export { finishWmpStatusJob, submitWmpJob } from "./src/wmp/submit.ts";
export type { WmpFinished, WmpSubmission } from "./src/wmp/submit.ts";
export { downloadCollection, WMP_DOWNLOAD_STATE_NAMES, WMP_ITEM_INFO_NAMES } from "./src/wmp/collection.ts";
export type { WmpDownloadItem, WmpDownloadState, WmpItemInfoName } from "./src/wmp/collection.ts";
export { getRefreshDownload, setRefreshDownload } from "./src/wmp/refresh.ts";
export type { RefreshDownloadState } from "./src/wmp/refresh.ts";
export { fileIntoLibrary, LibraryFileExistsError, libraryPath } from "./src/wmp/library.ts";
export type { FileIntoLibraryOptions, MediaMetadata } from "./src/wmp/library.ts";
export { WmpJobOwnedError } from "./src/errors.ts";

/**
 * Submitting and finishing convention jobs: one media file per job, the
 * description set right after creation, nothing half-built left behind; and
 * for `WMP_STATUS` jobs, completing them and filing the media in a library.
 *
 * @module
 */

import { win32 } from "node:path";
import { BitsError, InvalidArgumentError } from "../errors.ts";
import { HR } from "../hresult.ts";
import type { BitsJob } from "../job.ts";
import type { BitsManager } from "../manager.ts";
import type { JobProperties } from "../properties/types.ts";
import { MAX_DISPLAY_NAME } from "../validate.ts";
import {
  formatWmpDescription,
  hasWmpMediaExtension,
  parseWmpDescription,
  WMP_MEDIA_EXTENSIONS,
  WmpConventionError,
  type WmpKind,
  type WmpMetadata,
} from "./codec.ts";
import { fileIntoLibrary, LibraryFileExistsError, libraryPath } from "./library.ts";
import { lexists } from "../exists.ts";

/** What {@linkcode submitWmpJob} needs. */
export interface WmpSubmission {
  /** The media file's URL (http or https). */
  readonly url: string;
  /** Full local path ending in .wma, .wmv, .mp3 or .asf. */
  readonly path: string;
  /** The convention's eight fields. */
  readonly metadata: WmpMetadata;
  /** `"job"` (default): the Player finishes the job; `"status"`: the Player only shows progress. */
  readonly kind?: WmpKind;
  /** BITS display name; default the title (or the file name when the title is empty). */
  readonly displayName?: string;
  /** Allow an existing destination (BITS replaces it on completion). */
  readonly overwrite?: boolean;
  /** A directory the destination must resolve inside, checked before the job exists (see `DownloadOptions.root`). */
  readonly root?: string;
  /**
   * Further properties (priority, headers, credentials …) applied right after
   * creation, before the file is added; one BITS refuses cancels the new job.
   */
  readonly properties?: JobProperties;
}

/**
 * Queues a convention job: a DOWNLOAD job with exactly one media file, its
 * description the convention string, resumed. Everything is validated before
 * the job exists; a failure afterwards cancels it.
 *
 * @example
 * ```ts
 * import { connect } from "@deno-bits/bits";
 * import { newServiceId, submitWmpJob } from "@deno-bits/bits/wmp";
 *
 * using bits = await connect();
 * using job = await submitWmpJob(bits, {
 *   url: "https://store.example/t/123.mp3",
 *   path: "C:\\Music\\Incoming\\123.mp3",
 *   metadata: {
 *     serviceId: newServiceId(),
 *     provider: "Proseware",
 *     albumArtist: "Artist",
 *     albumTitle: "Album",
 *     trackNumber: 3,
 *     title: "Title",
 *     duration: 245,
 *     rating: 0,
 *   },
 * });
 * console.log(job.id); // the Player finishes it ("job"); pass kind: "status" to finish it yourself
 * ```
 *
 * @throws {WmpConventionError} for metadata that breaks the convention.
 * @throws {InvalidArgumentError} for a wrong extension, URL or path.
 */
export async function submitWmpJob(bits: BitsManager, submission: WmpSubmission): Promise<BitsJob> {
  if (!hasWmpMediaExtension(submission.path)) {
    throw new InvalidArgumentError(
      "path",
      `A WMP job's file must end in ${WMP_MEDIA_EXTENSIONS.join(", ")}: ${JSON.stringify(submission.path)}`,
    );
  }
  const description = formatWmpDescription(submission.metadata, { kind: submission.kind ?? "job" });
  const fallbackName = submission.metadata.title || win32.basename(submission.path);
  return await bits.download([{ url: submission.url, path: submission.path }], {
    displayName: submission.displayName ?? fallbackName.slice(0, MAX_DISPLAY_NAME),
    description,
    overwrite: submission.overwrite ?? false,
    root: submission.root,
    properties: submission.properties,
  });
}

/** What {@linkcode finishWmpStatusJob} did. */
export interface WmpFinished {
  /** The job. */
  readonly jobId: string;
  /** The metadata read back from the job's description. */
  readonly metadata: WmpMetadata;
  /** Where the media now is. */
  readonly path: string;
}

/**
 * Finishes a `WMP_STATUS` job, which is the creator's to finish: checks that
 * it is TRANSFERRED with one media file, that the library target is free,
 * completes it, and moves the file to
 * `<libraryRoot>\<AlbumArtist>\<AlbumTitle>\<NN> <Title>.<ext>` (sanitised,
 * never overwriting).
 *
 * @throws {WmpConventionError} when the job is not a `WMP_STATUS` job.
 * @throws {LibraryFileExistsError} when the target exists; the job is left as it was.
 */
export async function finishWmpStatusJob(job: BitsJob, libraryRoot: string): Promise<WmpFinished> {
  const snapshot = await job.snapshot();
  const parsed = parseWmpDescription(snapshot.description);
  if (parsed === null || parsed.kind !== "status") {
    throw new WmpConventionError(
      "description",
      `Job ${job.id} is not a WMP_STATUS job${parsed ? " (WMP_JOB jobs are finished by the Player)" : ""}`,
    );
  }
  if (snapshot.state !== "TRANSFERRED") {
    throw new BitsError(HR.BG_E_INVALID_STATE, {
      operation: `Finishing WMP job (it is ${snapshot.state}; wait for TRANSFERRED)`,
      jobId: job.id,
      state: snapshot.state,
    });
  }
  const files = await job.files();
  if (files.length !== 1) {
    throw new WmpConventionError("files", `Job ${job.id} has ${files.length} files; a WMP job carries exactly one`);
  }
  const { kind: _kind, ...metadata } = parsed;
  const source = files[0].localName;
  const target = libraryPath(libraryRoot, metadata, win32.extname(source));
  // Checked before Complete so a taken target leaves the job untouched.
  if (await lexists(target)) throw new LibraryFileExistsError(target);
  const outcome = await job.complete();
  if (outcome === "partial") {
    throw new BitsError(HR.BG_S_PARTIAL_COMPLETE, { operation: "Completing WMP job", jobId: job.id });
  }
  return { jobId: job.id, metadata, path: await fileIntoLibrary(source, target) };
}

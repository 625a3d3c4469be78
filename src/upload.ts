/**
 * Upload and upload-reply jobs: creating one with its single file (the
 * reply's methods are in ./reply.ts).
 *
 * Wine's BITS has no upload: it accepts upload jobs but downloads the remote
 * URL over the local "upload" file once resumed. {@linkcode createUpload}
 * therefore refuses to resume one under Wine (docs/compat.md).
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { createJob } from "./create_job.ts";
import { discardHalfBuilt } from "./discard.ts";
import { BitsUnsupportedError, InvalidArgumentError } from "./errors.ts";
import type { OwnedHandle } from "./handle.ts";
import { HR } from "./hresult.ts";
import { addFile, resumeJob } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";
import { wineVersion } from "./platform.ts";
import type { JobProperties } from "./properties/types.ts";
import { setReplyFileName } from "./reply.ts";
import { checkLocalPath, checkRemoteUrl } from "./validate.ts";

/** Options of `manager.upload()`. */
export interface UploadOptions {
  /** Server URL to upload to (http or https; BITS uploads need a BITS-enabled IIS server). */
  readonly url: string;
  /** The local file to upload: a full Windows path to an existing regular file. */
  readonly path: string;
  /**
   * Make an upload-reply job (UPLOAD_REPLY): the server's reply is kept. With
   * `fileName`, BITS writes the reply there; without, BITS picks a name
   * (read it back with `job.replyFileName()`).
   */
  readonly reply?: { readonly fileName?: string };
  /** Display name; default `"deno-bits upload"`. */
  readonly displayName?: string;
  /** Description (≤ 1,024 characters). */
  readonly description?: string;
  /**
   * Leave the job suspended instead of resuming it. Under Wine the job must
   * stay suspended (Wine would download over the file): without this option
   * the call is refused there before anything is created.
   */
  readonly suspended?: boolean;
  /**
   * Properties applied right after creation, before the file is added
   * (validated before the job exists; if BITS refuses one the new job is
   * cancelled and the error thrown), as `createJob` applies them.
   */
  readonly properties?: JobProperties;
}

const logger = getLogger(["deno-bits", "upload"]);

const FEATURE_UPLOAD = "upload jobs";
const UPLOAD_REQUIRES = "BITS 1.5 upload support (Windows; Wine's BITS downloads over the local file instead)";

/**
 * The refusal to resume an upload or upload-reply job under Wine, whose BITS
 * would download the remote URL over `path` (the file to upload) instead.
 */
export function wineUploadRefusal(path: string, jobId?: string): BitsUnsupportedError {
  return new BitsUnsupportedError(HR.E_NOTIMPL, {
    operation: "Resuming an upload job",
    feature: `${FEATURE_UPLOAD} (Wine's BITS would download over ${path})`,
    requires: UPLOAD_REQUIRES,
    jobId,
  });
}

/** Checks everything an upload needs before a job exists. */
export async function checkUpload(options: UploadOptions): Promise<void> {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError("options", "upload() needs { url, path }");
  }
  checkRemoteUrl(options.url);
  const path = checkLocalPath(options.path, "path");
  if (options.reply !== undefined) {
    if (typeof options.reply !== "object" || options.reply === null) {
      throw new InvalidArgumentError("reply", "reply must be an object ({ fileName? })");
    }
    if (options.reply.fileName !== undefined) checkLocalPath(options.reply.fileName, "reply.fileName");
  }
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InvalidArgumentError("path", `The file to upload, ${path}, does not exist`);
    }
    throw error;
  }
  if (!info.isFile) throw new InvalidArgumentError("path", `The file to upload, ${path}, is not a regular file`);
}

/**
 * Creates an UPLOAD (or, with `reply`, UPLOAD_REPLY) job with its single
 * file, sets the reply file name when given, and resumes it unless
 * `suspended`. Everything is validated first; a failure after creation
 * cancels the job. The reply file name is set before the file is added, so
 * that cancelling after a failure never touches the local file (Wine's Cancel
 * deletes every file's local name).
 *
 * @throws {InvalidArgumentError} for bad input or a missing local file (nothing created).
 * @throws {BitsUnsupportedError} under Wine unless `suspended` (nothing created).
 */
export async function createUpload(manager: OwnedHandle, options: UploadOptions): Promise<JobRef> {
  await checkUpload(options);
  if (!options.suspended && wineVersion() !== null) throw wineUploadRefusal(options.path);
  const type = options.reply ? "UPLOAD_REPLY" : "UPLOAD";
  const { ref: job } = await createJob(manager, options.displayName ?? "deno-bits upload", {
    type,
    description: options.description ?? "",
    ...(options.properties === undefined ? {} : { properties: options.properties }),
  });
  try {
    if (options.reply?.fileName !== undefined) await setReplyFileName(job, options.reply.fileName);
    await addFile(job, options.url, options.path);
    if (!options.suspended) await resumeJob(job);
    logger.debug("Created {type} job {id}", { type, id: job.id });
    return job;
  } catch (error) {
    await discardHalfBuilt(job, "upload job");
    throw error;
  }
}

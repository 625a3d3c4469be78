/**
 * Upload and upload-reply jobs: creating one with its single file, and the
 * reply methods of IBackgroundCopyJob2 (reply file name, reply progress,
 * reply data).
 *
 * Wine's BITS has no upload: it accepts upload jobs but downloads the remote
 * URL over the local "upload" file once resumed. {@linkcode createUpload}
 * therefore refuses to resume one under Wine (docs/compat.md).
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { loadShim } from "../ffi/library.ts";
import { readGrowing } from "./buffer_read.ts";
import { sizeFromU64 } from "./decode.ts";
import { BitsUnsupportedError, InvalidArgumentError, unwrap } from "./errors.ts";
import { REQUIRES } from "./features.ts";
import type { OwnedHandle } from "./handle.ts";
import { HR } from "./hresult.ts";
import { discardHalfBuilt } from "./discard.ts";
import type { BitsJob } from "./job.ts";
import type { JobProperties } from "./properties/types.ts";
import { wineVersion } from "./platform.ts";
import { decodeUtf16, encodeUtf16 } from "./utf16.ts";
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

/** Progress of an upload-reply job's reply. */
export interface ReplyProgress {
  /** Size of the reply, or `null` while unknown (always unknown while the upload itself runs). */
  readonly bytesTotal: number | null;
  /** Reply bytes received so far. */
  readonly bytesTransferred: number;
}

/** What an upload needs from the manager (kept structural so this module does not import manager.ts). */
export interface UploadJobFactory {
  /** `BitsManager.createJob`. */
  createJob(
    displayName: string,
    options: { type: "UPLOAD" | "UPLOAD_REPLY"; description: string; properties?: JobProperties },
  ): Promise<BitsJob>;
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
export async function createUpload(manager: UploadJobFactory, options: UploadOptions): Promise<BitsJob> {
  await checkUpload(options);
  if (!options.suspended && wineVersion() !== null) throw wineUploadRefusal(options.path);
  const type = options.reply ? "UPLOAD_REPLY" : "UPLOAD";
  const job = await manager.createJob(options.displayName ?? "deno-bits upload", {
    type,
    description: options.description ?? "",
    ...(options.properties === undefined ? {} : { properties: options.properties }),
  });
  try {
    if (options.reply?.fileName !== undefined) await job.setReplyFileName(options.reply.fileName);
    await job.addFile(options.url, options.path);
    if (!options.suspended) await job.resume();
    logger.debug("Created {type} job {id}", { type, id: job.id });
    return job;
  } catch (error) {
    await discardHalfBuilt(job, "upload job");
    throw error;
  }
}

const REPLY = { requires: REQUIRES.job2 } as const;

/** IBackgroundCopyJob2::SetReplyFileName, validated first. */
export async function setReplyFileName(handle: OwnedHandle, jobId: string, path: string): Promise<void> {
  const name = encodeUtf16(checkLocalPath(path, "path"));
  const hr = await handle.use((job) => loadShim().symbols.bits_job_set_reply_file_name(job, name.buffer, name.length));
  unwrap(hr, "SetReplyFileName", { jobId, feature: "setting the reply file name (SetReplyFileName)", ...REPLY });
}

/** IBackgroundCopyJob2::GetReplyFileName. */
export async function replyFileName(handle: OwnedHandle, jobId: string): Promise<string> {
  // MAX_PATH and its NUL: BITS refuses longer reply file names.
  const buffer = new Uint16Array(261);
  const length = new Uint32Array(1);
  const hr = await handle.use((job) => loadShim().symbols.bits_job_reply_file_name(job, buffer, buffer.length, length));
  unwrap(hr, "GetReplyFileName", { jobId, feature: "reading the reply file name (GetReplyFileName)", ...REPLY });
  return decodeUtf16(new Uint8Array(buffer.buffer), 0, length[0]);
}

/** IBackgroundCopyJob2::GetReplyProgress. */
export async function replyProgress(handle: OwnedHandle, jobId: string): Promise<ReplyProgress> {
  const progress = new BigUint64Array(2);
  const hr = await handle.use((job) => loadShim().symbols.bits_job_reply_progress(job, progress));
  unwrap(hr, "GetReplyProgress", { jobId, feature: "reply progress (GetReplyProgress)", ...REPLY });
  return { bytesTotal: sizeFromU64(progress[0]), bytesTransferred: Number(progress[1]) };
}

// BITS keeps at most 1 MB of reply data in memory (larger replies go to the reply file only).
const REPLY_DATA_BYTES = 64 * 1024;
const MAX_REPLY_BYTES = 0xFFFF_FFFF;

/** IBackgroundCopyJob2::GetReplyData, copied out of BITS' buffer. */
export function replyData(handle: OwnedHandle, jobId: string): Promise<Uint8Array> {
  return readGrowing({
    initialSize: REPLY_DATA_BYTES,
    allocate: (size: number) => ({ out: new Uint8Array(size), length: new BigUint64Array(1) }),
    call: ({ out, length }) =>
      handle.use((job) => loadShim().symbols.bits_job_reply_data(job, out, out.byteLength, length)),
    // A reply too large to address is BITS' ERROR_INSUFFICIENT_BUFFER, thrown below as the feature's error.
    grow: ({ length }) => length[0] <= BigInt(MAX_REPLY_BYTES) ? Number(length[0]) : undefined,
    finish: (hr, { out, length }) => {
      unwrap(hr, "GetReplyData", { jobId, feature: "reply data (GetReplyData)", ...REPLY });
      return out.slice(0, Number(length[0]));
    },
    operation: "GetReplyData (the reply keeps growing)",
    jobId,
  });
}

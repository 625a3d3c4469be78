/**
 * The reply of an upload-reply job (IBackgroundCopyJob2): its file name,
 * progress and data.
 *
 * @module
 */

import { loadShim } from "../ffi/library.ts";
import { readGrowing } from "./buffer_read.ts";
import { sizeFromU64 } from "./decode.ts";
import { unwrap } from "./errors.ts";
import { REQUIRES } from "./features.ts";
import type { JobRef } from "./job_ref.ts";
import { decodeUtf16, encodeUtf16 } from "./utf16.ts";
import { checkLocalPath } from "./validate.ts";

/** Progress of an upload-reply job's reply. */
export interface ReplyProgress {
  /** Size of the reply, or `null` while unknown (always unknown while the upload itself runs). */
  readonly bytesTotal: number | null;
  /** Reply bytes received so far. */
  readonly bytesTransferred: number;
}

const REPLY = { requires: REQUIRES.job2 } as const;

/** IBackgroundCopyJob2::SetReplyFileName, validated first. */
export async function setReplyFileName({ handle, id: jobId }: JobRef, path: string): Promise<void> {
  const name = encodeUtf16(checkLocalPath(path, "path"));
  const hr = await handle.use((job) => loadShim().symbols.bits_job_set_reply_file_name(job, name.buffer, name.length));
  unwrap(hr, "SetReplyFileName", { jobId, feature: "setting the reply file name (SetReplyFileName)", ...REPLY });
}

/** IBackgroundCopyJob2::GetReplyFileName. */
export async function replyFileName({ handle, id: jobId }: JobRef): Promise<string> {
  // MAX_PATH and its NUL: BITS refuses longer reply file names.
  const buffer = new Uint16Array(261);
  const length = new Uint32Array(1);
  const hr = await handle.use((job) => loadShim().symbols.bits_job_reply_file_name(job, buffer, buffer.length, length));
  unwrap(hr, "GetReplyFileName", { jobId, feature: "reading the reply file name (GetReplyFileName)", ...REPLY });
  return decodeUtf16(new Uint8Array(buffer.buffer), 0, length[0]);
}

/** IBackgroundCopyJob2::GetReplyProgress. */
export async function replyProgress({ handle, id: jobId }: JobRef): Promise<ReplyProgress> {
  const progress = new BigUint64Array(2);
  const hr = await handle.use((job) => loadShim().symbols.bits_job_reply_progress(job, progress));
  unwrap(hr, "GetReplyProgress", { jobId, feature: "reply progress (GetReplyProgress)", ...REPLY });
  return { bytesTotal: sizeFromU64(progress[0]), bytesTransferred: Number(progress[1]) };
}

// BITS keeps at most 1 MB of reply data in memory (larger replies go to the reply file only).
const REPLY_DATA_BYTES = 64 * 1024;
const MAX_REPLY_BYTES = 0xFFFF_FFFF;

/** IBackgroundCopyJob2::GetReplyData, copied out of BITS' buffer. */
export function replyData({ handle, id: jobId }: JobRef): Promise<Uint8Array> {
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

/**
 * The plain IBackgroundCopyJob calls on a {@linkcode JobRef}: add a file,
 * resume, suspend, take ownership, complete, cancel, and the reads of the
 * job's snapshot, files and description. `BitsJob` wraps them with its
 * guards (roots, the Player's jobs); the workflows (download, upload,
 * transfer, verified complete, capability probe) call them directly.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { loadShim } from "../ffi/library.ts";
import { readBytes } from "./buffer_read.ts";
import { decodeFiles, decodeSnapshot } from "./decode.ts";
import { unwrap, WmpJobOwnedError } from "./errors.ts";
import { REQUIRES } from "./features.ts";
import { failed, HR, hresultName } from "./hresult.ts";
import type { JobRef } from "./job_ref.ts";
import type { CancelOutcome, CompleteOutcome, JobFile, JobSnapshot } from "./types.ts";
import { decodeUtf16, encodeUtf16 } from "./utf16.ts";
import { checkLocalPath, checkRemoteSource } from "./validate.ts";
import { wmpKindOf } from "./wmp/codec.ts";

const logger = getLogger(["deno-bits", "job"]);

// Snapshot strings are bounded by BITS (256 + 1,024 characters), so one
// allocation of this size always fits; files start here and grow on demand.
const SNAPSHOT_BUFFER_BYTES = 4096;
const FILES_BUFFER_BYTES = 16 * 1024;

/** Reads the job's whole state (one FFI call). */
export async function readSnapshot(ref: JobRef): Promise<JobSnapshot> {
  const bytes = await ref.handle.use((job) =>
    readBytes(
      SNAPSHOT_BUFFER_BYTES,
      "Snapshot",
      ref.id,
      (out, cap, needed) => loadShim().symbols.bits_job_snapshot(job, out, cap, needed),
    )
  );
  return decodeSnapshot(bytes);
}

/** Lists the job's files with their progress, in BITS' order (reverse of addition on Wine). */
export async function readFiles(ref: JobRef): Promise<JobFile[]> {
  const bytes = await ref.handle.use((job) =>
    readBytes(
      FILES_BUFFER_BYTES,
      "EnumFiles",
      ref.id,
      (out, cap, needed) => loadShim().symbols.bits_job_files(job, out, cap, needed),
    )
  );
  return decodeFiles(bytes);
}

/** The description alone (one round trip); `""` when BITS cannot return one. */
export async function readDescription(ref: JobRef): Promise<string> {
  // The WMP tag is all callers need, and BITS caps descriptions at 1,024 characters.
  const buffer = new Uint16Array(1025);
  const length = new Uint32Array(1);
  const hr = await ref.handle.use((job) => loadShim().symbols.bits_job_description(job, buffer, buffer.length, length));
  // Wine fails GetDescription on a job whose description was never set: it is no WMP job then.
  if (failed(hr)) return "";
  return decodeUtf16(new Uint8Array(buffer.buffer), 0, length[0]);
}

/**
 * Refuses to finish a job the Player owns (a `::WMP_JOB:` description,
 * docs/wmp-convention.md, rule R4).
 *
 * @throws {WmpJobOwnedError} for such a job.
 */
export async function refuseIfPlayerOwned(ref: JobRef, action: "complete" | "cancel"): Promise<void> {
  if (wmpKindOf(await readDescription(ref)) === "job") throw new WmpJobOwnedError(ref.id, action);
}

/** AddFile, both names validated first; BITS checks the rest. */
export async function addFile(ref: JobRef, url: string, path: string): Promise<void> {
  const remote = encodeUtf16(checkRemoteSource(url));
  const local = encodeUtf16(checkLocalPath(path));
  const hr = await ref.handle.use((job) =>
    loadShim().symbols.bits_job_add_file(job, remote.buffer, remote.length, local.buffer, local.length)
  );
  unwrap(hr, "AddFile", { jobId: ref.id });
}

/** Resume: queues the job for transfer (or retries it after an error). */
export async function resumeJob(ref: JobRef): Promise<void> {
  unwrap(await ref.handle.use((job) => loadShim().symbols.bits_job_resume(job)), "Resume", { jobId: ref.id });
}

/** Suspend; {@linkcode BitsUnsupportedError} where BITS cannot (Wine). */
export async function suspendJob(ref: JobRef): Promise<void> {
  unwrap(await ref.handle.use((job) => loadShim().symbols.bits_job_suspend(job)), "Suspend", {
    jobId: ref.id,
    feature: "suspending a job",
    requires: REQUIRES.job,
  });
}

/** TakeOwnership; {@linkcode BitsUnsupportedError} where BITS cannot (Wine). */
export async function takeJobOwnership(ref: JobRef): Promise<void> {
  unwrap(await ref.handle.use((job) => loadShim().symbols.bits_job_take_ownership(job)), "TakeOwnership", {
    jobId: ref.id,
    feature: "taking ownership of a job",
    requires: REQUIRES.job,
  });
}

/** The plain Complete call, its success codes named. */
export async function completeJob(ref: JobRef): Promise<CompleteOutcome> {
  const hr = unwrap(await ref.handle.use((job) => loadShim().symbols.bits_job_complete(job)), "Complete", {
    jobId: ref.id,
  });
  logger.debug("Completed job {id}: {hr}", { id: ref.id, hr: hresultName(hr) });
  if (hr === HR.BG_S_PARTIAL_COMPLETE) return "partial";
  if (hr === HR.BG_S_UNABLE_TO_DELETE_FILES) return "unable-to-delete-files";
  return "completed";
}

/** The plain Cancel call, its success code named. */
export async function cancelJob(ref: JobRef): Promise<CancelOutcome> {
  const hr = unwrap(await ref.handle.use((job) => loadShim().symbols.bits_job_cancel(job)), "Cancel", {
    jobId: ref.id,
  });
  logger.debug("Cancelled job {id}: {hr}", { id: ref.id, hr: hresultName(hr) });
  return hr === HR.BG_S_UNABLE_TO_DELETE_FILES ? "unable-to-delete-files" : "cancelled";
}

/**
 * The light read of a whole-queue watch's idle jobs: state and progress of
 * every job in one nonblocking call (`bits_jobs_progress`), two COM round trips
 * per job through the handles the watch already holds, instead of a whole-queue
 * read's enumeration, six getters and a release per job. Everything the
 * watch's events are made of (state, bytes, files) is in it; a job whose
 * reading differs from what was reported is then read in full.
 *
 * @module
 */

import { loadShim } from "../../ffi/library.ts";
import { PROGRESS_RECORD_BYTES } from "../../ffi/symbols.ts";
import { decodeProgressRecords, type ProgressRecord } from "../decode.ts";
import { unwrap } from "../errors.ts";
import { OwnedHandle } from "../handle.ts";
import type { JobRef } from "../job_ref.ts";

/** Reads the state and progress of `jobs` in one call, in order. */
export async function readProgress(jobs: readonly JobRef[]): Promise<ProgressRecord[]> {
  if (jobs.length === 0) return [];
  const out = new Uint8Array(jobs.length * PROGRESS_RECORD_BYTES);
  const hr = await OwnedHandle.useAll(jobs.map((job) => job.handle), (pointers) => {
    const values = BigUint64Array.from(pointers, (pointer) => BigInt(Deno.UnsafePointer.value(pointer)));
    return loadShim().symbols.bits_jobs_progress(values, jobs.length, out, jobs.length);
  });
  unwrap(hr, "Reading state and progress");
  return decodeProgressRecords(out, jobs.length);
}

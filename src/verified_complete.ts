/**
 * Completing a job only with files that are what the caller expects.
 *
 * Where BITS exposes the temporary file (IBackgroundCopyFile3, BITS 3.0),
 * each expected file is checked there BEFORE Complete: a bad file is never
 * moved into place and the job stays TRANSFERRED for the caller to cancel or
 * inspect. Where it does not (Wine), the job is completed and each file is
 * checked at its destination right away; a bad file is removed (rollback),
 * so no corrupt file is left under the name the caller asked for.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { BitsUnsupportedError, InvalidArgumentError } from "./errors.ts";
import { checkExpectation, type FileExpectation, IntegrityError, verifyFile } from "./integrity.ts";
import { openFiles } from "./files.ts";
import { completeJob } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";
import type { CompleteOutcome } from "./types.ts";

/** An expectation for one of a job's files, named by its local path. */
export interface ExpectedFile extends FileExpectation {
  /** The file's local name, as added to the job (compared case-insensitively, as Windows does). */
  readonly path: string;
}

const logger = getLogger(["deno-bits", "integrity"]);

/** Validates expectations before anything happens: well-formed, one per path. */
export function checkExpectedFiles(expected: readonly ExpectedFile[]): readonly ExpectedFile[] {
  const seen = new Set<string>();
  for (const [i, file] of expected.entries()) {
    if (typeof file?.path !== "string" || file.path === "") {
      throw new InvalidArgumentError(`expect[${i}].path`, "Each expectation names the file's local path");
    }
    checkExpectation(file, `expect[${i}]`);
    const key = file.path.toLowerCase();
    if (seen.has(key)) throw new InvalidArgumentError(`expect[${i}].path`, `${file.path} has two expectations`);
    seen.add(key);
  }
  return expected;
}

/**
 * Checks the expected files and completes the job (the plain Complete call,
 * no Player guard: the caller applies it). `expected` has passed
 * {@linkcode checkExpectedFiles}: the caller checks it first, before its guard.
 *
 * @throws {InvalidArgumentError} for a path that is not one of the job's files (nothing done).
 * @throws {IntegrityError} for the first file that does not match. Before Complete: the job is left TRANSFERRED.
 *   After Complete: every mismatching file has been removed.
 */
export async function completeVerified(
  job: JobRef,
  expected: readonly ExpectedFile[],
): Promise<CompleteOutcome> {
  const byPath = new Map(expected.map((e) => [e.path.toLowerCase(), e]));
  const temporary = new Map<string, string>();
  const files = await openFiles(job);
  const locals = new Set<string>();
  let temporaryNames = true;
  try {
    for (const file of files) {
      const local = (await file.localName()).toLowerCase();
      locals.add(local);
      if (!byPath.has(local) || !temporaryNames) continue;
      try {
        temporary.set(local, await file.temporaryName());
      } catch (error) {
        if (!(error instanceof BitsUnsupportedError)) throw error;
        temporaryNames = false;
      }
    }
    for (const path of byPath.keys()) {
      if (!locals.has(path)) {
        throw new InvalidArgumentError("expect", `${byPath.get(path)!.path} is not a file of job ${job.id}`);
      }
    }
  } finally {
    for (const file of files) file.dispose();
  }

  if (temporaryNames) {
    for (const [path, expectation] of byPath) {
      // Not removed: BITS owns its temporary file, and the job stays TRANSFERRED for the caller to decide.
      await verifyFile(temporary.get(path)!, expectation, { jobId: job.id });
    }
    return await completeJob(job);
  }

  const outcome = await completeJob(job);
  let first: IntegrityError | undefined;
  for (const expectation of byPath.values()) {
    try {
      await verifyFile(expectation.path, expectation, { removeOnMismatch: true, jobId: job.id });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound && outcome !== "completed") continue; // BITS did not move it (partial)
      if (!(error instanceof IntegrityError)) throw error;
      if (first === undefined) {
        // Thrown below: the caller reports it, so a warning here would say it twice.
        first = error;
        logger.debug("Removed {path} from job {id}: {message}", {
          path: expectation.path,
          id: job.id,
          message: error.message,
        });
      } else {
        // Only the first mismatch is thrown: the others are told here.
        logger.warn("Removed {path} from job {id} as well: {message}", {
          path: expectation.path,
          id: job.id,
          message: error.message,
        });
      }
    }
  }
  if (first) throw first;
  return outcome;
}

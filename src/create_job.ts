/**
 * Creating jobs: a bare job (`BitsManager.createJob`) and a download job
 * with its files (`BitsManager.download`), each transactional: everything is
 * validated before the job exists, and a failure after creation cancels it,
 * so nothing half-built stays in the queue. Works on the manager's handle
 * and returns a {@linkcode JobRef}; the manager wraps it.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { loadShim } from "../ffi/library.ts";
import { discardHalfBuilt } from "./discard.ts";
import { InvalidArgumentError, unwrap } from "./errors.ts";
import { addFileSet, type FileSpec } from "./files.ts";
import { formatGuid } from "./guid.ts";
import { OwnedHandle, pointerFromOut } from "./handle.ts";
import { checkExpectation } from "./integrity.ts";
import { resumeJob } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";
import { setJobProperties } from "./properties.ts";
import { planProperties } from "./properties/encode.ts";
import type { JobProperties } from "./properties/types.ts";
import { checkDestinationsInRoots, checkInsideRoot, checkRoot, resolveRoot } from "./root.ts";
import { JOB_TYPES, type JobType } from "./types.ts";
import { encodeUtf16 } from "./utf16.ts";
import { checkDescription, checkDisplayName, checkLocalPath, checkRemoteSource } from "./validate.ts";

const logger = getLogger(["deno-bits", "manager"]);

/**
 * The description a job created by this module gets when its creator gives
 * none (or `""`): the mark by which `bits clean` knows the jobs it may tidy
 * up, as PowerShell's BitsTransfer marks its own with a default description.
 * A job whose description is anything else is not recognised as this module's.
 */
export const DEFAULT_JOB_DESCRIPTION = "Created by deno-bits";

/** The description a new job is created with: `description`, or {@linkcode DEFAULT_JOB_DESCRIPTION} when empty. */
export function newJobDescription(description: string | undefined): string {
  return description || DEFAULT_JOB_DESCRIPTION;
}

/** Options of `BitsManager.createJob`. */
export interface CreateJobOptions {
  /** Job type; default `"DOWNLOAD"`. */
  readonly type?: JobType;
  /** Description (≤ 1,024 characters), set right after creation; default {@linkcode DEFAULT_JOB_DESCRIPTION}. */
  readonly description?: string;
  /**
   * Properties applied right after creation, before any file is added
   * (validated before the job exists; if setting them fails the new job is
   * cancelled and the error thrown).
   */
  readonly properties?: JobProperties;
  /**
   * A download root the returned `BitsJob` enforces: every
   * destination later added through it (files, reply file) must resolve
   * inside this directory, or the call fails with an
   * `InvalidArgumentError` before reaching BITS. Must exist;
   * checked before the job is created.
   */
  readonly root?: string;
}

/** Options of `BitsManager.download`. */
export interface DownloadOptions {
  /** Display name; default `"deno-bits download"`. */
  readonly displayName?: string;
  /** Description (≤ 1,024 characters); default {@linkcode DEFAULT_JOB_DESCRIPTION}. */
  readonly description?: string;
  /**
   * Allow destinations that already exist (BITS replaces them on completion).
   * Default false: an existing destination is refused before a job is created.
   */
  readonly overwrite?: boolean;
  /** Leave the job suspended instead of resuming it. */
  readonly suspended?: boolean;
  /** Properties applied right after creation, before the files are added (see {@linkcode CreateJobOptions}). */
  readonly properties?: JobProperties;
  /**
   * A directory every destination must resolve inside (no `..`, no path
   * elsewhere, no symbolic link or junction leading out, no UNC path unless
   * the root is on that share, no stream or device name), checked before
   * the job exists. The job keeps enforcing it (see {@linkcode CreateJobOptions.root}).
   */
  readonly root?: string;
}

/**
 * Finds what would make a destination unusable before any job exists (or
 * before a file is added): a directory, an existing file without
 * `overwrite`, a missing parent directory.
 *
 * @throws {InvalidArgumentError} naming `path`.
 */
export async function checkDestination(path: string, overwrite: boolean): Promise<void> {
  const parent = path.slice(0, path.lastIndexOf("\\")) || path;
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw new InvalidArgumentError("path", `Destination ${path} is a directory`);
    if (!overwrite) {
      throw new InvalidArgumentError(
        "path",
        `Destination ${path} already exists; pass overwrite: true (CLI: --overwrite) to replace it`,
      );
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  try {
    if (!(await Deno.stat(parent.length === 2 ? `${parent}\\` : parent)).isDirectory) throw new Deno.errors.NotFound();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InvalidArgumentError("path", `Destination directory ${parent} does not exist`);
    }
    throw error;
  }
}

/** A job just created, and the download root its `BitsJob` is to enforce. */
export interface CreatedJob {
  /** The new job. */
  readonly ref: JobRef;
  /** The checked root, when one was given. */
  readonly root?: string;
}

/**
 * Creates a job (suspended, without files) through the manager's handle.
 * The description is set in the same native call; if that or the properties
 * fail, the job is cancelled.
 */
export async function createJob(
  manager: OwnedHandle,
  displayName: string,
  options: CreateJobOptions = {},
): Promise<CreatedJob> {
  const type = options.type ?? "DOWNLOAD";
  const typeValue = JOB_TYPES.indexOf(type);
  if (typeValue < 0) {
    throw new InvalidArgumentError("type", `Unknown job type ${JSON.stringify(type)}; use ${JOB_TYPES.join(", ")}`);
  }
  const name = encodeUtf16(checkDisplayName(displayName));
  const description = encodeUtf16(checkDescription(newJobDescription(options.description)));
  // Bad property values must fail before a job exists.
  if (options.properties !== undefined) planProperties(options.properties);
  const root = options.root === undefined ? undefined : checkRoot(options.root);
  if (root !== undefined) await resolveRoot(root);
  const guid = new Uint8Array(16);
  const out = new BigUint64Array(1);
  const hr = await manager.use((pointer) =>
    loadShim().symbols.bits_manager_create_job(
      pointer,
      name.buffer,
      name.length,
      typeValue,
      description.buffer,
      description.length,
      guid,
      out,
    )
  );
  unwrap(hr, "CreateJob");
  const id = formatGuid(guid);
  logger.debug("Created {type} job {id} {name}", { type, id, name: displayName });
  const ref: JobRef = { id, handle: new OwnedHandle(pointerFromOut(out, "CreateJob"), `job ${id}`) };
  if (options.properties !== undefined) {
    try {
      await setJobProperties(ref, options.properties);
    } catch (error) {
      await discardHalfBuilt(ref, "the properties of job");
      throw error;
    }
  }
  return root === undefined ? { ref } : { ref, root };
}

/**
 * Creates a download job for `files`, adds them and resumes it (unless
 * `suspended`): `BitsManager.download`.
 */
export async function createDownload(
  manager: OwnedHandle,
  files: readonly FileSpec[],
  options: DownloadOptions = {},
): Promise<CreatedJob> {
  if (files.length === 0) throw new InvalidArgumentError("files", "A download needs at least one file");
  const root = options.root === undefined ? undefined : checkRoot(options.root);
  const seen = new Set<string>();
  for (const [index, file] of files.entries()) {
    checkRemoteSource(file.url, `files[${index}].url`);
    checkLocalPath(file.path, `files[${index}].path`);
    // Before the file system is looked at: an escaping path is not even stat'ed.
    if (root !== undefined) checkInsideRoot(file.path, root, `files[${index}].path`);
    if (file.expect !== undefined) checkExpectation(file.expect, `files[${index}].expect`);
    const key = file.path.toLowerCase();
    if (seen.has(key)) {
      throw new InvalidArgumentError(`files[${index}].path`, `Destination ${file.path} appears twice`);
    }
    seen.add(key);
    await checkDestination(file.path, options.overwrite ?? false);
  }
  if (root !== undefined) {
    await checkDestinationsInRoots(files.map((f, i) => ({ path: f.path, argument: `files[${i}].path` })), [root]);
  }
  const created = await createJob(manager, options.displayName ?? "deno-bits download", {
    description: options.description ?? "",
    properties: options.properties,
    root,
  });
  try {
    await addFileSet(created.ref, files);
    if (!options.suspended) await resumeJob(created.ref);
    return created;
  } catch (error) {
    await discardHalfBuilt(created.ref);
    throw error;
  }
}

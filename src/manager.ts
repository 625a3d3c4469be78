/**
 * {@linkcode BitsManager}: the connection to the BITS service, and the
 * entry point for creating, finding and listing jobs.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { loadShim } from "../ffi/library.ts";
import { QUEUE_WITH_TIMES } from "../ffi/symbols.ts";
import { InvalidArgumentError, unwrap } from "./errors.ts";
import { formatGuid, isGuid, parseGuid } from "./guid.ts";
import { decodeDatedQueue, decodeQueue } from "./decode.ts";
import { OwnedHandle, pointerFromOut } from "./handle.ts";
import { readGrowing } from "./buffer_read.ts";
import { discardHalfBuilt } from "./discard.ts";
import { BitsJob, type FileSpec, readSnapshot } from "./job.ts";
import { type DatedJobSnapshot, JOB_TYPES, type JobSnapshot, type JobType } from "./types.ts";
import { encodeUtf16 } from "./utf16.ts";
import { planProperties } from "./properties/encode.ts";
import type { JobProperties } from "./properties/types.ts";
import { type Capabilities, probeCapabilities } from "./capabilities.ts";
import { type ErrorDescriptionOptions, type ErrorText, errorText } from "./inspection.ts";
import { checkDescription, checkDisplayName, checkLocalPath, checkRemoteSource } from "./validate.ts";
import { checkExpectation } from "./integrity.ts";
import { transfer, type TransferOptions, type TransferResult } from "./transfer.ts";
import { createUpload, type UploadOptions } from "./upload.ts";
import { checkDestinationsInRoots, checkInsideRoot, checkRoot, resolveRoot } from "./root.ts";

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

/** Options of {@linkcode BitsManager.createJob}. */
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
   * A download root the returned {@linkcode BitsJob} enforces: every
   * destination later added through it (files, reply file) must resolve
   * inside this directory, or the call fails with an
   * {@linkcode InvalidArgumentError} before reaching BITS. Must exist;
   * checked before the job is created.
   */
  readonly root?: string;
}

/** Options of {@linkcode BitsManager.download}. */
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

/** Options of {@linkcode BitsManager.listJobs}. */
export interface ListOptions {
  /** All users' jobs (BG_JOB_ENUM_ALL_USERS; needs administrator rights on Windows). */
  readonly allUsers?: boolean;
}

const ENUM_ALL_USERS = 1;
/** listJobs' first buffer: about 40 jobs with short names; it grows to the queue's size once. */
const QUEUE_BUFFER_BYTES = 16 * 1024;

// The library only obtains loggers; applications (such as the CLI) configure sinks.
const logger = getLogger(["deno-bits", "manager"]);

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

/**
 * A connection to the BITS service. Dispose it when done; jobs obtained from
 * it hold their own references and stay usable after the manager is disposed.
 *
 * @example
 * ```ts
 * import { connect } from "@deno-bits/bits";
 *
 * using bits = await connect();
 * for (const job of await bits.listJobs()) console.log(job.id, job.state, job.displayName);
 * using job = await bits.download([{ url: "https://example.com/a.zip", path: "C:\\Downloads\\a.zip" }]);
 * console.log(job.id);
 * ```
 */
export class BitsManager implements Disposable {
  readonly #handle: OwnedHandle;
  // listJobs' buffer between reads (undefined while a read holds it).
  #queueBuffer: Uint8Array | undefined;

  private constructor(pointer: Deno.PointerObject) {
    this.#handle = new OwnedHandle(pointer, "BITS manager");
  }

  /**
   * Connects to BITS (CoCreateInstance of the 1.0 BackgroundCopyManager).
   *
   * @throws {BitsUnavailableError} when not on Windows or the shim cannot be loaded.
   * @throws {BitsError} when the service cannot be reached.
   */
  static async connect(): Promise<BitsManager> {
    const out = new BigUint64Array(1);
    unwrap(await loadShim().symbols.bits_connect(out), "Connecting to BITS");
    return new BitsManager(pointerFromOut(out, "Connecting to BITS"));
  }

  /**
   * Creates a job (suspended, without files). The description is set in the
   * same native call; if that fails the job is cancelled, so no half-built
   * job is left behind.
   */
  async createJob(displayName: string, options: CreateJobOptions = {}): Promise<BitsJob> {
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
    const hr = await this.#handle.use((manager) =>
      loadShim().symbols.bits_manager_create_job(
        manager,
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
    const job = new BitsJob(new OwnedHandle(pointerFromOut(out, "CreateJob"), `job ${id}`), id, root);
    if (options.properties !== undefined) {
      try {
        await job.setProperties(options.properties);
      } catch (error) {
        await discardHalfBuilt(job, "the properties of job");
        throw error;
      }
    }
    return job;
  }

  /**
   * Opens a job by GUID (braces optional).
   *
   * @throws {BitsError} `BG_E_NOT_FOUND` when BITS has no such job.
   */
  async getJob(id: string): Promise<BitsJob> {
    if (!isGuid(id)) throw new InvalidArgumentError("id", `Not a job id (GUID): ${JSON.stringify(id)}`);
    const guid = parseGuid(id);
    const out = new BigUint64Array(1);
    const hr = await this.#handle.use((manager) => loadShim().symbols.bits_manager_get_job(manager, guid, out));
    const canonical = formatGuid(guid);
    unwrap(hr, "GetJob", { jobId: canonical });
    return new BitsJob(new OwnedHandle(pointerFromOut(out, "GetJob"), `job ${canonical}`), canonical);
  }

  /** Opens every job in the queue (newest first, as BITS enumerates); dispose each one. */
  async jobs(options: ListOptions = {}): Promise<BitsJob[]> {
    return (await this.jobsWithSnapshots(options)).map(({ job }) => job);
  }

  /**
   * Opens every job in the queue together with the snapshot read while
   * enumerating (one read per job, for callers that need both); dispose each job.
   */
  async jobsWithSnapshots(options: ListOptions = {}): Promise<{ job: BitsJob; snapshot: JobSnapshot }[]> {
    const read = await this.#enumerate(options);
    return read.map(({ handle, snapshot }) => ({ job: new BitsJob(handle, snapshot.id), snapshot }));
  }

  /**
   * Snapshots every job in the queue, newest first as BITS enumerates them,
   * in one nonblocking call (the shim enumerates and reads every job).
   * Jobs that vanish while being read are skipped.
   */
  listJobs(options: ListOptions = {}): Promise<JobSnapshot[]> {
    return this.#readQueue(options.allUsers ? ENUM_ALL_USERS : 0, decodeQueue);
  }

  /**
   * {@linkcode listJobs} with each job's times (creation, modification,
   * transfer completion), still in one nonblocking call: one more COM round
   * trip per job, and none after a BITS without GetTimes (Wine) has said so
   * once; `times` is then `null`.
   */
  listJobsWithTimes(options: ListOptions = {}): Promise<DatedJobSnapshot[]> {
    return this.#readQueue((options.allUsers ? ENUM_ALL_USERS : 0) | QUEUE_WITH_TIMES, decodeDatedQueue);
  }

  /** One `bits_manager_read_queue` call (retried with a larger buffer), decoded. */
  #readQueue<T>(flags: number, decode: (buffer: Uint8Array) => T): Promise<T> {
    return readGrowing({
      initialSize: QUEUE_BUFFER_BYTES,
      // One nonblocking call reads the whole queue, into a buffer kept from the last read (its
      // size is the queue's high-water mark), taken while in use so concurrent reads never share it.
      allocate: (size: number) => {
        const kept = this.#queueBuffer;
        this.#queueBuffer = undefined;
        return {
          buffer: kept !== undefined && kept.byteLength >= size ? kept : new Uint8Array(size),
          needed: new Uint32Array(1),
        };
      },
      call: ({ buffer, needed }) =>
        this.#handle.use((manager) =>
          loadShim().symbols.bits_manager_read_queue(manager, flags >>> 0, buffer, buffer.byteLength, needed)
        ),
      // Room to spare: the queue may grow before the retry.
      grow: ({ needed }) => Math.ceil(needed[0] * 1.25) + QUEUE_BUFFER_BYTES,
      finish: (hr, { buffer }) => {
        unwrap(hr, "EnumJobs");
        return decode(buffer);
      },
      // Put back once the call has settled and the queue is decoded. A concurrent read may have
      // put back a buffer meanwhile: keep the larger.
      release: ({ buffer }) => {
        const kept = this.#queueBuffer;
        if (kept === undefined || kept.byteLength < buffer.byteLength) this.#queueBuffer = buffer;
      },
      operation: "EnumJobs (the queue keeps growing)",
    });
  }

  /** Enumerates the queue and snapshots each job; the caller owns the handles. */
  async #enumerate(options: ListOptions): Promise<{ handle: OwnedHandle; snapshot: JobSnapshot }[]> {
    const flags = options.allUsers ? ENUM_ALL_USERS : 0;
    const handles = await readGrowing({
      // Room for a full machine queue (300 jobs by policy) on the first try.
      initialSize: 1024,
      allocate: (capacity: number) => ({ out: new BigUint64Array(capacity), count: new Uint32Array(1) }),
      call: ({ out, count }) =>
        this.#handle.use((manager) =>
          loadShim().symbols.bits_manager_enum_jobs(manager, flags, out, out.length, count)
        ),
      // The queue outgrew the array; retry with room to spare.
      grow: ({ count }) => count[0] + 16,
      finish: (hr, { out, count }) => {
        unwrap(hr, "EnumJobs");
        return Array.from(
          out.subarray(0, count[0]),
          (address) => new OwnedHandle(pointerFromOut(BigUint64Array.of(address), "EnumJobs"), "enumerated job"),
        );
      },
      operation: "EnumJobs (the queue keeps growing)",
    });
    // One job after another, like every BITS client: many concurrent calls from one
    // process buy little (the service serialises them) and strain Wine's RPC.
    const read: { handle: OwnedHandle; snapshot: JobSnapshot }[] = [];
    for (const handle of handles) {
      try {
        read.push({ handle, snapshot: await readSnapshot(handle, "(enumerated)") });
      } catch {
        // The job vanished between enumeration and reading.
        handle.dispose();
      }
    }
    return read;
  }

  /**
   * Creates a download job for `files`, adds them and resumes it: the
   * equivalent of `bitsadmin /create` + `/addfile` + `/resume`, transactional.
   * Every argument is validated before the job exists (URL scheme, full local
   * path, existing directory, no silent overwrite); a failure after creation
   * cancels the job so nothing half-built stays in the queue.
   */
  async download(files: readonly FileSpec[], options: DownloadOptions = {}): Promise<BitsJob> {
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
    const job = await this.createJob(options.displayName ?? "deno-bits download", {
      description: options.description ?? "",
      properties: options.properties,
      root,
    });
    try {
      await job.addFiles(files);
      if (!options.suspended) await job.resume();
      return job;
    } catch (error) {
      await discardHalfBuilt(job);
      throw error;
    }
  }

  // ---- Transfer and wait, upload jobs (src/transfer.ts) ----

  /**
   * Transfer and wait (like `bitsadmin /transfer`): downloads `files` as
   * {@linkcode download} does, waits, completes the job and returns the
   * outcome with the final snapshot. On failure (job ERROR, timeout, abort)
   * the job is cancelled or kept as `options.onFailure` says (required), and
   * the error is rethrown: the job's {@linkcode BitsError} with its `jobId`,
   * or a {@linkcode TransferInterruptedError}. Under Wine a job that is still
   * transferring is never cancelled (that crashes Wine's BITS): it is left
   * running and reported so.
   */
  transfer(files: readonly FileSpec[], options: TransferOptions): Promise<TransferResult> {
    return transfer(this, files, options);
  }

  /**
   * Creates an UPLOAD job (UPLOAD_REPLY with `reply`) with its single file,
   * resumed unless `suspended`. The local file must exist and be a regular
   * file; everything is checked before the job exists, and a failure after
   * creation cancels it.
   *
   * @throws {BitsUnsupportedError} under Wine unless `suspended`: Wine's BITS would download over the file.
   */
  upload(options: UploadOptions): Promise<BitsJob> {
    return createUpload(this, options);
  }

  // ---- Capabilities and error texts (src/capabilities.ts, src/inspection.ts) ----

  /**
   * The best text for an HRESULT and which source gave it: BITS
   * (GetErrorDescription in `langId`, default the user's language), else
   * winhttp.dll's message table for WinHTTP codes (0x80072xxx), else the
   * system's, else this module's own table, which always answers.
   *
   * @throws {InvalidArgumentError} when `hr` is not a 32-bit value or `langId` not a LANGID.
   */
  errorDescription(hr: number, options: ErrorDescriptionOptions = {}): Promise<ErrorText> {
    return errorText(this.#handle, hr, options);
  }

  /**
   * Detects what this BITS is and implements: registered manager CLSIDs
   * (newest first → `bitsVersion`), QueryInterface probes for Job2–Job5,
   * HttpOptions 1–3 and File2–File6, Callback3 support, Wine, and the shim.
   * The interface probes use a temporary SUSPENDED job with one file that is
   * never resumed and is cancelled before this returns.
   */
  capabilities(): Promise<Capabilities> {
    return probeCapabilities(this);
  }

  /** Releases the connection. Idempotent. */
  close(): void {
    this.#handle.dispose();
  }

  /** Same as {@linkcode close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Connects to BITS; shorthand for {@linkcode BitsManager.connect}. The first
 * call loads the shim; off Windows it rejects with `BitsUnavailableError`.
 *
 * @example
 * ```ts
 * import { BitsUnavailableError, connect } from "@deno-bits/bits";
 *
 * try {
 *   using bits = await connect();
 *   console.log((await bits.listJobs()).length, "jobs queued");
 * } catch (error) {
 *   if (error instanceof BitsUnavailableError) console.error(error.message); // e.g. not Windows
 *   else throw error;
 * }
 * ```
 */
export function connect(): Promise<BitsManager> {
  return BitsManager.connect();
}

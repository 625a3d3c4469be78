/**
 * {@linkcode BitsManager}: the connection to the BITS service, and the
 * entry point for creating, finding and listing jobs.
 *
 * @module
 */

import { loadShim } from "../ffi/library.ts";
import { type Capabilities, probeCapabilities } from "./capabilities.ts";
import { createDownload, createJob, type CreateJobOptions, type DownloadOptions } from "./create_job.ts";
import { unwrap } from "./errors.ts";
import type { FileSpec } from "./files.ts";
import { OwnedHandle, pointerFromOut } from "./handle.ts";
import { type ErrorDescriptionOptions, type ErrorText, errorText } from "./inspection.ts";
import { BitsJob } from "./job.ts";
import { enumerateJobs, type ListOptions, openJob, QueueReader } from "./queue.ts";
import { transfer, type TransferOptions, type TransferResult } from "./transfer.ts";
import type { DatedJobSnapshot, JobSnapshot } from "./types.ts";
import { createUpload, type UploadOptions } from "./upload.ts";

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
  readonly #queue: QueueReader;

  private constructor(pointer: Deno.PointerObject) {
    this.#handle = new OwnedHandle(pointer, "BITS manager");
    this.#queue = new QueueReader(this.#handle);
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
    const { ref, root } = await createJob(this.#handle, displayName, options);
    return new BitsJob(ref, root);
  }

  /**
   * Opens a job by GUID (braces optional).
   *
   * @throws {BitsError} `BG_E_NOT_FOUND` when BITS has no such job.
   */
  async getJob(id: string): Promise<BitsJob> {
    return new BitsJob(await openJob(this.#handle, id));
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
    const read = await enumerateJobs(this.#handle, options);
    return read.map(({ ref, snapshot }) => ({ job: new BitsJob(ref), snapshot }));
  }

  /**
   * Snapshots every job in the queue, newest first as BITS enumerates them,
   * in one nonblocking call (the shim enumerates and reads every job).
   * Jobs that vanish while being read are skipped.
   */
  listJobs(options: ListOptions = {}): Promise<JobSnapshot[]> {
    return this.#queue.snapshots(options);
  }

  /**
   * {@linkcode listJobs} with each job's times (creation, modification,
   * transfer completion), still in one nonblocking call: one more COM round
   * trip per job, and none after a BITS without GetTimes (Wine) has said so
   * once; `times` is then `null`.
   */
  listJobsWithTimes(options: ListOptions = {}): Promise<DatedJobSnapshot[]> {
    return this.#queue.datedSnapshots(options);
  }

  /**
   * Creates a download job for `files`, adds them and resumes it: the
   * equivalent of `bitsadmin /create` + `/addfile` + `/resume`, transactional.
   * Every argument is validated before the job exists (URL scheme, full local
   * path, existing directory, no silent overwrite); a failure after creation
   * cancels the job so nothing half-built stays in the queue.
   */
  async download(files: readonly FileSpec[], options: DownloadOptions = {}): Promise<BitsJob> {
    const { ref, root } = await createDownload(this.#handle, files, options);
    return new BitsJob(ref, root);
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
    return transfer(this.#handle, files, options);
  }

  /**
   * Creates an UPLOAD job (UPLOAD_REPLY with `reply`) with its single file,
   * resumed unless `suspended`. The local file must exist and be a regular
   * file; everything is checked before the job exists, and a failure after
   * creation cancels it.
   *
   * @throws {BitsUnsupportedError} under Wine unless `suspended`: Wine's BITS would download over the file.
   */
  async upload(options: UploadOptions): Promise<BitsJob> {
    return new BitsJob(await createUpload(this.#handle, options));
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
    return probeCapabilities(this.#handle);
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

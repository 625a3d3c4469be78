/**
 * {@linkcode BitsJob}: one BITS job, addressed by GUID, holding one COM
 * reference. Disposing the object releases that reference only: the job
 * itself lives on in BITS until it is completed or cancelled.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { loadShim } from "../ffi/library.ts";
import { readBytes } from "./buffer_read.ts";
import { decodeFiles, decodeSnapshot } from "./decode.ts";
import { BitsError, UNKNOWN_JOB_ERROR, unwrap, WmpJobOwnedError } from "./errors.ts";
import type { OwnedHandle } from "./handle.ts";
import { failed, HR, hresultName } from "./hresult.ts";
import { FINAL_STATES } from "./types.ts";
import type { CancelOutcome, CompleteOutcome, JobFile, JobSnapshot, JobState } from "./types.ts";
import { decodeUtf16, encodeUtf16 } from "./utf16.ts";
import { wmpKindOf } from "./wmp/codec.ts";
import type { WatchEvent } from "./watch/events.ts";
import { watch } from "./watch/watch.ts";
import { checkLocalPath, checkRemoteSource } from "./validate.ts";
import { checkDestinationsInRoots, checkRoot } from "./root.ts";
import {
  addFileSet,
  addFileWithRanges,
  type BitsFile,
  type FileRange,
  openFile,
  openFiles,
  replaceRemotePrefix,
} from "./files.ts";
import { replyData, replyFileName, type ReplyProgress, replyProgress, setReplyFileName } from "./upload.ts";
import { REQUIRES } from "./features.ts";
import type { FileExpectation } from "./integrity.ts";
import { checkExpectedFiles, completeVerified, type ExpectedFile } from "./verified_complete.ts";
import {
  getJobClientCertificate,
  getJobProperty,
  makeJobHeadersWriteOnly,
  readJobProperties,
  removeJobCredentials,
  setJobClientCertificate,
  setJobCredentials,
  setJobProperties,
} from "./properties.ts";
import type {
  AuthScheme,
  AuthTarget,
  ClientCertificate,
  ClientCertificateInfo,
  JobProperties,
  JobPropertiesSnapshot,
  JobPropertyValues,
  ReadablePropertyName,
} from "./properties.ts";
import type { Credentials, SecretCredentials } from "./credentials.ts";
import { type DetailsOptions, type JobDetails, readDetails } from "./inspection.ts";

/** A file to add to a job. */
export interface FileSpec {
  /** Remote URL (http or https). */
  readonly url: string;
  /** Full local Windows path; its directory must exist. */
  readonly path: string;
  /**
   * What the file must be (size, SHA-256). Checked by {@linkcode BitsManager.transfer} before the file is accepted;
   * with {@linkcode BitsManager.download}, pass it to {@linkcode BitsJob.complete} as `expect`.
   */
  readonly expect?: FileExpectation;
}

/** Options of {@linkcode BitsJob.complete} and {@linkcode BitsJob.cancel}. */
export interface FinishOptions {
  /**
   * Act on a Windows Media Player `WMP_JOB` job anyway. Such jobs belong to
   * the Player, which completes them itself; without `force` the call is
   * refused with a {@linkcode WmpJobOwnedError}.
   */
  readonly force?: boolean;
}

/** Options of {@linkcode BitsJob.complete}. */
export interface CompleteOptions extends FinishOptions {
  /**
   * Expected size and/or SHA-256 of some of the job's files: checked in BITS'
   * temporary files before Complete where BITS exposes them (BITS 3.0), else
   * at the destinations right after Complete, removing any file that does not
   * match. A mismatch throws an `IntegrityError`.
   */
  readonly expect?: readonly ExpectedFile[];
}

/** Options of {@linkcode BitsJob.wait}. */
export interface WaitOptions {
  /** State to wait for; default `"TRANSFERRED"`. */
  readonly until?: JobState;
  /** Milliseconds between watchdog polls; default 1000 (callbacks report sooner). */
  readonly interval?: number;
  /** Register a BITS callback while waiting (default true; see `WatchOptions.callbacks`). */
  readonly callbacks?: boolean;
  /** Reject after the job has entered TRANSIENT_ERROR this many times (default: never). */
  readonly transientErrorLimit?: number;
  /** Called with every event while waiting. */
  readonly onEvent?: (event: WatchEvent) => void;
  /** Give up after this many milliseconds (rejects with a DOMException named `TimeoutError`). */
  readonly timeout?: number;
  /** Stops waiting (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** Called with the snapshot of every poll that saw a change. */
  readonly onSnapshot?: (snapshot: JobSnapshot) => void;
}

const logger = getLogger(["deno-bits", "job"]);

// Snapshot strings are bounded by BITS (256 + 1,024 characters), so one
// allocation of this size always fits; files start here and grow on demand.
const SNAPSHOT_BUFFER_BYTES = 4096;
const FILES_BUFFER_BYTES = 16 * 1024;

/** Reads a job's snapshot through any owned job handle (one FFI call). */
export async function readSnapshot(handle: OwnedHandle, jobId: string): Promise<JobSnapshot> {
  const bytes = await handle.use((job) =>
    readBytes(
      SNAPSHOT_BUFFER_BYTES,
      "Snapshot",
      jobId,
      (out, cap, needed) => loadShim().symbols.bits_job_snapshot(job, out, cap, needed),
    )
  );
  return decodeSnapshot(bytes);
}

// Lets modules of this package (the watcher) use a job's handle without a public accessor.
const handles = new WeakMap<BitsJob, OwnedHandle>();

/** @internal The owned handle of a job, for other modules of this package. */
export function jobHandle(job: BitsJob): OwnedHandle {
  const handle = handles.get(job);
  if (!handle) throw new TypeError("Not a BitsJob");
  return handle;
}

/** A BITS job. Obtain one from {@linkcode BitsManager}; dispose it when done. */
export class BitsJob implements Disposable {
  /** The job's GUID, braced upper case. */
  readonly id: string;
  /**
   * The download root this object enforces (`CreateJobOptions.root`): every
   * destination added through it must resolve inside. Not stored in BITS: a
   * job opened again by id has none.
   */
  readonly root?: string;
  readonly #handle: OwnedHandle;

  /** @internal Takes ownership of a job handle; use {@linkcode BitsManager}'s methods instead. */
  constructor(handle: OwnedHandle, id: string, root?: string) {
    this.id = id;
    this.#handle = handle;
    if (root !== undefined) this.root = root;
    handles.set(this, handle);
  }

  /**
   * Refuses destinations outside the job's root or the call's `root` option
   * (both apply), before any COM call.
   */
  async #checkRoots(destinations: { path: unknown; argument: string }[], root: unknown): Promise<void> {
    const callRoot = root === undefined ? undefined : checkRoot(root);
    if (this.root === undefined && callRoot === undefined) return;
    const checked = destinations.map(({ path, argument }) => ({ path: checkLocalPath(path, argument), argument }));
    await checkDestinationsInRoots(checked, [this.root, callRoot]);
  }

  /**
   * Adds one file. Validates both names first; BITS checks the rest. With a
   * root (the job's or `options.root`), the destination must resolve inside it.
   */
  async addFile(url: string, path: string, options: { readonly root?: string } = {}): Promise<void> {
    const remote = encodeUtf16(checkRemoteSource(url));
    const local = encodeUtf16(checkLocalPath(path));
    await this.#checkRoots([{ path, argument: "localPath" }], options.root);
    const hr = await this.#handle.use((job) =>
      loadShim().symbols.bits_job_add_file(job, remote.buffer, remote.length, local.buffer, local.length)
    );
    unwrap(hr, "AddFile", { jobId: this.id });
  }

  /**
   * Adds several files in ONE AddFileSet call, all validated first: BITS
   * takes the whole set or none of it. BITS' per-job limit (200 files by
   * default policy) comes back as a {@linkcode BitsError}
   * `BG_E_TOO_MANY_FILES_IN_JOB`. With a root (the job's or `options.root`),
   * every destination must resolve inside it, or nothing is added.
   */
  async addFiles(files: readonly FileSpec[], options: { readonly root?: string } = {}): Promise<void> {
    if (Array.isArray(files)) {
      await this.#checkRoots(
        files.map((file, i) => ({ path: file?.path, argument: `files[${i}].path` })),
        options.root,
      );
    }
    await addFileSet(this.#handle, this.id, files);
  }

  /** Queues the job for transfer (or retries it after an error). */
  async resume(): Promise<void> {
    unwrap(await this.#handle.use((job) => loadShim().symbols.bits_job_resume(job)), "Resume", { jobId: this.id });
  }

  /**
   * Suspends the job: it stops transferring until {@linkcode resume}. New jobs start suspended.
   *
   * @throws {BitsUnsupportedError} where BITS cannot suspend (Wine's BITS).
   */
  async suspend(): Promise<void> {
    unwrap(await this.#handle.use((job) => loadShim().symbols.bits_job_suspend(job)), "Suspend", {
      jobId: this.id,
      feature: "suspending a job",
      requires: REQUIRES.job,
    });
  }

  /**
   * Makes the current user the job's owner. BITS then drops the job's notify
   * command line and custom headers, and the credentials stay with the job.
   * Needs administrator rights for another user's job.
   *
   * @throws {BitsUnsupportedError} where BITS cannot (Wine's BITS).
   */
  async takeOwnership(): Promise<void> {
    unwrap(await this.#handle.use((job) => loadShim().symbols.bits_job_take_ownership(job)), "TakeOwnership", {
      jobId: this.id,
      feature: "taking ownership of a job",
      requires: REQUIRES.job,
    });
  }

  /**
   * Completes the job: BITS moves the downloaded files into place. Returns
   * `"partial"` (BG_S_PARTIAL_COMPLETE) when some files were not finished or
   * could not be moved, and `"unable-to-delete-files"` when temporary files
   * remain; both are successes in BITS' terms.
   *
   * @throws {WmpJobOwnedError} for a Windows Media Player `WMP_JOB` job, unless `force` is set.
   * @throws {IntegrityError} (from `mod.ts`) when a file given in `expect` is not what it should be.
   */
  async complete(options: CompleteOptions = {}): Promise<CompleteOutcome> {
    if (options.expect !== undefined) checkExpectedFiles(options.expect);
    if (!options.force) await this.#refuseIfPlayerOwned("complete");
    if (options.expect?.length) {
      return (await completeVerified(this, options.expect, () => this.#complete())).outcome;
    }
    return await this.#complete();
  }

  /** The plain Complete call. */
  async #complete(): Promise<CompleteOutcome> {
    const hr = unwrap(await this.#handle.use((job) => loadShim().symbols.bits_job_complete(job)), "Complete", {
      jobId: this.id,
    });
    logger.debug("Completed job {id}: {hr}", { id: this.id, hr: hresultName(hr) });
    if (hr === HR.BG_S_PARTIAL_COMPLETE) return "partial";
    if (hr === HR.BG_S_UNABLE_TO_DELETE_FILES) return "unable-to-delete-files";
    return "completed";
  }

  /**
   * Cancels the job and deletes its temporary files. Returns
   * `"unable-to-delete-files"` (BG_S_UNABLE_TO_DELETE_FILES) when some could
   * not be deleted. Note: Wine's BITS also deletes each file's local name.
   *
   * @throws {WmpJobOwnedError} for a Windows Media Player `WMP_JOB` job, unless `force` is set.
   */
  async cancel(options: FinishOptions = {}): Promise<CancelOutcome> {
    if (!options.force) await this.#refuseIfPlayerOwned("cancel");
    const hr = unwrap(await this.#handle.use((job) => loadShim().symbols.bits_job_cancel(job)), "Cancel", {
      jobId: this.id,
    });
    logger.debug("Cancelled job {id}: {hr}", { id: this.id, hr: hresultName(hr) });
    return hr === HR.BG_S_UNABLE_TO_DELETE_FILES ? "unable-to-delete-files" : "cancelled";
  }

  /** Refuses to finish a job the Player owns (a `::WMP_JOB:` description, docs/wmp-convention.md, rule R4). */
  async #refuseIfPlayerOwned(action: "complete" | "cancel"): Promise<void> {
    if (wmpKindOf(await this.#description()) === "job") throw new WmpJobOwnedError(this.id, action);
  }

  /** The description alone (one round trip); `""` when BITS cannot return one. */
  async #description(): Promise<string> {
    // The tag is all the guard needs, and BITS caps descriptions at 1,024 characters.
    const buffer = new Uint16Array(1025);
    const length = new Uint32Array(1);
    const hr = await this.#handle.use((job) =>
      loadShim().symbols.bits_job_description(job, buffer, buffer.length, length)
    );
    // Wine fails GetDescription on a job whose description was never set: it is no WMP job then.
    if (failed(hr)) return "";
    return decodeUtf16(new Uint8Array(buffer.buffer), 0, length[0]);
  }

  /** Reads the job's whole state in one call. */
  snapshot(): Promise<JobSnapshot> {
    return readSnapshot(this.#handle, this.id);
  }

  /** Lists the job's files with their progress, in BITS' order (reverse of addition on Wine). */
  async files(): Promise<JobFile[]> {
    const bytes = await this.#handle.use((job) =>
      readBytes(
        FILES_BUFFER_BYTES,
        "EnumFiles",
        this.id,
        (out, cap, needed) => loadShim().symbols.bits_job_files(job, out, cap, needed),
      )
    );
    return decodeFiles(bytes);
  }

  /**
   * Waits until the job reaches `until` (default TRANSFERRED) and returns its
   * snapshot then. Uses {@linkcode watch}: a BITS callback ends the wait at
   * once, the watchdog poll (every `interval` ms) catches the rest. Rejects
   * with the job's {@linkcode BitsError} when it enters ERROR (or after
   * `transientErrorLimit` entries into TRANSIENT_ERROR), with a BitsError
   * `BG_E_INVALID_STATE` when it reaches another final state, and with
   * `BG_E_NOT_FOUND` when it leaves the queue. Leaves no timer or callback behind.
   *
   * @example
   * ```ts ignore
   * const done = await job.wait({
   *   timeout: 10 * 60_000,
   *   onSnapshot: (s) => console.log(s.state, s.progress.bytesTransferred),
   * });
   * console.log(done.state, await job.complete()); // TRANSFERRED completed
   * ```
   */
  async wait(options: WaitOptions = {}): Promise<JobSnapshot> {
    options.signal?.throwIfAborted();
    const until = options.until ?? "TRANSFERRED";
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    options.signal?.addEventListener("abort", onAbort);
    let timedOut = false;
    const timer = options.timeout === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      stop.abort();
    }, options.timeout);
    let transientErrors = 0;
    try {
      const events = watch([this], {
        signal: stop.signal,
        pollInterval: options.interval ?? 1000,
        callbacks: options.callbacks,
      });
      for await (const event of events) {
        if (event.snapshot) options.onSnapshot?.(event.snapshot);
        options.onEvent?.(event);
        if (event.kind === "removed") {
          throw new BitsError(HR.BG_E_NOT_FOUND, {
            operation: `Waiting for ${until} (the job left the queue)`,
            jobId: this.id,
          });
        }
        if (event.kind !== "state" || event.state === undefined) continue;
        if (event.state === until) return event.snapshot ?? await this.snapshot();
        if (event.state === "ERROR") {
          throw BitsError.fromJobError((await this.snapshot()).error ?? UNKNOWN_JOB_ERROR, this.id);
        }
        if (event.state === "TRANSIENT_ERROR" && ++transientErrors >= (options.transientErrorLimit ?? Infinity)) {
          const snapshot = await this.snapshot();
          throw new BitsError((snapshot.error ?? UNKNOWN_JOB_ERROR).hresult, {
            operation: `Transfer (${transientErrors} transient errors)`,
            context: snapshot.error?.context,
            jobId: this.id,
            state: "TRANSIENT_ERROR",
          });
        }
        if (FINAL_STATES.has(event.state)) {
          throw new BitsError(HR.BG_E_INVALID_STATE, {
            operation: `Waiting for ${until} (the job is ${event.state})`,
            jobId: this.id,
            state: event.state,
          });
        }
      }
      if (timedOut) {
        throw new DOMException(`Job ${this.id} did not reach ${until} within ${options.timeout} ms`, "TimeoutError");
      }
      options.signal?.throwIfAborted();
      throw new Error(`Watching job ${this.id} ended before it reached ${until}`);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  // ---- Properties (src/properties.ts) ----

  /**
   * Sets job properties. Every value is validated first: a bad one throws an
   * `InvalidArgumentError` naming it and nothing is changed. Then
   * they are applied in a fixed order; a BITS failure stops there and names
   * the property (`BitsUnsupportedError` when this BITS lacks it).
   *
   * @example
   * ```ts ignore
   * await job.setProperties({ priority: "HIGH", customHeaders: ["X-Token: abc"], costFlags: "NOT_ROAMING" });
   * ```
   */
  setProperties(properties: JobProperties): Promise<void> {
    return setJobProperties(this.#handle, this.id, properties);
  }

  /**
   * Reads one property, typed by its name.
   *
   * @throws {BitsUnsupportedError} when the running BITS lacks it (e.g. `priority` on Wine).
   */
  getProperty<K extends ReadablePropertyName>(name: K): Promise<JobPropertyValues[K]> {
    return getJobProperty(this.#handle, this.id, name);
  }

  /**
   * Reads every readable property. Never throws for a missing feature:
   * `unsupported` names what this BITS could not read.
   */
  properties(): Promise<JobPropertiesSnapshot> {
    return readJobProperties(this.#handle, this.id);
  }

  /**
   * Sets credentials for their target and scheme (IBackgroundCopyJob2). The
   * secret never appears in errors or logs; the native buffers holding it
   * are zeroed after the call.
   */
  setCredentials(credentials: Credentials | SecretCredentials): Promise<void> {
    return setJobCredentials(this.#handle, this.id, credentials);
  }

  /** Removes the credentials for one target and scheme (IBackgroundCopyJob2). */
  removeCredentials(target: AuthTarget, scheme: AuthScheme): Promise<void> {
    return removeJobCredentials(this.#handle, this.id, target, scheme);
  }

  /**
   * Sets the client certificate, by SHA-1 hash or by subject name.
   *
   * @throws {BitsUnsupportedError} where BITS stubs client certificates (Wine: E_NOTIMPL).
   */
  setClientCertificate(certificate: ClientCertificate): Promise<void> {
    return setJobClientCertificate(this.#handle, this.id, certificate);
  }

  /** Removes the client certificate. */
  removeClientCertificate(): Promise<void> {
    return setJobClientCertificate(this.#handle, this.id, null);
  }

  /** The client certificate, or null when none is set. */
  clientCertificate(): Promise<ClientCertificateInfo | null> {
    return getJobClientCertificate(this.#handle, this.id);
  }

  /**
   * Makes the custom headers write-only: BITS stops returning them
   * (IBackgroundCopyJobHttpOptions3, BITS 10.3). Irreversible.
   */
  makeCustomHeadersWriteOnly(): Promise<void> {
    return makeJobHeadersWriteOnly(this.#handle, this.id);
  }

  // ---- Files, ranges and upload replies (src/files.ts) ----

  /**
   * Adds one file with byte ranges (IBackgroundCopyJob3::AddFileWithRanges):
   * only those ranges are downloaded, into one local file. 1 to 500 ranges,
   * validated before any call (non-negative offsets, positive lengths or
   * `"EOF"`, no overlap). The job's file count is checked afterwards, so a
   * BITS that accepts the call but adds nothing (Wine) is reported. With a
   * root (the job's or `options.root`), the destination must resolve inside it.
   *
   * @throws {BitsUnsupportedError} where BITS lacks ranges (no Job3; Wine's silent no-op, reported as E_NOTIMPL).
   */
  async addFileWithRanges(
    url: string,
    path: string,
    ranges: readonly FileRange[],
    options: { readonly root?: string } = {},
  ): Promise<void> {
    await this.#checkRoots([{ path, argument: "localPath" }], options.root);
    return await addFileWithRanges(this.#handle, this.id, url, path, ranges, () => this.snapshot());
  }

  /**
   * Replaces the start of every remote name that begins with `oldPrefix`
   * (IBackgroundCopyJob3::ReplaceRemotePrefix), e.g. to move a job to another
   * server. Returns how many files changed, read back from BITS.
   *
   * @throws {BitsUnsupportedError} where BITS lacks it, or ignores it (Wine: S_OK without effect).
   */
  replaceRemotePrefix(oldPrefix: string, newPrefix: string): Promise<number> {
    return replaceRemotePrefix(this.#handle, this.id, oldPrefix, newPrefix, () => this.files());
  }

  /** The file at `index` in BITS' enumeration order (as {@linkcode files} lists them); dispose it when done. */
  file(index: number): Promise<BitsFile> {
    return openFile(this.#handle, this.id, index);
  }

  /** Every file as a {@linkcode BitsFile}, in BITS' enumeration order; dispose each one. */
  fileObjects(): Promise<BitsFile[]> {
    return openFiles(this.#handle, this.id);
  }

  /**
   * Where an upload-reply job writes the server's reply (IBackgroundCopyJob2);
   * set it before resuming. With a root (the job's or `options.root`), it
   * must resolve inside it.
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOTIMPL).
   */
  async setReplyFileName(path: string, options: { readonly root?: string } = {}): Promise<void> {
    await this.#checkRoots([{ path, argument: "path" }], options.root);
    return await setReplyFileName(this.#handle, this.id, path);
  }

  /**
   * The reply file name of an upload-reply job (IBackgroundCopyJob2).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOTIMPL).
   */
  replyFileName(): Promise<string> {
    return replyFileName(this.#handle, this.id);
  }

  /**
   * Progress of an upload-reply job's reply (IBackgroundCopyJob2).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOTIMPL).
   */
  replyProgress(): Promise<ReplyProgress> {
    return replyProgress(this.#handle, this.id);
  }

  /**
   * The server's reply of an upload-reply job, once TRANSFERRED (IBackgroundCopyJob2).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOTIMPL).
   */
  replyData(): Promise<Uint8Array> {
    return replyData(this.#handle, this.id);
  }

  // ---- Inspection (src/inspection.ts) ----

  /**
   * Everything about the job beyond its snapshot, read in one native call:
   * times, owner (SID and `DOMAIN\user`), owner integrity and elevation,
   * error count and, in ERROR / TRANSIENT_ERROR, the error in full (context,
   * code, failing file, protocol, BITS' localized texts in `langId`, default
   * the user's language). Never throws for a detail this BITS lacks: such
   * values are `null` and named in `unsupported`.
   *
   * @throws {InvalidArgumentError} for a `langId` outside 0..0xFFFF.
   * @throws {BitsError} when the job cannot be read at all (e.g. it left the queue).
   */
  details(options: DetailsOptions = {}): Promise<JobDetails> {
    return readDetails(this.#handle, this.id, options);
  }

  /** True once disposed. */
  get disposed(): boolean {
    return this.#handle.disposed;
  }

  /** Releases this object's COM reference; the BITS job is not affected. Idempotent. */
  dispose(): void {
    this.#handle.dispose();
  }

  /** Same as {@linkcode dispose}, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

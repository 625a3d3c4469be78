/**
 * {@linkcode BitsJob}: one BITS job, addressed by GUID, holding one COM
 * reference. Disposing the object releases that reference only: the job
 * itself lives on in BITS until it is completed or cancelled.
 *
 * The class is a facade: each method checks what is the object's own to
 * check (its download root) and calls the operation on its {@linkcode JobRef}
 * in the module that owns it.
 *
 * @module
 */

import { checkDestinationsInRoots, checkRoot } from "./root.ts";
import type { Credentials, SecretCredentials } from "./credentials.ts";
import {
  addFileSet,
  addFileWithRanges,
  type BitsFile,
  type FileRange,
  type FileSpec,
  openFile,
  openFiles,
  replaceRemotePrefix,
} from "./files.ts";
import { cancelChecked, completeChecked, type CompleteOptions, type FinishOptions } from "./finish.ts";
import { type DetailsOptions, readDetails } from "./inspection.ts";
import type { JobDetails } from "./inspection/details.ts";
import { addFile, readFiles, readSnapshot, resumeJob, suspendJob, takeJobOwnership } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";
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
import { replyData, replyFileName, type ReplyProgress, replyProgress, setReplyFileName } from "./reply.ts";
import type { CancelOutcome, CompleteOutcome, JobFile, JobSnapshot } from "./types.ts";
import { checkLocalPath, checkRemoteSource } from "./validate.ts";
import { waitFor, type WaitOptions } from "./wait.ts";

/**
 * The reference a `BitsJob` calls through, for the modules above it that
 * hand a user's job to the ones below (`watch()`). Not exported from mod.ts.
 */
export let jobRef: (job: BitsJob) => JobRef;

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
  readonly #ref: JobRef;

  static {
    jobRef = (job: BitsJob): JobRef => job.#ref;
  }

  /** @internal Takes ownership of a job reference; use {@linkcode BitsManager}'s methods instead. */
  constructor(ref: JobRef, root?: string) {
    this.id = ref.id;
    this.#ref = ref;
    if (root !== undefined) this.root = root;
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
    // The URL before the root check (which checks the path first): a bad URL is reported as such even for a path
    // outside the root.
    checkRemoteSource(url);
    await this.#checkRoots([{ path, argument: "localPath" }], options.root);
    await addFile(this.#ref, url, path);
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
    await addFileSet(this.#ref, files);
  }

  /** Queues the job for transfer (or retries it after an error). */
  resume(): Promise<void> {
    return resumeJob(this.#ref);
  }

  /**
   * Suspends the job: it stops transferring until {@linkcode resume}. New jobs start suspended.
   *
   * @throws {BitsUnsupportedError} where BITS cannot suspend (Wine's BITS).
   */
  suspend(): Promise<void> {
    return suspendJob(this.#ref);
  }

  /**
   * Makes the current user the job's owner. BITS then drops the job's notify
   * command line and custom headers, and the credentials stay with the job.
   * Needs administrator rights for another user's job.
   *
   * @throws {BitsUnsupportedError} where BITS cannot (Wine's BITS).
   */
  takeOwnership(): Promise<void> {
    return takeJobOwnership(this.#ref);
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
  complete(options: CompleteOptions = {}): Promise<CompleteOutcome> {
    return completeChecked(this.#ref, options);
  }

  /**
   * Cancels the job and deletes its temporary files. Returns
   * `"unable-to-delete-files"` (BG_S_UNABLE_TO_DELETE_FILES) when some could
   * not be deleted. Note: Wine's BITS also deletes each file's local name.
   *
   * @throws {WmpJobOwnedError} for a Windows Media Player `WMP_JOB` job, unless `force` is set.
   */
  cancel(options: FinishOptions = {}): Promise<CancelOutcome> {
    return cancelChecked(this.#ref, options);
  }

  /** Reads the job's whole state in one call. */
  snapshot(): Promise<JobSnapshot> {
    return readSnapshot(this.#ref);
  }

  /** Lists the job's files with their progress, in BITS' order (reverse of addition on Wine). */
  files(): Promise<JobFile[]> {
    return readFiles(this.#ref);
  }

  /**
   * Waits until the job reaches `until` (default TRANSFERRED) and returns its
   * snapshot then. Uses `watch()`: a BITS callback ends the wait at
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
  wait(options: WaitOptions = {}): Promise<JobSnapshot> {
    return waitFor(this.#ref, options);
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
    return setJobProperties(this.#ref, properties);
  }

  /**
   * Reads one property, typed by its name.
   *
   * @throws {BitsUnsupportedError} when the running BITS lacks it (e.g. `priority` on Wine).
   */
  getProperty<K extends ReadablePropertyName>(name: K): Promise<JobPropertyValues[K]> {
    return getJobProperty(this.#ref, name);
  }

  /**
   * Reads every readable property. Never throws for a missing feature:
   * `unsupported` names what this BITS could not read.
   */
  properties(): Promise<JobPropertiesSnapshot> {
    return readJobProperties(this.#ref);
  }

  /**
   * Sets credentials for their target and scheme (IBackgroundCopyJob2). The
   * secret never appears in errors or logs; the native buffers holding it
   * are zeroed after the call.
   */
  setCredentials(credentials: Credentials | SecretCredentials): Promise<void> {
    return setJobCredentials(this.#ref, credentials);
  }

  /** Removes the credentials for one target and scheme (IBackgroundCopyJob2). */
  removeCredentials(target: AuthTarget, scheme: AuthScheme): Promise<void> {
    return removeJobCredentials(this.#ref, target, scheme);
  }

  /**
   * Sets the client certificate, by SHA-1 hash or by subject name.
   *
   * @throws {BitsUnsupportedError} where BITS stubs client certificates (Wine: E_NOTIMPL).
   */
  setClientCertificate(certificate: ClientCertificate): Promise<void> {
    return setJobClientCertificate(this.#ref, certificate);
  }

  /** Removes the client certificate. */
  removeClientCertificate(): Promise<void> {
    return setJobClientCertificate(this.#ref, null);
  }

  /** The client certificate, or null when none is set. */
  clientCertificate(): Promise<ClientCertificateInfo | null> {
    return getJobClientCertificate(this.#ref);
  }

  /**
   * Makes the custom headers write-only: BITS stops returning them
   * (IBackgroundCopyJobHttpOptions3, BITS 10.3). Irreversible.
   */
  makeCustomHeadersWriteOnly(): Promise<void> {
    return makeJobHeadersWriteOnly(this.#ref);
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
    return await addFileWithRanges(this.#ref, url, path, ranges);
  }

  /**
   * Replaces the start of every remote name that begins with `oldPrefix`
   * (IBackgroundCopyJob3::ReplaceRemotePrefix), e.g. to move a job to another
   * server. Returns how many files changed, read back from BITS.
   *
   * @throws {BitsUnsupportedError} where BITS lacks it, or ignores it (Wine: S_OK without effect).
   */
  replaceRemotePrefix(oldPrefix: string, newPrefix: string): Promise<number> {
    return replaceRemotePrefix(this.#ref, oldPrefix, newPrefix);
  }

  /** The file at `index` in BITS' enumeration order (as {@linkcode files} lists them); dispose it when done. */
  file(index: number): Promise<BitsFile> {
    return openFile(this.#ref, index);
  }

  /** Every file as a {@linkcode BitsFile}, in BITS' enumeration order; dispose each one. */
  fileObjects(): Promise<BitsFile[]> {
    return openFiles(this.#ref);
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
    return await setReplyFileName(this.#ref, path);
  }

  /**
   * The reply file name of an upload-reply job (IBackgroundCopyJob2).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOTIMPL).
   */
  replyFileName(): Promise<string> {
    return replyFileName(this.#ref);
  }

  /**
   * Progress of an upload-reply job's reply (IBackgroundCopyJob2).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOTIMPL).
   */
  replyProgress(): Promise<ReplyProgress> {
    return replyProgress(this.#ref);
  }

  /**
   * The server's reply of an upload-reply job, once TRANSFERRED (IBackgroundCopyJob2).
   *
   * @throws {BitsUnsupportedError} where BITS lacks it (Wine: E_NOTIMPL).
   */
  replyData(): Promise<Uint8Array> {
    return replyData(this.#ref);
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
    return readDetails(this.#ref, options);
  }

  /** True once disposed. */
  get disposed(): boolean {
    return this.#ref.handle.disposed;
  }

  /** Releases this object's COM reference; the BITS job is not affected. Idempotent. */
  dispose(): void {
    this.#ref.handle.dispose();
  }

  /** Same as {@linkcode dispose}, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

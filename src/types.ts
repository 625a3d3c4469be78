/**
 * BITS enumerations as string unions (the names BITS documents, so they match
 * bitsadmin and the SDK), with their numeric values, and the job snapshot type.
 *
 * @module
 */

/** BG_JOB_STATE names in numeric order (the index is the value). */
export const JOB_STATES = [
  "QUEUED",
  "CONNECTING",
  "TRANSFERRING",
  "SUSPENDED",
  "ERROR",
  "TRANSIENT_ERROR",
  "TRANSFERRED",
  "ACKNOWLEDGED",
  "CANCELLED",
] as const;

/** A job's state (BG_JOB_STATE). */
export type JobState = typeof JOB_STATES[number];

// ---- State groups: each named once here, imported wherever a rule needs one ----

/** States after which a job never changes again and leaves the queue. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(["ACKNOWLEDGED", "CANCELLED"]);

/** States in which a job makes no further progress without someone acting. */
export const SETTLED_STATES: ReadonlySet<JobState> = new Set(["TRANSFERRED", "ERROR", "ACKNOWLEDGED", "CANCELLED"]);

/** States in which a job is transferring or may start to at any moment (never cleaned; never cancelled under Wine). */
export const RUNNING_STATES: ReadonlySet<JobState> = new Set(["QUEUED", "CONNECTING", "TRANSFERRING"]);

/** States in which bytes may be flowing: only then does a transfer rate mean something. */
export const FLOWING_STATES: ReadonlySet<JobState> = new Set(["CONNECTING", "TRANSFERRING"]);

/** States in which a job is moving: a watcher polls it on the fast tier. */
export const MOVING_STATES: ReadonlySet<JobState> = new Set(["CONNECTING", "TRANSFERRING", "TRANSIENT_ERROR"]);

/**
 * States a job can sit in for good without anyone acting: a job first seen
 * in one of these has not changed recently. (A QUEUED job may start at any
 * moment, so it is not resting.)
 */
export const RESTING_STATES: ReadonlySet<JobState> = new Set([
  "SUSPENDED",
  "ERROR",
  "TRANSFERRED",
  "ACKNOWLEDGED",
  "CANCELLED",
]);

/** States a job can go stale in: it waits for someone (SUSPENDED, TRANSFERRED) or retries in limbo (TRANSIENT_ERROR). */
export const STALE_STATES: ReadonlySet<JobState> = new Set(["SUSPENDED", "TRANSIENT_ERROR", "TRANSFERRED"]);

/**
 * True when cancelling a job in `state` (`undefined`: unread) may crash
 * Wine's BITS service: under Wine a job that is running, or may be, is never
 * cancelled (docs/compat.md); it is left to settle first. Always false off
 * Wine.
 */
export function cancelCrashesWine(state: JobState | undefined, underWine: boolean): boolean {
  return underWine && (state === undefined || RUNNING_STATES.has(state));
}

/** BG_JOB_TYPE names in numeric order. */
export const JOB_TYPES = ["DOWNLOAD", "UPLOAD", "UPLOAD_REPLY"] as const;

/** A job's type (BG_JOB_TYPE). */
export type JobType = typeof JOB_TYPES[number];

/** BG_ERROR_CONTEXT names in numeric order. */
export const ERROR_CONTEXTS = [
  "NONE",
  "UNKNOWN",
  "GENERAL_QUEUE_MANAGER",
  "QUEUE_MANAGER_NOTIFICATION",
  "LOCAL_FILE",
  "REMOTE_FILE",
  "GENERAL_TRANSPORT",
  "REMOTE_APPLICATION",
  "SERVER_CERTIFICATE_CALLBACK",
] as const;

/** Where a job's error happened (BG_ERROR_CONTEXT). */
export type ErrorContext = typeof ERROR_CONTEXTS[number];

/** Maps a BITS enum value to its name, or `UNKNOWN(n)` for values newer than this module. */
export function enumName<T extends string>(names: readonly T[], value: number): T {
  return (names[value] ?? `UNKNOWN(${value})`) as T;
}

/** A job's error as BITS reports it (IBackgroundCopyError::GetError). */
export interface JobErrorInfo {
  /** Where the error happened. */
  readonly context: ErrorContext;
  /** The error HRESULT, unsigned (e.g. `0x80190194`). */
  readonly hresult: number;
  /** Symbolic name of `hresult`, e.g. `BG_E_HTTP_ERROR_404`. */
  readonly code: string;
  /** What `code` means. */
  readonly description: string;
}

/** Byte and file progress of a job. `bytesTotal` is `null` while BITS does not know it. */
export interface JobProgress {
  /** Total bytes of all files, or `null` while unknown (always unknown on Wine). */
  readonly bytesTotal: number | null;
  /** Bytes transferred so far. */
  readonly bytesTransferred: number;
  /** Number of files in the job. */
  readonly filesTotal: number;
  /** Number of files completely transferred. */
  readonly filesTransferred: number;
}

/** Everything about a job that one status read returns (one FFI call). */
export interface JobSnapshot {
  /** The job's GUID, braced upper case: `{XXXXXXXX-…}`. */
  readonly id: string;
  /** Download, upload or upload-reply. */
  readonly type: JobType;
  /** Current state. */
  readonly state: JobState;
  /** Display name given at creation. */
  readonly displayName: string;
  /** Description; `""` when BITS could not return one (another client's job on Wine). */
  readonly description: string;
  /** Byte and file progress. */
  readonly progress: JobProgress;
  /** The job's error in the ERROR and TRANSIENT_ERROR states; `null` otherwise or when BITS has none. */
  readonly error: JobErrorInfo | null;
}

/** When BITS created a job, last changed it, and finished its transfer. */
export interface JobTimes {
  /** When the job was created. */
  readonly creationTime: Date | null;
  /** When the job or its state last changed. */
  readonly modificationTime: Date | null;
  /** When the job reached TRANSFERRED; `null` before. */
  readonly transferCompletionTime: Date | null;
}

/** A snapshot with the job's times (`listJobsWithTimes`). */
export interface DatedJobSnapshot extends JobSnapshot {
  /** `null` when this BITS does not report times (Wine) or could not read them for this job. */
  readonly times: JobTimes | null;
}

/** One file of a job, with its own progress. */
export interface JobFile {
  /** Remote URL (download) or destination URL (upload). */
  readonly remoteName: string;
  /** Local path on the BITS machine. */
  readonly localName: string;
  /** Total bytes, or `null` while unknown (no Content-Length yet, or a local copy on Wine). */
  readonly bytesTotal: number | null;
  /** Bytes transferred so far. */
  readonly bytesTransferred: number;
  /** True once this file is completely transferred. */
  readonly completed: boolean;
}

/** How `complete()` ended; every outcome is a success in BITS' terms. */
export type CompleteOutcome = "completed" | "partial" | "unable-to-delete-files";

/** How `cancel()` ended; every outcome is a success in BITS' terms. */
export type CancelOutcome = "cancelled" | "unable-to-delete-files";

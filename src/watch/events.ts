/**
 * Watch events, and the coalescer that turns observations from two sources
 * (BITS callbacks and the watchdog poll) into one stream without duplicates.
 * Pure: tested on any OS.
 *
 * @module
 */

import { BitsError, UNKNOWN_JOB_ERROR } from "../errors.ts";
import type { JobErrorInfo, JobProgress, JobSnapshot, JobState } from "../types.ts";

/** What happened to a job. */
export type WatchEventKind =
  | "state" // the job entered a new state (the first event of every job is one)
  | "progress" // bytes or files transferred changed
  | "file-transferred" // one file finished (BITS callback only)
  | "transferred" // every file is transferred: the job can be completed
  | "error" // the job entered ERROR; `error` says why
  | "removed"; // the job left the queue (or cannot be read any more)

/** Where an event came from: a BITS notification, or the watchdog poll. */
export type EventSource = "callback" | "poll";

/** One event of {@linkcode watch}. */
export interface WatchEvent {
  /** What happened. */
  readonly kind: WatchEventKind;
  /** Which mechanism noticed it first. */
  readonly source: EventSource;
  /** The job, braced GUID. */
  readonly jobId: string;
  /** When it was observed (ms since the epoch); for callbacks, when the notification arrived. */
  readonly at: number;
  /** The job's state after the event (absent for `removed`). */
  readonly state?: JobState;
  /** The state before a `state` event; absent on a job's first event. */
  readonly previousState?: JobState;
  /** Progress at the event. */
  readonly progress?: JobProgress;
  /** The job's error, for `error` events. */
  readonly error?: BitsError;
  /** The local name of the file, for `file-transferred` events. */
  readonly file?: string;
  /** The full snapshot, when the event came from a poll. */
  readonly snapshot?: JobSnapshot;
}

/** One reading of a job, from either source. */
export interface Observation {
  /** The job. */
  readonly jobId: string;
  /** The source. */
  readonly source: EventSource;
  /** When (ms since the epoch). */
  readonly at: number;
  /** The state read, or undefined when the callback could not read it. */
  readonly state?: JobState;
  /** The progress read. */
  readonly progress?: JobProgress;
  /** The job's error, when known. */
  readonly error?: JobErrorInfo | null;
  /** A file that finished (FileTransferred callbacks). */
  readonly file?: string;
  /** The full snapshot (polls). */
  readonly snapshot?: JobSnapshot;
  /** The job is gone. */
  readonly removed?: boolean;
}

interface Known {
  state?: JobState;
  bytes: number;
  files: number;
  filesReported: Set<string>;
}

/**
 * Remembers what was last reported per job and turns each observation into
 * the events it implies, so a change seen by a callback is not reported
 * again by the next poll, and vice versa.
 */
export class Coalescer {
  readonly #jobs = new Map<string, Known>();

  /** Jobs seen and not removed. */
  get jobIds(): string[] {
    return [...this.#jobs.keys()];
  }

  /** The last state reported for a job. */
  stateOf(jobId: string): JobState | undefined {
    return this.#jobs.get(jobId)?.state;
  }

  /** Whether a reading of a job's state and progress says anything the job's last reported ones do not. */
  differs(jobId: string, state: JobState | undefined, progress: JobProgress): boolean {
    const known = this.#jobs.get(jobId);
    return !known || state !== known.state || progress.bytesTransferred !== known.bytes ||
      progress.filesTransferred !== known.files;
  }

  /** The events `observation` implies, in order; empty when it changes nothing. */
  observe(observation: Observation): WatchEvent[] {
    const { jobId, source, at } = observation;
    const base = { jobId, source, at };
    if (observation.removed) {
      if (!this.#jobs.delete(jobId)) return [];
      return [{ ...base, kind: "removed" }];
    }
    let known = this.#jobs.get(jobId);
    if (!known) {
      known = { bytes: -1, files: -1, filesReported: new Set() };
      this.#jobs.set(jobId, known);
    }
    const events: WatchEvent[] = [];
    const extra = observation.snapshot ? { snapshot: observation.snapshot } : {};
    const progress = observation.progress;
    if (observation.file !== undefined && !known.filesReported.has(observation.file)) {
      known.filesReported.add(observation.file);
      events.push({ ...base, kind: "file-transferred", file: observation.file, state: observation.state, progress });
    }
    const state = observation.state;
    if (state !== undefined && state !== known.state) {
      const previousState = known.state;
      known.state = state;
      events.push({ ...base, ...extra, kind: "state", state, progress, ...(previousState ? { previousState } : {}) });
      if (state === "TRANSFERRED") events.push({ ...base, ...extra, kind: "transferred", state, progress });
      if (state === "ERROR") {
        const error = BitsError.fromJobError(observation.error ?? UNKNOWN_JOB_ERROR, jobId);
        events.push({ ...base, ...extra, kind: "error", state, progress, error });
      }
    }
    if (progress && (progress.bytesTransferred !== known.bytes || progress.filesTransferred !== known.files)) {
      const first = known.bytes === -1;
      known.bytes = progress.bytesTransferred;
      known.files = progress.filesTransferred;
      // A job's first reading is its state event; progress events report changes.
      if (!first) events.push({ ...base, ...extra, kind: "progress", state: known.state, progress });
    }
    return events;
  }
}

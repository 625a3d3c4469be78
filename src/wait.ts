/**
 * Waiting for one job to reach a state: `BitsJob.wait`, and the transfer
 * workflow's wait.
 *
 * @module
 */

import { BitsError, UNKNOWN_JOB_ERROR } from "./errors.ts";
import { HR } from "./hresult.ts";
import { readSnapshot } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";
import { FINAL_STATES, type JobSnapshot, type JobState } from "./types.ts";
import type { WatchEvent } from "./watch/events.ts";
import { watchSource } from "./watch/session.ts";

/** Options of `BitsJob.wait`. */
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

/**
 * Waits until the job reaches `until` (default TRANSFERRED) and returns its
 * snapshot then; see `BitsJob.wait` for how it ends otherwise. Leaves no
 * timer or callback behind.
 */
export async function waitFor(job: JobRef, options: WaitOptions = {}): Promise<JobSnapshot> {
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
    const events = watchSource({ jobs: [job] }, {
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
          jobId: job.id,
        });
      }
      if (event.kind !== "state" || event.state === undefined) continue;
      if (event.state === until) return event.snapshot ?? await readSnapshot(job);
      if (event.state === "ERROR") {
        throw BitsError.fromJobError((await readSnapshot(job)).error ?? UNKNOWN_JOB_ERROR, job.id);
      }
      if (event.state === "TRANSIENT_ERROR" && ++transientErrors >= (options.transientErrorLimit ?? Infinity)) {
        const snapshot = await readSnapshot(job);
        throw new BitsError((snapshot.error ?? UNKNOWN_JOB_ERROR).hresult, {
          operation: `Transfer (${transientErrors} transient errors)`,
          context: snapshot.error?.context,
          jobId: job.id,
          state: "TRANSIENT_ERROR",
        });
      }
      if (FINAL_STATES.has(event.state)) {
        throw new BitsError(HR.BG_E_INVALID_STATE, {
          operation: `Waiting for ${until} (the job is ${event.state})`,
          jobId: job.id,
          state: event.state,
        });
      }
    }
    if (timedOut) {
      throw new DOMException(`Job ${job.id} did not reach ${until} within ${options.timeout} ms`, "TimeoutError");
    }
    options.signal?.throwIfAborted();
    throw new Error(`Watching job ${job.id} ended before it reached ${until}`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * {@linkcode watch}: a job's (or the whole queue's) events as an async
 * iterator, merging BITS callbacks with a watchdog poll. Callbacks report
 * changes at once; the poll catches everything they never report
 * (TRANSIENT_ERROR, dropped JobModification, and under Wine everything but
 * JobTransferred). The coalescer reports each change once, from whichever
 * source saw it first.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { BitsError } from "../errors.ts";
import type { BitsJob } from "../job.ts";
import type { JobSnapshot } from "../types.ts";
import type { BitsManager } from "../manager.ts";
import { wmpKindOf } from "../wmp/codec.ts";
import { Coalescer, type Observation, SETTLED_STATES, type WatchEvent } from "./events.ts";
import { NativeWatcher } from "./native.ts";

const logger = getLogger(["deno-bits", "watch"]);

/** Options of {@linkcode watch}. */
export interface WatchOptions {
  /** Ends the iteration (cleanly: callbacks unregistered, nothing left running). */
  readonly signal?: AbortSignal;
  /** Milliseconds between watchdog polls; default 1000. */
  readonly pollInterval?: number;
  /**
   * Register a BITS callback on each job (default true). A job notifies one
   * client only, so this replaces another program's callback on the job for
   * as long as the watch runs. Windows Media Player `WMP_JOB` jobs are never
   * taken over: they are polled only.
   */
  readonly callbacks?: boolean;
  /** End once every watched job is settled (TRANSFERRED, ERROR, ACKNOWLEDGED or CANCELLED). */
  readonly untilSettled?: boolean;
}

/** What {@linkcode watch} watches: given jobs, or (a manager) the whole queue. */
export type WatchTarget = BitsManager | readonly BitsJob[];

function isJobList(target: WatchTarget): target is readonly BitsJob[] {
  return Array.isArray(target);
}

/**
 * Watches `target`: a list of jobs, or a manager for the whole queue (jobs
 * that appear later are picked up at the next poll). Yields events until the
 * signal aborts, the consumer stops, or, with `untilSettled`, every job is
 * settled. Jobs it opens itself are disposed at the end; jobs passed in are not.
 */
export async function* watch(
  target: WatchTarget,
  options: WatchOptions = {},
): AsyncGenerator<WatchEvent, void, undefined> {
  const interval = options.pollInterval ?? 1000;
  const signal = options.signal;
  const coalescer = new Coalescer();
  const jobs = new Map<string, BitsJob>();
  const opened = new Set<BitsJob>();
  let native: NativeWatcher | undefined;
  if (options.callbacks ?? true) {
    try {
      native = await NativeWatcher.create();
    } catch (error) {
      // Polling alone still reports everything, only later.
      logger.warn("BITS callbacks unavailable, polling only: {error}", { error: String(error) });
    }
  }
  const onAbort = (): void => native?.wake();
  signal?.addEventListener("abort", onAbort);

  const track = async (job: BitsJob, description: string): Promise<void> => {
    jobs.set(job.id, job);
    if (!native || wmpKindOf(description) === "job") return;
    try {
      await native.attach(job);
    } catch (error) {
      logger.debug("No callback on job {id}: {error}", { id: job.id, error: String(error) });
    }
  };

  const poll = async (): Promise<Observation[]> => {
    const at = Date.now();
    const observations: Observation[] = [];
    const read = new Map<string, JobSnapshot>();
    if (!isJobList(target)) {
      // The enumeration reads every job once; those readings are this poll's.
      const current = await target.jobsWithSnapshots();
      for (const { job, snapshot } of current) {
        read.set(job.id, snapshot);
        if (jobs.has(job.id)) {
          job.dispose();
        } else {
          opened.add(job);
          await track(job, snapshot.description);
        }
      }
      for (const id of jobs.keys()) {
        if (!read.has(id)) observations.push({ jobId: id, source: "poll", at, removed: true });
      }
    }
    for (const [id, job] of jobs) {
      if (observations.some((o) => o.jobId === id)) continue;
      const known = read.get(id);
      if (known) {
        observations.push(pollObservation(known, at));
        continue;
      }
      try {
        const snapshot = await job.snapshot();
        observations.push(pollObservation(snapshot, Date.now()));
      } catch (error) {
        if (error instanceof BitsError && error.code === "BG_E_NOT_FOUND") {
          observations.push({ jobId: id, source: "poll", at: Date.now(), removed: true });
        } else {
          throw error;
        }
      }
    }
    return observations;
  };

  const forget = async (jobId: string): Promise<void> => {
    const job = jobs.get(jobId);
    jobs.delete(jobId);
    if (native && job) await native.detach(jobId).catch(() => {});
    if (job && opened.has(job)) {
      opened.delete(job);
      job.dispose();
    }
  };

  const settled = (): boolean =>
    jobs.size > 0 && [...jobs.keys()].every((id) => SETTLED_STATES.has(coalescer.stateOf(id) ?? "QUEUED"));

  try {
    if (isJobList(target)) {
      for (const job of target) await track(job, (await job.snapshot()).description);
    }
    let nextPoll = 0;
    while (!signal?.aborted) {
      if (Date.now() >= nextPoll) {
        for (const observation of await poll()) {
          for (const event of coalescer.observe(observation)) {
            if (event.kind === "removed") await forget(event.jobId);
            yield event;
          }
        }
        nextPoll = Date.now() + interval;
        if (options.untilSettled && (settled() || (isJobList(target) && jobs.size === 0))) return;
      }
      const wait = Math.max(0, nextPoll - Date.now());
      if (!native) {
        await sleep(wait, signal);
        continue;
      }
      const { records, dropped } = await native.drain(wait);
      if (dropped) logger.warn("{dropped} BITS notifications were dropped; the watchdog poll covers them", { dropped });
      for (const record of records) {
        if (!jobs.has(record.jobId)) continue;
        for (const event of coalescer.observe(record.observation)) {
          if (event.kind === "removed") await forget(event.jobId);
          yield event;
        }
      }
      if (options.untilSettled && records.length && settled()) return;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (native) {
      await native.detachAll();
      native.dispose();
    }
    for (const job of opened) job.dispose();
  }
}

/** What a poll's snapshot of a job tells the coalescer. */
function pollObservation(snapshot: JobSnapshot, at: number): Observation {
  return {
    jobId: snapshot.id,
    source: "poll",
    at,
    state: snapshot.state,
    progress: snapshot.progress,
    error: snapshot.error,
    snapshot,
  };
}

/** Resolves after `ms` or when `signal` aborts; leaves no timer behind. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * {@linkcode watch}: a job's (or the whole queue's) events as an async
 * iterator, merging BITS callbacks with a watchdog poll. Callbacks report
 * changes at once; the poll catches everything they never report
 * (TRANSIENT_ERROR, dropped JobModification, and under Wine everything but
 * JobTransferred). The coalescer reports each change once, from whichever
 * source saw it first. The poll has two tiers (./schedule.ts): jobs that
 * move or just changed are read every `pollInterval`, the rest every
 * `idlePollInterval`, because each reading is a COM round trip per getter.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { BitsError, InvalidArgumentError } from "../errors.ts";
import type { BitsJob } from "../job.ts";
import { type JobSnapshot, SETTLED_STATES } from "../types.ts";
import type { BitsManager } from "../manager.ts";
import { wmpKindOf } from "../wmp/codec.ts";
import { Coalescer, type Observation, type WatchEvent } from "./events.ts";
import { Subscription } from "./hub.ts";
import { readProgress } from "./light.ts";
import { QueueCounter } from "./queue_count.ts";
import { chooseRead, PollSchedule } from "./schedule.ts";

const logger = getLogger(["deno-bits", "watch"]);

/** Default of {@linkcode WatchOptions.idlePollInterval}, in multiples of `pollInterval`. */
const IDLE_POLL_FACTOR = 5;
/**
 * Watching a manager, how many idle intervals a light read (state and
 * progress of the known jobs) may stand in for a whole-queue read: the
 * enumeration still runs this often to catch what one count cannot tell.
 */
const FULL_READ_FACTOR = 6;

/** Options of {@linkcode watch}. */
export interface WatchOptions {
  /** Ends the iteration (cleanly: callbacks unregistered, nothing left running). */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds between watchdog polls of an active job: one that is
   * CONNECTING, TRANSFERRING or in TRANSIENT_ERROR, or that changed within
   * the last `idlePollInterval` (a job first seen QUEUED counts as changed).
   * Default 1000.
   */
  readonly pollInterval?: number;
  /**
   * Milliseconds between watchdog polls of an idle job: every other job
   * (SUSPENDED, ERROR, TRANSFERRED, or QUEUED without a change for
   * `idlePollInterval`). Default 5 × `pollInterval` (5 s); a value below
   * `pollInterval` counts as `pollInterval`, so `idlePollInterval:
   * pollInterval` polls every job alike. A change seen by a callback or a
   * poll moves the job back to `pollInterval` at once. Watching a manager,
   * every known job's state and progress is read every `idlePollInterval`
   * (two round trips per job, in one call; a job whose reading changed is
   * then read in full), the whole queue every sixth time or whenever the
   * count moves, and in between only the number of jobs is read (three
   * round trips) every `pollInterval`: a job that appears or leaves is seen
   * within one `pollInterval`, or within one `idlePollInterval` when another
   * leaves or appears in the same interval.
   */
  readonly idlePollInterval?: number;
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

/** An interval option: a finite number of milliseconds, not negative. */
function checkInterval(value: unknown, argument: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(argument, `${argument} must be a number of milliseconds >= 0, not ${String(value)}`);
  }
  return value;
}

/**
 * Watches `target`: a list of jobs, or a manager for the whole queue (jobs
 * that appear later are picked up by the poll). Yields events until the
 * signal aborts, the consumer stops, or, with `untilSettled`, every job is
 * settled. Jobs it opens itself are disposed at the end; jobs passed in are not.
 *
 * Latency: a change a BITS callback reports is yielded at once (under Wine
 * only JobTransferred is delivered). Any other change is yielded by the
 * next poll: within `pollInterval` for an active job, and within
 * `idlePollInterval` (default 5 s) for an idle one, the worst case, e.g. a
 * SUSPENDED job that another program resumes. Nothing is lost, only later.
 *
 * @example
 * ```ts
 * import { connect, watch } from "@deno-bits/bits";
 *
 * using bits = await connect();
 * const stop = AbortSignal.timeout(60_000);
 * for await (const event of watch(bits, { signal: stop })) {
 *   console.log(event.kind, event.jobId, event.state);
 * }
 * ```
 *
 * @throws {InvalidArgumentError} when an interval is not a number >= 0 (before any BITS call).
 */
export async function* watch(
  target: WatchTarget,
  options: WatchOptions = {},
): AsyncGenerator<WatchEvent, void, undefined> {
  const interval = checkInterval(options.pollInterval ?? 1000, "pollInterval");
  const idleInterval = checkInterval(options.idlePollInterval ?? IDLE_POLL_FACTOR * interval, "idlePollInterval");
  const schedule = new PollSchedule(interval, idleInterval);
  const signal = options.signal;
  const coalescer = new Coalescer();
  const jobs = new Map<string, BitsJob>();
  const opened = new Set<BitsJob>();
  // The process's one watcher, shared with every other watch (./hub.ts): no pool thread of this watch's own.
  let native: Subscription | undefined;
  if (options.callbacks ?? true) {
    try {
      native = await Subscription.open();
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
      if (!await native.attach(job)) {
        // Its notify flags stay the other client's to restore; the poll covers this job.
        logger.debug("Job {id} already notifies another client: polled only", { id: job.id });
      }
    } catch (error) {
      logger.debug("No callback on job {id}: {error}", { id: job.id, error: String(error) });
    }
  };

  /** Reads the whole queue: every job's snapshot, new jobs, and jobs gone. */
  const readQueue = async (manager: BitsManager): Promise<Observation[]> => {
    const at = Date.now();
    const observations: Observation[] = [];
    const read = new Set<string>();
    // One nonblocking call for every snapshot; only a job seen for the first time is opened.
    for (const snapshot of await manager.listJobs()) {
      read.add(snapshot.id);
      if (!jobs.has(snapshot.id)) {
        let job: BitsJob;
        try {
          job = await manager.getJob(snapshot.id);
        } catch (error) {
          // Gone since the read: the next full read will not list it either.
          if (error instanceof BitsError && error.code === "BG_E_NOT_FOUND") continue;
          throw error;
        }
        opened.add(job);
        await track(job, snapshot.description);
      }
      observations.push(pollObservation(snapshot, at));
    }
    for (const id of jobs.keys()) {
      if (!read.has(id)) observations.push({ jobId: id, source: "poll", at, removed: true });
    }
    return observations;
  };

  /** Reads the given jobs one by one. */
  const readJobs = async (ids: readonly string[]): Promise<Observation[]> => {
    const observations: Observation[] = [];
    for (const id of ids) {
      const job = jobs.get(id);
      if (!job) continue;
      try {
        observations.push(pollObservation(await job.snapshot(), Date.now()));
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

  // Watching a manager: the queue's job count between two full reads, from a connection of the watch's own.
  let counter: QueueCounter | undefined;
  let counting = !isJobList(target) && !schedule.uniform;
  let lastCount: number | undefined;
  let lastFullRead = -Infinity;
  // When the queue was last read in full (enumerated), not just its known jobs lightly.
  let lastQueueRead = -Infinity;
  /** The queue's job count, undefined when it cannot be read; false when counting is off. */
  const countQueue = async (): Promise<number | undefined | false> => {
    if (!counting) return false;
    try {
      counter ??= await QueueCounter.connect();
    } catch (error) {
      // The full reads every idlePollInterval still find new jobs, only later.
      logger.debug("No queue count, full reads only: {error}", { error: String(error) });
      counting = false;
      return false;
    }
    try {
      return await counter.count();
    } catch (error) {
      logger.debug("Queue count failed: {error}", { error: String(error) });
      return undefined;
    }
  };

  const dueJobs = (now: number): string[] => [...jobs.keys()].filter((id) => schedule.nextPollOf(id) <= now);

  /** One watchdog tick at `now`: reads what is due, as cheaply as the target allows. */
  const poll = async (now: number): Promise<Observation[]> => {
    if (isJobList(target)) return readJobs(dueJobs(now));
    const count = await countQueue();
    const due = dueJobs(now);
    const read = chooseRead({
      now,
      lastFullRead,
      idleInterval: schedule.idleInterval,
      count,
      lastCount,
      due: due.length,
      known: jobs.size,
    });
    // The count held still and matches the jobs known: nothing appeared or left, as far as one count can tell.
    const steady = typeof count === "number" && count === lastCount && count === jobs.size;
    if (count !== false) lastCount = count;
    if (read === "jobs") return readJobs(due);
    lastFullRead = now;
    if (steady && now < lastQueueRead + FULL_READ_FACTOR * schedule.idleInterval) return lightPass(target, now);
    lastQueueRead = now;
    return readQueue(target);
  };

  /**
   * Stands in for a whole-queue read while the count holds still: every known
   * job's state and progress in one call, and a full read of the jobs whose
   * reading differs from what was reported (or that could not be read). When
   * one of them left, the queue is read in full at once, to find a job that
   * may have arrived in its place.
   */
  const lightPass = async (manager: BitsManager, now: number): Promise<Observation[]> => {
    const ids = [...jobs.keys()];
    const records = await readProgress(ids.map((id) => jobs.get(id) as BitsJob));
    const changed: string[] = [];
    records.forEach((record, i) => {
      if (record.readHr < 0 || coalescer.differs(ids[i], record.state, record.progress)) changed.push(ids[i]);
      else schedule.polled(ids[i], record.state, false, now);
    });
    const observations = await readJobs(changed);
    if (!observations.some((o) => o.removed)) return observations;
    lastQueueRead = now;
    return [...observations, ...(await readQueue(manager)).filter((o) => !changed.includes(o.jobId))];
  };

  /** When the next tick is due, after one at `lastTick`. */
  const nextTick = (lastTick: number): number => {
    // Watching a manager, every tick counts the queue; watching jobs, a tick is due when a job is.
    if (!isJobList(target) || jobs.size === 0) return lastTick + interval;
    let next = Infinity;
    for (const id of jobs.keys()) next = Math.min(next, schedule.nextPollOf(id));
    return next;
  };

  const forget = async (jobId: string): Promise<void> => {
    const job = jobs.get(jobId);
    jobs.delete(jobId);
    schedule.forget(jobId);
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
    let lastTick = -Infinity;
    while (!signal?.aborted) {
      const now = Date.now();
      const next = nextTick(lastTick);
      if (now >= next) {
        lastTick = now;
        for (const observation of await poll(now)) {
          const events = coalescer.observe(observation);
          if (!observation.removed) {
            // The tick's time, not the reading's: jobs read in one tick stay due together.
            schedule.polled(observation.jobId, observation.state, events.length > 0, now);
          }
          for (const event of events) {
            if (event.kind === "removed") await forget(event.jobId);
            yield event;
          }
        }
        if (options.untilSettled && (settled() || (isJobList(target) && jobs.size === 0))) return;
        continue;
      }
      if (!native) {
        await sleep(next - now, signal);
        continue;
      }
      const { records, dropped } = await native.next(next - now);
      if (dropped) logger.warn("{dropped} BITS notifications were dropped; the watchdog poll covers them", { dropped });
      for (const record of records) {
        if (!jobs.has(record.jobId)) continue;
        // A notification means the job is doing something: back to the fast tier.
        schedule.changed(record.jobId, record.observation.state, Date.now());
        for (const event of coalescer.observe(record.observation)) {
          if (event.kind === "removed") await forget(event.jobId);
          yield event;
        }
      }
      if (options.untilSettled && records.length && settled()) return;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // Undoes every registration with the shim's own job references, so jobs disposed meanwhile
    // (a `Promise.race` around `wait()`) are unregistered too.
    await native?.close().catch((error) => logger.warn("Unregistering BITS callbacks failed: {error}", { error }));
    counter?.[Symbol.dispose]();
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

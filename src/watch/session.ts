/**
 * {@linkcode WatchSession}: one watch over given jobs or the whole queue,
 * merging BITS callbacks with a watchdog poll. Callbacks report changes at
 * once; the poll catches everything they never report (TRANSIENT_ERROR,
 * dropped JobModification, and under Wine everything but JobTransferred).
 * The coalescer reports each change once, from whichever source saw it
 * first. The poll has two tiers (./schedule.ts): jobs that move or just
 * changed are read every `pollInterval`, the rest every `idlePollInterval`,
 * because each reading is a COM round trip per getter.
 *
 * Works on {@linkcode JobRef}s, so `BitsJob.wait` and the public `watch()`
 * (./watch.ts) both sit above it.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { BitsError, InvalidArgumentError } from "../errors.ts";
import { readSnapshot } from "../job_ops.ts";
import type { JobRef } from "../job_ref.ts";
import { type JobSnapshot, SETTLED_STATES } from "../types.ts";
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

/** Options of `watch()`. */
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

/** The whole queue, as a watch reads it: every job's snapshot in one call, and a job opened by id. */
export interface QueueSource {
  /** Snapshots of every job in the queue. */
  list(): Promise<JobSnapshot[]>;
  /** Opens a job seen in the queue; the session disposes the reference when done. */
  open(id: string): Promise<JobRef>;
}

/** What a session watches: given jobs (never disposed by it), or the whole queue. */
export type WatchSource = { readonly jobs: readonly JobRef[] } | { readonly queue: QueueSource };

/** An interval option: a finite number of milliseconds, not negative. */
function checkInterval(value: unknown, argument: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(argument, `${argument} must be a number of milliseconds >= 0, not ${String(value)}`);
  }
  return value;
}

/**
 * Watches `source` until the signal aborts, the consumer stops, or, with
 * `untilSettled`, every job is settled. The public `watch()` is an async
 * generator around this, so its argument errors still come at the first `next()`.
 *
 * @throws {InvalidArgumentError} at once, before any BITS call, when an interval is not a number >= 0.
 */
export function watchSource(
  source: WatchSource,
  options: WatchOptions = {},
): AsyncGenerator<WatchEvent, void, undefined> {
  return new WatchSession(source, options).events();
}

/**
 * The state of one watch: the jobs it knows, which of them it opened itself,
 * its poll schedule, its share of the process's callback hub and, watching
 * the queue, its job counter. {@linkcode events} runs it.
 */
export class WatchSession {
  readonly #source: WatchSource;
  readonly #options: WatchOptions;
  readonly #interval: number;
  readonly #schedule: PollSchedule;
  readonly #coalescer = new Coalescer();
  readonly #jobs = new Map<string, JobRef>();
  readonly #opened = new Set<JobRef>();
  // The process's one watcher, shared with every other watch (./hub.ts): no pool thread of this watch's own.
  #native: Subscription | undefined;
  // Watching the queue: its job count between two full reads, from a connection of the watch's own.
  #counter: QueueCounter | undefined;
  #counting: boolean;
  #lastCount: number | undefined;
  #lastFullRead = -Infinity;
  // When the queue was last read in full (enumerated), not just its known jobs lightly.
  #lastQueueRead = -Infinity;

  /** @throws {InvalidArgumentError} when an interval is not a number >= 0. */
  constructor(source: WatchSource, options: WatchOptions) {
    this.#source = source;
    this.#options = options;
    this.#interval = checkInterval(options.pollInterval ?? 1000, "pollInterval");
    const idle = checkInterval(options.idlePollInterval ?? IDLE_POLL_FACTOR * this.#interval, "idlePollInterval");
    this.#schedule = new PollSchedule(this.#interval, idle);
    this.#counting = "queue" in source && !this.#schedule.uniform;
  }

  /** The events, until the watch ends; then everything it registered or opened is released. */
  async *events(): AsyncGenerator<WatchEvent, void, undefined> {
    const signal = this.#options.signal;
    await this.#subscribe();
    const onAbort = (): void => this.#native?.wake();
    signal?.addEventListener("abort", onAbort);
    try {
      if ("jobs" in this.#source) {
        for (const job of this.#source.jobs) await this.#track(job, (await readSnapshot(job)).description);
      }
      let lastTick = -Infinity;
      while (!signal?.aborted) {
        const now = Date.now();
        const next = this.#nextTick(lastTick);
        if (now >= next) {
          lastTick = now;
          for (const observation of await this.#poll(now)) yield* this.#observePoll(observation, now);
          if (this.#options.untilSettled && (this.#settled() || this.#noJobsLeft())) return;
          continue;
        }
        if (!this.#native) {
          await sleep(next - now, signal);
          continue;
        }
        const { records, dropped } = await this.#native.next(next - now);
        if (dropped) {
          logger.warn("{dropped} BITS notifications were dropped; the watchdog poll covers them", { dropped });
        }
        for (const record of records) {
          if (!this.#jobs.has(record.jobId)) continue;
          // A notification means the job is doing something: back to the fast tier.
          this.#schedule.changed(record.jobId, record.observation.state, Date.now());
          yield* this.#report(record.observation);
        }
        if (this.#options.untilSettled && records.length && this.#settled()) return;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // Undoes every registration with the shim's own job references, so jobs disposed meanwhile
      // (a `Promise.race` around `wait()`) are unregistered too.
      await this.#native?.close().catch((error) =>
        logger.warn("Unregistering BITS callbacks failed: {error}", { error })
      );
      this.#counter?.[Symbol.dispose]();
      for (const job of this.#opened) job.handle.dispose();
    }
  }

  /** Joins the process's callback hub, unless callbacks are off or unavailable. */
  async #subscribe(): Promise<void> {
    if (!(this.#options.callbacks ?? true)) return;
    try {
      this.#native = await Subscription.open();
    } catch (error) {
      // Polling alone still reports everything, only later.
      logger.warn("BITS callbacks unavailable, polling only: {error}", { error: String(error) });
    }
  }

  /** Reports a poll's observation, rescheduling the job at the tick's time. */
  async *#observePoll(observation: Observation, now: number): AsyncGenerator<WatchEvent, void, undefined> {
    const events = this.#coalescer.observe(observation);
    if (!observation.removed) {
      // The tick's time, not the reading's: jobs read in one tick stay due together.
      this.#schedule.polled(observation.jobId, observation.state, events.length > 0, now);
    }
    yield* this.#yieldAll(events);
  }

  /** Reports a callback's observation. */
  #report(observation: Observation): AsyncGenerator<WatchEvent, void, undefined> {
    return this.#yieldAll(this.#coalescer.observe(observation));
  }

  async *#yieldAll(events: readonly WatchEvent[]): AsyncGenerator<WatchEvent, void, undefined> {
    for (const event of events) {
      if (event.kind === "removed") await this.#forget(event.jobId);
      yield event;
    }
  }

  /** Knows a job from now on, with a callback unless it is the Player's or notifies another client. */
  async #track(job: JobRef, description: string): Promise<void> {
    this.#jobs.set(job.id, job);
    if (!this.#native || wmpKindOf(description) === "job") return;
    try {
      if (!await this.#native.attach(job)) {
        // Its notify flags stay the other client's to restore; the poll covers this job.
        logger.debug("Job {id} already notifies another client: polled only", { id: job.id });
      }
    } catch (error) {
      logger.debug("No callback on job {id}: {error}", { id: job.id, error: String(error) });
    }
  }

  /** Reads the whole queue: every job's snapshot, new jobs, and jobs gone. */
  async #readQueue(queue: QueueSource): Promise<Observation[]> {
    const at = Date.now();
    const observations: Observation[] = [];
    const read = new Set<string>();
    // One nonblocking call for every snapshot; only a job seen for the first time is opened.
    for (const snapshot of await queue.list()) {
      read.add(snapshot.id);
      if (!this.#jobs.has(snapshot.id)) {
        let job: JobRef;
        try {
          job = await queue.open(snapshot.id);
        } catch (error) {
          // Gone since the read: the next full read will not list it either.
          if (error instanceof BitsError && error.code === "BG_E_NOT_FOUND") continue;
          throw error;
        }
        this.#opened.add(job);
        await this.#track(job, snapshot.description);
      }
      observations.push(pollObservation(snapshot, at));
    }
    for (const id of this.#jobs.keys()) {
      if (!read.has(id)) observations.push({ jobId: id, source: "poll", at, removed: true });
    }
    return observations;
  }

  /** Reads the given jobs one by one. */
  async #readJobs(ids: readonly string[]): Promise<Observation[]> {
    const observations: Observation[] = [];
    for (const id of ids) {
      const job = this.#jobs.get(id);
      if (!job) continue;
      try {
        observations.push(pollObservation(await readSnapshot(job), Date.now()));
      } catch (error) {
        if (!(error instanceof BitsError && error.code === "BG_E_NOT_FOUND")) throw error;
        observations.push({ jobId: id, source: "poll", at: Date.now(), removed: true });
      }
    }
    return observations;
  }

  /** The queue's job count, undefined when it cannot be read; false when counting is off. */
  async #countQueue(): Promise<number | undefined | false> {
    if (!this.#counting) return false;
    try {
      this.#counter ??= await QueueCounter.connect();
    } catch (error) {
      // The full reads every idlePollInterval still find new jobs, only later.
      logger.debug("No queue count, full reads only: {error}", { error: String(error) });
      this.#counting = false;
      return false;
    }
    try {
      return await this.#counter.count();
    } catch (error) {
      logger.debug("Queue count failed: {error}", { error: String(error) });
      return undefined;
    }
  }

  #dueJobs(now: number): string[] {
    return [...this.#jobs.keys()].filter((id) => this.#schedule.nextPollOf(id) <= now);
  }

  /** One watchdog tick at `now`: reads what is due, as cheaply as the source allows. */
  async #poll(now: number): Promise<Observation[]> {
    if (!("queue" in this.#source)) return this.#readJobs(this.#dueJobs(now));
    const queue = this.#source.queue;
    const count = await this.#countQueue();
    const due = this.#dueJobs(now);
    const read = chooseRead({
      now,
      lastFullRead: this.#lastFullRead,
      idleInterval: this.#schedule.idleInterval,
      count,
      lastCount: this.#lastCount,
      due: due.length,
      known: this.#jobs.size,
    });
    // The count held still and matches the jobs known: nothing appeared or left, as far as one count can tell.
    const steady = typeof count === "number" && count === this.#lastCount && count === this.#jobs.size;
    if (count !== false) this.#lastCount = count;
    if (read === "jobs") return this.#readJobs(due);
    this.#lastFullRead = now;
    if (steady && now < this.#lastQueueRead + FULL_READ_FACTOR * this.#schedule.idleInterval) {
      return this.#lightPass(queue, now);
    }
    this.#lastQueueRead = now;
    return this.#readQueue(queue);
  }

  /**
   * Stands in for a whole-queue read while the count holds still: every known
   * job's state and progress in one call, and a full read of the jobs whose
   * reading differs from what was reported (or that could not be read). When
   * one of them left, the queue is read in full at once, to find a job that
   * may have arrived in its place.
   */
  async #lightPass(queue: QueueSource, now: number): Promise<Observation[]> {
    const ids = [...this.#jobs.keys()];
    const records = await readProgress(ids.map((id) => this.#jobs.get(id)!));
    const changed: string[] = [];
    records.forEach((record, i) => {
      if (record.readHr < 0 || this.#coalescer.differs(ids[i], record.state, record.progress)) changed.push(ids[i]);
      else this.#schedule.polled(ids[i], record.state, false, now);
    });
    const observations = await this.#readJobs(changed);
    if (!observations.some((o) => o.removed)) return observations;
    this.#lastQueueRead = now;
    return [...observations, ...(await this.#readQueue(queue)).filter((o) => !changed.includes(o.jobId))];
  }

  /** When the next tick is due, after one at `lastTick`. */
  #nextTick(lastTick: number): number {
    // Watching the queue, every tick counts it; watching jobs, a tick is due when a job is.
    if ("queue" in this.#source || this.#jobs.size === 0) return lastTick + this.#interval;
    let next = Infinity;
    for (const id of this.#jobs.keys()) next = Math.min(next, this.#schedule.nextPollOf(id));
    return next;
  }

  /** Lets go of a job that left the queue. */
  async #forget(jobId: string): Promise<void> {
    const job = this.#jobs.get(jobId);
    this.#jobs.delete(jobId);
    this.#schedule.forget(jobId);
    if (this.#native && job) await this.#native.detach(jobId).catch(() => {});
    if (job && this.#opened.delete(job)) job.handle.dispose();
  }

  /** Every known job is settled (and there is one). */
  #settled(): boolean {
    return this.#jobs.size > 0 &&
      [...this.#jobs.keys()].every((id) => SETTLED_STATES.has(this.#coalescer.stateOf(id) ?? "QUEUED"));
  }

  /** Watching given jobs, every one has left the queue. */
  #noJobsLeft(): boolean {
    return "jobs" in this.#source && this.#jobs.size === 0;
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

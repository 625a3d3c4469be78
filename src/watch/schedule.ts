/**
 * The watchdog's two polling tiers. Every poll of a job is a COM round trip
 * per getter (six for a snapshot), and on a busy queue most jobs sit still
 * (suspended, failed, finished, or queued behind others): reading those
 * every second is most of what watching costs. So a job is read every
 * `activeInterval` while it moves (CONNECTING, TRANSFERRING,
 * TRANSIENT_ERROR) or has changed within the last `idleInterval`, and every
 * `idleInterval` otherwise. A change seen by a callback or a poll puts the
 * job back on the fast tier at once.
 *
 * Pure (the clock is passed in): tested on any OS.
 *
 * @module
 */

import { type JobState, MOVING_STATES, RESTING_STATES } from "../types.ts";

/** How often a job is polled: every `activeInterval`, or every `idleInterval`. */
export type PollTier = "active" | "idle";

// A job first seen in one of RESTING_STATES starts on the idle tier; one first
// seen QUEUED may start at any moment, so it starts on the fast one. A job in
// one of MOVING_STATES is always polled on the fast tier.

interface Entry {
  state?: JobState;
  /** When the job was last read by a poll (ms). */
  polledAt: number;
  /** When a change was last seen, from either source (ms); -Infinity when never. */
  changedAt: number;
}

/** When each watched job is due for its next poll. */
export class PollSchedule {
  /** Milliseconds between polls of a moving or recently changed job. */
  readonly activeInterval: number;
  /** Milliseconds between polls of any other job; also how long a change keeps a job on the fast tier. */
  readonly idleInterval: number;
  readonly #jobs = new Map<string, Entry>();

  /** `idleInterval` below `activeInterval` is raised to it (uniform polling). */
  constructor(activeInterval: number, idleInterval: number) {
    this.activeInterval = activeInterval;
    this.idleInterval = Math.max(activeInterval, idleInterval);
  }

  /** True when both tiers poll alike (`idleInterval` = `activeInterval`). */
  get uniform(): boolean {
    return this.idleInterval <= this.activeInterval;
  }

  /** Jobs scheduled. */
  get size(): number {
    return this.#jobs.size;
  }

  /**
   * Records a poll's reading of a job at `at`; `changed`: the reading
   * produced events. A job's first reading counts as a change unless the
   * job is resting (see {@linkcode RESTING_STATES}).
   */
  polled(jobId: string, state: JobState | undefined, changed: boolean, at: number): void {
    const entry = this.#jobs.get(jobId);
    if (!entry) {
      const fresh = state === undefined || !RESTING_STATES.has(state);
      this.#jobs.set(jobId, { state, polledAt: at, changedAt: fresh ? at : -Infinity });
      return;
    }
    entry.polledAt = Math.max(entry.polledAt, at);
    if (state !== undefined) entry.state = state;
    if (changed) entry.changedAt = Math.max(entry.changedAt, at);
  }

  /**
   * Records a change seen outside a poll (a BITS callback): the job moves to
   * the fast tier at once, so its next poll is at most `activeInterval`
   * after its last one (possibly due now).
   */
  changed(jobId: string, state: JobState | undefined, at: number): void {
    const entry = this.#jobs.get(jobId);
    if (!entry) {
      // Not polled yet: due at once.
      this.#jobs.set(jobId, { state, polledAt: -Infinity, changedAt: at });
      return;
    }
    if (state !== undefined) entry.state = state;
    entry.changedAt = Math.max(entry.changedAt, at);
  }

  /** Stops scheduling a job (it left the queue). */
  forget(jobId: string): void {
    this.#jobs.delete(jobId);
  }

  /** The tier a job is on at `now`; unknown jobs are active (they are due at once). */
  tierOf(jobId: string, now: number): PollTier {
    const entry = this.#jobs.get(jobId);
    if (!entry) return "active";
    return this.#active(entry, now) ? "active" : "idle";
  }

  /** When a job is next due (ms); unknown jobs are due at once. */
  nextPollOf(jobId: string): number {
    const entry = this.#jobs.get(jobId);
    if (!entry) return -Infinity;
    const fast = entry.polledAt + this.activeInterval;
    // Decided at the time of the next fast poll: is the job still moving or recently changed then?
    return this.#active(entry, fast) ? fast : entry.polledAt + this.idleInterval;
  }

  /** The jobs due at `now`, in the order they were first scheduled. */
  due(now: number): string[] {
    return [...this.#jobs.keys()].filter((id) => this.nextPollOf(id) <= now);
  }

  /** The earliest next poll of any job (ms); Infinity when nothing is scheduled. */
  nextDue(): number {
    let next = Infinity;
    for (const id of this.#jobs.keys()) next = Math.min(next, this.nextPollOf(id));
    return next;
  }

  #active(entry: Entry, now: number): boolean {
    if (entry.state === undefined || MOVING_STATES.has(entry.state)) return true;
    return now - entry.changedAt < this.idleInterval;
  }
}

/** What a tick of a whole-queue watch knows when it decides what to read. */
export interface QueueTick {
  /** The tick's time (ms). */
  readonly now: number;
  /** When the whole queue was last read (ms; -Infinity before the first read). */
  readonly lastFullRead: number;
  /** The schedule's idle interval: the whole queue is read at least this often. */
  readonly idleInterval: number;
  /** The job count read this tick; undefined when the count failed; false when not counted. */
  readonly count: number | undefined | false;
  /** The count read at the previous tick, if any. */
  readonly lastCount: number | undefined;
  /** How many known jobs are due. */
  readonly due: number;
  /** How many jobs are known. */
  readonly known: number;
}

/**
 * Whether a whole-queue watch reads the whole queue this tick (`"queue"`:
 * one enumeration, then a snapshot per job, which also finds jobs that
 * appeared or left) or only the due jobs one by one (`"jobs"`). The queue is
 * read when an idle interval has passed since the last full read, when the
 * count changed or could not be read, and when every known job is due anyway
 * (the enumeration adds four round trips to the six per job, and finds new jobs too).
 */
export function chooseRead(tick: QueueTick): "queue" | "jobs" {
  if (tick.now >= tick.lastFullRead + tick.idleInterval) return "queue";
  if (tick.count === undefined) return "queue";
  if (tick.count !== false && tick.lastCount !== undefined && tick.count !== tick.lastCount) return "queue";
  if (tick.due > 0 && tick.due >= tick.known) return "queue";
  return "jobs";
}

/**
 * One native watcher per process, shared by every `watch()` and `wait()`.
 *
 * A drain waits on Deno's blocking pool, whose threads also run every other
 * nonblocking FFI call, file operation and hash (4 × the core count on
 * Windows). One drain per watch would park a pool thread per concurrent
 * `wait()`; here a single drain loop runs while anyone watches, and routes
 * each record to the subscriptions that track its job id. A job is
 * registered once for the whole process, however many subscriptions track
 * it, and unregistered when the last one lets go.
 *
 * @module
 */

import type { JobRef } from "../job_ref.ts";
import { type DrainResult, NativeWatcher } from "./native.ts";
import type { NotificationRecord } from "./records.ts";

/** How long one drain waits: only bounds how long an idle loop holds its one pool thread between checks. */
const LOOP_DRAIN_MS = 30_000;

/** A job registered for the process: how many subscriptions track it, and whether the callback is ours. */
interface Registration {
  refs: number;
  readonly attached: Promise<boolean>;
}

/** The process's one watcher while anyone subscribes; `undefined` otherwise. */
let current: Promise<NotificationHub> | undefined;

/** Drain loops run so far (for tests: one while subscriptions overlap). */
let loopsStarted = 0;

/** @internal How many drain loops the process has started; a test reads it. */
export function drainLoopsStarted(): number {
  return loopsStarted;
}

class NotificationHub {
  readonly #native: NativeWatcher;
  readonly #subscriptions = new Set<Subscription>();
  readonly #registrations = new Map<string, Registration>();
  #loop: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(native: NativeWatcher) {
    this.#native = native;
  }

  get closing(): boolean {
    return this.#closing !== undefined;
  }

  add(subscription: Subscription): void {
    this.#subscriptions.add(subscription);
    if (!this.#loop) {
      loopsStarted++;
      this.#loop = this.#run().finally(() => this.#loop = undefined);
    }
  }

  /** Registers a job for the process (once); resolves to whether the callback is this process's. */
  register(job: JobRef): Promise<boolean> {
    const existing = this.#registrations.get(job.id);
    if (existing) {
      existing.refs++;
      return existing.attached;
    }
    const attached = this.#native.attach(job);
    const registration: Registration = { refs: 1, attached };
    this.#registrations.set(job.id, registration);
    // A failed registration is not kept: the next subscription tries again.
    attached.catch(() => {
      if (this.#registrations.get(job.id) === registration) this.#registrations.delete(job.id);
    });
    return attached;
  }

  /** Lets go of a job; the last one out unregisters it. */
  async unregister(jobId: string): Promise<void> {
    const registration = this.#registrations.get(jobId);
    if (!registration || --registration.refs > 0) return;
    this.#registrations.delete(jobId);
    if (await registration.attached.catch(() => false)) await this.#native.detach(jobId);
  }

  /** Removes a subscription; the last one out closes the watcher (every registration undone). */
  async remove(subscription: Subscription, ids: Iterable<string>): Promise<void> {
    for (const id of ids) await this.unregister(id).catch(() => {});
    this.#subscriptions.delete(subscription);
    if (this.#subscriptions.size > 0 || this.#closing) return this.#closing;
    // Nobody watches: the next subscription gets a fresh watcher.
    current = undefined;
    this.#closing = this.#native.close();
    await this.#closing;
  }

  async #run(): Promise<void> {
    while (this.#subscriptions.size > 0 && !this.#closing) {
      let result: DrainResult;
      try {
        result = await this.#native.drain(LOOP_DRAIN_MS);
      } catch (error) {
        for (const subscription of this.#subscriptions) subscription.fail(error);
        return;
      }
      for (const subscription of this.#subscriptions) subscription.deliver(result.records, result.dropped);
    }
  }
}

/**
 * One watch's view of the process's watcher: the records of the jobs it
 * tracks, collected as they come and handed out by {@linkcode next}.
 */
export class Subscription {
  readonly #hub: NotificationHub;
  readonly #ids = new Set<string>();
  #records: NotificationRecord[] = [];
  #dropped = 0;
  #failure: unknown;
  #notify: (() => void) | undefined;
  #closed = false;

  private constructor(hub: NotificationHub) {
    this.#hub = hub;
    hub.add(this);
  }

  /** Subscribes to the process's watcher, creating it when nobody watches yet. */
  static async open(): Promise<Subscription> {
    for (;;) {
      const pending = current ??= NativeWatcher.create().then((native) => new NotificationHub(native));
      let hub: NotificationHub;
      try {
        hub = await pending;
      } catch (error) {
        if (current === pending) current = undefined;
        throw error;
      }
      // The last subscription of this hub left while this one waited for it: take the next hub.
      if (!hub.closing) return new Subscription(hub);
    }
  }

  /**
   * Tracks a job: its records come to this subscription. Returns false when
   * the job notifies another client (polled only, see NativeWatcher.attach).
   */
  async attach(job: JobRef): Promise<boolean> {
    if (this.#closed || this.#ids.has(job.id)) return !this.#closed;
    this.#ids.add(job.id);
    try {
      return await this.#hub.register(job);
    } catch (error) {
      this.#ids.delete(job.id);
      throw error;
    }
  }

  /** Stops tracking a job. */
  async detach(jobId: string): Promise<void> {
    if (!this.#ids.delete(jobId)) return;
    await this.#hub.unregister(jobId);
  }

  /** @internal Called by the drain loop with every record it read. */
  deliver(records: readonly NotificationRecord[], dropped: number): void {
    let woke = dropped > 0;
    this.#dropped += dropped;
    for (const record of records) {
      if (!this.#ids.has(record.jobId)) continue;
      this.#records.push(record);
      woke = true;
    }
    if (woke) this.#wake();
  }

  /** @internal Called by the drain loop when draining failed: the next {@linkcode next} throws it. */
  fail(error: unknown): void {
    this.#failure ??= error;
    this.#wake();
  }

  /**
   * Waits up to `timeoutMs` for records of the tracked jobs (no pool thread:
   * the loop drains for everyone); returns early on {@linkcode wake}.
   */
  async next(timeoutMs: number): Promise<DrainResult> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#records.length === 0 && this.#dropped === 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, timeoutMs));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#notify = done;
      });
      this.#notify = undefined;
    }
    if (this.#failure !== undefined) throw this.#failure;
    const result = { records: this.#records, dropped: this.#dropped };
    this.#records = [];
    this.#dropped = 0;
    return result;
  }

  /** Ends a pending {@linkcode next} now. */
  wake(): void {
    this.#wake();
  }

  #wake(): void {
    this.#notify?.();
  }

  /** Lets go of every tracked job; the last subscription out closes the process's watcher. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
    const ids = [...this.#ids];
    this.#ids.clear();
    await this.#hub.remove(this, ids);
  }
}

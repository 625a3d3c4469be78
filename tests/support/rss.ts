/**
 * The peak resident set size of this process while something runs, to show
 * that a large body is streamed, not held: sampled on a timer, and by hand
 * from loops that never yield to timers.
 *
 * @module
 */

/** Samples `Deno.memoryUsage().rss` every `intervalMs` from creation until disposed. */
export class RssSampler implements Disposable {
  /** RSS at creation, bytes. */
  readonly before: number;
  #peak: number;
  readonly #timer: ReturnType<typeof setInterval>;

  /** Starts sampling. */
  constructor(intervalMs = 100) {
    this.before = Deno.memoryUsage().rss;
    this.#peak = this.before;
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Takes one sample now. */
  sample(): void {
    this.#peak = Math.max(this.#peak, Deno.memoryUsage().rss);
  }

  /** The highest RSS seen, bytes. */
  get peak(): number {
    return this.#peak;
  }

  /** Peak minus the RSS at creation, bytes. */
  get growth(): number {
    return this.#peak - this.before;
  }

  /** Stops the timer (after one last sample). */
  [Symbol.dispose](): void {
    this.sample();
    clearInterval(this.#timer);
  }
}

/**
 * {@linkcode watch}: a job's (or the whole queue's) events as an async
 * iterator. The work is a {@linkcode WatchSession} (./session.ts); this
 * module turns the public target (a manager, or jobs) into its source.
 *
 * @module
 */

import { type BitsJob, jobRef } from "../job.ts";
import type { BitsManager } from "../manager.ts";
import type { WatchEvent } from "./events.ts";
import { type WatchOptions, watchSource } from "./session.ts";

/** What {@linkcode watch} watches: given jobs, or (a manager) the whole queue. */
export type WatchTarget = BitsManager | readonly BitsJob[];

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
  if (Array.isArray(target)) {
    yield* watchSource({ jobs: (target as readonly BitsJob[]).map(jobRef) }, options);
    return;
  }
  const manager = target as BitsManager;
  yield* watchSource({
    queue: {
      list: () => manager.listJobs(),
      open: async (id) => jobRef(await manager.getJob(id)),
    },
  }, options);
}

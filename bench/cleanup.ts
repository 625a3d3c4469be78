/**
 * Removing a benchmark run's jobs afterwards, shared by every benchmark
 * script that leaves SUSPENDED jobs behind.
 *
 * @module
 */

import type { BitsManager } from "@deno-bits/bits";

/**
 * Cancels the queued jobs whose display name starts with `prefix` and that
 * are still SUSPENDED (the only state a benchmark leaves them in); returns
 * how many. The state is read again right before each cancel: a transferring
 * job is never cancelled, because that crashes Wine's BITS.
 */
export async function cancelSuspendedJobs(bits: BitsManager, prefix: string): Promise<number> {
  let cancelled = 0;
  for (const snapshot of await bits.listJobs()) {
    if (!snapshot.displayName.startsWith(prefix) || snapshot.state !== "SUSPENDED") continue;
    using job = await bits.getJob(snapshot.id);
    if ((await job.snapshot()).state !== "SUSPENDED") continue;
    await job.cancel({ force: true });
    cancelled++;
  }
  return cancelled;
}

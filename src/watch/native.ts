/**
 * The shim's notification watcher: a COM callback object with a native queue,
 * drained from Deno's thread pool. Callbacks never wait on JavaScript.
 *
 * @module
 */

import { loadShim } from "../../ffi/library.ts";
import { unwrap } from "../errors.ts";
import { OwnedHandle, pointerFromOut } from "../handle.ts";
import { HR } from "../hresult.ts";
import { type BitsJob, jobHandle } from "../job.ts";
import { decodeEventRecords, EVENT_RECORD_BYTES, type NotificationRecord } from "./records.ts";

/** Records fetched per drain call. */
const DRAIN_BATCH = 64;

/** Notifications drained at once, and how many were dropped on a full queue. */
export interface DrainResult {
  /** The notifications, oldest first. */
  readonly records: NotificationRecord[];
  /** Notifications lost to a full queue since the previous drain. */
  readonly dropped: number;
}

/** One registration: the job, and its notify flags from before. */
interface Attachment {
  readonly job: BitsJob;
  readonly previousFlags: number;
}

/** A native watcher; dispose it (after `detachAll`) to release it. */
export class NativeWatcher {
  readonly #handle: OwnedHandle;
  readonly #attached = new Map<string, Attachment>();

  private constructor(handle: OwnedHandle) {
    this.#handle = handle;
  }

  /** Creates a watcher whose native queue holds `capacity` notifications. */
  static async create(capacity = 1024): Promise<NativeWatcher> {
    const out = new BigUint64Array(1);
    unwrap(await loadShim().symbols.bits_watcher_create(capacity, out), "Creating the notification watcher");
    return new NativeWatcher(new OwnedHandle(pointerFromOut(out, "bits_watcher_create"), "watcher"));
  }

  /** Ids of the jobs this watcher is registered on. */
  get attachedIds(): string[] {
    return [...this.#attached.keys()];
  }

  /** Registers for a job's notifications (replacing another client's callback on it). */
  async attach(job: BitsJob): Promise<void> {
    if (this.#attached.has(job.id)) return;
    const previous = new Uint32Array(1);
    const hr = await this.#handle.use((watcher) =>
      jobHandle(job).use((pointer) => loadShim().symbols.bits_watcher_attach(watcher, pointer, previous))
    );
    unwrap(hr, "SetNotifyInterface", { jobId: job.id });
    this.#attached.set(job.id, { job, previousFlags: previous[0] });
  }

  /**
   * Unregisters from a job if it still notifies this watcher, restoring its
   * notify flags. Returns false when another client took over in between.
   */
  async detach(jobId: string): Promise<boolean> {
    const attachment = this.#attached.get(jobId);
    if (!attachment) return false;
    this.#attached.delete(jobId);
    const hr = await this.#handle.use((watcher) =>
      jobHandle(attachment.job).use((pointer) =>
        loadShim().symbols.bits_watcher_detach(watcher, pointer, attachment.previousFlags)
      )
    );
    unwrap(hr, "SetNotifyInterface(NULL)", { jobId });
    return hr === HR.S_OK;
  }

  /** Unregisters from every job; failures (a job already gone) are ignored. */
  async detachAll(): Promise<void> {
    for (const id of this.attachedIds) await this.detach(id).catch(() => {});
  }

  /** Waits up to `timeoutMs` for notifications; returns early on {@linkcode wake}. */
  async drain(timeoutMs: number): Promise<DrainResult> {
    // A fresh buffer each call: a nonblocking call owns its buffers until it settles.
    const out = new Uint8Array(DRAIN_BATCH * EVENT_RECORD_BYTES);
    const count = new Uint32Array(1);
    const dropped = new Uint32Array(1);
    const hr = await this.#handle.use((watcher) =>
      loadShim().symbols.bits_watcher_drain(
        watcher,
        out,
        DRAIN_BATCH,
        Math.max(0, Math.round(timeoutMs)),
        count,
        dropped,
      )
    );
    unwrap(hr, "Draining notifications");
    return { records: decodeEventRecords(out, count[0]), dropped: dropped[0] };
  }

  /** Ends a pending {@linkcode drain} now. */
  wake(): void {
    if (this.#handle.disposed) return;
    // Synchronous and non-blocking in the shim, so it is safe from an abort handler.
    void this.#handle.use((watcher) => Promise.resolve(loadShim().symbols.bits_watcher_wake(watcher))).catch(() => {});
  }

  /** Releases the watcher (after the last in-flight drain). Call {@linkcode detachAll} first. */
  dispose(): void {
    this.#handle.dispose();
  }
}

/**
 * The shim's notification watcher: a COM callback object with a native queue,
 * drained from Deno's thread pool. Callbacks never wait on JavaScript.
 *
 * @module
 */

import { loadShim } from "../../ffi/library.ts";
import { unwrap } from "../errors.ts";
import { OwnedHandle, pointerFromOut } from "../handle.ts";
import { parseGuid } from "../guid.ts";
import { HR } from "../hresult.ts";
import type { JobRef } from "../job_ref.ts";
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

/**
 * Watchers not closed yet. On `unload` (the end of the event loop, or
 * `Deno.exit()`) each is closed synchronously, so that no job is left
 * notifying a process that is gone, e.g. after an abandoned `watch()`.
 */
const open = new Set<NativeWatcher>();
let unloadHooked = false;

function closeAllOnUnload(): void {
  for (const watcher of [...open]) watcher.closeSync();
}

/** A native watcher; {@linkcode close} it to undo its registrations and release it. */
export class NativeWatcher {
  readonly #handle: OwnedHandle;
  readonly #attached = new Set<string>();

  private constructor(handle: OwnedHandle) {
    this.#handle = handle;
    open.add(this);
    if (!unloadHooked) {
      unloadHooked = true;
      globalThis.addEventListener("unload", closeAllOnUnload);
    }
  }

  /** Creates a watcher whose native queue holds `capacity` notifications. */
  static async create(capacity = 1024): Promise<NativeWatcher> {
    const out = new BigUint64Array(1);
    unwrap(await loadShim().symbols.bits_watcher_create(capacity, out), "Creating the notification watcher");
    return new NativeWatcher(new OwnedHandle(pointerFromOut(out, "bits_watcher_create"), "watcher"));
  }

  /** Ids of the jobs this watcher is registered on. */
  get attachedIds(): string[] {
    return [...this.#attached];
  }

  /**
   * Registers for a job's notifications. Returns false, changing nothing, when
   * the job already notifies another client (another watch, here or in another
   * process): taking it over would lose the job's own notify flags when both
   * end. The shim keeps its own reference on the job, so the registration can
   * be undone after `job` is disposed.
   */
  async attach(job: JobRef): Promise<boolean> {
    if (this.#attached.has(job.id)) return true;
    const previous = new Uint32Array(1);
    const hr = await this.#handle.use((watcher) =>
      job.handle.use((pointer) => loadShim().symbols.bits_watcher_attach(watcher, pointer, previous))
    );
    unwrap(hr, "SetNotifyInterface", { jobId: job.id });
    if (hr !== HR.S_OK) return false;
    this.#attached.add(job.id);
    return true;
  }

  /**
   * Unregisters from a job if it still notifies this watcher, restoring its
   * notify flags. Returns false when another client took over in between.
   */
  async detach(jobId: string): Promise<boolean> {
    if (!this.#attached.delete(jobId)) return false;
    const guid = parseGuid(jobId);
    const hr = await this.#handle.use((watcher) => loadShim().symbols.bits_watcher_detach(watcher, guid));
    unwrap(hr, "SetNotifyInterface(NULL)", { jobId });
    return hr === HR.S_OK;
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

  /**
   * Undoes every registration (restoring each job's notify flags), cuts
   * BITS' connections to the watcher, drops what is queued, ends a pending
   * drain, and releases the watcher. Idempotent.
   *
   * @throws {BitsError} when a registration could not be undone (the others still are, and the watcher is released).
   */
  async close(): Promise<void> {
    if (!open.delete(this)) return;
    this.#attached.clear();
    try {
      const hr = await this.#handle.use((watcher) => loadShim().symbols.bits_watcher_close(watcher));
      unwrap(hr, "Closing the notification watcher");
    } finally {
      this.#handle.dispose();
    }
  }

  /** {@linkcode close} on the JavaScript thread, for `unload`, which cannot wait; errors are dropped. */
  closeSync(): void {
    if (!open.delete(this)) return;
    this.#attached.clear();
    try {
      this.#handle.useSync((watcher) => loadShim().symbols.bits_watcher_close_sync(watcher));
    } catch {
      // The process is ending: nobody is left to tell.
    }
    this.#handle.dispose();
  }
}

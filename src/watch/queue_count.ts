/**
 * The number of jobs in the queue, read without opening any job: EnumJobs +
 * GetCount + the enumerator's release, three round trips whatever the
 * queue's size (reading the whole queue costs six per job). The tiered
 * watchdog reads it every tick to notice jobs that appear or leave between
 * two full reads of the queue.
 *
 * @module
 */

import { loadShim } from "../../ffi/library.ts";
import { unwrap } from "../errors.ts";
import { OwnedHandle, pointerFromOut } from "../handle.ts";
import { HR } from "../hresult.ts";

/** A connection of the watch's own, used only to count the queue; dispose it. */
export class QueueCounter implements Disposable {
  readonly #handle: OwnedHandle;

  private constructor(handle: OwnedHandle) {
    this.#handle = handle;
  }

  /**
   * Connects. The watch keeps a connection of its own because counting is
   * not part of the BitsManager API; BITS has one manager per
   * service, so this is one more reference to it, not another service.
   */
  static async connect(): Promise<QueueCounter> {
    const out = new BigUint64Array(1);
    unwrap(await loadShim().symbols.bits_connect(out), "Connecting to BITS (queue count)");
    return new QueueCounter(new OwnedHandle(pointerFromOut(out, "Connecting to BITS"), "queue counter"));
  }

  /** The number of the caller's jobs in the queue now. */
  async count(): Promise<number> {
    // A zero-capacity array: the shim returns the count with ERROR_INSUFFICIENT_BUFFER and opens no job.
    const out = new BigUint64Array(0);
    const count = new Uint32Array(1);
    const hr = await this.#handle.use((manager) =>
      loadShim().symbols.bits_manager_enum_jobs(manager, 0, out, 0, count)
    );
    if (hr !== HR.ERROR_INSUFFICIENT_BUFFER) unwrap(hr, "EnumJobs (queue count)");
    return count[0];
  }

  /** Releases the connection. */
  [Symbol.dispose](): void {
    this.#handle.dispose();
  }
}

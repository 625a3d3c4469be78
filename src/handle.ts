/**
 * Ownership of one COM interface pointer returned by the shim: released once,
 * by `dispose()` or, as a safety net, by a finalizer; never while a
 * nonblocking call is still using it.
 *
 * @module
 */

import { BitsError } from "./errors.ts";
import { loadShim } from "../ffi/library.ts";

// Handles whose pointer is not released yet (a cheap counter for leak checks).
let live = 0;

/**
 * How many owned handles still hold a COM pointer (disposed ones in flight included until released, and
 * ones whose release failed).
 */
export function liveHandleCount(): number {
  return live;
}

/**
 * Releases `pointer` now, on the JavaScript thread, and counts it released
 * only if the release succeeded. The shim never makes this thread an MTA
 * thread (another library may have made it an STA): it releases in the
 * implicit MTA, or on a thread of its own. Should that fail anyway, the
 * release is retried on a pool thread; a pointer no attempt released stays
 * counted, so a leak check sees it.
 */
function releaseNow(pointer: Deno.PointerObject): void {
  let hr: number;
  try {
    hr = loadShim().symbols.bits_release(pointer);
  } catch {
    // The library is gone (the process is likely exiting): not released, so still counted.
    return;
  }
  if (hr >= 0) {
    live--;
    return;
  }
  loadShim().symbols.bits_release_async(pointer).then((again) => {
    if (again >= 0) live--;
  }, () => {});
}

const finalizer = new FinalizationRegistry<Deno.PointerObject>(releaseNow);

/** Reads the pointer a shim function wrote into a one-element out-parameter. */
export function pointerFromOut(out: BigUint64Array, operation: string): Deno.PointerObject {
  const pointer = Deno.UnsafePointer.create(out[0]);
  if (pointer === null) throw new BitsError(0x80004003, { operation: `${operation} returned no handle` });
  return pointer;
}

/**
 * One owned handle. `use()` runs a call with the pointer and keeps it alive
 * until the call settles; `dispose()` releases it once no call is in flight.
 */
export class OwnedHandle {
  #pointer: Deno.PointerObject | null;
  #pending = 0;
  #disposed = false;
  readonly #what: string;

  /** Takes ownership of `pointer`; `what` names it in errors ("job {…}"). */
  constructor(pointer: Deno.PointerObject, what: string) {
    this.#pointer = pointer;
    this.#what = what;
    finalizer.register(this, pointer, this);
    live++;
  }

  /** True once `dispose()` was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Runs `call` with the live pointer; rejects if disposed. */
  async use<T>(call: (pointer: Deno.PointerObject) => Promise<T>): Promise<T> {
    if (this.#disposed || this.#pointer === null) {
      throw new ReferenceError(`The ${this.#what} handle was disposed`);
    }
    this.#pending++;
    try {
      return await call(this.#pointer);
    } finally {
      this.#settled();
    }
  }

  /** One in-flight call settled: the last one releases a disposed handle. */
  #settled(): void {
    if (--this.#pending === 0 && this.#disposed) this.#release();
  }

  /**
   * Runs `call` with the live pointers of several handles at once (for one
   * native call over many jobs), keeping each alive until it settles.
   */
  static async useAll<T>(
    handles: readonly OwnedHandle[],
    call: (pointers: Deno.PointerObject[]) => Promise<T>,
  ): Promise<T> {
    const pointers: Deno.PointerObject[] = [];
    const taken: OwnedHandle[] = [];
    try {
      for (const handle of handles) {
        if (handle.#disposed || handle.#pointer === null) {
          throw new ReferenceError(`The ${handle.#what} handle was disposed`);
        }
        handle.#pending++;
        taken.push(handle);
        pointers.push(handle.#pointer);
      }
      return await call(pointers);
    } finally {
      for (const handle of taken) handle.#settled();
    }
  }

  /** Runs a synchronous `call` with the live pointer; throws if disposed. */
  useSync<T>(call: (pointer: Deno.PointerObject) => T): T {
    if (this.#disposed || this.#pointer === null) {
      throw new ReferenceError(`The ${this.#what} handle was disposed`);
    }
    return call(this.#pointer);
  }

  /** Releases the pointer (now, or when the last in-flight call settles). Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    finalizer.unregister(this);
    if (this.#pending === 0) this.#release();
  }

  #release(): void {
    const pointer = this.#pointer;
    this.#pointer = null;
    if (pointer !== null) releaseNow(pointer);
  }
}

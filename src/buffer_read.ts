/**
 * The one grow-and-retry loop for shim calls that fill a caller buffer: the
 * shim answers `ERROR_INSUFFICIENT_BUFFER` with the size it needs, and the
 * call is made again with buffers that size.
 *
 * @module
 */

import { BitsError, unwrap } from "./errors.ts";
import { HR } from "./hresult.ts";

/**
 * How many calls one read makes before giving up. Each retry is sized to what
 * the callee just reported, so a second call nearly always fits; more happen
 * only when the content grows between calls (jobs joining the queue, a reply
 * arriving). Eight is the most any reader needed before they shared this loop
 * (the whole-queue read); the bound keeps a callee that always asks for more
 * from looping forever.
 */
export const MAX_BUFFER_ATTEMPTS = 8;

/**
 * One growing read: how to allocate, call, grow and finish. `S` is the size
 * (a number, or a tuple when a call fills several buffers), `B` the buffers
 * of one call (typically the data buffer and the out-parameter the callee
 * writes its needed size into), `T` the result.
 */
export interface GrowingRead<S, B, T> {
  /** The size of the first call's buffers. */
  readonly initialSize: S;
  /**
   * Makes the buffers for one call. Called once per call and never reused by
   * this loop: a nonblocking FFI call owns its buffers until it settles, so a
   * buffer must not be handed to a second call meanwhile. Return a new buffer
   * unless the call site has its own take/put-back discipline (see `release`).
   */
  readonly allocate: (size: S) => B;
  /** Makes the call into `buffers`; returns its HRESULT. */
  readonly call: (buffers: B) => number | Promise<number>;
  /**
   * After `ERROR_INSUFFICIENT_BUFFER`: the size of the next call, from what
   * the callee wrote into `buffers`; `undefined` stops retrying and hands the
   * HRESULT to `finish` (e.g. a size beyond what the caller accepts).
   */
  readonly grow: (buffers: B, size: S) => S | undefined;
  /**
   * Turns any other outcome into the result: checks the HRESULT with the call
   * site's own operation name, then decodes `buffers`.
   */
  readonly finish: (hr: number, buffers: B) => T;
  /**
   * Called once a call has settled and `grow` or `finish` is done with its
   * buffers, whatever the outcome (even when the call threw): the place to
   * wipe buffers that carried secrets, or to put a kept buffer back.
   */
  readonly release?: (buffers: B) => void;
  /** The operation named by the error thrown when the callee still asks for more after the last attempt. */
  readonly operation: string;
  /** The job named by that error. */
  readonly jobId?: string;
}

/**
 * Runs a growing read: calls with fresh buffers of `initialSize`, and again
 * with the size `grow` derives while the callee answers
 * `ERROR_INSUFFICIENT_BUFFER`, at most {@linkcode MAX_BUFFER_ATTEMPTS} times.
 *
 * @throws {BitsError} `ERROR_INSUFFICIENT_BUFFER` naming `operation` and
 * `jobId` when the callee still asks for more after the last attempt; any
 * error `finish` throws for another HRESULT.
 */
export async function readGrowing<S, B, T>(read: GrowingRead<S, B, T>): Promise<T> {
  let size = read.initialSize;
  for (let attempt = 0; attempt < MAX_BUFFER_ATTEMPTS; attempt++) {
    const buffers = read.allocate(size);
    try {
      const hr = await read.call(buffers);
      if (hr === HR.ERROR_INSUFFICIENT_BUFFER) {
        const next = read.grow(buffers, size);
        if (next !== undefined) {
          size = next;
          continue;
        }
      }
      return read.finish(hr, buffers);
    } finally {
      read.release?.(buffers);
    }
  }
  throw new BitsError(
    HR.ERROR_INSUFFICIENT_BUFFER,
    read.jobId === undefined ? { operation: read.operation } : { operation: read.operation, jobId: read.jobId },
  );
}

/**
 * The common case of {@linkcode readGrowing}: one byte buffer and a `needed`
 * byte count the shim writes on `ERROR_INSUFFICIENT_BUFFER`; the next buffer
 * is what it asks, at least twice the last. Any other failure throws the
 * `unwrap` error naming `operation` and `jobId`.
 *
 * @returns the filled buffer (its whole capacity; the decoder reads its own framing).
 */
export function readBytes(
  initialBytes: number,
  operation: string,
  jobId: string,
  call: (out: Uint8Array, capacity: number, needed: Uint32Array) => Promise<number>,
): Promise<Uint8Array> {
  return readGrowing({
    initialSize: initialBytes,
    allocate: (size: number) => ({ out: new Uint8Array(size), needed: new Uint32Array(1) }),
    call: ({ out, needed }) => call(out, out.byteLength, needed),
    grow: ({ needed }, size) => Math.max(needed[0], size * 2),
    finish: (hr, { out }) => {
      unwrap(hr, operation, { jobId });
      return out;
    },
    operation,
    jobId,
  });
}

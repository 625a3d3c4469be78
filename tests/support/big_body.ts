/**
 * Seekable generated content for very large bodies (the fault server's
 * `/big/<size>` route): bytes come in 64 KiB blocks, each generated from
 * (seed, block index) alone, so any byte range starts at once, nothing is
 * ever held beyond one block, and the expected SHA-256 is computed by
 * streaming the same generator. Words are written in the platform's byte
 * order (little-endian on every platform deno-bits runs on).
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Bytes per generated block; a range is served from the block holding its first byte. */
export const BIG_BLOCK = 64 * 1024;

/** The start state of block `index` for `seed`: the seed and index mixed (murmur3's finalizer), never 0. */
function blockState(seed: number, index: number): number {
  let x = Math.imul(seed ^ 0x9E3779B9, 0x85EBCA6B) ^ Math.imul(index + 1, 0xC2B2AE35);
  x = Math.imul(x ^ (x >>> 16), 0x85EBCA6B);
  x = Math.imul(x ^ (x >>> 13), 0xC2B2AE35);
  // xorshift32 stays at 0 forever once there.
  return (x ^ (x >>> 16)) || 1;
}

/** Block `index` of the content for `seed` (a new buffer: callers may keep it). */
export function bigBlock(seed: number, index: number): Uint8Array {
  const words = new Uint32Array(BIG_BLOCK / 4);
  let state = blockState(seed, index);
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = state;
  }
  return new Uint8Array(words.buffer);
}

/**
 * Yields bytes `[start, end)` of the `size`-byte content for `seed`, one
 * block-sized chunk at a time (the first and last may be shorter).
 */
export function* bigBodyChunks(size: number, seed: number, start = 0, end = size): Generator<Uint8Array> {
  end = Math.min(end, size);
  for (let offset = start; offset < end;) {
    const index = Math.floor(offset / BIG_BLOCK);
    const blockStart = index * BIG_BLOCK;
    const to = Math.min(end - blockStart, BIG_BLOCK);
    yield bigBlock(seed, index).subarray(offset - blockStart, to);
    offset = blockStart + to;
  }
}

/** SHA-256 (hex) of the `size`-byte content for `seed`, streamed. */
export function bigBodySha256(size: number, seed: number): string {
  const hash = createHash("sha256");
  for (const chunk of bigBodyChunks(size, seed)) hash.update(chunk);
  return hash.digest("hex");
}

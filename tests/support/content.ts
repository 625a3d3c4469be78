/**
 * Deterministic test content: the same (size, seed) always yields the same
 * bytes, generated in chunks so large bodies are never held in memory, and
 * hashed the same way on both ends.
 *
 * @module
 */

import { createHash } from "node:crypto";

const CHUNK = 64 * 1024;

/**
 * Yields `size` pseudo-random bytes for `seed` (xorshift32, four bytes a step),
 * in chunks of `chunkSize`. The bytes do not depend on the chunk size: a step
 * that a chunk boundary cuts continues in the next chunk (a trickled body uses
 * small chunks, and its hash must still be `contentSha256`'s).
 */
export function* contentChunks(size: number, seed: number, chunkSize = CHUNK): Generator<Uint8Array> {
  let state = (seed | 0) || 0x9E3779B9;
  // Bytes of the last step not yet given out, lowest first.
  let pending: number[] = [];
  const step = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state;
  };
  for (let offset = 0; offset < size; offset += chunkSize) {
    const chunk = new Uint8Array(Math.min(chunkSize, size - offset));
    let i = 0;
    while (i < chunk.length && pending.length > 0) chunk[i++] = pending.shift()!;
    for (; i + 4 <= chunk.length; i += 4) {
      const word = step();
      chunk[i] = word & 0xFF;
      chunk[i + 1] = (word >>> 8) & 0xFF;
      chunk[i + 2] = (word >>> 16) & 0xFF;
      chunk[i + 3] = (word >>> 24) & 0xFF;
    }
    if (i < chunk.length) {
      const word = step();
      pending = [word & 0xFF, (word >>> 8) & 0xFF, (word >>> 16) & 0xFF, (word >>> 24) & 0xFF];
      while (i < chunk.length) chunk[i++] = pending.shift()!;
    }
    yield chunk;
  }
}

/** SHA-256 (hex) of the content for (size, seed). */
export function contentSha256(size: number, seed: number): string {
  const hash = createHash("sha256");
  for (const chunk of contentChunks(size, seed)) hash.update(chunk);
  return hash.digest("hex");
}

/** SHA-256 (hex) of a file, read in a stream. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

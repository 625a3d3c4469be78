/**
 * Deterministic test content: the same (size, seed) always yields the same
 * bytes, generated in chunks so large bodies are never held in memory, and
 * hashed the same way on both ends.
 *
 * @module
 */

import { createHash } from "node:crypto";

const CHUNK = 64 * 1024;

/** Yields `size` pseudo-random bytes for `seed` (xorshift32), in chunks. */
export function* contentChunks(size: number, seed: number, chunkSize = CHUNK): Generator<Uint8Array> {
  let state = (seed | 0) || 0x9E3779B9;
  for (let offset = 0; offset < size; offset += chunkSize) {
    const chunk = new Uint8Array(Math.min(chunkSize, size - offset));
    for (let i = 0; i < chunk.length; i += 4) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      chunk[i] = state & 0xFF;
      if (i + 1 < chunk.length) chunk[i + 1] = (state >>> 8) & 0xFF;
      if (i + 2 < chunk.length) chunk[i + 2] = (state >>> 16) & 0xFF;
      if (i + 3 < chunk.length) chunk[i + 3] = (state >>> 24) & 0xFF;
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

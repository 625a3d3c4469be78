// tests/support/content.ts: the test content is one byte stream whatever the chunk size, so a trickled body (small,
// odd chunks) hashes to contentSha256 like a body served in 64 KiB chunks.
//
// Permissions: none.

import assert from "node:assert/strict";
import { contentChunks, contentSha256 } from "../support/content.ts";
import { createHash } from "node:crypto";

function joined(size: number, seed: number, chunkSize: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of contentChunks(size, seed, chunkSize)) {
    assert.ok(chunk.length <= chunkSize);
    out.set(chunk, offset);
    offset += chunk.length;
  }
  assert.equal(offset, size);
  return out;
}

Deno.test("content: the bytes do not depend on the chunk size", () => {
  const reference = joined(10_007, 5, 64 * 1024);
  for (const chunkSize of [1, 2, 3, 5, 7, 4096, 12_289]) {
    assert.deepEqual(joined(10_007, 5, chunkSize), reference, `chunks of ${chunkSize}`);
  }
});

Deno.test("content: contentSha256 is the hash of the bytes served in odd chunks", () => {
  const hash = createHash("sha256");
  for (const chunk of contentChunks(100_001, 9, 12_287)) hash.update(chunk);
  assert.equal(hash.digest("hex"), contentSha256(100_001, 9));
});

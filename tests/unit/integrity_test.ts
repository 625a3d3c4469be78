import assert from "node:assert/strict";
import { join } from "node:path";
import { InvalidArgumentError } from "../../src/errors.ts";
import { checkExpectation, IntegrityError, verifyFile } from "../../src/integrity.ts";
import { contentChunks, contentSha256 } from "../support/content.ts";

async function withFile(size: number, seed: number, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "integrity-" });
  try {
    const path = join(dir, "file.bin");
    using file = await Deno.open(path, { write: true, create: true });
    for (const chunk of contentChunks(size, seed)) await file.write(chunk);
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("integrity: a matching file passes with its facts, hash compared case-insensitively", async () => {
  await withFile(300_000, 3, async (path) => {
    const sha256 = contentSha256(300_000, 3);
    assert.deepEqual(await verifyFile(path, { size: 300_000, sha256: sha256.toUpperCase() }), {
      size: 300_000,
      sha256,
    });
    assert.deepEqual(await verifyFile(path, { size: 300_000 }), { size: 300_000 });
  });
});

Deno.test("integrity: a wrong size or hash throws IntegrityError naming expected and actual, and removes on request", async () => {
  await withFile(1000, 4, async (path) => {
    const wrongSize = await verifyFile(path, { size: 1001 }).catch((e) => e);
    assert.ok(wrongSize instanceof IntegrityError);
    assert.match(wrongSize.message, /size 1000 bytes, expected 1001/);
    assert.equal(wrongSize.removed, false);
    await Deno.stat(path);
    const other = contentSha256(1000, 5);
    const wrongHash = await verifyFile(path, { sha256: other }, { removeOnMismatch: true, jobId: "{J}" })
      .catch((e) => e);
    assert.ok(wrongHash instanceof IntegrityError);
    assert.equal(wrongHash.actual.sha256, contentSha256(1000, 4));
    assert.equal(wrongHash.expected.sha256, other);
    assert.equal(wrongHash.removed, true);
    assert.equal(wrongHash.jobId, "{J}");
    assert.match(
      wrongHash.message,
      new RegExp(`SHA-256 ${contentSha256(1000, 4)}, expected ${other}.*removed.*\\{J\\}`),
    );
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  });
});

Deno.test("integrity: malformed expectations are refused before any file is read", () => {
  for (
    const bad of [{}, { size: -1 }, { size: 1.5 }, { size: Number.MAX_SAFE_INTEGER + 2 }, { sha256: "abc" }, {
      sha256: "g".repeat(64),
    }]
  ) {
    assert.throws(() => checkExpectation(bad), InvalidArgumentError, JSON.stringify(bad));
  }
  assert.deepEqual(checkExpectation({ size: 0 }), { size: 0 });
});

Deno.test("integrity: a file larger than the expected size is refused, not only a shorter one", async () => {
  await withFile(1000, 6, async (path) => {
    const error = await verifyFile(path, { size: 999 }, { removeOnMismatch: true }).catch((e) => e);
    assert.ok(error instanceof IntegrityError, String(error));
    assert.equal(error.actual.size, 1000);
    assert.equal(error.expected.size, 999);
    assert.match(error.message, /size 1000 bytes, expected 999/);
    assert.equal(error.removed, true);
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  });
});

Deno.test("integrity: the right size with the wrong content is refused when size and SHA-256 are given together", async () => {
  await withFile(4096, 7, async (path) => {
    // Same length, other bytes: only the hash comparison can tell.
    const expected = { size: 4096, sha256: contentSha256(4096, 8) };
    const error = await verifyFile(path, expected).catch((e) => e);
    assert.ok(error instanceof IntegrityError, String(error));
    assert.equal(error.actual.size, 4096);
    assert.equal(error.actual.sha256, contentSha256(4096, 7));
    assert.match(error.message, new RegExp(`SHA-256 ${contentSha256(4096, 7)}, expected ${expected.sha256}`));
    assert.doesNotMatch(error.message, /size \d+ bytes/);
    assert.equal(error.removed, false);
    await Deno.stat(path);
  });
});

// A destination that is a directory (existing, or ending in a separator) takes the URL's last path
// segment, percent-decoded and made safe for Windows; a URL without one is a clear usage error (exit 2).
//
// Permissions: --allow-read, --allow-write (a temporary directory).

import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../../src/cli/command.ts";
import { destinationPath, sanitizeFileName, sourceFileName } from "../../src/cli/destination.ts";
import { pairsFromArguments, resolvePairs } from "../../src/cli/file_list.ts";
import { runMain } from "../support/cli_capture.ts";

Deno.test("destination: the URL's last segment, decoded; query and fragment ignored", () => {
  assert.equal(sourceFileName("https://e.com/files/a%20b.iso?x=1#y"), "a b.iso");
  assert.equal(sourceFileName("https://e.com/%E6%97%A5%E6%9C%AC.txt"), "日本.txt");
  assert.equal(sourceFileName("https://e.com/bad%zz.bin"), "bad%zz.bin", "invalid escapes stay as they are");
  assert.equal(sourceFileName("https://e.com/dir/"), "");
  assert.equal(sourceFileName("https://e.com"), "");
  assert.equal(sourceFileName("\\\\server\\share\\dir\\r.bin"), "r.bin");
  assert.equal(sourceFileName("C:\\data\\x.iso"), "x.iso");
});

Deno.test("destination: names are made safe for Windows", () => {
  assert.equal(sanitizeFileName('a<b>c:d"e|f?g*h.txt'), "a_b_c_d_e_f_g_h.txt");
  assert.equal(sanitizeFileName("x/..\\y"), "x_.._y");
  assert.equal(sanitizeFileName("report. . "), "report");
  assert.equal(sanitizeFileName("CON"), "_CON");
  assert.equal(sanitizeFileName("nul.txt"), "_nul.txt");
  assert.equal(sanitizeFileName("console.log"), "console.log");
  assert.equal(sanitizeFileName("a\u0001b"), "a_b");
  assert.equal(sanitizeFileName("x".repeat(300)).length, 255);
});

Deno.test("destination: an existing directory or a trailing separator takes the URL's file name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(destinationPath("https://e.com/a/b%20c.iso", dir, "download"), join(dir, "b c.iso"));
    assert.equal(destinationPath("https://e.com/a/x.bin", `${dir}/new/`, "download"), join(dir, "new", "x.bin"));
    assert.equal(destinationPath("https://e.com/a/x.bin", join(dir, "f.bin"), "download"), join(dir, "f.bin"));
    assert.throws(
      () => destinationPath("https://e.com/", dir, "download"),
      (e) => e instanceof UsageError && /has no file name to give the download/.test(e.message),
    );
    assert.throws(() => destinationPath("https://e.com/a/%2E%2E", dir, "download"), UsageError);
    assert.equal(
      destinationPath("https://e.com/a/..%2F", dir, "download"),
      join(dir, ".._"),
      "no way out of the directory",
    );
    const pairs = resolvePairs(
      pairsFromArguments(["https://e.com/1.bin", dir, "https://e.com/2.bin", dir], "download"),
    );
    assert.deepEqual(pairs.map((p) => p.path), [join(dir, "1.bin"), join(dir, "2.bin")]);
    assert.throws(
      () => resolvePairs(pairsFromArguments(["https://e.com/x/1.bin", dir, "https://e.com/y/1.bin", dir], "download")),
      /appears twice/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("destination: `download URL DIR` without a file name in the URL is exit 2 before BITS", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = await runMain("download", "https://example.com/", dir);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^error: download: .* is a directory and https:\/\/example\.com\/ has no file name/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// Unit tests of src/validate.ts: argument checks made before anything reaches BITS.
//
// Permissions: none.

import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  checkDescription,
  checkDisplayName,
  checkLocalPath,
  checkRemoteUrl,
  MAX_DESCRIPTION,
  MAX_DISPLAY_NAME,
  MAX_LOCAL_PATH,
  MAX_URL,
} from "../../src/validate.ts";

/** Asserts that `fn` throws an InvalidArgumentError about `argument` (and matching `message`). */
function assertRefused(fn: () => unknown, argument: string, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${error}`);
    assert.ok(error instanceof TypeError);
    assert.equal(error.argument, argument);
    if (message) assert.match(error.message, message);
    return true;
  });
}

Deno.test("validate: the limits are BITS' own", () => {
  assert.equal(MAX_DISPLAY_NAME, 256);
  assert.equal(MAX_DESCRIPTION, 1024);
  assert.equal(MAX_URL, 2200);
  assert.equal(MAX_LOCAL_PATH, 259);
});

Deno.test("validate: display names of 1 to 256 characters are accepted unchanged", () => {
  assert.equal(checkDisplayName("a"), "a");
  const max = "n".repeat(256);
  assert.equal(checkDisplayName(max), max);
  assert.equal(checkDisplayName("🎵 مرحبا 中文"), "🎵 مرحبا 中文");
});

Deno.test("validate: empty, 257-character, control-character and non-string display names are refused", () => {
  assertRefused(() => checkDisplayName(""), "displayName", /empty/);
  assertRefused(() => checkDisplayName("n".repeat(257)), "displayName", /257 characters, 1 over/);
  for (const text of ["a\nb", "tab\there", "bell\u0007", "\u0000", "del\u007f", "\u001f"]) {
    assertRefused(() => checkDisplayName(text), "displayName", /control character U\+00[0-7][0-9a-f]/);
  }
  assertRefused(() => checkDisplayName("x\ny"), "displayName", /U\+000a at index 1/);
  assertRefused(() => checkDisplayName(42), "displayName", /must be a string/);
  assertRefused(() => checkDisplayName(undefined), "displayName");
});

Deno.test("validate: descriptions up to 1024 characters (including empty) are accepted", () => {
  assert.equal(checkDescription(""), "");
  const max = "d".repeat(1024);
  assert.equal(checkDescription(max), max);
  assert.equal(checkDescription("Téléchargement 🎵 مرحبا"), "Téléchargement 🎵 مرحبا");
});

Deno.test("validate: a 1025-character description is refused and the message says 1 over", () => {
  assertRefused(() => checkDescription("d".repeat(1025)), "description", /1 over/);
  assertRefused(() => checkDescription("d".repeat(1030)), "description", /6 over BITS' limit of 1024/);
  assertRefused(() => checkDescription("line\nbreak"), "description", /control character/);
});

Deno.test("validate: http and https URLs are accepted and returned unchanged", () => {
  for (
    const url of [
      "http://example.com/a.bin",
      "https://example.com/a.bin",
      "HTTPS://Example.COM/%7Efile?x=1&y=2#frag",
      "https://[::1]:8443/a",
      "http://127.0.0.1:8080/🎵.mp3",
      "https://example.com/مرحبا",
    ]
  ) {
    assert.equal(checkRemoteUrl(url), url, "no normalisation: BITS gets exactly what was given");
  }
  const max = "https://e.com/" + "a".repeat(MAX_URL - 14);
  assert.equal(max.length, 2200);
  assert.equal(checkRemoteUrl(max), max);
});

Deno.test("validate: non-http schemes, relative URLs, non-URLs and credentials are refused", () => {
  assertRefused(() => checkRemoteUrl("ftp://example.com/a"), "url", /http or https, not ftp/);
  assertRefused(() => checkRemoteUrl("javascript:alert(1)"), "url", /not javascript/);
  assertRefused(() => checkRemoteUrl("file:///C:/a.bin"), "url", /not file/);
  assertRefused(() => checkRemoteUrl("/relative/path.bin"), "url", /absolute URL/);
  assertRefused(() => checkRemoteUrl("example.com/a.bin"), "url", /absolute URL/);
  assertRefused(() => checkRemoteUrl("not a url"), "url", /absolute URL/);
  assertRefused(() => checkRemoteUrl(""), "url", /empty/);
  assertRefused(() => checkRemoteUrl("https://user:pass@example.com/a"), "url", /credentials/);
  assertRefused(() => checkRemoteUrl("https://user@example.com/a"), "url", /credentials/);
  assertRefused(() => checkRemoteUrl("https://example.com/a\nb"), "url", /control character/);
  assertRefused(() => checkRemoteUrl(null), "url", /string/);
});

Deno.test("validate: a 2201-character URL is refused", () => {
  const long = "https://e.com/" + "a".repeat(MAX_URL - 14 + 1);
  assert.equal(long.length, 2201);
  assertRefused(() => checkRemoteUrl(long), "url", /1 over/);
});

Deno.test("validate: URL errors name the argument they were given", () => {
  assertRefused(() => checkRemoteUrl("ftp://x/y", "files[3].url"), "files[3].url", /^files\[3\]\.url /);
  assertRefused(() => checkRemoteUrl("x".repeat(2201), "files[0].url"), "files[0].url");
});

Deno.test("validate: full Windows paths (drive and UNC) are accepted unchanged", () => {
  for (
    const path of [
      "C:\\a\\b.bin",
      "c:\\a.bin",
      "Z:\\dir with spaces\\f.txt",
      "\\\\server\\share\\f",
      "\\\\server\\share\\dir\\f.bin",
      "C:\\Users\\مرحبا\\🎵 music.mp3",
      "C:\\中文\\é.txt",
      "C:\\a\\.hidden",
      "C:\\a\\b..c",
    ]
  ) {
    assert.equal(checkLocalPath(path), path);
  }
  const max = "C:\\" + "p".repeat(MAX_LOCAL_PATH - 3);
  assert.equal(max.length, 259);
  assert.equal(checkLocalPath(max), max);
});

Deno.test("validate: relative, Unix, drive-relative and device paths are refused", () => {
  for (
    const path of [
      "a\\b.bin",
      "b.bin",
      ".\\b.bin",
      "/unix/path",
      "C:relative",
      "C:",
      "\\root\\b.bin",
      "\\\\?\\C:\\a.bin",
      "\\\\.\\pipe\\x",
      "\\\\server",
    ]
  ) {
    assertRefused(() => checkLocalPath(path), "localPath", /full Windows path/);
  }
  assertRefused(() => checkLocalPath(""), "localPath", /empty/);
});

Deno.test("validate: wildcards, streams, trailing separators and dot segments are refused", () => {
  assertRefused(() => checkLocalPath("C:\\a\\*.bin"), "localPath", /wildcards/);
  assertRefused(() => checkLocalPath("C:\\a\\b?.bin"), "localPath", /wildcards/);
  assertRefused(() => checkLocalPath('C:\\a\\"b".bin'), "localPath", /wildcards/);
  assertRefused(() => checkLocalPath("C:\\a\\b|c"), "localPath", /wildcards/);
  assertRefused(() => checkLocalPath("C:\\a\\b.txt:stream"), "localPath", /NTFS stream/);
  assertRefused(() => checkLocalPath("C:\\a\\b.txt::$DATA"), "localPath", /NTFS stream/);
  assertRefused(() => checkLocalPath("C:\\a\\"), "localPath", /not a directory/);
  assertRefused(() => checkLocalPath("C:\\"), "localPath", /not a directory/);
  assertRefused(() => checkLocalPath("\\\\server\\share\\dir\\"), "localPath", /not a directory/);
  assertRefused(() => checkLocalPath("C:\\a\\..\\b"), "localPath", /normalised/);
  assertRefused(() => checkLocalPath("C:\\a\\.\\b"), "localPath", /normalised/);
  assertRefused(() => checkLocalPath("C:\\a\\.."), "localPath", /normalised/);
  assertRefused(() => checkLocalPath("\\\\server\\share\\..\\f"), "localPath", /normalised/);
});

Deno.test("validate: a 260-character path is refused, with the argument name given", () => {
  const long = "C:\\" + "p".repeat(MAX_LOCAL_PATH - 3 + 1);
  assert.equal(long.length, 260);
  assertRefused(() => checkLocalPath(long), "localPath", /1 over/);
  assertRefused(() => checkLocalPath(long, "files[2].path"), "files[2].path", /^files\[2\]\.path /);
  assertRefused(() => checkLocalPath("rel", "dest"), "dest");
});

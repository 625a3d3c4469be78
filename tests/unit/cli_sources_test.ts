// Download sources besides http(s): a UNC path (`\\server\share\file`, BITS' SMB) or a full local path,
// with a local path's rules; file: URLs, relative paths and other schemes stay refused (exit 2). Uploads
// take URLs only.
//
// Permissions: none.

import assert from "node:assert/strict";
import { pairsFromArguments, resolvePairs } from "../../src/cli/file_list.ts";
import { sourceFileName } from "../../src/cli/destination.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { checkRemoteSource, checkRemoteUrl } from "../../src/validate.ts";
import { runMain } from "../support/cli_capture.ts";

Deno.test("sources: http(s) URLs, UNC paths and full local paths are accepted", () => {
  for (
    const source of [
      "https://e.com/a.iso",
      "http://127.0.0.1:8080/x",
      "\\\\server\\share\\dir\\a.iso",
      "C:\\data\\a.iso",
    ]
  ) {
    assert.equal(checkRemoteSource(source), source);
  }
});

Deno.test("sources: other schemes, file: URLs, relative and malformed paths are refused, naming the argument", () => {
  for (
    const [source, message] of [
      ["ftp://e.com/a", /must use http or https, not ftp; a source is an http or https URL, a UNC path/],
      ["file:///C:/x", /not file; a source is/],
      ["a.iso", /not an absolute URL.*; a source is/],
      ["C:\\data\\*.iso", /wildcards/],
      ["C:\\data\\a.iso:stream", /NTFS stream/],
      ["C:\\data\\..\\a.iso", /normalised/],
      ["\\\\server", /must be a full path/],
    ] as const
  ) {
    assert.throws(
      () => checkRemoteSource(source, "files[0].url"),
      (e) => e instanceof InvalidArgumentError && e.argument === "files[0].url" && message.test(e.message),
      source,
    );
  }
  assert.throws(() => checkRemoteUrl("C:\\data\\a.iso"), InvalidArgumentError, "uploads take URLs only");
});

Deno.test("sources: the CLI pairs them up; a directory destination takes the path's last segment", async () => {
  const pairs = resolvePairs(pairsFromArguments(["\\\\srv\\share\\r.bin", "/tmp/r.bin"], "download"));
  assert.equal(pairs[0].url, "\\\\srv\\share\\r.bin");
  assert.equal(sourceFileName("\\\\srv\\share\\dir\\r%20x.bin"), "r%20x.bin", "a path is not percent-decoded");
  const refused = await runMain("download", "file:///C:/x", "/tmp/x.bin");
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /a source is an http or https URL, a UNC path \(\\\\server\\share\\file\) or a full local path/,
  );
});

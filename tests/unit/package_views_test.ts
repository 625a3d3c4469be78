// scripts/package.ts: what `deno publish --dry-run` lists, and the package as a registry serves it (bare specifiers
// rewritten through the import map, as `deno publish` does), which the Wine package tests import over HTTP.
//
// Permissions: none beyond reading this file.

import assert from "node:assert/strict";
import { parsePublishList, rewriteSpecifiers } from "../../scripts/package.ts";

const IMPORTS = {
  "@logtape/logtape": "npm:@logtape/logtape@2.4.2",
  "@noble/hashes": "npm:@noble/hashes@2.4.0",
  "@deno-bits/bits": "./mod.ts",
  "@deno-bits/bits/cli": "./cli.ts",
};

Deno.test("package views: bare specifiers become their npm targets, subpaths included", () => {
  const source = [
    'import { getLogger } from "@logtape/logtape";',
    'import { sha256 } from "@noble/hashes/sha2.js";',
    "import { x } from './local.ts';",
    'export { y } from "@logtape/logtape";',
    'const lazy = await import("@logtape/logtape");',
    'import "node:path";',
  ].join("\n");
  assert.equal(
    rewriteSpecifiers(source, IMPORTS, "src/job.ts"),
    [
      'import { getLogger } from "npm:@logtape/logtape@2.4.2";',
      'import { sha256 } from "npm:@noble/hashes@2.4.0/sha2.js";',
      "import { x } from './local.ts';",
      'export { y } from "npm:@logtape/logtape@2.4.2";',
      'const lazy = await import("npm:@logtape/logtape@2.4.2");',
      'import "node:path";',
    ].join("\n"),
  );
});

Deno.test("package views: the package's own name becomes a path relative to the importing module", () => {
  assert.equal(
    rewriteSpecifiers('import { connect } from "@deno-bits/bits";', IMPORTS, "examples/watch_queue.ts"),
    'import { connect } from "../mod.ts";',
  );
  assert.equal(rewriteSpecifiers('import "@deno-bits/bits/cli";', IMPORTS, "main.ts"), 'import "./cli.ts";');
  // A key without an npm/jsr target does not map subpaths.
  assert.equal(rewriteSpecifiers('import "@deno-bits/bits/x.ts";', IMPORTS, "a.ts"), 'import "@deno-bits/bits/x.ts";');
});

Deno.test("package views: the dry run's file list is read relative to the package root, sorted", () => {
  const text = [
    "Checking for slow types in the public API...",
    "Simulating publish of @deno-bits/bits@0.1.0 with files:",
    "   file:///home/u/pkg/src/job.ts (12.1KB)",
    "   file:///home/u/pkg/mod.ts (6.6KB)",
    "   file:///home/u/pkg/docs/a%20b.md (1KB)",
    "Success Dry run complete",
  ].join("\n");
  assert.deepEqual(parsePublishList(text, "/home/u/pkg"), ["docs/a b.md", "mod.ts", "src/job.ts"]);
});

// The test hooks live only in the shim's test variant (tests/support/test_shim.ts): the release DLL, whose
// bytes are shipped, must not export them, and the variant must, built from the same sources.
import assert from "node:assert/strict";
import { TEST_SHIM_PATH, testSymbols } from "../support/test_shim.ts";
import { symbols } from "../../ffi/symbols.ts";

const RELEASE = new URL("../../ffi/build/bits_shim.dll", import.meta.url);
const TEST = new URL(`../../${TEST_SHIM_PATH}`, import.meta.url);

/** The export names in a DLL's bytes (PE export names are NUL-terminated ASCII). */
function exportedNames(bytes: Uint8Array): Set<string> {
  const text = new TextDecoder("latin1").decode(bytes);
  return new Set(text.match(/bits_[a-z0-9_]+(?=\0)/g) ?? []);
}

const TEST_ONLY = Object.keys(testSymbols).filter((name) => !(name in symbols));

Deno.test("the release shim exports no test hook, the test variant exports every one", async () => {
  assert.ok(TEST_ONLY.includes("bits_watcher_inject"));
  const release = exportedNames(await Deno.readFile(RELEASE));
  const test = exportedNames(await Deno.readFile(TEST));
  assert.ok(release.has("bits_watcher_drain"), "the release DLL's exports were not found");
  for (const name of TEST_ONLY) {
    assert.ok(!release.has(name), `${name} is in the release DLL`);
    assert.ok(test.has(name), `${name} is missing from the test variant`);
  }
  // Every release export is in the variant too: the same sources, plus the hooks.
  for (const name of release) assert.ok(test.has(name), `${name} is missing from the test variant`);
});

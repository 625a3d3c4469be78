/**
 * Locating and loading the shim on real Windows (or Wine): the module-relative
 * path resolves from import.meta.url to a Windows path, the override wins, and
 * a wrong override fails with a message that says what to do.
 */

import assert from "node:assert/strict";
import { SHIM_ABI_VERSION } from "../../ffi/symbols.ts";
import { runCli } from "../support/wine.ts";

Deno.test("the CLI finds the built shim next to the module and reports it", async () => {
  const result = await runCli(["version", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const { shim } = JSON.parse(result.stdout) as { shim: { abi: number; path: string } };
  assert.equal(shim.abi, SHIM_ABI_VERSION);
  assert.match(shim.path, /ffi\/build\/bits_shim\.dll$/);
});

Deno.test("BITS_SHIM_PATH overrides the search, and a wrong one fails with instructions", async () => {
  const built = new URL("../../ffi/build/bits_shim.dll", import.meta.url);
  const good = await runCli(["version", "--json"], { BITS_SHIM_PATH: built.pathname.replace(/^\//, "") });
  assert.equal(good.code, 0, good.stderr);
  assert.equal(JSON.parse(good.stdout).shim.abi, SHIM_ABI_VERSION);

  const bogus = "C:\\nowhere\\bits_shim.dll";
  const bad = await runCli(["list"], { BITS_SHIM_PATH: bogus });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /BitsUnavailableError: Cannot load the BITS shim DLL/);
  assert.ok(bad.stderr.includes(bogus), bad.stderr);
  // No silent fallback to another shim: the user is told to correct or unset the override.
  assert.match(bad.stderr, /correct it, or unset it/);
});

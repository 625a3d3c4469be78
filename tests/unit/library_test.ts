// Unit tests of ffi/library.ts: where the shim is looked for, what the errors say, and that
// nothing needs BITS until a call does (so importing mod.ts works on every OS).
//
// Permissions: --allow-read --allow-env=BITS_SHIM_PATH (tryGetEnv only reads BITS_SHIM_PATH when
// granted; nothing here needs more).

import assert from "node:assert/strict";
import {
  displayLocation,
  loadShim,
  notFoundMessage,
  platformMessage,
  SHIM_PATH_ENV,
  shimCandidates,
  tryGetEnv,
} from "../../ffi/library.ts";
import { BitsUnavailableError as ModBitsUnavailableError, connect, SHIM_PATH_ENV as MOD_ENV } from "../../mod.ts";
import { BitsUnavailableError } from "../../src/errors.ts";

const ON_WINDOWS = Deno.build.os === "windows";

/** Locations of candidates as strings (URL hrefs or raw OS paths). */
function locations(candidates: readonly { location: string | URL }[]): string[] {
  return candidates.map((c) => typeof c.location === "string" ? c.location : c.location.href);
}

Deno.test("library: the override variable is BITS_SHIM_PATH, also exported from mod.ts", () => {
  assert.equal(SHIM_PATH_ENV, "BITS_SHIM_PATH");
  assert.equal(MOD_ENV, "BITS_SHIM_PATH");
});

Deno.test("library: without an override, the local build comes first, then the bundled DLL", () => {
  const candidates = shimCandidates(undefined, "file:///C:/x/ffi/library.ts");
  assert.deepEqual(candidates.map((c) => c.source), ["build", "bundled"]);
  assert.deepEqual(locations(candidates), ["file:///C:/x/ffi/build/bits_shim.dll", "file:///C:/x/ffi/bits_shim.dll"]);
  for (const candidate of candidates) assert.ok(candidate.location instanceof URL);
});

Deno.test("library: candidates resolve relative to the module URL given (string or URL)", () => {
  const fromUrl = shimCandidates(undefined, new URL("file:///home/u/deno-bits/ffi/library.ts"));
  assert.deepEqual(locations(fromUrl), [
    "file:///home/u/deno-bits/ffi/build/bits_shim.dll",
    "file:///home/u/deno-bits/ffi/bits_shim.dll",
  ]);
  const spaced = shimCandidates(undefined, "file:///C:/My%20Code/ffi/library.ts");
  assert.equal(locations(spaced)[0], "file:///C:/My%20Code/ffi/build/bits_shim.dll");
});

Deno.test("library: an override is the only candidate; an empty override is ignored", () => {
  assert.deepEqual(shimCandidates("D:\\dlls\\bits_shim.dll", "file:///C:/x/ffi/library.ts"), [
    { location: "D:\\dlls\\bits_shim.dll", source: "env" },
  ]);
  assert.deepEqual(shimCandidates("/does/not/exist.dll", "file:///C:/x/ffi/library.ts").map((c) => c.source), [
    "env",
  ]);
  assert.deepEqual(shimCandidates("", "file:///C:/x/ffi/library.ts").map((c) => c.source), ["build", "bundled"]);
});

Deno.test("library: displayLocation shows paths the way a user types them", () => {
  assert.equal(displayLocation(new URL("file:///C:/a%20b/x.dll")), "C:/a b/x.dll");
  assert.equal(displayLocation(new URL("file:///c:/%C3%A9/x.dll")), "c:/é/x.dll");
  assert.equal(displayLocation(new URL("file:///home/x.dll")), "/home/x.dll");
  assert.equal(displayLocation("/home/x.dll"), "/home/x.dll");
  assert.equal(displayLocation("C:\\a b\\x.dll"), "C:\\a b\\x.dll", "strings are shown as given");
  assert.equal(displayLocation("C:/a%20b/x.dll"), "C:/a%20b/x.dll", "strings are not decoded");
});

Deno.test("library: notFoundMessage lists every candidate and says how to fix it", () => {
  const candidates = shimCandidates(undefined, "file:///C:/a%20b/ffi/library.ts");
  const message = notFoundMessage([
    { candidate: candidates[0], error: "first failure" },
    { candidate: candidates[1], error: "second failure" },
  ]);
  assert.ok(message.includes("C:/a b/ffi/build/bits_shim.dll (build): first failure"), message);
  assert.ok(message.includes("C:/a b/ffi/bits_shim.dll (bundled): second failure"), message);
  assert.ok(message.includes("deno task build"), message);
  assert.ok(message.includes("BITS_SHIM_PATH"), message);
  assert.ok(message.includes("--allow-ffi"), message);
  assert.ok(message.includes("--allow-env=BITS_SHIM_PATH"), message);
  const env = notFoundMessage([{ candidate: { location: "D:\\x.dll", source: "env" }, error: "nope" }]);
  assert.ok(env.includes("D:\\x.dll (env): nope"), env);
});

Deno.test("library: platformMessage names the OS and points to the Wine test bed", () => {
  for (const os of ["linux", "darwin", "freebsd"]) {
    const message = platformMessage(os);
    assert.ok(message.includes(os), message);
    assert.ok(message.includes("Wine"), message);
    assert.ok(message.includes("Windows"), message);
  }
});

Deno.test({
  name: "library: tryGetEnv neither throws nor prompts for a variable that is not granted",
  ignore: Deno.permissions.querySync({ name: "env", variable: "HOME" }).state === "granted",
  fn(): void {
    assert.equal(tryGetEnv("HOME"), undefined);
  },
});

Deno.test({
  name: "library: tryGetEnv reads a granted variable",
  ignore: Deno.permissions.querySync({ name: "env", variable: SHIM_PATH_ENV }).state !== "granted",
  fn(): void {
    assert.equal(tryGetEnv(SHIM_PATH_ENV), Deno.env.get(SHIM_PATH_ENV));
  },
});

Deno.test({
  name: "library: off Windows, loadShim throws BitsUnavailableError (platform) naming the OS",
  ignore: ON_WINDOWS,
  fn(): void {
    assert.throws(() => loadShim(), (error: unknown) => {
      assert.ok(error instanceof BitsUnavailableError);
      assert.equal(error.reason, "platform");
      assert.ok(error.message.includes(Deno.build.os), error.message);
      assert.ok(error.message.includes("Wine"), error.message);
      return true;
    });
    // And again: a failure is not cached as a success.
    assert.throws(() => loadShim(), BitsUnavailableError);
  },
});

Deno.test("library: importing mod.ts loads nothing and throws nothing", async () => {
  const mod = await import("../../mod.ts");
  assert.equal(typeof mod.connect, "function");
  assert.equal(typeof mod.BitsManager, "function");
  assert.equal(mod.BitsUnavailableError, BitsUnavailableError);
});

Deno.test({
  name: "library: off Windows, connect() from mod.ts rejects with BitsUnavailableError",
  ignore: ON_WINDOWS,
  async fn(): Promise<void> {
    const pending = connect();
    assert.ok(pending instanceof Promise, "connect() returns a promise instead of throwing synchronously");
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof ModBitsUnavailableError);
      assert.equal(error.reason, "platform");
      return true;
    });
  },
});

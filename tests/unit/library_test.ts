// Unit tests of ffi/library.ts: where the shim is looked for, what the errors say, and that
// nothing needs BITS until a call does (so importing mod.ts works on every OS).
//
// Permissions: --allow-read --allow-env=BITS_SHIM_PATH (tryGetEnv only reads BITS_SHIM_PATH when
// granted; nothing here needs more).

import assert from "node:assert/strict";
import {
  besideExecutable,
  currentRuntime,
  displayLocation,
  loadShim,
  notFoundMessage,
  platformMessage,
  SHIM_BUILD_PATH,
  SHIM_PATH_ENV,
  shimCandidates,
  shimLayout,
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

// The compiled layout, as denort lays it out: the virtual root is %TEMP%\deno-compile-<exe file name>\
// (denoland/deno cli/rt/binary.rs, extract_standalone) and every module and --include'd file keeps its
// path relative to the project root under it.
const VFS_ROOT = "file:///C:/Users/Ann%20Lee/AppData/Local/Temp/deno-compile-bits.exe/";
const COMPILED_MODULE = `${VFS_ROOT}ffi/library.ts`;

Deno.test("library: shimLayout tells a checkout, a compiled executable and a remote module apart", () => {
  assert.equal(shimLayout("file:///C:/x/ffi/library.ts", false), "checkout");
  assert.equal(shimLayout(new URL("file:///home/u/ffi/library.ts"), false), "checkout");
  // Inside a compiled binary import.meta.url is a file: URL too: only Deno.build.standalone tells.
  assert.equal(shimLayout(COMPILED_MODULE, true), "compiled");
  assert.equal(shimLayout("https://jsr.io/@deno-bits/bits/0.1.0/ffi/library.ts", false), "remote");
  assert.equal(shimLayout("https://jsr.io/@deno-bits/bits/0.1.0/ffi/library.ts", true), "remote");
});

Deno.test("library: in a compiled executable the embedded DLL comes first, then the one next to the .exe", () => {
  const candidates = shimCandidates(undefined, COMPILED_MODULE, {
    standalone: true,
    execPath: "C:\\Tools\\bits.exe",
  });
  assert.deepEqual(candidates.map((c) => c.source), ["embedded", "beside-exe"]);
  // deno task compile embeds SHIM_BUILD_PATH (--include): the same path under the virtual root.
  assert.equal((candidates[0].location as URL).href, `${VFS_ROOT}${SHIM_BUILD_PATH}`);
  assert.equal(
    displayLocation(candidates[0].location),
    "C:/Users/Ann Lee/AppData/Local/Temp/deno-compile-bits.exe/ffi/build/bits_shim.dll",
  );
  assert.equal(candidates[1].location, "C:\\Tools\\bits_shim.dll", "an OS path, with the executable's separators");
});

Deno.test("library: the checkout's local build and the compiled embedded DLL are the same relative path", () => {
  const root = "file:///C:/src/deno-bits/";
  const [build] = shimCandidates(undefined, `${root}ffi/library.ts`);
  assert.equal((build.location as URL).href, `${root}${SHIM_BUILD_PATH}`);
  const [embedded] = shimCandidates(undefined, COMPILED_MODULE, { standalone: true });
  assert.equal(
    (embedded.location as URL).href.slice(VFS_ROOT.length),
    (build.location as URL).href.slice(root.length),
  );
});

Deno.test("library: a compiled executable whose path cannot be read has only the embedded candidate", () => {
  assert.deepEqual(shimCandidates(undefined, COMPILED_MODULE, { standalone: true }).map((c) => c.source), [
    "embedded",
  ]);
});

Deno.test("library: the override wins in every layout", () => {
  const runtimes = [{ standalone: false }, { standalone: true, execPath: "C:\\Tools\\bits.exe" }];
  for (const url of ["file:///C:/x/ffi/library.ts", COMPILED_MODULE, "https://jsr.io/@x/y/1.0.0/ffi/library.ts"]) {
    for (const runtime of runtimes) {
      assert.deepEqual(shimCandidates("E:\\shim.dll", url, runtime), [{ location: "E:\\shim.dll", source: "env" }]);
    }
  }
});

Deno.test("library: a remote module has no module-relative candidate (a DLL cannot load from https:)", () => {
  const url = "https://jsr.io/@deno-bits/bits/0.1.0/ffi/library.ts";
  assert.deepEqual(shimCandidates(undefined, url), []);
  // A compiled program that imports the package remotely can still use a DLL next to itself.
  assert.deepEqual(shimCandidates(undefined, url, { standalone: true, execPath: "D:\\app\\app.exe" }), [
    { location: "D:\\app\\bits_shim.dll", source: "beside-exe" },
  ]);
});

Deno.test("library: besideExecutable keeps the directory and its separator", () => {
  assert.equal(besideExecutable("C:\\Program Files\\bits\\bits.exe"), "C:\\Program Files\\bits\\bits_shim.dll");
  assert.equal(besideExecutable("\\\\server\\share\\bits.exe"), "\\\\server\\share\\bits_shim.dll");
  assert.equal(besideExecutable("C:/tools/bits.exe"), "C:/tools/bits_shim.dll");
  assert.equal(besideExecutable("/usr/local/bin/bits"), "/usr/local/bin/bits_shim.dll");
  assert.equal(besideExecutable("bits.exe"), undefined);
});

Deno.test("library: under deno test this is not a compiled program", () => {
  assert.deepEqual(currentRuntime(), { standalone: false });
});

Deno.test("library: notFoundMessage gives each layout its own remedy", () => {
  const compiled = notFoundMessage([
    {
      candidate: { location: new URL(`${VFS_ROOT}${SHIM_BUILD_PATH}`), source: "embedded" },
      error: "Failed to write native addon",
    },
    { candidate: { location: "C:\\Tools\\bits_shim.dll", source: "beside-exe" }, error: "not found" },
  ], "compiled");
  assert.ok(compiled.includes("deno-compile-bits.exe/ffi/build/bits_shim.dll (embedded): Failed to write"), compiled);
  assert.ok(compiled.includes("C:\\Tools\\bits_shim.dll (beside-exe): not found"), compiled);
  assert.ok(compiled.includes("%TEMP%\\deno-native-addons\\"), compiled);
  assert.ok(compiled.includes("next to the executable"), compiled);
  assert.ok(!compiled.includes("deno task build"), "a compiled program's user has no checkout to build in");

  const remote = notFoundMessage([], "remote");
  assert.ok(remote.startsWith("Cannot load the BITS shim DLL.\n"), remote);
  assert.ok(!remote.includes("Tried:"), remote);
  assert.ok(remote.includes("remote URL"), remote);
  assert.ok(remote.includes("set BITS_SHIM_PATH"), remote);
  assert.ok(remote.includes("--allow-env=BITS_SHIM_PATH"), remote);
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

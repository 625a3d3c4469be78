// Unit tests of ffi/library.ts: where the shim is looked for, what the errors say, and that
// nothing needs BITS until a call does (so importing mod.ts works on every OS).
//
// Permissions: --allow-read --allow-env=BITS_SHIM_PATH (tryGetEnv only reads BITS_SHIM_PATH when
// granted; nothing here needs more).

import assert from "node:assert/strict";
import {
  displayLocation,
  embeddedPermissions,
  inRepository,
  loadShim,
  notFoundMessage,
  platformMessage,
  SHIM_BUILD_PATH,
  SHIM_PATH_ENV,
  shimLayout,
  shimPlan,
  tryGetEnv,
} from "../../ffi/library.ts";
import { BitsUnavailableError as ModBitsUnavailableError, connect } from "../../mod.ts";
import { BitsUnavailableError } from "../../src/errors.ts";

const ON_WINDOWS = Deno.build.os === "windows";

/** Locations of candidates as strings (URL hrefs or raw OS paths). */
function locations(candidates: readonly { location: string | URL }[]): string[] {
  return candidates.map((c) => typeof c.location === "string" ? c.location : c.location.href);
}

Deno.test("library: the override variable is BITS_SHIM_PATH", () => {
  assert.equal(SHIM_PATH_ENV, "BITS_SHIM_PATH");
});

Deno.test("library: in a checkout the local build comes first, then the embedded shim", () => {
  const plan = shimPlan(undefined, "file:///C:/x/ffi/library.ts");
  assert.deepEqual(plan.files.map((c) => c.source), ["build"]);
  assert.deepEqual(locations(plan.files), ["file:///C:/x/ffi/build/bits_shim.dll"]);
  assert.ok(plan.files[0].location instanceof URL);
  assert.equal(plan.embedded, true);
});

Deno.test("library: the local build resolves relative to the module URL given (string or URL)", () => {
  const fromUrl = shimPlan(undefined, new URL("file:///home/u/deno-bits/ffi/library.ts"));
  assert.deepEqual(locations(fromUrl.files), ["file:///home/u/deno-bits/ffi/build/bits_shim.dll"]);
  const spaced = shimPlan(undefined, "file:///C:/My%20Code/ffi/library.ts");
  assert.equal(locations(spaced.files)[0], "file:///C:/My%20Code/ffi/build/bits_shim.dll");
  const root = "file:///C:/src/deno-bits/";
  assert.equal(locations(shimPlan(undefined, `${root}ffi/library.ts`).files)[0], `${root}${SHIM_BUILD_PATH}`);
});

Deno.test("library: an override is the only candidate, with no embedded fallback; an empty one is ignored", () => {
  assert.deepEqual(shimPlan("D:\\dlls\\bits_shim.dll", "file:///C:/x/ffi/library.ts"), {
    files: [{ location: "D:\\dlls\\bits_shim.dll", source: "env" }],
    embedded: false,
  });
  assert.deepEqual(shimPlan("", "file:///C:/x/ffi/library.ts").files.map((c) => c.source), ["build"]);
});

// The compiled layout, as denort lays it out: the virtual root is %TEMP%\deno-compile-<exe file name>\
// and every module keeps its path relative to the project root under it.
const VFS_ROOT = "file:///C:/Users/Ann%20Lee/AppData/Local/Temp/deno-compile-bits.exe/";
const COMPILED_MODULE = `${VFS_ROOT}ffi/library.ts`;
const REMOTE_MODULE = "https://jsr.io/@deno-bits/bits/0.1.0/ffi/library.ts";

Deno.test("library: shimLayout tells a checkout, a compiled executable and a remote module apart", () => {
  assert.equal(shimLayout("file:///C:/x/ffi/library.ts", false), "checkout");
  assert.equal(shimLayout(new URL("file:///home/u/ffi/library.ts"), false), "checkout");
  // Inside a compiled binary import.meta.url is a file: URL too: only Deno.build.standalone tells.
  assert.equal(shimLayout(COMPILED_MODULE, true), "compiled");
  assert.equal(shimLayout(REMOTE_MODULE, false), "remote");
  assert.equal(shimLayout("http://127.0.0.1:8000/ffi/library.ts", false), "remote");
  assert.equal(shimLayout(REMOTE_MODULE, true), "remote");
});

Deno.test("library: a compiled executable and a remote module load the embedded shim only", () => {
  for (const [url, standalone] of [[COMPILED_MODULE, true], [REMOTE_MODULE, false], [REMOTE_MODULE, true]] as const) {
    assert.deepEqual(shimPlan(undefined, url, { standalone }), { files: [], embedded: true }, url);
  }
});

Deno.test("library: the override wins in every layout", () => {
  for (const url of ["file:///C:/x/ffi/library.ts", COMPILED_MODULE, REMOTE_MODULE]) {
    for (const standalone of [false, true]) {
      assert.deepEqual(shimPlan("E:\\shim.dll", url, { standalone }), {
        files: [{ location: "E:\\shim.dll", source: "env" }],
        embedded: false,
      });
    }
  }
});

Deno.test("library: notFoundMessage says what failed and what to do, per plan", () => {
  const embedded = notFoundMessage([
    {
      candidate: { location: "C:\\Users\\ann\\AppData\\Local\\deno-bits\\ab\\bits_shim.dll", source: "embedded" },
      error: "disk full",
    },
  ], { files: [], embedded: true });
  assert.ok(embedded.includes("deno-bits\\ab\\bits_shim.dll (embedded): disk full"), embedded);
  assert.ok(embedded.includes("%LOCALAPPDATA%\\deno-bits"), embedded);
  assert.ok(embedded.includes("BITS_SHIM_PATH"), embedded);

  const override = notFoundMessage([{ candidate: { location: "D:\\x.dll", source: "env" }, error: "nope" }], {
    files: [{ location: "D:\\x.dll", source: "env" }],
    embedded: false,
  });
  assert.ok(override.includes("D:\\x.dll (env): nope"), override);
  assert.ok(override.includes("unset it"), override);

  const none = notFoundMessage([], { files: [], embedded: true });
  assert.ok(none.startsWith("Cannot load the BITS shim DLL.\n"), none);
  assert.ok(!none.includes("Tried:"), none);
});

Deno.test("library: embeddedPermissions names every flag the embedded shim needs, for its folder", () => {
  assert.equal(
    embeddedPermissions("C:\\Users\\ann\\AppData\\Local\\deno-bits"),
    "--allow-ffi --allow-env=LOCALAPPDATA --allow-read=C:\\Users\\ann\\AppData\\Local\\deno-bits " +
      "--allow-write=C:\\Users\\ann\\AppData\\Local\\deno-bits",
  );
});

Deno.test("library: displayLocation shows paths the way a user types them", () => {
  assert.equal(displayLocation(new URL("file:///C:/a%20b/x.dll")), "C:/a b/x.dll");
  assert.equal(displayLocation(new URL("file:///c:/%C3%A9/x.dll")), "c:/é/x.dll");
  assert.equal(displayLocation(new URL("file:///home/x.dll")), "/home/x.dll");
  assert.equal(displayLocation("/home/x.dll"), "/home/x.dll");
  assert.equal(displayLocation("C:\\a b\\x.dll"), "C:\\a b\\x.dll", "strings are shown as given");
  assert.equal(displayLocation("C:/a%20b/x.dll"), "C:/a%20b/x.dll", "strings are not decoded");
});

Deno.test("library: platformMessage says BITS needs Windows and nothing was done; the bed only in the repository", () => {
  for (const os of ["linux", "darwin", "freebsd"]) {
    const user = platformMessage(os);
    assert.ok(user.includes(os), user);
    assert.ok(user.includes("only Windows has"), user);
    assert.ok(user.includes("nothing was done"), user);
    assert.ok(!/Wine|bed|deno task/.test(user), `a package user has no test bed: ${user}`);
    const developer = platformMessage(os, true);
    assert.ok(developer.startsWith(user), developer);
    assert.ok(developer.includes("Wine") && developer.includes("scripts/bed/run.sh"), developer);
  }
});

Deno.test("library: inRepository finds the test bed beside this checkout's ffi/, and nowhere else", () => {
  assert.equal(inRepository(new URL("../../ffi/library.ts", import.meta.url)), true);
  assert.equal(inRepository("file:///nonexistent/pkg/ffi/library.ts"), false);
  assert.equal(inRepository(REMOTE_MODULE), false);
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
      assert.ok(error.message.includes("Wine"), "in a checkout the message points to the bed: " + error.message);
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
  // The subpaths too: none of them needs BITS to be imported.
  for (const entry of ["errors.ts", "probe.ts", "wmp.ts", "dashboard.ts"]) {
    const module = await import(`../../${entry}`);
    assert.ok(Object.keys(module).length > 0, entry);
  }
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

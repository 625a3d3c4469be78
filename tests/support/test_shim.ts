/**
 * The shim's test variant: the release sources built with `-DBITS_SHIM_TEST`,
 * which adds the hooks tests need (`bits_watcher_inject`, forged faults, an
 * STA JavaScript thread) and that the release DLL must never carry.
 *
 * It is built with the release build's own command ({@linkcode buildShim}),
 * from a scratch root whose `ffi/*.c` each define `BITS_SHIM_TEST` and include
 * the real source: the same compiler, flags and file list, plus the define,
 * with no second copy of the command line to drift. The result is
 * `ffi/build/test/bits_shim_test.dll` (its own file name, so that Windows never
 * mistakes it for the release DLL already loaded in the same process).
 *
 * `deno run --allow-read --allow-write --allow-run tests/support/test_shim.ts [--force]`
 * builds it (scripts/windows_deno.ts `prepare()` does, before the Wine tests);
 * {@linkcode loadTestShim} opens it in a test.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildShim } from "../../scripts/build_shim.ts";
import { HANDLE, HRESULT, symbols } from "../../ffi/symbols.ts";

/** Where the test variant is written, relative to the repository root. */
export const TEST_SHIM_PATH = "ffi/build/test/bits_shim_test.dll";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Faults {@linkcode TestShim} can forge (`SHIM_TEST_FAULT_*`, ffi/bits_internal.h). */
export const TEST_FAULT = {
  /** `IBackgroundCopyJob::GetError` succeeds with a NULL object (bits_job_details). */
  nullErrorObject: 0x1,
  /** A drain's `GetId` fails with RPC_E_DISCONNECTED, as for a job that vanished. */
  drainGetId: 0x2,
} as const;

/** The release symbols plus the test variant's own exports (`ffi/bits_shim_test.h`). */
export const testSymbols = {
  ...symbols,
  /** bits_watcher_inject(watcher, uint32_t kind, const uint8_t* guid): S_FALSE when dropped */
  bits_watcher_inject: { parameters: [HANDLE, "u32", "buffer"], result: HRESULT },
  /** bits_test_set_faults(uint32_t faults) */
  bits_test_set_faults: { parameters: ["u32"], result: HRESULT },
  /** bits_test_enter_sta(): makes the calling (JavaScript) thread an STA */
  bits_test_enter_sta: { parameters: [], result: HRESULT },
} as const satisfies Deno.ForeignLibraryInterface;

/** The test variant's functions. */
export type TestShim = Deno.DynamicLibrary<typeof testSymbols>["symbols"];

let opened: TestShim | undefined;

/** Opens the test variant once per process (build it first, see the module doc). */
export function loadTestShim(): TestShim {
  opened ??= Deno.dlopen(new URL(`../../${TEST_SHIM_PATH}`, import.meta.url), testSymbols).symbols;
  return opened;
}

async function newestSource(): Promise<number> {
  let newest = 0;
  for await (const entry of Deno.readDir(join(ROOT, "ffi"))) {
    if (!entry.isFile || !/\.[ch]$/.test(entry.name)) continue;
    newest = Math.max(newest, (await Deno.stat(join(ROOT, "ffi", entry.name))).mtime?.getTime() ?? Infinity);
  }
  return newest;
}

/** Builds the test variant unless it is newer than every `ffi/*.c` and `ffi/*.h`; returns its path. */
export async function buildTestShim(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  const target = join(ROOT, TEST_SHIM_PATH);
  const built = await Deno.stat(target).then((s) => s.mtime?.getTime() ?? 0, () => 0);
  if (!options.force && built > await newestSource()) return target;
  const scratch = await Deno.makeTempDir({ prefix: "bits-test-shim-" });
  try {
    await Deno.mkdir(join(scratch, "ffi"));
    for await (const entry of Deno.readDir(join(ROOT, "ffi"))) {
      if (!entry.isFile || !entry.name.endsWith(".c")) continue;
      // Forward slashes: an #include path, read the same by every compiler on both systems.
      const real = join(ROOT, "ffi", entry.name).replaceAll("\\", "/");
      await Deno.writeTextFile(
        join(scratch, "ffi", entry.name),
        `/* Test variant of ${entry.name} (tests/support/test_shim.ts). */\n` +
          `#define BITS_SHIM_TEST 1\n#include "${real}"\n`,
      );
    }
    const { dll } = await buildShim({ root: scratch, force: true, log: options.log ?? (() => {}) });
    await Deno.mkdir(join(ROOT, "ffi/build/test"), { recursive: true });
    await Deno.copyFile(dll, target);
    return target;
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

if (import.meta.main) {
  console.log(`built ${await buildTestShim({ force: Deno.args.includes("--force"), log: console.log })}`);
}

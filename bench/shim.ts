/**
 * The bench's own, minimal loader of the shim DLL, for the measurements of
 * the raw shim beneath deno-bits (what the C reference client is compared
 * with at the same level): FFI no-op costs, raw enumerations and snapshots,
 * raw watchers, the process handle count. It opens the same file deno-bits
 * loaded ({@linkcode loadedShimPath}), which Windows maps once per process,
 * with only the functions declared here; its calls are not counted as the
 * library's (bench/shim_tap.ts).
 *
 * The declarations repeat the library's symbol table for these functions;
 * bench/report_test.ts checks that they still match it.
 *
 * @module
 */

import { loadedShimPath, tappedShimPath, untappedDlopen } from "./shim_tap.ts";

/** The shim functions the bench calls directly (`name` where one C function is declared twice). */
export const RAW_SYMBOLS = {
  bits_shim_abi_version: { parameters: ["buffer"], result: "i32" },
  /** The same, nonblocking: Deno's own cost of a nonblocking call that makes no COM call. */
  bits_shim_abi_version_async: {
    name: "bits_shim_abi_version",
    parameters: ["buffer"],
    result: "i32",
    nonblocking: true,
  },
  bits_release: { parameters: ["pointer"], result: "i32" },
  bits_release_async: { name: "bits_release", parameters: ["pointer"], result: "i32", nonblocking: true },
  bits_connect: { parameters: ["buffer"], result: "i32", nonblocking: true },
  bits_manager_enum_jobs: {
    parameters: ["pointer", "u32", "buffer", "u32", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  bits_job_snapshot: { parameters: ["pointer", "buffer", "u32", "buffer"], result: "i32", nonblocking: true },
  /** The same, synchronous: the FFI cost of the snapshot signature (called with a NULL job, it makes no COM call). */
  bits_job_snapshot_sync: {
    name: "bits_job_snapshot",
    parameters: ["pointer", "buffer", "u32", "buffer"],
    result: "i32",
  },
  bits_watcher_create: { parameters: ["u32", "buffer"], result: "i32", nonblocking: true },
  bits_watcher_drain: {
    parameters: ["pointer", "buffer", "u32", "u32", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  bits_watcher_wake: { parameters: ["pointer"], result: "i32" },
  bits_process_handle_count: { parameters: ["buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded {@linkcode RAW_SYMBOLS}. */
export type RawShim = Deno.DynamicLibrary<typeof RAW_SYMBOLS>;

/** Opens the shim deno-bits loaded, with {@linkcode RAW_SYMBOLS}; close it when done. */
export async function openRawShim(): Promise<RawShim> {
  return untappedDlopen(await loadedShimPath(), RAW_SYMBOLS);
}

let shared: RawShim | undefined;

/**
 * The raw shim, opened once and kept, synchronously: for samplers that cannot
 * wait. deno-bits must have loaded its shim already (after a `connect()`).
 */
export function sharedRawShim(): RawShim {
  const path = tappedShimPath();
  if (path === undefined) throw new Error("deno-bits has not loaded its shim yet: connect() first");
  shared ??= untappedDlopen(path, RAW_SYMBOLS);
  return shared;
}

/** Open kernel handles of this process (`bits_process_handle_count`; no COM). */
export function processHandles(): number {
  const count = new Uint32Array(1);
  check(sharedRawShim().symbols.bits_process_handle_count(count), "bits_process_handle_count");
  return count[0];
}

/** A pointer written by the shim into `out[0]`; throws on NULL. */
export function pointerAt(out: BigUint64Array, what: string, index = 0): Deno.PointerObject {
  const pointer = Deno.UnsafePointer.create(out[index]);
  if (pointer === null) throw new Error(`${what} returned a NULL pointer`);
  return pointer;
}

/** Throws when `hr` is a failure HRESULT. */
export function check(hr: number, what: string): number {
  if (hr < 0) throw new Error(`${what} failed: 0x${(hr >>> 0).toString(16).toUpperCase().padStart(8, "0")}`);
  return hr;
}

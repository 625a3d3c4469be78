/**
 * The bench's only door into deno-bits' internals, for the few measurements
 * the public API cannot express, each because it measures a layer that has
 * no public face:
 *
 * - `encodeUtf16` / `decodeUtf16`: the UTF-16 codec every string crosses on
 *   its way to and from the shim, timed against the C micro-benchmark's own
 *   loop (the "layer" rows of the table);
 * - `decodeSnapshot`: the decoding of one job's snapshot buffer, timed over
 *   the whole queue against the C parser;
 * - `liveHandleCount`: the COM references the library's wrappers still hold
 *   (the leak and soak runs' check that disposal and finalizers release
 *   them; the process handle count and RSS are measured from outside).
 *
 * Everything else in bench/ goes through `@deno-bits/bits` (and its
 * subpaths), bench/shim_tap.ts (FFI calls counted at `Deno.dlopen`) and
 * bench/shim.ts (the bench's own loader of the raw shim);
 * bench/report_test.ts checks that no other bench file imports from `src/`
 * or `ffi/`.
 *
 * @module
 */

export { decodeUtf16, encodeUtf16 } from "../src/utf16.ts";
export { decodeSnapshot } from "../src/decode.ts";
export { liveHandleCount } from "../src/handle.ts";

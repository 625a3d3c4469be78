/**
 * Facts about the running BITS host that callers and tests branch on.
 *
 * @module
 */

import { loadShim } from "../ffi/library.ts";
import { decodeUtf16 } from "./utf16.ts";

/**
 * The Wine version (e.g. `"10.0"`) when running under Wine, `null` on real
 * Windows. Wine's BITS stubs several features (docs/compat.md).
 *
 * @throws {BitsUnavailableError} off Windows or without the shim.
 */
export function wineVersion(): string | null {
  const shim = loadShim().symbols;
  const buffer = new Uint16Array(64);
  const length = new Uint32Array(1);
  if (shim.bits_wine_version(buffer, buffer.length, length) !== 0) return null;
  return decodeUtf16(new Uint8Array(buffer.buffer), 0, Math.min(length[0], buffer.length - 1));
}

/**
 * Free disk space for a directory on Windows (natively or under Wine), so a
 * test that writes a gigabyte can refuse to start instead of filling the disk.
 *
 * @module
 */

import { encodeUtf16 } from "../../src/utf16.ts";

/** Bytes available to this user on the volume holding `directory` (GetDiskFreeSpaceExW). */
export function freeDiskBytes(directory: string): number {
  const kernel32 = Deno.dlopen("kernel32.dll", {
    GetDiskFreeSpaceExW: { parameters: ["buffer", "buffer", "buffer", "buffer"], result: "i32" },
  });
  try {
    const available = new BigUint64Array(1);
    const ok = kernel32.symbols.GetDiskFreeSpaceExW(encodeUtf16(directory).buffer, available, null, null);
    if (ok === 0) throw new Error(`GetDiskFreeSpaceExW failed for ${directory}`);
    return Number(available[0]);
  } finally {
    kernel32.close();
  }
}

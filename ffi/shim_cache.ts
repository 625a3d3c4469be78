/**
 * Puts the embedded shim DLL (`ffi/shim_embedded.ts`) on disk so that
 * `Deno.dlopen` can load it: once per user and per build, in a directory named
 * by the DLL's SHA-256, `%LOCALAPPDATA%\deno-bits\<sha256>\bits_shim.dll`
 * (the temporary directory when `LOCALAPPDATA` is not set or not writable).
 *
 * A file that is there already is used only when its SHA-256 is the expected
 * one; a wrong or truncated file is replaced, never loaded. A new file is
 * written under a name of its own and renamed into place, so a process never
 * sees half a DLL and two processes installing at once both end with the same
 * complete file.
 *
 * Synchronous, like the first BITS call that triggers it. The hash comes from
 * `@noble/hashes`: Web Crypto's digest is asynchronous only.
 *
 * @module
 */

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** File name of the installed shim. */
export const CACHED_SHIM_NAME = "bits_shim.dll";

/** Directory below `%LOCALAPPDATA%` (or the temporary directory) that holds one folder per build. */
export const CACHE_FOLDER = "deno-bits";

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/** `child` inside `dir`, with the separator `dir` already uses (Windows paths keep their backslashes). */
export function childPath(dir: string, child: string): string {
  const separator = dir.includes("\\") ? "\\" : "/";
  return dir.endsWith(separator) ? `${dir}${child}` : `${dir}${separator}${child}`;
}

/**
 * The folders the shim with digest `sha256` may be installed in, best first:
 * below `LOCALAPPDATA` (per user, kept), then below `TEMP` or `TMP`.
 *
 * @param env Reads one environment variable; `undefined` when unset.
 */
export function cacheDirectories(sha256: string, env: (name: string) => string | undefined): string[] {
  const roots = [env("LOCALAPPDATA"), env("TEMP") ?? env("TMP")];
  return roots.filter((root): root is string => root !== undefined && root !== "")
    .map((root) => childPath(childPath(root, CACHE_FOLDER), sha256));
}

/** Whether `path` holds a file whose SHA-256 is `sha256`; `false` when there is no such file. */
export function fileHasDigest(path: string, sha256: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  return sha256Hex(bytes) === sha256;
}

function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Already gone, or held open by a scanner: a leftover temporary file is harmless.
  }
}

/**
 * Makes `dir/bits_shim.dll` hold exactly the DLL whose SHA-256 is `sha256` and
 * returns its path, checked after any write. `bytes` is called only when the
 * file has to be written.
 *
 * @throws {Deno.errors.NotCapable} without read or write permission on `dir`.
 * @throws {Error} when the file cannot be written, or is still not the expected
 *   DLL afterwards (another program replaced it or holds a wrong one open).
 */
export function installShim(dir: string, sha256: string, bytes: () => Uint8Array): string {
  const path = childPath(dir, CACHED_SHIM_NAME);
  if (fileHasDigest(path, sha256)) return path;
  Deno.mkdirSync(dir, { recursive: true });
  const temporary = childPath(dir, `${CACHED_SHIM_NAME}.${Deno.pid}-${crypto.randomUUID()}.tmp`);
  try {
    Deno.writeFileSync(temporary, bytes());
    try {
      Deno.renameSync(temporary, path);
    } catch (error) {
      // Another process renamed the same bytes into place first and has the DLL loaded, which Windows
      // refuses to replace: its file is as good as ours.
      if (!fileHasDigest(path, sha256)) throw error;
    }
  } finally {
    removeQuietly(temporary);
  }
  if (!fileHasDigest(path, sha256)) {
    throw new Error(`${path} does not have the expected SHA-256 ${sha256} after it was written`);
  }
  return path;
}

/**
 * A destination given as a directory (an existing one, or any path ending
 * in `\` or `/`): the file name then comes from the source's last path
 * segment, percent-decoded and made safe for Windows (no reserved
 * characters, device names or trailing dots), as `Start-BitsTransfer` does
 * with a folder destination.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { type OptionValue, UsageError } from "./command.ts";

// Characters Windows forbids in a file name, and control characters.
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[<>:"/\\|?*\x00-\x1f]/g;
const DEVICE = /^(?:CON|PRN|AUX|NUL|COM[1-9¹²³]|LPT[1-9¹²³])(?:\.|$)/i;

/** `--root DIR` resolved against the current directory; `undefined` when absent. */
export function rootOption(value: OptionValue): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new UsageError("--root takes one directory");
  return resolve(value);
}

/**
 * The last path segment of a source: a URL's, percent-decoded; a UNC or
 * local path's, as it is. `""` when there is none.
 */
export function sourceFileName(source: string): string {
  if (/^[A-Za-z]:\\/.test(source) || source.startsWith("\\\\")) return source.slice(source.lastIndexOf("\\") + 1);
  let path: string;
  try {
    path = new URL(source).pathname;
  } catch {
    path = source;
  }
  const segment = path.slice(path.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(segment);
  } catch {
    // Not valid percent-encoding: the segment as it stands.
    return segment;
  }
}

/**
 * A file name made safe for Windows: forbidden characters become `_`,
 * trailing dots and spaces go, a device name (`CON`, `nul.txt`) gets a
 * leading `_`, and the result is at most 255 characters.
 */
export function sanitizeFileName(name: string): string {
  let safe = name.replace(FORBIDDEN, "_").replace(/[. ]+$/, "");
  if (DEVICE.test(safe)) safe = `_${safe}`;
  return safe.slice(0, 255);
}

/** True when `dest` names a directory: it ends in a separator, or is an existing directory. */
export function isDirectoryDestination(dest: string): boolean {
  if (dest.endsWith("\\") || dest.endsWith("/")) return true;
  try {
    return Deno.statSync(dest).isDirectory;
  } catch {
    return false;
  }
}

/**
 * The full destination of `source`: `dest` resolved, or, when `dest` is a
 * directory, that directory joined with the source's sanitised file name.
 *
 * @throws {UsageError} when `dest` is a directory and the source has no file name to use.
 */
export function destinationPath(source: string, dest: string, command: string): string {
  if (!isDirectoryDestination(dest)) return resolve(dest);
  const name = sanitizeFileName(sourceFileName(source));
  if (name === "" || name === "_") {
    throw new UsageError(
      `${command}: ${dest} is a directory and ${source} has no file name to give the download; ` +
        "give the destination file's full name instead",
      command,
    );
  }
  return join(resolve(dest), name);
}

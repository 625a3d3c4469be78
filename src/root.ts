/**
 * The download root: an optional directory that every local destination
 * must resolve inside. Checked before any COM call, so a refused
 * destination leaves nothing behind.
 *
 * Two stages. {@linkcode checkInsideRoot} is pure and applies Windows' path
 * rules (`node:path`'s `win32`, whatever the host): it refuses `..` and other
 * forms Windows would rewrite (trailing dots and spaces, `/`, doubled
 * separators), absolute paths elsewhere, UNC and device paths (unless the
 * root is on that share), alternate data streams and DOS device names.
 * {@linkcode checkRealInsideRoot} then follows what exists on disk: the
 * destination (when it exists) or its nearest existing ancestor is resolved
 * with `realPath` (symbolic links, junctions, 8.3 short names) and must still
 * lie inside the resolved root.
 *
 * @module
 */

import { posix, win32 } from "node:path";
import { InvalidArgumentError } from "./errors.ts";
import { MAX_LOCAL_PATH } from "./validate.ts";
import { lexists } from "./exists.ts";

const DRIVE_ROOTED = /^[A-Za-z]:\\/;
// \\server\share, not \\?\ or \\.\ (device and verbatim namespaces).
const UNC_ROOTED = /^\\\\([^\\?.][^\\]*)\\([^\\]+)/;
const DEVICE_PREFIX = /^[\\/]{2}[?.][\\/]|^\\\?\?\\/;

/**
 * Names Windows maps to devices in any directory, with any extension:
 * `NUL.txt` is the NUL device. The superscript digits are COM¹–COM³ and
 * LPT¹–LPT³, which Windows also reserves.
 */
const DOS_DEVICE = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$|CLOCK\$)$/i;

/** True when `segment` (one path component) names a DOS device. */
export function isDosDeviceName(segment: string): boolean {
  // Windows ignores the extension and trailing dots and spaces: "con .txt" is CON.
  const base = segment.split(".")[0].replace(/[ .]+$/, "");
  return DOS_DEVICE.test(base);
}

/** The share of a UNC path, lower case (`\\server\share`), or undefined. */
function uncShare(path: string): string | undefined {
  const match = UNC_ROOTED.exec(path);
  return match ? `\\\\${match[1]}\\${match[2]}`.toLowerCase() : undefined;
}

/** `path` without a final `\`, unless that is a drive's own root (`C:\`). */
function withoutTrailingSeparator(path: string): string {
  return path.endsWith("\\") && !/^[A-Za-z]:\\$/.test(path) ? path.slice(0, -1) : path;
}

/**
 * The lexical rules shared by roots and destinations: a full Windows path
 * (drive or UNC), in the form Windows would not rewrite, with no stream,
 * device name, or trailing dot or space in any component.
 */
function checkWindowsForm(path: string, argument: string, what: string): void {
  const shown = JSON.stringify(path);
  if (path.includes("\0")) throw new InvalidArgumentError(argument, `${what} ${shown} contains NUL`);
  if (DEVICE_PREFIX.test(path)) {
    throw new InvalidArgumentError(
      argument,
      `${what} ${shown} is a device or verbatim path (\\\\?\\, \\\\.\\); give a plain drive or UNC path`,
    );
  }
  if (!DRIVE_ROOTED.test(path) && !UNC_ROOTED.test(path)) {
    throw new InvalidArgumentError(
      argument,
      `${what} ${shown} must be a full Windows path (C:\\dir or \\\\server\\share)`,
    );
  }
  if (path.indexOf(":", 2) !== -1) {
    throw new InvalidArgumentError(argument, `${what} ${shown} names an alternate data stream (":")`);
  }
  // normalize() resolves "." and "..", turns "/" into "\" and folds doubled separators:
  // anything it changes is a form Windows would read differently from how it looks.
  const trimmed = withoutTrailingSeparator(path);
  const normal = withoutTrailingSeparator(win32.normalize(trimmed));
  if (normal !== trimmed) {
    throw new InvalidArgumentError(
      argument,
      `${what} ${shown} is not in normal form (".", "..", "/" or "\\\\" inside); Windows reads it as ${
        JSON.stringify(normal)
      }`,
    );
  }
  const components = path.slice(DRIVE_ROOTED.test(path) ? 3 : 2).split("\\").filter((c) => c !== "");
  for (const component of components) {
    if (/[ .]$/.test(component)) {
      throw new InvalidArgumentError(
        argument,
        `${what} ${shown} has a component ending in a dot or space (${JSON.stringify(component)}), which Windows drops`,
      );
    }
    if (isDosDeviceName(component)) {
      throw new InvalidArgumentError(
        argument,
        `${what} ${shown} contains the DOS device name ${JSON.stringify(component)}`,
      );
    }
  }
}

/**
 * Checks a download root: a full Windows path (drive or UNC share) in
 * normal form, at most MAX_PATH, without streams or device names. Returns it
 * without a trailing separator (except a drive's own root, `C:\`).
 */
export function checkRoot(value: unknown, argument = "root"): string {
  if (typeof value !== "string" || value === "") {
    throw new InvalidArgumentError(argument, `${argument} must be a non-empty Windows path`);
  }
  if (value.length > MAX_LOCAL_PATH) {
    throw new InvalidArgumentError(argument, `${argument} is ${value.length} characters, over MAX_PATH`);
  }
  checkWindowsForm(value, argument, "Root");
  return withoutTrailingSeparator(value);
}

/** True when `child` is `parent` or below it; `sep` and case rules per flavour. */
function within(child: string, parent: string, flavour: "win32" | "posix", caseless: boolean): boolean {
  const sep = flavour === "win32" ? "\\" : "/";
  const c = caseless ? child.toLowerCase() : child;
  const p = caseless ? parent.toLowerCase() : parent;
  if (c === p) return true;
  return c.startsWith(p.endsWith(sep) ? p : p + sep);
}

/**
 * Checks, by Windows' rules and without touching the disk, that `path` (a
 * destination already accepted by `checkLocalPath`) lies strictly inside
 * `root` (from {@linkcode checkRoot}). Refuses a UNC path unless the root is
 * on the same share. Comparison ignores case, as NTFS does by default.
 *
 * @throws {InvalidArgumentError} naming `argument` and the path.
 */
export function checkInsideRoot(path: string, root: string, argument: string): string {
  checkWindowsForm(path, argument, "Destination");
  const share = uncShare(path);
  if (share !== undefined && share !== uncShare(root)) {
    throw new InvalidArgumentError(
      argument,
      `Destination ${JSON.stringify(path)} is on the network share ${share}, outside the root ${JSON.stringify(root)}`,
    );
  }
  if (!within(path, root, "win32", true) || path.toLowerCase() === root.toLowerCase()) {
    throw new InvalidArgumentError(
      argument,
      `Destination ${JSON.stringify(path)} is outside the root ${JSON.stringify(root)}`,
    );
  }
  return path;
}

/** What {@linkcode checkRealInsideRoot} needs from the file system (replaceable in tests). */
export interface RootFileSystem {
  /** Resolves links, junctions and short names (`Deno.realPath`). */
  realPath(path: string): Promise<string>;
  /** True when something exists at `path`, without following a final link (`Deno.lstat`). */
  exists(path: string): Promise<boolean>;
}

/** The real file system. */
export const DENO_FILE_SYSTEM: RootFileSystem = { realPath: Deno.realPath, exists: lexists };

/**
 * Strips the verbatim prefix Windows' GetFinalPathNameByHandle may return
 * (`\\?\C:\x`, `\\?\UNC\server\share\x`), so real paths compare with plain ones.
 */
export function plainRealPath(path: string): string {
  if (/^\\\\\?\\UNC\\/i.test(path)) return `\\\\${path.slice(8)}`;
  if (path.startsWith("\\\\?\\")) return path.slice(4);
  return path;
}

/** Options of {@linkcode checkRealInsideRoot}. */
export interface RealCheckOptions {
  /**
   * The path rules: `"win32"` (the default on Windows, where the API's paths
   * are Windows paths) or `"posix"` (for tests on Linux with real directories).
   */
  readonly flavour?: "win32" | "posix";
  /** The file system to ask; default {@linkcode DENO_FILE_SYSTEM}. */
  readonly fs?: RootFileSystem;
}

/**
 * The root as it is on disk (`realPath`, verbatim prefix stripped).
 *
 * @throws {InvalidArgumentError} `"root"` when it does not exist.
 */
export async function resolveRoot(root: string, fs: RootFileSystem = DENO_FILE_SYSTEM): Promise<string> {
  try {
    return plainRealPath(await fs.realPath(root));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InvalidArgumentError("root", `Root ${JSON.stringify(root)} does not exist`);
    }
    throw error;
  }
}

/**
 * Checks what the disk says: the destination, or its nearest existing
 * ancestor, resolved with `realPath` (through symbolic links, junctions and
 * 8.3 short names, and under Wine through Linux symbolic links, which the
 * Windows side sees as plain directories) must lie inside the resolved root.
 * Components that do not exist yet are created below that ancestor, and
 * {@linkcode checkInsideRoot} has already ruled out `..` among them.
 *
 * @throws {InvalidArgumentError} naming `argument` when the path resolves
 *   outside, or `"root"` when the root does not exist.
 */
export async function checkRealInsideRoot(
  path: string,
  root: string,
  argument: string,
  options: RealCheckOptions = {},
): Promise<void> {
  const flavour = options.flavour ?? (Deno.build.os === "windows" ? "win32" : "posix");
  const fs = options.fs ?? DENO_FILE_SYSTEM;
  const paths = flavour === "win32" ? win32 : posix;
  const realRoot = await resolveRoot(root, fs);
  // The nearest existing ancestor; the root itself exists, so the walk ends there at the latest.
  let existing = path;
  while (!(await fs.exists(existing))) {
    const parent = paths.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  let real: string;
  try {
    real = plainRealPath(await fs.realPath(existing));
  } catch (error) {
    // A link whose target is missing: where it would write cannot be known, so it is refused.
    if (error instanceof Deno.errors.NotFound) {
      throw new InvalidArgumentError(
        argument,
        `Destination ${JSON.stringify(path)} goes through ${JSON.stringify(existing)}, a link that resolves nowhere`,
      );
    }
    throw error;
  }
  // Real paths carry the case found on disk, so they compare exactly (a case-sensitive
  // directory may hold two names differing only in case); only the drive letter is folded.
  const fold = (p: string): string => flavour === "win32" ? p.replace(/^[a-z]:/, (d) => d.toUpperCase()) : p;
  const inside = within(fold(real), fold(realRoot), flavour, false);
  // The ancestor may be the root itself; the destination may not.
  if (!inside || (existing === path && fold(real) === fold(realRoot))) {
    throw new InvalidArgumentError(
      argument,
      `Destination ${JSON.stringify(path)} resolves through ${JSON.stringify(existing)} to ${
        JSON.stringify(real)
      }, outside the root ${JSON.stringify(root)} (${JSON.stringify(realRoot)} on disk)`,
    );
  }
}

/** A local destination and the argument that named it, for {@linkcode checkDestinationsInRoots}. */
export interface Destination {
  /** The path, already accepted by `checkLocalPath`. */
  readonly path: string;
  /** What to name in an error, e.g. `files[2].path`. */
  readonly argument: string;
}

/**
 * Both stages for every destination against every root given (a job's own
 * root and a call's `root` option must both hold; `undefined` roots are
 * skipped): first the lexical check of all of them, then the disk.
 */
export async function checkDestinationsInRoots(
  destinations: readonly Destination[],
  roots: readonly (string | undefined)[],
  options: RealCheckOptions = {},
): Promise<void> {
  const given = roots.filter((root): root is string => root !== undefined);
  for (const root of given) {
    for (const { path, argument } of destinations) checkInsideRoot(path, root, argument);
  }
  for (const root of given) {
    for (const { path, argument } of destinations) await checkRealInsideRoot(path, root, argument, options);
  }
}

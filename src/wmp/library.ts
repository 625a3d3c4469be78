/**
 * Filing of media that a Windows Media Player `WMP_STATUS` job downloaded:
 * where the file goes in the library (`<AlbumArtist>\<AlbumTitle>\<NN> <Title>.<ext>`)
 * and a move there that never overwrites anything.
 *
 * The path logic is pure and always uses Windows rules (`win32` from
 * `node:path`), whatever the host, because the library lives on Windows (or
 * under Wine); only {@linkcode fileIntoLibrary} touches the file system.
 *
 * @module
 */

import { dirname, win32 } from "node:path";
import { InvalidArgumentError } from "../errors.ts";
import { MAX_LOCAL_PATH } from "../validate.ts";

/** Longest path component {@linkcode sanitizePathComponent} returns, in UTF-16 code units. */
export const MAX_COMPONENT_LENGTH = 120;

/** Longest full path {@linkcode libraryPath} returns: MAX_PATH without the NUL. */
export const MAX_LIBRARY_PATH: number = MAX_LOCAL_PATH;

/** Media types a WMP job may file, lower-case, with the dot. */
export const MEDIA_EXTENSIONS: readonly string[] = Object.freeze([".wma", ".wmv", ".mp3", ".asf"]);

/** Components used when the metadata gives nothing usable. */
export const FALLBACKS: Readonly<{ albumArtist: string; albumTitle: string; title: string }> = Object.freeze({
  albumArtist: "Unknown Artist",
  albumTitle: "Unknown Album",
  title: "Untitled",
});

/** The metadata {@linkcode libraryPath} files by. */
export interface MediaMetadata {
  /** Album artist; empty means {@linkcode FALLBACKS}.albumArtist. */
  readonly albumArtist: string;
  /** Album title; empty means {@linkcode FALLBACKS}.albumTitle. */
  readonly albumTitle: string;
  /** Track number, a non-negative integer; 0 for "unknown". */
  readonly trackNumber: number;
  /** Track title; empty means {@linkcode FALLBACKS}.title. */
  readonly title: string;
}

// Characters Win32 refuses in a name, plus the C0 controls and DEL.
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
// Unpaired surrogates cannot be written as UTF-8 and come back as U+FFFD, so the
// name on disk would differ from the one we computed; replace them up front.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Windows reserves device names whatever follows the first dot, and ignores spaces
// between the name and that dot ("NUL .mp3" is NUL). Microsoft's naming rules also list
// COM0/LPT0 and CONIN$/CONOUT$; a needless "_" costs less than an unopenable file.
const RESERVED =
  /^(CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3]|CONIN\$|CONOUT\$)(?= *(?:\.|$))/i;
const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: "grapheme" });

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/**
 * Cuts `text` to at most `max` UTF-16 code units at a grapheme boundary, so
 * neither a surrogate pair nor a base letter and its combining marks are split.
 * A single grapheme longer than `max` is cut between code points instead.
 */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  let end = 0;
  for (const { index, segment } of GRAPHEMES.segment(text)) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  if (end === 0) {
    end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  }
  return text.slice(0, end);
}

// Windows silently drops trailing dots and spaces, so "Album." and "Album" would collide.
function stripEnds(text: string): string {
  return text.replace(/^ +/, "").replace(/[. ]+$/, "");
}

function clean(text: string, max: number): string {
  let name = stripEnds(text.replace(LONE_SURROGATE, "_").replace(FORBIDDEN, "_"));
  // Cut before the device check: a cut can turn "CON   x…" into "CON".
  name = stripEnds(truncate(name, max));
  if (name === "") return "";
  const reserved = name.replace(RESERVED, "$1_");
  // The "_" can push the name one over; the cut then only removes the tail, keeping "CON_".
  return reserved === name ? name : stripEnds(truncate(reserved, max));
}

/**
 * Makes one path component safe on Windows: `<>:"/\|?*` and control
 * characters become `_`, leading spaces and trailing dots and spaces go,
 * reserved device names (CON, PRN, AUX, NUL, COM1–9, LPT1–9 and the
 * superscript-digit forms, with or without an extension, any case) get a `_`
 * after the device name, and the result is cut to
 * {@linkcode MAX_COMPONENT_LENGTH} code units without splitting a character.
 * Anything that ends up empty (including `.` and `..`) becomes `fallback`.
 * Other Unicode, right-to-left and non-BMP text included, is kept as is.
 *
 * @throws {InvalidArgumentError} when `fallback` is not itself a safe, non-empty component.
 */
export function sanitizePathComponent(text: string, fallback: string): string {
  if (typeof fallback !== "string" || fallback === "" || clean(fallback, MAX_COMPONENT_LENGTH) !== fallback) {
    throw new InvalidArgumentError(
      "fallback",
      `fallback must be a safe, non-empty path component, got ${JSON.stringify(fallback)}`,
    );
  }
  if (typeof text !== "string") throw new InvalidArgumentError("text", `text must be a string, got ${typeof text}`);
  return clean(text, MAX_COMPONENT_LENGTH) || fallback;
}

const DRIVE_ROOT = /^[A-Za-z]:\\/;
const UNC_ROOT = /^\\\\[^\\.][^\\]*\\[^\\]+/;

/** Checks the library root and returns it normalised (backslashes, no `.`/`..`). */
function checkRoot(root: unknown): string {
  if (typeof root !== "string") throw new InvalidArgumentError("libraryRoot", "libraryRoot must be a string");
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f<>"|?*]/.test(root) || root.indexOf(":", 2) !== -1) {
    // "?" also refuses \\?\ prefixes and ":" NTFS streams and \\.\C: device paths.
    throw new InvalidArgumentError(
      "libraryRoot",
      `libraryRoot contains characters Windows does not allow in a path: ${JSON.stringify(root)}`,
    );
  }
  const normalised = win32.normalize(root);
  if (!DRIVE_ROOT.test(normalised) && !UNC_ROOT.test(normalised)) {
    throw new InvalidArgumentError(
      "libraryRoot",
      `libraryRoot must be an absolute Windows path like C:\\Music or \\\\server\\share\\Music, got ${
        JSON.stringify(root)
      }`,
    );
  }
  return normalised;
}

function checkExtension(extension: unknown): string {
  const lower = typeof extension === "string" ? extension.toLowerCase() : "";
  if (!MEDIA_EXTENSIONS.includes(lower)) {
    throw new InvalidArgumentError(
      "extension",
      `extension must be one of ${MEDIA_EXTENSIONS.join(" ")} (any case), got ${JSON.stringify(extension)}`,
    );
  }
  return lower;
}

function checkTrackNumber(trackNumber: unknown): string {
  if (typeof trackNumber !== "number" || !Number.isSafeInteger(trackNumber) || trackNumber < 0) {
    throw new InvalidArgumentError(
      "meta.trackNumber",
      `meta.trackNumber must be a non-negative integer, got ${String(trackNumber)}`,
    );
  }
  return String(trackNumber).padStart(2, "0");
}

// Metadata from WMP may be missing altogether; treat that like an empty tag.
function tag(meta: MediaMetadata, field: "albumArtist" | "albumTitle" | "title"): string {
  const value: unknown = meta[field];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw new InvalidArgumentError(`meta.${field}`, `meta.${field} must be a string, got ${typeof value}`);
  }
  return value;
}

/**
 * The absolute Windows path where a media file belongs in the library:
 * `<root>\<AlbumArtist>\<AlbumTitle>\<NN> <Title><ext>`, each component passed
 * through {@linkcode sanitizePathComponent} (fallbacks in {@linkcode FALLBACKS}),
 * `NN` the track number padded to two digits and `ext` lower-case. When the
 * path would exceed {@linkcode MAX_LIBRARY_PATH} the title is shortened.
 *
 * @param root Absolute Windows path, drive (`C:\Music`) or UNC (`\\server\share\Music`).
 * @param meta The media's tags.
 * @param extension One of {@linkcode MEDIA_EXTENSIONS}, any case.
 * @throws {InvalidArgumentError} for a bad root, extension or track number, or
 *   when the path is too long even with a one-character title.
 */
export function libraryPath(root: string, meta: MediaMetadata, extension: string): string {
  const base = checkRoot(root);
  const ext = checkExtension(extension);
  if (typeof meta !== "object" || meta === null) throw new InvalidArgumentError("meta", "meta must be an object");
  const prefix = `${checkTrackNumber(meta.trackNumber)} `;
  const artist = sanitizePathComponent(tag(meta, "albumArtist"), FALLBACKS.albumArtist);
  const album = sanitizePathComponent(tag(meta, "albumTitle"), FALLBACKS.albumTitle);
  const directory = win32.join(base, artist, album);

  // The title is sanitised on its own (as if it were the component) so it reads the
  // same as the other two; inside "NN Title.ext" any leftover trailing dot is harmless.
  const fileRoom = Math.min(MAX_COMPONENT_LENGTH, MAX_LIBRARY_PATH - directory.length - 1);
  const title = truncate(
    sanitizePathComponent(tag(meta, "title"), FALLBACKS.title),
    fileRoom - prefix.length - ext.length,
  );
  if (title === "") {
    const shortest = directory.length + 1 + prefix.length + 1 + ext.length;
    throw new InvalidArgumentError(
      "libraryRoot",
      `library path ${directory}\\${prefix}…${ext} is ${shortest} characters even with a one-character title, ${
        shortest - MAX_LIBRARY_PATH
      } over the limit of ${MAX_LIBRARY_PATH}; use a shorter library root`,
    );
  }
  const target = win32.join(directory, `${prefix}${title}${ext}`);

  // Defence in depth: sanitising already rules out separators and "..", but a
  // future change must not be able to file outside the library unnoticed.
  const resolvedRoot = win32.resolve(base);
  const inside = resolvedRoot.endsWith("\\") ? resolvedRoot : `${resolvedRoot}\\`;
  const resolvedTarget = win32.resolve(target);
  if (
    !resolvedTarget.toLowerCase().startsWith(inside.toLowerCase()) || resolvedTarget.length <= inside.length
  ) {
    throw new InvalidArgumentError("meta", `library path ${target} would lie outside ${base}`);
  }
  return target;
}

/**
 * {@linkcode fileIntoLibrary} found something at the target: nothing was
 * changed, the source is still where it was.
 */
export class LibraryFileExistsError extends Error {
  /** Always `"LibraryFileExistsError"`. */
  override name = "LibraryFileExistsError";
  /** The target that already exists. */
  readonly path: string;

  /** Builds the error for `path`. */
  constructor(path: string, options?: ErrorOptions) {
    super(`${path} already exists in the library; nothing was changed and the source was left in place`, options);
    this.path = path;
  }
}

/** Options of {@linkcode fileIntoLibrary}. */
export interface FileIntoLibraryOptions {
  /**
   * Try a hard link first (default `true`). `false` goes straight to the copy,
   * for volumes known not to support hard links.
   */
  readonly hardLink?: boolean;
}

function sourceMissing(source: string, cause: unknown): Deno.errors.NotFound {
  return new Deno.errors.NotFound(`source ${source} does not exist; nothing was filed`, { cause });
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  for (let done = 0; done < data.length;) done += await file.write(data.subarray(done));
}

/**
 * Copies `source` to a `target` that must not exist, creating it exclusively
 * (so a concurrent writer cannot be overwritten) and syncing it to disk. The
 * source is opened first, so a vanished source never leaves an empty target;
 * any failure after the target was created removes it.
 */
async function copyExclusive(source: string, target: string): Promise<void> {
  let input: Deno.FsFile;
  try {
    input = await Deno.open(source, { read: true });
  } catch (error) {
    throw error instanceof Deno.errors.NotFound ? sourceMissing(source, error) : error;
  }
  try {
    const info = await input.stat();
    if (!info.isFile) throw new InvalidArgumentError("source", `source ${source} is not a regular file`);
    let output: Deno.FsFile;
    try {
      output = await Deno.open(target, { write: true, createNew: true });
    } catch (error) {
      throw error instanceof Deno.errors.AlreadyExists ? new LibraryFileExistsError(target, { cause: error }) : error;
    }
    try {
      const buffer = new Uint8Array(256 * 1024);
      let copied = 0;
      for (let read = await input.read(buffer); read !== null; read = await input.read(buffer)) {
        await writeAll(output, buffer.subarray(0, read));
        copied += read;
      }
      // A source truncated or appended to under us would otherwise be filed short and look complete.
      if (copied !== info.size) {
        throw new Error(`source ${source} changed size while being copied (${info.size} bytes, read ${copied})`);
      }
      await output.sync();
    } catch (error) {
      output.close();
      await removeIfPresent(target);
      throw error;
    }
    output.close();
  } finally {
    input.close();
  }
}

/**
 * Moves `source` to `target`, creating `target`'s parent directories, and
 * never overwrites: an existing target (file, directory or dangling link)
 * raises {@linkcode LibraryFileExistsError} and changes nothing.
 *
 * A hard link is tried first: it is atomic, fails if the target exists and
 * makes the complete file appear at once; the source name is then removed.
 * When hard links are unavailable (another volume, FAT, some shares), the file
 * is copied into an exclusively created target, synced, and the source
 * removed. A failure never leaves a partial file at `target`; if the source
 * cannot be removed afterwards, the target is removed again so the move is
 * all or nothing.
 *
 * `target` is a path for the host OS (on Windows, typically from
 * {@linkcode libraryPath}); only its directory part is taken from it.
 *
 * @returns `target`.
 * @throws {LibraryFileExistsError} when `target` exists.
 * @throws {Deno.errors.NotFound} when `source` does not exist.
 * @throws {InvalidArgumentError} when `source` is not a regular file.
 */
export async function fileIntoLibrary(
  source: string,
  target: string,
  options: FileIntoLibraryOptions = {},
): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(source);
  } catch (error) {
    throw error instanceof Deno.errors.NotFound ? sourceMissing(source, error) : error;
  }
  // A hard link to a symlink would file the link, not the media.
  if (!info.isFile) throw new InvalidArgumentError("source", `source ${source} is not a regular file`);
  await Deno.mkdir(dirname(target), { recursive: true });

  let linked = false;
  if (options.hardLink ?? true) {
    try {
      await Deno.link(source, target);
      linked = true;
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) throw new LibraryFileExistsError(target, { cause: error });
      // Anything else (cross-volume, unsupported, source gone): the copy sorts it out
      // and reports a vanished source or an existing target itself.
    }
  }
  if (!linked) await copyExclusive(source, target);

  try {
    await removeIfPresent(source);
  } catch (error) {
    // On Windows a file open without FILE_SHARE_DELETE cannot lose any of its names,
    // so the undo can fail too; then say plainly that both names exist.
    try {
      await Deno.remove(target);
    } catch (undoError) {
      throw new Error(
        `filed ${target} but could not remove the source ${source} nor undo the filing; both now exist`,
        { cause: new AggregateError([error, undoError]) },
      );
    }
    throw new Error(`could not remove the source ${source}; the filing was undone and nothing changed`, {
      cause: error,
    });
  }
  return target;
}

/**
 * The files of `download` and `add-file`: URL → destination pairs from the
 * command line, file lists in the spirit of `bitsadmin /addfileset`, and
 * `--range OFFSET:LENGTH` values. Pure parsing (plus reading the list file),
 * so every rule is unit-tested without BITS.
 *
 * A file list holds one file per line, `URL DEST`, separated by spaces or
 * tabs. A field with spaces is wrapped in double quotes (`"C:\My files\a.iso"`);
 * backslashes are literal, and a quote cannot occur inside a field (neither
 * Windows paths nor URLs can hold one). Blank lines and lines whose first
 * non-blank character is `#` are ignored. UTF-8 (with or without BOM) and
 * UTF-16 with a BOM (what Notepad and PowerShell 5 write) are read.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { FileRange } from "../files.ts";
import { checkRemoteSource } from "../validate.ts";
import type { OptionValue } from "./command.ts";
import { UsageError } from "./command.ts";
import { destinationPath } from "./destination.ts";

/** One file of a command: where it comes from, where it goes, and where the user wrote it. */
export interface FilePair {
  /** The remote URL, as given. */
  readonly url: string;
  /** The destination, as given (possibly relative). */
  readonly dest: string;
  /** Where the pair was written, for messages: `"argument 3"` or `"list.txt line 4"`. */
  readonly origin: string;
}

/**
 * Pairs up positional arguments: `URL1 DEST1 URL2 DEST2 …`. An odd count is
 * a usage error naming the URL left without a destination.
 */
export function pairsFromArguments(args: readonly string[], command: string): FilePair[] {
  if (args.length % 2 !== 0) {
    const last = args[args.length - 1];
    throw new UsageError(
      args.length === 1
        ? `${command}: missing <dest> after <url> ${JSON.stringify(last)}`
        : `${command}: ${args.length} arguments do not make <url> <dest> pairs; ${JSON.stringify(last)} has no <dest>`,
      command,
    );
  }
  const pairs: FilePair[] = [];
  for (let i = 0; i < args.length; i += 2) {
    pairs.push({ url: args[i], dest: args[i + 1], origin: `argument ${i + 1}` });
  }
  return pairs;
}

/**
 * Splits one file-list line into fields: runs of non-blank characters, or
 * double-quoted text (which may hold blanks). Throws a plain Error saying
 * what is wrong; the caller adds the line number.
 */
export function splitFields(line: string): string[] {
  const fields: string[] = [];
  let at = 0;
  while (at < line.length) {
    if (line[at] === " " || line[at] === "\t") {
      at++;
      continue;
    }
    if (line[at] === '"') {
      const close = line.indexOf('"', at + 1);
      if (close === -1) throw new Error(`unterminated quote at column ${at + 1}`);
      const after = line[close + 1];
      if (after !== undefined && after !== " " && after !== "\t") {
        throw new Error(`a closing quote must end its field (column ${close + 1})`);
      }
      fields.push(line.slice(at + 1, close));
      at = close + 1;
      continue;
    }
    let end = at;
    while (end < line.length && line[end] !== " " && line[end] !== "\t") end++;
    const field = line.slice(at, end);
    const quote = field.indexOf('"');
    if (quote !== -1) throw new Error(`a quote inside a field (column ${at + quote + 1}); quote the whole field`);
    fields.push(field);
    at = end;
  }
  return fields;
}

/**
 * Parses a file list's text (`source` names it in messages). Every error is
 * a usage error naming the line; a list without any file is one too.
 */
export function parseFileList(text: string, source: string, command: string): FilePair[] {
  const pairs: FilePair[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  lines.forEach((line, index) => {
    const origin = `${source} line ${index + 1}`;
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    let fields: string[];
    try {
      fields = splitFields(line);
    } catch (error) {
      throw new UsageError(`${command}: ${origin}: ${(error as Error).message}`, command);
    }
    if (fields.length !== 2) {
      throw new UsageError(
        `${command}: ${origin}: expected URL and DEST, found ${fields.length} field${
          fields.length === 1 ? "" : "s"
        } (quote a path with spaces)`,
        command,
      );
    }
    pairs.push({ url: fields[0], dest: fields[1], origin });
  });
  if (pairs.length === 0) throw new UsageError(`${command}: ${source} lists no files`, command);
  return pairs;
}

/** Decodes a list file: UTF-16 when it starts with a UTF-16 BOM, else UTF-8 (invalid UTF-8 is refused). */
export function decodeFileList(bytes: Uint8Array, source: string, command: string): string {
  try {
    if (bytes[0] === 0xFF && bytes[1] === 0xFE) return new TextDecoder("utf-16le", { fatal: true }).decode(bytes);
    if (bytes[0] === 0xFE && bytes[1] === 0xFF) return new TextDecoder("utf-16be", { fatal: true }).decode(bytes);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${command}: ${source} is neither UTF-8 nor UTF-16 with a byte-order mark`, command);
  }
}

/** Reads and parses the `--from-file` lists (the option may repeat); none given: `[]`. */
export async function readFileLists(value: OptionValue, command: string): Promise<FilePair[]> {
  const paths = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const pairs: FilePair[] = [];
  for (const path of paths) {
    if (typeof path !== "string" || path === "") throw new UsageError(`--from-file takes a file path`, command);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new UsageError(`${command}: --from-file ${path}: no such file`, command);
      }
      throw error;
    }
    pairs.push(...parseFileList(decodeFileList(bytes, path, command), path, command));
  }
  return pairs;
}

/** A pair with its destination made absolute against the current directory. */
export interface ResolvedPair extends FilePair {
  /** The full destination path. */
  readonly path: string;
}

/**
 * Checks the URLs (http or https, no credentials …) and resolves the
 * destinations against the current directory, refusing the same destination
 * twice (Windows paths compare without case). Argument names follow the
 * library's: `url` for a single file, `files[i].url` for several, and the
 * message says where the pair was written. A destination that is a
 * directory (existing, or ending in a separator) gets the URL's file name.
 */
export function resolvePairs(pairs: readonly FilePair[], command = "download"): ResolvedPair[] {
  const seen = new Map<string, FilePair>();
  return pairs.map((pair, i) => {
    const argument = pairs.length === 1 ? "url" : `files[${i}].url`;
    try {
      checkRemoteSource(pair.url, argument);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError) || pairs.length === 1) throw error;
      throw new InvalidArgumentError(error.argument, `${error.message} (${pair.origin})`);
    }
    const path = destinationPath(pair.url, pair.dest, command);
    const key = path.toLowerCase();
    const earlier = seen.get(key);
    if (earlier) {
      throw new InvalidArgumentError(
        `files[${i}].path`,
        `Destination ${path} appears twice (${earlier.origin} and ${pair.origin})`,
      );
    }
    seen.set(key, pair);
    return { ...pair, path };
  });
}

/**
 * Parses `--range OFFSET:LENGTH` values (LENGTH `eof` for the rest of the
 * file) into ranges; the library then checks them as a set (count, overlap).
 */
export function parseRanges(value: OptionValue, command: string): FileRange[] {
  const texts = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return texts.map((text) => {
    const match = typeof text === "string" ? /^(\d{1,16}):(\d{1,16}|eof)$/i.exec(text.trim()) : null;
    if (!match) {
      throw new UsageError(
        `${command}: --range takes OFFSET:LENGTH in bytes (LENGTH may be eof), got ${JSON.stringify(text)}`,
        command,
      );
    }
    const offset = Number(match[1]);
    const length = match[2].toLowerCase() === "eof" ? "EOF" as const : Number(match[2]);
    return { offset, length };
  });
}

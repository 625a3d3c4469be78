/**
 * Checks on arguments before they reach BITS, so bad input fails with an
 * {@linkcode InvalidArgumentError} and leaves the queue untouched. Limits are
 * BITS' own (bits-com.md §4).
 *
 * @module
 */

import { InvalidArgumentError } from "./errors.ts";

/** BITS' limit on display names, in characters. */
export const MAX_DISPLAY_NAME = 256;
/** BITS' limit on descriptions, in characters. */
export const MAX_DESCRIPTION = 1024;
/** BITS' limit on remote URLs, in characters. */
export const MAX_URL = 2200;
/** MAX_PATH without the NUL: BITS' limit on local names. */
export const MAX_LOCAL_PATH = 259;

function checkString(argument: string, value: unknown, max: number, allowEmpty: boolean): string {
  if (typeof value !== "string") throw new InvalidArgumentError(argument, `${argument} must be a string`);
  if (!allowEmpty && value.length === 0) throw new InvalidArgumentError(argument, `${argument} must not be empty`);
  if (value.length > max) {
    throw new InvalidArgumentError(
      argument,
      `${argument} is ${value.length} characters, ${value.length - max} over BITS' limit of ${max}`,
    );
  }
  // deno-lint-ignore no-control-regex
  const control = /[\u0000-\u001f\u007f]/.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, "0");
    throw new InvalidArgumentError(
      argument,
      `${argument} contains the control character U+${code} at index ${control.index}`,
    );
  }
  return value;
}

/** Checks a job display name: 1 to 256 characters, no control characters. */
export function checkDisplayName(value: unknown): string {
  return checkString("displayName", value, MAX_DISPLAY_NAME, false);
}

/** Checks a job description: up to 1,024 characters, no control characters. */
export function checkDescription(value: unknown): string {
  return checkString("description", value, MAX_DESCRIPTION, true);
}

/**
 * Checks a download's remote URL: http or https, absolute, with a host, at
 * most 2,200 characters. Returns it unchanged (BITS does no escape processing).
 */
export function checkRemoteUrl(value: unknown, argument = "url"): string {
  const text = checkString(argument, value, MAX_URL, false);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(argument, `${argument} is not an absolute URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidArgumentError(argument, `${argument} must use http or https, not ${url.protocol.slice(0, -1)}`);
  }
  if (url.username || url.password) {
    // Credentials in URLs end up in logs and in `list` output for every administrator.
    throw new InvalidArgumentError(argument, `${argument} must not carry credentials; BITS has a credentials API`);
  }
  return text;
}

const DRIVE_PATH = /^[A-Za-z]:\\/;
const UNC_PATH = /^\\\\[^\\?.][^\\]*\\[^\\]+/;

/**
 * Checks a local path for BITS: a full Windows path (`C:\dir\file` or
 * `\\server\share\file`), at most MAX_PATH, no wildcards, no `\\?\` prefix,
 * no NTFS stream, not ending in a separator.
 */
export function checkLocalPath(value: unknown, argument = "localPath"): string {
  const text = checkString(argument, value, MAX_LOCAL_PATH, false);
  if (!DRIVE_PATH.test(text) && !UNC_PATH.test(text)) {
    throw new InvalidArgumentError(
      argument,
      `${argument} must be a full Windows path like C:\\dir\\file, got ${JSON.stringify(text)}`,
    );
  }
  if (/[*?"<>|]/.test(text)) {
    throw new InvalidArgumentError(argument, `${argument} must not contain wildcards or *?"<>|`);
  }
  if (text.indexOf(":", 2) !== -1) throw new InvalidArgumentError(argument, `${argument} must not name an NTFS stream`);
  if (/[\\/]$/.test(text)) throw new InvalidArgumentError(argument, `${argument} must name a file, not a directory`);
  if (/(^|\\)\.\.?(\\|$)/.test(text.slice(2))) {
    throw new InvalidArgumentError(argument, `${argument} must be normalised (no . or .. segments)`);
  }
  return text;
}

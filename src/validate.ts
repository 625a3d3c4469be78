/**
 * Checks on arguments before they reach BITS, so bad input fails with an
 * {@linkcode InvalidArgumentError} and leaves the queue untouched. Limits are
 * BITS' own (Microsoft's BITS documentation).
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

// ---- Job property limits (src/properties/) ----

/** BITS' limit on custom headers: 16,384 characters including the terminating NUL. */
export const MAX_CUSTOM_HEADERS = 16_384;
/** BITS' limit on the notify command line's parameters, in characters (NUL excluded). */
export const MAX_NOTIFY_PARAMETERS = 4_000;
/** BITS' limit on a proxy or bypass list: 32 KB of UTF-16 including the NUL, i.e. 16,383 characters. */
export const MAX_PROXY_LIST = 32 * 1024 / 2 - 1;
/** BITS' limit on a credential's user name, in characters. */
export const MAX_USER_NAME = 300;
/** BITS' limit on a credential's password, in characters. */
export const MAX_PASSWORD = 65_535;
/** The largest DWORD, the type of BITS' times, intervals and flags. */
export const MAX_UINT32 = 0xffff_ffff;

// RFC 9110 token characters: header names and methods.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Checks a whole number in 0 ..= `max` (a DWORD by default). */
export function checkUint(argument: string, value: unknown, max: number = MAX_UINT32): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(
      argument,
      `${argument} must be a whole number from 0 to ${max}, got ${typeof value === "number" ? value : typeof value}`,
    );
  }
  return value;
}

/** Checks a boolean. */
export function checkBoolean(argument: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new InvalidArgumentError(argument, `${argument} must be true or false`);
  return value;
}

/**
 * Checks custom HTTP headers, one `Name: value` per element, and joins them
 * with CRLF as BITS wants: names are HTTP tokens; CR and LF exist only as
 * the separators this function inserts, NUL and other control characters
 * (but tab) nowhere; the whole text with its NUL fits 16,384 characters.
 * An empty list gives `""` (BITS then removes the headers).
 */
export function checkCustomHeaders(value: unknown, argument = "customHeaders"): string {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(argument, `${argument} must be an array of "Name: value" strings`);
  }
  for (const [index, line] of value.entries()) {
    const where = `${argument}[${index}]`;
    if (typeof line !== "string") throw new InvalidArgumentError(where, `${where} must be a string`);
    // deno-lint-ignore no-control-regex
    const control = /[\u0000-\u0008\u000a-\u001f\u007f]/.exec(line);
    if (control) {
      throw new InvalidArgumentError(
        where,
        `${where} contains U+${control[0].charCodeAt(0).toString(16).padStart(4, "0")} at index ${control.index}; ` +
          "give one header per element (the lines are joined with CRLF)",
      );
    }
    const colon = line.indexOf(":");
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) {
      throw new InvalidArgumentError(where, `${where} must look like "Name: value" with an HTTP token as name`);
    }
  }
  const text = value.join("\r\n");
  if (text.length + 1 > MAX_CUSTOM_HEADERS) {
    throw new InvalidArgumentError(
      argument,
      `${argument} take ${text.length + 1} characters with CRLFs and NUL, ${
        text.length + 1 - MAX_CUSTOM_HEADERS
      } over BITS' limit of ${MAX_CUSTOM_HEADERS}`,
    );
  }
  return text;
}

/** Checks an HTTP method: a non-empty HTTP token such as `PUT` or `PROPFIND`. */
export function checkHttpMethod(value: unknown, argument = "httpMethod"): string {
  if (typeof value !== "string" || !TOKEN.test(value)) {
    throw new InvalidArgumentError(argument, `${argument} must be an HTTP method token such as "GET" or "PUT"`);
  }
  return value;
}

// %NAME%: what cmd.exe and ExpandEnvironmentStrings would replace.
const ENVIRONMENT_REFERENCE = /%[^%\s]+%/;

/**
 * Checks a notify command line. BITS starts `program` (an absolute path,
 * at most MAX_PATH) with `parameters` as its whole command line, so
 * `parameters` must begin with the program path again (quoted when it
 * contains spaces, or the program's argv[0] splits there), then a space and
 * the arguments; at most 4,000 characters. BITS expands no environment
 * variables, so a `%NAME%` reference is refused in both: in the program it
 * would never resolve, in the parameters a shell program would expand it
 * later in the job owner's context. Returns the parameters to pass (`""` for
 * none).
 */
export function checkNotifyCommandLine(program: unknown, parameters: unknown, argument = "notifyCommandLine"): string {
  const path = checkLocalPath(program, `${argument}.program`);
  const inProgram = ENVIRONMENT_REFERENCE.exec(path);
  if (inProgram) {
    throw new InvalidArgumentError(
      `${argument}.program`,
      `${argument}.program contains the environment variable reference ${inProgram[0]}; BITS does not expand ` +
        "environment variables: give the expanded absolute path",
    );
  }
  if (parameters === undefined || parameters === "") return "";
  if (typeof parameters !== "string") {
    throw new InvalidArgumentError(`${argument}.parameters`, `${argument}.parameters must be a string`);
  }
  if (parameters.length > MAX_NOTIFY_PARAMETERS) {
    throw new InvalidArgumentError(
      `${argument}.parameters`,
      `${argument}.parameters is ${parameters.length} characters, ${
        parameters.length - MAX_NOTIFY_PARAMETERS
      } over BITS' limit of ${MAX_NOTIFY_PARAMETERS}`,
    );
  }
  if (parameters.includes("\0")) {
    throw new InvalidArgumentError(`${argument}.parameters`, `${argument}.parameters must not contain NUL`);
  }
  const lower = parameters.toLowerCase();
  // A path with spaces must be quoted: unquoted, the program's argv[0] would end at the first space.
  const heads = /\s/.test(path) ? [`"${path.toLowerCase()}"`] : [path.toLowerCase(), `"${path.toLowerCase()}"`];
  const head = heads.find((p) => lower.startsWith(p) && (lower.length === p.length || /\s/.test(lower[p.length])));
  if (head === undefined) {
    throw new InvalidArgumentError(
      `${argument}.parameters`,
      `${argument}.parameters must begin with the program path${
        /\s/.test(path) ? " in double quotes (it contains spaces)" : ""
      }: BITS passes it as the program's whole command line (argv[0] included), e.g. ${
        JSON.stringify(`"${path}" --job-done`)
      }`,
    );
  }
  const inParameters = ENVIRONMENT_REFERENCE.exec(parameters);
  if (inParameters) {
    throw new InvalidArgumentError(
      `${argument}.parameters`,
      `${argument}.parameters contains the environment variable reference ${inParameters[0]}; BITS passes it ` +
        "unexpanded, and a shell program would expand it in the job owner's context: give the value itself",
    );
  }
  return parameters;
}

/**
 * Checks a proxy or bypass list (entries without whitespace; BITS separates
 * them with spaces) and joins it; the result fits 32 KB with its NUL.
 */
export function checkProxyList(value: unknown, argument: string): string {
  if (!Array.isArray(value)) throw new InvalidArgumentError(argument, `${argument} must be an array of strings`);
  for (const [index, entry] of value.entries()) {
    // deno-lint-ignore no-control-regex
    if (typeof entry !== "string" || entry === "" || /[\s\u0000-\u001f\u007f]/.test(entry)) {
      throw new InvalidArgumentError(
        `${argument}[${index}]`,
        `${argument}[${index}] must be a non-empty string without spaces or control characters`,
      );
    }
  }
  const text = value.join(" ");
  if (text.length > MAX_PROXY_LIST) {
    throw new InvalidArgumentError(
      argument,
      `${argument} is ${text.length} characters joined, ${text.length - MAX_PROXY_LIST} over BITS' 32 KB limit ` +
        `(${MAX_PROXY_LIST} characters)`,
    );
  }
  return text;
}

/**
 * Checks a secret or a user name for BITS: a string of at most `max`
 * characters without NUL. Messages name the argument and a length, never
 * the content.
 */
export function checkSecretString(value: unknown, max: number, argument: string): string {
  if (typeof value !== "string") throw new InvalidArgumentError(argument, `${argument} must be a string`);
  if (value.length > max) {
    throw new InvalidArgumentError(
      argument,
      `${argument} is ${value.length} characters, ${value.length - max} over BITS' limit of ${max}`,
    );
  }
  if (value.includes("\0")) throw new InvalidArgumentError(argument, `${argument} must not contain NUL`);
  return value;
}

/** Checks a certificate store or subject name: 1 to `max` characters, no control characters. */
export function checkName(value: unknown, argument: string, max = 1024): string {
  return checkString(argument, value, max, false);
}

/**
 * File integrity: what a downloaded file is expected to be (size, SHA-256)
 * and the check against it. BITS verifies no content (it compares only size
 * and timestamp, and Wine's BITS even accepts truncated bodies and 500
 * pages), so a caller who knows what a file must be says so, and nothing
 * that differs is accepted silently.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { InvalidArgumentError } from "./errors.ts";

/** What a file must be. Either or both; the size is checked first because it is free. */
export interface FileExpectation {
  /** Exact size in bytes. */
  readonly size?: number;
  /** SHA-256 of the content, 64 hexadecimal digits (either case). */
  readonly sha256?: string;
}

/** What a file was found to be. */
export interface FileFacts {
  /** Size in bytes. */
  readonly size: number;
  /** SHA-256, 64 lower-case hexadecimal digits; absent when no hash was asked for. */
  readonly sha256?: string;
}

/**
 * A file is not what its {@linkcode FileExpectation} says. The file was not
 * accepted: where the check ran after BITS moved it into place, it has been
 * removed (`removed`), so no corrupt file is left under the destination name.
 */
export class IntegrityError extends Error {
  /** Always `"IntegrityError"`. */
  override name = "IntegrityError";
  /** The checked file (the destination path, or BITS' temporary file when checked before completion). */
  readonly path: string;
  /** What was expected. */
  readonly expected: FileExpectation;
  /** What was found. */
  readonly actual: FileFacts;
  /** True when the bad file was deleted. */
  readonly removed: boolean;
  /** The job the file came from, when known. */
  readonly jobId?: string;

  /** Builds the error; the message names expected and actual values. */
  constructor(path: string, expected: FileExpectation, actual: FileFacts, removed: boolean, jobId?: string) {
    const differences = [
      expected.size !== undefined && expected.size !== actual.size
        ? `size ${actual.size} bytes, expected ${expected.size}`
        : "",
      expected.sha256 !== undefined && actual.sha256 !== undefined &&
        expected.sha256.toLowerCase() !== actual.sha256
        ? `SHA-256 ${actual.sha256}, expected ${expected.sha256.toLowerCase()}`
        : "",
    ].filter(Boolean);
    super(
      `${path} is not the expected file: ${differences.join("; ")}${removed ? " (the file was removed)" : ""}${
        jobId ? ` [job ${jobId}]` : ""
      }`,
    );
    this.path = path;
    this.expected = expected;
    this.actual = actual;
    this.removed = removed;
    if (jobId !== undefined) this.jobId = jobId;
  }
}

const SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * Validates an expectation before anything is created.
 *
 * @throws {InvalidArgumentError} for a negative or non-integer size, or a malformed hash.
 */
export function checkExpectation(value: FileExpectation, argument = "expect"): FileExpectation {
  if (value.size !== undefined && (!Number.isSafeInteger(value.size) || value.size < 0)) {
    throw new InvalidArgumentError(`${argument}.size`, `Expected size must be a whole number of bytes ≥ 0`);
  }
  if (value.sha256 !== undefined && (typeof value.sha256 !== "string" || !SHA256.test(value.sha256))) {
    throw new InvalidArgumentError(`${argument}.sha256`, `Expected SHA-256 must be 64 hexadecimal digits`);
  }
  if (value.size === undefined && value.sha256 === undefined) {
    throw new InvalidArgumentError(argument, `An expectation needs a size, a sha256, or both`);
  }
  return value;
}

/** Reads a file's size and, when `withHash`, its SHA-256 in a stream (never the whole file in memory). */
export async function fileFacts(path: string, withHash: boolean): Promise<FileFacts> {
  const { size } = await Deno.stat(path);
  if (!withHash) return { size };
  const hash = createHash("sha256");
  using file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable.values({ preventCancel: true })) hash.update(chunk);
  return { size, sha256: hash.digest("hex") };
}

/** Options of {@linkcode verifyFile}. */
export interface VerifyOptions {
  /** Delete the file when it does not match (default false). */
  readonly removeOnMismatch?: boolean;
  /** The job the file belongs to, for the error message. */
  readonly jobId?: string;
}

/**
 * Checks a file against an expectation. The hash is computed only when one is
 * expected and the size already matches.
 *
 * @throws {IntegrityError} when it does not match (after removing it if asked).
 */
export async function verifyFile(
  path: string,
  expected: FileExpectation,
  options: VerifyOptions = {},
): Promise<FileFacts> {
  checkExpectation(expected);
  let facts = await fileFacts(path, false);
  const sizeOk = expected.size === undefined || expected.size === facts.size;
  if (sizeOk && expected.sha256 !== undefined) facts = await fileFacts(path, true);
  if (sizeOk && (expected.sha256 === undefined || expected.sha256.toLowerCase() === facts.sha256)) return facts;
  let removed = false;
  if (options.removeOnMismatch) {
    await Deno.remove(path);
    removed = true;
  }
  throw new IntegrityError(path, expected, facts, removed, options.jobId);
}

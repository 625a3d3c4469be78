/**
 * `--sha256` and `--size`: what a file must be before a job is accepted, as
 * the library's `FileExpectation`. Shared by `download --wait` and `complete`.
 *
 * @module
 */

import { checkExpectation, type FileExpectation } from "../integrity.ts";
import { type ParsedArgs, UsageError } from "./command.ts";
import { integerOption } from "./option_values.ts";

/** `--sha256` / `--size` as an expectation; `undefined` when neither is given. */
export function expectationOptions(options: ParsedArgs["options"], command: string): FileExpectation | undefined {
  const sha256 = typeof options.sha256 === "string" ? options.sha256 : undefined;
  const size = integerOption(options.size, "size");
  if (sha256 === undefined && size === undefined) return undefined;
  try {
    return checkExpectation({ sha256, size }, "--sha256/--size");
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`, command);
  }
}

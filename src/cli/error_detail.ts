/**
 * An error as the CLI's JSON shows it (`error.schema.json`): its symbolic
 * name, message and the fields its class carries. `main` prints it for a
 * failed command; `doctor` puts it in its report when BITS is unreachable.
 *
 * @module
 */

import { BitsError, InvalidArgumentError } from "../errors.ts";
import { formatHresult } from "../hresult.ts";
import type { IntegrityError } from "../integrity.ts";
import { WmpConventionError } from "../wmp/codec.ts";

/**
 * True when `error` is of the library class named `name`. By name rather
 * than `instanceof` for classes whose modules are heavy to load (Node's
 * crypto, path): the error paths of `main` must not slow every start-up.
 */
export function isError<T extends Error>(error: unknown, name: string): error is T {
  return error instanceof Error && error.name === name;
}

/** The symbolic name of an error: a BITS code, else its class name. */
export function errorName(error: Error): string {
  return error instanceof BitsError ? error.code : error.name;
}

/** The JSON `error` object of `error`. */
export function errorDetail(error: Error): Record<string, unknown> {
  const detail: Record<string, unknown> = { name: errorName(error), message: error.message };
  if (error instanceof BitsError) {
    Object.assign(detail, { hresult: formatHresult(error.hresult), jobId: error.jobId, hint: error.hint });
  }
  if (error instanceof InvalidArgumentError) detail.argument = error.argument;
  if (error instanceof WmpConventionError) detail.field = error.field;
  if (isError<IntegrityError>(error, "IntegrityError")) {
    Object.assign(detail, { path: error.path, expected: error.expected, actual: error.actual, removed: error.removed });
  }
  return detail;
}

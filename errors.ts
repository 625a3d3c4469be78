/**
 * Every error deno-bits throws, and the HRESULT tables behind
 * {@linkcode BitsError}: for code that switches on BITS error codes, logs
 * them or explains them to a user.
 *
 * `BitsError.code` is already the symbolic name (`BG_E_NOT_FOUND`,
 * `BG_E_HTTP_ERROR_404`, `ERROR_WINHTTP_TIMEOUT`, …) and `BitsError.hint`
 * the advice; {@linkcode hresultName}, {@linkcode describeHresult} and
 * {@linkcode hintFor} give the same for a bare number (an exit code, a
 * value from a log).
 *
 * ```ts
 * import { connect } from "@deno-bits/bits";
 * import { BitsError, describeHresult, hresultName } from "@deno-bits/bits/errors";
 *
 * using bits = await connect();
 * try {
 *   using job = await bits.getJob("{0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}");
 *   console.log(job.id);
 * } catch (error) {
 *   if (!(error instanceof BitsError) || error.code !== "BG_E_NOT_FOUND") throw error;
 *   console.log("no such job");
 * }
 * console.log(hresultName(0x80190194), describeHresult(0x80072efd).hint); // BG_E_HTTP_ERROR_404 …
 * ```
 *
 * @module
 */

export {
  BitsError,
  BitsUnavailableError,
  BitsUnsupportedError,
  InvalidArgumentError,
  WmpJobOwnedError,
} from "./src/errors.ts";
export type { BitsErrorDetails, Requirement, UnavailableReason } from "./src/errors.ts";
export { REQUIRES } from "./src/features.ts";
export { AmbiguousJobError } from "./src/resolve.ts";
export { IntegrityError } from "./src/integrity.ts";
export { TransferInterruptedError } from "./src/transfer.ts";
export { WmpConventionError } from "./src/wmp/codec.ts";
export { LibraryFileExistsError } from "./src/wmp/library.ts";
export { ERROR_CONTEXTS } from "./src/types.ts";
export type { ErrorContext, JobErrorInfo } from "./src/types.ts";
export { describeHresult, formatHresult, hintFor, hresultName, isWinHttpError } from "./src/hresult.ts";
export type { HresultInfo } from "./src/hresult.ts";

/**
 * The error the loader throws when BITS cannot be used from this process.
 * It lives in `ffi/`, beside the loader, so that `ffi/` imports nothing from
 * `src/`; `src/errors.ts` re-exports it with the other error classes.
 *
 * @module
 */

/** Why BITS cannot be reached from this process. */
export type UnavailableReason = "platform" | "permission" | "library" | "abi";

/**
 * BITS cannot be used here: not Windows, a permission the shim needs is
 * missing (the message names the flag), the shim DLL could not be installed or
 * loaded, or it was built for another ABI version. The message says what to do.
 */
export class BitsUnavailableError extends Error {
  /** Always `"BitsUnavailableError"`. */
  override name = "BitsUnavailableError";
  /** Which of the conditions applies. */
  readonly reason: UnavailableReason;

  /** Builds the error; `message` must say how to fix it. */
  constructor(reason: UnavailableReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

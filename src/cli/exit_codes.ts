/**
 * The CLI's exit codes, stable and documented (README "CLI").
 *
 * @module
 */

/** Exit codes of `cli.ts`. */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /** A job or BITS error (the job failed, BITS refused a call). */
  Failure: 1,
  /** Bad usage or an invalid argument; nothing was changed. */
  Usage: 2,
  /** A `--timeout` expired. */
  Timeout: 3,
  /** The job was not found, or was cancelled. */
  NotFound: 4,
  /**
   * stdout or stderr was closed by its reader (`bits list | head -1`): the
   * CLI stops quietly with 128 + SIGPIPE, what a shell reports for a program
   * ended by a closed pipe.
   */
  OutputClosed: 141,
} as const;

/** One of {@linkcode ExitCode}'s values. */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode];

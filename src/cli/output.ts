/**
 * Writing to the process's stdout and stderr when the reader may go away:
 * `bits list | head -1`, or a pipe closed at once. A write to a closed pipe
 * becomes an {@linkcode OutputClosedError}, which `main` turns into a quiet
 * exit with {@linkcode ExitCode.OutputClosed}, never a stack trace.
 *
 * @module
 */

/** stdout or stderr was closed by its reader; the CLI ends quietly. */
export class OutputClosedError extends Error {
  /** Always `"OutputClosedError"`. */
  override name = "OutputClosedError";
  /** Which stream. */
  readonly stream: "stdout" | "stderr";

  /** Builds the error. */
  constructor(stream: "stdout" | "stderr", options?: ErrorOptions) {
    super(`${stream} was closed by its reader`, options);
    this.stream = stream;
  }
}

// EPIPE on Linux; ERROR_BROKEN_PIPE, ERROR_NO_DATA and ERROR_PIPE_NOT_CONNECTED on Windows.
const CLOSED_PIPE = /\(os error (?:32|109|232|233)\)/;

/** True when `error` is what a write to a pipe without a reader throws. */
export function isClosedPipe(error: unknown): boolean {
  return error instanceof Deno.errors.BrokenPipe ||
    (error instanceof Error && CLOSED_PIPE.test(error.message));
}

const encoder = new TextEncoder();

/** A writer of all of `text` to `file`; a closed reader throws {@linkcode OutputClosedError}. */
export function streamWriter(
  file: { writeSync(p: Uint8Array): number },
  stream: "stdout" | "stderr",
): (text: string) => void {
  return (text) => {
    let bytes = encoder.encode(text);
    try {
      while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
    } catch (error) {
      if (isClosedPipe(error)) throw new OutputClosedError(stream, { cause: error });
      throw error;
    }
  };
}

/**
 * Runs the CLI in-process (`main(argv, io)`) with a fake io that records
 * both streams: for unit tests of the CLI, which need no BITS.
 *
 * @module
 */

import { type CliIo, main } from "../../src/cli/main.ts";

/** What a CLI run returned and printed. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `argv` and returns its exit code and both streams. */
export async function runMain(...argv: string[]): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stderrIsTerminal: false,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/**
 * What every CLI command shares at run time: where output goes, the
 * JSON/quiet switches and Ctrl+C handling. (Reading option values is
 * `option_values.ts`; this file imports no command machinery, so
 * `command.ts` may name {@linkcode Context} without a cycle.)
 *
 * @module
 */

import { streamWriter } from "./output.ts";

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal (live progress, colours). */
  readonly stderrIsTerminal: boolean;
  /** The terminal's width when stdout is one (help is wrapped to it); absent: 80 columns. */
  readonly columns?: number;
}

/** The process's real streams; a write to a closed pipe throws `OutputClosedError`. */
export function processIo(): CliIo {
  return {
    stdout: streamWriter(Deno.stdout, "stdout"),
    stderr: streamWriter(Deno.stderr, "stderr"),
    stderrIsTerminal: Deno.stderr.isTerminal(),
    columns: terminalColumns(),
  };
}

/** The terminal's width when stdout is a terminal; undefined otherwise. */
function terminalColumns(): number | undefined {
  if (!Deno.stdout.isTerminal()) return undefined;
  try {
    return Deno.consoleSize().columns || undefined;
  } catch {
    return undefined;
  }
}

/** The program name in messages and help. */
export const PROGRAM = "bits";

/** A command's output settings. */
export interface Context {
  readonly io: CliIo;
  readonly json: boolean;
  readonly quiet: boolean;
}

/** Prints a JSON document (with `"version": 1`) or human text. */
export function emit(ctx: Context, document: Record<string, unknown>, human: () => string): void {
  if (ctx.json) ctx.io.stdout(JSON.stringify({ version: 1, ...document }, null, 2) + "\n");
  else if (!ctx.quiet) ctx.io.stdout(human() + "\n");
}

/** Aborts on Ctrl+C (and SIGBREAK on Windows) until disposed, so commands end cleanly. */
export function interruptSignal(): AbortController & Disposable {
  const controller = new AbortController();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM"];
  const onSignal = (): void => controller.abort(new DOMException("Interrupted", "AbortError"));
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  return Object.assign(controller, {
    [Symbol.dispose]: () => {
      for (const s of signals) Deno.removeSignalListener(s, onSignal);
    },
  });
}

/**
 * The CLI: commands, output (human on a terminal, JSON with `--json`), exit
 * codes and logging setup. `cli.ts` calls {@linkcode main}.
 *
 * @module
 */

import type { LogLevel, Sink } from "@logtape/logtape";
import { BitsError, BitsUnavailableError, InvalidArgumentError, WmpJobOwnedError } from "../errors.ts";
import { WmpConventionError } from "../wmp/codec.ts";
import type { LibraryFileExistsError } from "../wmp/library.ts";
import { commandName, DEFAULT_HELP_WIDTH, helpText, parseCommandLine, type ParsedArgs, UsageError } from "./args.ts";
import type { Command, CommandSpec, OptionValue } from "./command.ts";
import { COMMAND_INDEX, loadAllCommands, loadCommand } from "./command_index.ts";
import { type CliIo, type Context, processIo, PROGRAM } from "./context.ts";
import { errorDetail, errorName, isError } from "./error_detail.ts";
import { ExitCode } from "./exit_codes.ts";
import { OutputClosedError } from "./output.ts";

export { processIo };
export type { CliIo };

/**
 * Runs the CLI with `argv` (without the program name) and returns the exit
 * code. Never throws: every error is printed and mapped to an exit code.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let parsed: ParsedArgs;
  let command: Command | undefined;
  try {
    // Only the named command's module is loaded; the others are names, enough to parse and suggest.
    const name = commandName(argv, COMMAND_NAMES);
    const table: Record<string, CommandSpec> = Object.fromEntries(COMMAND_NAMES.map((n) => [n, UNLOADED]));
    if (name !== undefined) table[name] = command = await loadCommand(name);
    parsed = parseCommandLine(argv, table);
    if (parsed.command !== "help" && parsed.command !== name) command = await loadCommand(parsed.command);
  } catch (error) {
    return reportError({ io, json: argv.includes("--json"), quiet: false }, error);
  }
  const ctx: Context = { io, json: parsed.options.json === true, quiet: parsed.options.quiet === true };
  const logs = parsed.command !== "help" && command?.logs !== false ||
    parsed.options.verbose === true || parsed.options["log-file"] !== undefined;
  let reset: (() => Promise<void>) | undefined;
  try {
    if (logs) {
      reset = await configureLogging(
        io,
        parsed.options.verbose === true ? "debug" : ctx.quiet ? "error" : "warning",
        parsed.options["log-file"],
      );
    }
  } catch (error) {
    return reportError(ctx, error);
  }
  try {
    if (parsed.command === "help") return await help(ctx, parsed.args.command);
    return await command!.run(ctx, parsed);
  } catch (error) {
    return reportError(ctx, error);
  } finally {
    await reset?.();
  }
}

/** What an unloaded command looks like to the parser: a name, enough to find and suggest it. */
const UNLOADED: CommandSpec = { summary: "", positionals: [], options: {}, examples: [] };

/** Every command name, in help order. */
const COMMAND_NAMES = Object.keys(COMMAND_INDEX);

/** The overview, a command's help or a group's (which load the commands they describe). */
async function help(ctx: Context, topic: string | undefined): Promise<number> {
  const table: Record<string, CommandSpec> = topic !== undefined && Object.hasOwn(COMMAND_INDEX, topic)
    ? { [topic]: await loadCommand(topic) }
    : await loadAllCommands();
  ctx.io.stdout(helpText(PROGRAM, table, topic, ctx.io.columns ?? DEFAULT_HELP_WIDTH) + "\n");
  return ExitCode.Ok;
}

/** The CLI's logger once logging is configured (the stack of an unexpected error goes there). */
let cliLogger: { debug(message: string, properties: Record<string, unknown>): void } | undefined;

/**
 * Logs go to stderr at the level `--verbose`/`--quiet` choose and, with
 * `--log-file`, also to that file at debug level (so a quiet run still
 * leaves a full trace for later).
 */
async function configureLogging(
  io: CliIo,
  stderrLevel: LogLevel,
  logFile: OptionValue,
): Promise<() => Promise<void>> {
  if (logFile !== undefined && (typeof logFile !== "string" || logFile === "")) {
    throw new UsageError("--log-file takes one file path");
  }
  // Loaded here, not at start-up: a command that never logs (`version`) starts without LogTape.
  const { configure, getLogger, getTextFormatter, reset, withFilter } = await import("@logtape/logtape");
  const format = getTextFormatter();
  const sinks: Record<string, Sink> = {
    // A closed stderr drops log lines rather than failing the code that logs (a cancel after a failure…).
    stderr: withFilter((record) => {
      try {
        io.stderr(format(record));
      } catch {
        // Nobody reads them.
      }
    }, stderrLevel),
  };
  if (logFile) {
    // Opened now, not lazily: a bad path is then a clean usage error up front, not LogTape's own fatal
    // record at the first log line while the command goes on.
    // Loaded only when asked for: the file sink and its Node file APIs cost every command's start-up otherwise.
    const { getFileSink } = await import("@logtape/file");
    try {
      sinks.file = getFileSink(logFile, { formatter: format });
    } catch (error) {
      throw new UsageError(`--log-file: cannot write ${logFile}: ${(error as Error).message}`);
    }
  }
  const names = Object.keys(sinks);
  await configure({
    reset: true,
    sinks,
    loggers: [
      { category: ["deno-bits"], lowestLevel: logFile ? "debug" : stderrLevel, sinks: names },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: names },
    ],
  });
  cliLogger = getLogger(["deno-bits", "cli"]);
  return async () => {
    cliLogger = undefined;
    await reset();
  };
}

/** The exit code and the hint for an error. */
export function classifyError(error: unknown): { code: number; hint?: string } {
  if (error instanceof UsageError) {
    return { code: ExitCode.Usage, hint: `see '${[PROGRAM, error.command, "--help"].filter(Boolean).join(" ")}'` };
  }
  if (error instanceof InvalidArgumentError || error instanceof WmpConventionError) return { code: ExitCode.Usage };
  if (error instanceof WmpJobOwnedError) return { code: ExitCode.Failure, hint: "add --force to override" };
  if (isError<LibraryFileExistsError>(error, "LibraryFileExistsError")) {
    return { code: ExitCode.Failure, hint: "the job was left as it was" };
  }
  if (error instanceof DOMException && error.name === "TimeoutError") return { code: ExitCode.Timeout };
  if (error instanceof DOMException && error.name === "AbortError") return { code: ExitCode.Failure };
  if (error instanceof BitsUnavailableError) return { code: ExitCode.Failure };
  if (error instanceof BitsError) {
    if (error.code === "BG_E_NOT_FOUND") return { code: ExitCode.NotFound, hint: `'${PROGRAM} list' shows the queue` };
    if (error.state === "CANCELLED") return { code: ExitCode.NotFound };
    if ((error.state === "ERROR" || error.state === "TRANSIENT_ERROR") && error.jobId) {
      return {
        code: ExitCode.Failure,
        hint: `the job stays queued: '${PROGRAM} info ${error.jobId}', '${PROGRAM} cancel ${error.jobId}'`,
      };
    }
    return { code: ExitCode.Failure };
  }
  return { code: ExitCode.Failure };
}

/**
 * Prints an error and returns its exit code. A closed stdout or stderr ends
 * the CLI quietly: nothing more is written, the status says so (or, when
 * only the report of another error could not be written, that error's).
 */
function reportError(ctx: Context, error: unknown): number {
  if (error instanceof OutputClosedError) return ExitCode.OutputClosed;
  const { code } = classifyError(error);
  try {
    writeError(ctx, error);
  } catch (writeError) {
    if (!(writeError instanceof OutputClosedError)) throw writeError;
  }
  return code;
}

function writeError(ctx: Context, error: unknown): void {
  const { code, hint } = classifyError(error);
  const err = error instanceof Error ? error : new Error(String(error));
  const name = errorName(err);
  if (ctx.json) ctx.io.stdout(JSON.stringify({ version: 1, error: errorDetail(err) }, null, 2) + "\n");
  // A BitsError's message already carries its symbolic name; a usage error is told in our words, with no class name.
  const label = err instanceof UsageError || err.message.includes(name) ? "" : `${name}: `;
  ctx.io.stderr(`error: ${label}${err.message}\n`);
  if (hint) ctx.io.stderr(`hint: ${hint}\n`);
  // What to do about the code itself (interactive logon, proxy credentials …), from src/hresult.ts.
  if (err instanceof BitsError && err.hint && err.hint !== hint) ctx.io.stderr(`hint: ${err.hint}\n`);
  if (code === ExitCode.Failure && !(err instanceof BitsError) && !(err instanceof BitsUnavailableError)) {
    cliLogger?.debug("{stack}", { stack: err.stack ?? "" });
  }
}

/**
 * What a CLI command is: its arguments, help and examples (the parser and the
 * help text are generated from these), and the function that runs it; and
 * the option specs several commands share, each defined once here.
 * Each command is one file, `<name>.ts` (`add_file.ts`, `wmp_finish.ts`),
 * exporting `command`; `command_index.ts` lists them all, in help order.
 *
 * @module
 */

import type { Context } from "./context.ts";

/**
 * How a duration option reads its value (the grammar is in `duration.ts`):
 * what a bare number means, and whether zero is allowed.
 */
export interface DurationRule {
  /** The unit of a bare number (`"s"`: seconds), or null when a unit is required. */
  readonly bare: "s" | null;
  /** Zero is a valid value (a BITS property may be 0; a timeout may not). */
  readonly zero?: boolean;
}

/** An option of a command. */
export interface OptionSpec {
  /** `boolean` for flags, `string` for options taking a value. */
  readonly type: "boolean" | "string";
  /** One-letter alias. */
  readonly short?: string;
  /** Value placeholder in help. */
  readonly value?: string;
  /** The option may be given several times; its value is then a list. */
  readonly multiple?: boolean;
  /** One line of help. */
  readonly description: string;
  /** Set for an option taking a duration: the parser checks it against the one duration grammar. */
  readonly duration?: DurationRule;
}

/** A command's arguments and help. */
export interface CommandSpec {
  /** One line of help. */
  readonly summary: string;
  /** Positional argument names, in order; all required. */
  readonly positionals: readonly string[];
  /** Name of a trailing list of any number of further positionals (e.g. `ids`). */
  readonly rest?: string;
  /** Options besides the global ones. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Example invocations (without the program name). */
  readonly examples: readonly string[];
}

/** An option's parsed value: a list for options that may repeat. */
export type OptionValue = string | boolean | (string | boolean)[] | undefined;

/** A parsed command line. */
export interface ParsedArgs {
  /** The command, or `"help"` when none was given. */
  readonly command: string;
  /** Positional arguments by name. */
  readonly args: Readonly<Record<string, string>>;
  /** The trailing list of a command with `rest`. */
  readonly rest?: readonly string[];
  /** Option values by name. */
  readonly options: Readonly<Record<string, OptionValue>>;
}

/** A command: its spec and what runs it. */
export interface Command extends CommandSpec {
  /**
   * False for a command that never logs (`version`): it then starts without
   * loading the logging library, unless `--verbose` or `--log-file` asks for logs.
   */
  readonly logs?: boolean;
  /** Runs the command; returns the exit code. */
  readonly run: (ctx: Context, parsed: ParsedArgs) => Promise<number> | number;
}

/** What a command's file exports: the command, always under this one name. */
export interface CommandModule {
  /** The command the file defines. */
  readonly command: Command;
}

/** A bad command line; the message says what is wrong. */
export class UsageError extends Error {
  /** Always `"UsageError"`. */
  override name = "UsageError";
  /** The command concerned, when known (its help is shown). */
  readonly command?: string;

  /** Builds the error. */
  constructor(message: string, command?: string) {
    super(message);
    if (command !== undefined) this.command = command;
  }
}

/** `--force`, shared by the commands that refuse to touch the Player's WMP_JOB jobs. */
export const FORCE_OPTION: OptionSpec = {
  type: "boolean",
  description: "Act on a Windows Media Player WMP_JOB job anyway (the Player owns it)",
};

/** `--all-users`, shared by the commands that may look at every user's jobs. */
export const ALL_USERS_OPTION: OptionSpec = {
  type: "boolean",
  description: "All users' jobs (needs administrator rights)",
};

/** `--max-transient-errors N`, shared by the commands that wait for a transfer (the API's `transientErrorLimit`). */
export const MAX_TRANSIENT_ERRORS_OPTION: OptionSpec = {
  type: "string",
  value: "N",
  description: "Give up (exit 1) once the job has entered TRANSIENT_ERROR N times; default: keep waiting",
};

/** `--root DIR`: every destination must resolve inside DIR (no `..`, links, UNC, streams leading out). */
export const ROOT_OPTION: OptionSpec = {
  type: "string",
  value: "DIR",
  description: "Refuse any destination that resolves outside DIR (.., links, UNC paths, streams)",
};

/** `--name PATTERN`, shared by the commands that filter jobs by display name (`filters.ts`' `nameMatcher`). */
export const NAME_PATTERN_OPTION: OptionSpec = {
  type: "string",
  value: "PATTERN",
  description: "Only jobs whose display name contains PATTERN (any case); with * or ? a glob over the whole name",
};

/** The placeholder of every duration option in help. */
export const DURATION_VALUE = "DURATION";

/** `--timeout DURATION`, shared by the commands that wait: give up after this long (exit 3). */
export const TIMEOUT_OPTION: OptionSpec = {
  type: "string",
  value: DURATION_VALUE,
  duration: { bare: "s" },
  description: "Give up after this long (exit 3): 90s, 10m, 2h, or seconds",
};

/** `--timeout DURATION` of the commands where it needs `--wait`. */
export const WAIT_TIMEOUT_OPTION: OptionSpec = {
  ...TIMEOUT_OPTION,
  description: `${TIMEOUT_OPTION.description}; with --wait only`,
};

/** `--interval DURATION`, shared by the commands that poll. */
export const INTERVAL_OPTION: OptionSpec = {
  type: "string",
  value: DURATION_VALUE,
  duration: { bare: "s" },
  description: "Watchdog poll interval (default 1s): 500ms, 2s, or seconds",
};

/** `--overwrite`, shared by the commands that add files: a destination that exists is replaced. */
export const OVERWRITE_OPTION: OptionSpec = {
  type: "boolean",
  description: "Allow destinations that already exist (they are replaced)",
};

/** `--from-file LIST`, shared by the commands that add files from lists (`download`, `add-file`). */
export const FROM_FILE_OPTION: OptionSpec = {
  type: "string",
  value: "LIST",
  multiple: true,
  description: 'A file list: "URL DEST" per line, # comments, "quoted paths" (repeatable)',
};

/** `--description TEXT`, shared by the commands that create a job and by `set`. */
export const DESCRIPTION_OPTION: OptionSpec = {
  type: "string",
  value: "TEXT",
  description: "Job description (up to 1,024 characters)",
};

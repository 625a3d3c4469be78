/**
 * The CLI's commands and their arguments, parsed with `node:util` parseArgs.
 * Every command's help text, with examples, is generated from this table.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** An option of a command. */
export interface OptionSpec {
  /** `boolean` for flags, `string` for options taking a value. */
  readonly type: "boolean" | "string";
  /** One-letter alias. */
  readonly short?: string;
  /** Value placeholder in help. */
  readonly value?: string;
  /** One line of help. */
  readonly description: string;
}

/** A command of the CLI. */
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

const FORCE: OptionSpec = {
  type: "boolean",
  description: "Act on a Windows Media Player WMP_JOB job anyway (the Player owns it)",
};

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: "boolean", description: 'Print one JSON document on stdout ("version": 1)' },
  verbose: { type: "boolean", short: "v", description: "Log debug details to stderr" },
  quiet: { type: "boolean", short: "q", description: "Print only errors on stderr" },
  help: { type: "boolean", short: "h", description: "Show help" },
};

/** The command table. */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  download: {
    summary: "Create a download job for one file, resume it, and optionally wait and complete it",
    positionals: ["url", "dest"],
    options: {
      name: { type: "string", value: "NAME", description: "Display name (default: the destination file name)" },
      description: { type: "string", value: "TEXT", description: "Job description (up to 1,024 characters)" },
      overwrite: { type: "boolean", description: "Allow replacing an existing destination" },
      wait: { type: "boolean", short: "w", description: "Wait for the transfer, then complete the job" },
      timeout: { type: "string", value: "SECONDS", description: "With --wait: give up after this long (exit 3)" },
      sha256: {
        type: "string",
        value: "HEX",
        description: "With --wait: the file's SHA-256; a mismatch is removed (exit 1)",
      },
      size: {
        type: "string",
        value: "BYTES",
        description: "With --wait: the file's exact size; a mismatch is removed",
      },
    },
    examples: [
      "download https://example.com/a.iso C:\\Downloads\\a.iso",
      "download https://example.com/a.iso a.iso --wait --sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "download https://example.com/a.iso .\\a.iso --wait --timeout 3600",
      "download https://example.com/a.iso a.iso --json",
    ],
  },
  list: {
    summary: "List the jobs in the queue, newest first",
    positionals: [],
    options: {
      "all-users": { type: "boolean", description: "All users' jobs (needs administrator rights)" },
    },
    examples: ["list", "list --json"],
  },
  info: {
    summary: "Show one job's state, progress, error and files",
    positionals: ["id"],
    options: {},
    examples: [
      "info {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}",
      "info 0f3c1c2e --json",
      'info "nightly backup"',
    ],
  },
  complete: {
    summary: "Complete a transferred job: BITS moves its files into place",
    positionals: ["id"],
    options: {
      force: FORCE,
      sha256: {
        type: "string",
        value: "HEX",
        description: "The (single) file's SHA-256; checked before it is accepted",
      },
      size: { type: "string", value: "BYTES", description: "The (single) file's exact size; checked likewise" },
    },
    examples: [
      "complete {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}",
      "complete 0f3c1c2e --size 1048576",
    ],
  },
  cancel: {
    summary: "Cancel a job and delete its temporary files",
    positionals: ["id"],
    options: { force: FORCE },
    examples: ["cancel {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}", 'cancel "nightly backup"'],
  },
  submit: {
    summary: "Queue a Windows Media Player convention job for one media file (.wma, .wmv, .mp3, .asf)",
    positionals: ["url", "dest"],
    options: {
      provider: { type: "string", value: "KEY", description: "Online store key name (required)" },
      artist: { type: "string", value: "TEXT", description: "Album artist" },
      album: { type: "string", value: "TEXT", description: "Album title" },
      track: { type: "string", value: "N", description: "Track number, 1 or more (required)" },
      title: { type: "string", value: "TEXT", description: "Track title" },
      duration: { type: "string", value: "SECONDS", description: "Duration in whole seconds (required)" },
      rating: { type: "string", value: "R", description: "User rating: 0, 1, 25, 50, 75 or 99 (default 0)" },
      "service-id": { type: "string", value: "N", description: "Service id 1..2147483647 (default: random)" },
      status: { type: "boolean", description: "WMP_STATUS: the Player only shows progress; finish with 'wmp finish'" },
      name: { type: "string", value: "NAME", description: "Display name (default: the title)" },
      overwrite: { type: "boolean", description: "Allow replacing an existing destination" },
    },
    examples: [
      'submit https://store.example/t/3.wma C:\\Music\\Incoming\\3.wma --provider Proseware --artist "Example Artist" --album "Example Album" --track 3 --title "Example Track" --duration 245 --rating 75',
      "submit https://store.example/t/3.mp3 3.mp3 --provider Proseware --track 3 --duration 245 --status --service-id 305419896 --json",
    ],
  },
  "wmp finish": {
    summary: "Complete a WMP_STATUS job and file its media as <Artist>\\<Album>\\<NN> <Title>.<ext>",
    positionals: ["id"],
    options: {
      library: { type: "string", value: "DIR", description: "Library root (required)" },
      wait: { type: "boolean", short: "w", description: "Wait for the transfer first" },
      timeout: { type: "string", value: "SECONDS", description: "With --wait: give up after this long (exit 3)" },
    },
    examples: ["wmp finish {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10} --library C:\\Users\\me\\Music --wait"],
  },
  "wmp list": {
    summary: "Show the convention jobs in the queue, as the Player's download collection",
    positionals: [],
    options: { "service-id": { type: "string", value: "N", description: "Only this service's jobs" } },
    examples: ["wmp list", "wmp list --service-id 305419896 --json"],
  },
  "wmp refresh": {
    summary: "Show or set RefreshDownload (HKCU): whether the Player scans the BITS queue",
    positionals: [],
    options: {
      enable: { type: "boolean", description: "Set RefreshDownload to 1" },
      disable: { type: "boolean", description: "Set RefreshDownload to 0" },
      status: { type: "boolean", description: "Show the value (the default)" },
    },
    examples: ["wmp refresh --status", "wmp refresh --enable --json"],
  },
  watch: {
    summary: "Watch jobs until they settle (transferred, failed, completed or cancelled), with live progress",
    positionals: [],
    rest: "ids",
    options: {
      all: { type: "boolean", description: "Watch the whole queue, including jobs that appear later" },
      interval: { type: "string", value: "SECONDS", description: "Watchdog poll interval (default 1)" },
      "idle-interval": {
        type: "string",
        value: "SECONDS",
        description: "Poll interval for idle jobs (default 5 × --interval; = --interval polls all alike)",
      },
    },
    examples: [
      "watch {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}",
      "watch --all",
      "watch --all --json",
      "watch --all --interval 2 --idle-interval 30",
    ],
  },
  wait: {
    summary: "Wait for a job to be transferred; exit 0 done, 1 job error, 3 timeout, 4 cancelled or vanished",
    positionals: ["id"],
    options: {
      complete: { type: "boolean", description: "Complete the job once it is transferred" },
      timeout: { type: "string", value: "SECONDS", description: "Give up after this long (exit 3)" },
      interval: { type: "string", value: "SECONDS", description: "Watchdog poll interval (default 1)" },
    },
    examples: ["wait {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10} --complete --timeout 600"],
  },
  doctor: {
    summary: "Check BITS: reachable?, version, capabilities, Wine, shim location and ABI; exit 1 when unreachable",
    positionals: [],
    options: {},
    examples: ["doctor", "doctor --json"],
  },
  version: {
    summary: "Print the module and shim versions",
    positionals: [],
    options: {},
    examples: ["version", "version --json"],
  },
};

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

/** A parsed command line. */
export interface ParsedArgs {
  /** The command, or `"help"` when none was given. */
  readonly command: string;
  /** Positional arguments by name. */
  readonly args: Readonly<Record<string, string>>;
  /** The trailing list of a command with `rest`. */
  readonly rest?: readonly string[];
  /** Option values by name. */
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
}

type ParseArgsOptions = Record<string, { type: "boolean" | "string"; short?: string }>;

function toParseArgsOptions(specs: Readonly<Record<string, OptionSpec>>): ParseArgsOptions {
  const out: ParseArgsOptions = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  return out;
}

/**
 * Parses `argv` (without the program name).
 *
 * @throws {UsageError} for an unknown command or option, a missing or extra argument.
 */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const first = argv.findIndex((arg) => !arg.startsWith("-"));
  if (first === -1) {
    // Only options: `--help`, `--version` or nothing at all.
    const { values } = parseOrThrow([...argv], { ...toParseArgsOptions(GLOBAL_OPTIONS), version: { type: "boolean" } });
    return { command: values.version ? "version" : "help", args: {}, options: values };
  }
  // Two-word commands (`wmp finish`) take the word after the first as part of the name.
  const pair = `${argv[first]} ${argv[first + 1] ?? ""}`;
  const words = COMMANDS[pair] ? 2 : 1;
  const command = words === 2 ? pair : argv[first];
  if (command === "help") {
    const topic = argv.slice(first + 1).filter((a) => !a.startsWith("-")).join(" ");
    return { command: "help", args: topic ? { command: topic } : {}, options: {} };
  }
  const spec = COMMANDS[command];
  if (!spec) {
    const group = Object.keys(COMMANDS).filter((name) => name.startsWith(`${command} `));
    throw new UsageError(
      group.length
        ? `${command} needs a subcommand: ${group.map((g) => g.split(" ")[1]).join(", ")}`
        : `Unknown command ${JSON.stringify(command)}; see --help`,
    );
  }
  const rest = [...argv.slice(0, first), ...argv.slice(first + words)];
  const { values, positionals } = parseOrThrow(
    rest,
    toParseArgsOptions({ ...GLOBAL_OPTIONS, ...spec.options }),
    command,
  );
  if (values.help) return { command: "help", args: { command }, options: values };
  if (positionals.length < spec.positionals.length) {
    throw new UsageError(`${command}: missing <${spec.positionals[positionals.length]}>`, command);
  }
  if (positionals.length > spec.positionals.length && !spec.rest) {
    throw new UsageError(
      `${command}: unexpected argument ${JSON.stringify(positionals[spec.positionals.length])}`,
      command,
    );
  }
  const args = Object.fromEntries(spec.positionals.map((name, i) => [name, positionals[i]]));
  if (spec.rest) return { command, args, rest: positionals.slice(spec.positionals.length), options: values };
  return { command, args, options: values };
}

function parseOrThrow(
  args: string[],
  options: ParseArgsOptions,
  command?: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    // `--` ends options, so a positional may start with a dash.
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
}

/** Parses a `--timeout` value in seconds into milliseconds. */
export function parseSeconds(value: string | boolean | undefined, option: string): number | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--${option} takes a positive number of seconds, got ${JSON.stringify(value)}`);
  }
  return seconds * 1000;
}

function optionLine(name: string, spec: OptionSpec): string {
  const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`;
  return `  ${flag.padEnd(28)}${spec.description}`;
}

/** Help text for one command, or the overview when `command` is undefined. */
export function helpText(program: string, command?: string): string {
  const spec = command ? COMMANDS[command] : undefined;
  if (!spec) {
    const names = Object.keys(COMMANDS);
    const width = Math.max(...names.map((n) => n.length)) + 2;
    return [
      "Drive Windows BITS (Background Intelligent Transfer Service) jobs.",
      "",
      `Usage: ${program} <command> [options]`,
      "",
      "Commands:",
      ...names.map((name) => `  ${name.padEnd(width)}${COMMANDS[name].summary}`),
      "",
      "Options:",
      ...Object.entries(GLOBAL_OPTIONS).map(([name, s]) => optionLine(name, s)),
      "",
      `Run '${program} <command> --help' for a command's options and examples.`,
      "A job <id> is its GUID, a unique prefix of it (4 or more hex digits), or a unique display name.",
      "Exit codes: 0 ok, 1 job or BITS error, 2 usage, 3 timeout, 4 not found or cancelled.",
    ].join("\n");
  }
  return [
    spec.summary,
    "",
    `Usage: ${program} ${command}${spec.positionals.map((p) => ` <${p}>`).join("")}${
      spec.rest ? ` [${spec.rest}...]` : ""
    } [options]`,
    "",
    "Options:",
    ...Object.entries({ ...spec.options, ...GLOBAL_OPTIONS }).map(([name, s]) => optionLine(name, s)),
    "",
    "Examples:",
    ...spec.examples.map((e) => `  ${program} ${e}`),
  ].join("\n");
}

/**
 * The CLI's command-line parser and help text, both generated from a table
 * of command specs (see `command_index.ts`). The parser is our own (a few dozen
 * lines) rather than `node:util`'s, so every mistake is explained in this
 * CLI's words, with a "did you mean", and start-up loads no Node
 * compatibility layer.
 *
 * @module
 */

import type { CommandSpec, OptionSpec, OptionValue, ParsedArgs } from "./command.ts";
import { UsageError } from "./command.ts";
import { displayWidth, padEndDisplay, wrapText } from "./display_width.ts";
import { parseDuration } from "./duration.ts";
import { didYouMean } from "./suggest.ts";

export { UsageError };
export type { CommandSpec, OptionSpec, ParsedArgs };

/** A table of commands by name (two-word names like `wmp finish` included). */
export type CommandTable = Readonly<Record<string, CommandSpec>>;

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: "boolean", description: 'Print one JSON document on stdout ("version": 1)' },
  verbose: { type: "boolean", short: "v", description: "Log debug details to stderr" },
  quiet: { type: "boolean", short: "q", description: "Print only errors on stderr" },
  "log-file": { type: "string", value: "PATH", description: "Also write the log (debug level) to this file" },
  help: { type: "boolean", short: "h", description: "Show help" },
};

/** `--version`: accepted without a command only (the same as `bits version`). */
const VERSION_OPTION: OptionSpec = { type: "boolean", description: "Print the version (as 'version' does)" };

/** The help width off a terminal. */
export const DEFAULT_HELP_WIDTH = 80;

type Specs = Readonly<Record<string, OptionSpec>>;

/** The group names (`wmp`) of the two-word commands. */
function groups(commands: CommandTable): Set<string> {
  return new Set(Object.keys(commands).filter((n) => n.includes(" ")).map((n) => n.split(" ")[0]));
}

/** The subcommands of `group`, by their second word. */
function groupMembers(commands: CommandTable, group: string): string[] {
  return Object.keys(commands).filter((n) => n.startsWith(`${group} `)).map((n) => n.split(" ")[1]);
}

/** Every word a user may type as a command (two-word names as their group). */
function commandWords(commands: CommandTable): string[] {
  return [...new Set([...Object.keys(commands).map((n) => n.split(" ")[0]), "help"])];
}

/** Index of the first argument that is not an option or a global option's value, or -1. */
function firstWord(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") return i + 1 < argv.length ? i + 1 : -1;
    if (!arg.startsWith("-") || arg === "-") return i;
    // A global option's value is not the command (`--log-file run.log list`).
    if (arg === "--log-file") i++;
  }
  return -1;
}

/**
 * The command `argv` runs (a two-word one included), or undefined when it
 * names none (help, a bare group, an unknown word): what `main` loads
 * before parsing with the command's spec.
 */
export function commandName(argv: readonly string[], names: Iterable<string>): string | undefined {
  const known = new Set(names);
  const first = firstWord(argv);
  if (first === -1) return undefined;
  const pair = `${argv[first]} ${argv[first + 1] ?? ""}`;
  if (known.has(pair)) return pair;
  return known.has(argv[first]) ? argv[first] : undefined;
}

/**
 * Parses `argv` (without the program name).
 *
 * @throws {UsageError} for an unknown command or option, a missing or extra argument.
 */
export function parseCommandLine(argv: readonly string[], commands: CommandTable): ParsedArgs {
  const first = firstWord(argv);
  if (first === -1) {
    // Only options: `--help`, `--version` or nothing at all.
    const { values } = parseOptions([...argv], { ...GLOBAL_OPTIONS, version: VERSION_OPTION });
    return { command: values.version ? "version" : "help", args: {}, options: values };
  }
  const word = argv[first];
  if (word === "help") {
    const topic = argv.slice(first + 1).filter((a) => !a.startsWith("-"));
    if (topic.length === 0) return { command: "help", args: {}, options: {} };
    return { command: "help", args: { command: helpTopic(topic, commands) }, options: {} };
  }
  // Two-word commands (`wmp finish`) take the word after the first as part of the name.
  const next = argv[first + 1];
  const pair = `${word} ${next ?? ""}`;
  const words = commands[pair] ? 2 : 1;
  const command = words === 2 ? pair : word;
  const spec = commands[command];
  const rest = [...argv.slice(0, first), ...argv.slice(first + words)];
  if (!spec) {
    if (groups(commands).has(word)) {
      // `bits wmp --help`: the group's help.
      if (rest.some((a) => a === "--help" || a === "-h")) {
        return { command: "help", args: { command: word }, options: {} };
      }
      const members = groupMembers(commands, word);
      const typed = next !== undefined && !next.startsWith("-") ? next : undefined;
      throw new UsageError(
        typed === undefined
          ? `${word} needs a subcommand: ${members.join(", ")}`
          : `${word} needs a subcommand: ${members.join(", ")}; '${word} ${typed}' is not one${
            didYouMean(typed, members, `${word} `)
          }`,
        word,
      );
    }
    throw new UsageError(`unknown command '${word}'${didYouMean(word, commandWords(commands))}`);
  }
  const { values, positionals } = parseOptions(rest, { ...GLOBAL_OPTIONS, ...spec.options }, command);
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

/** The command or group `help <topic…>` names. */
function helpTopic(topic: readonly string[], commands: CommandTable): string {
  const two = topic.slice(0, 2).join(" ");
  if (commands[two]) return two;
  if (commands[topic[0]] || groups(commands).has(topic[0])) return topic[0];
  throw new UsageError(`help: unknown command '${topic[0]}'${didYouMean(topic[0], commandWords(commands))}`);
}

/** The option a long or short name refers to, or a usage error with a suggestion. */
function lookup(name: string, short: boolean, specs: Specs, command?: string): [string, OptionSpec] {
  if (short) {
    const found = Object.entries(specs).find(([, s]) => s.short === name);
    if (found) return found;
    throw new UsageError(`${command ? `${command}: ` : ""}unknown option -${name}`, command);
  }
  if (Object.hasOwn(specs, name)) return [name, specs[name]];
  throw new UsageError(
    `${command ? `${command}: ` : ""}unknown option --${name}${didYouMean(name, Object.keys(specs), "--")}`,
    command,
  );
}

/** Parses options and positionals against `specs`: `--name value`, `--name=value`, `-x`, `-vq`, `--` ends options. */
function parseOptions(
  args: readonly string[],
  specs: Specs,
  command?: string,
): { values: Record<string, OptionValue>; positionals: string[] } {
  const values: Record<string, OptionValue> = {};
  const positionals: string[] = [];
  const set = (name: string, spec: OptionSpec, value: string | true): void => {
    // A duration is checked here, against the one grammar, so every duration option reads alike.
    if (spec.duration && typeof value === "string") parseDuration(value, name, spec.duration, command);
    if (spec.multiple) values[name] = [...(values[name] as (string | boolean)[] | undefined ?? []), value];
    else values[name] = value;
  };
  const where = command ? `${command}: ` : "";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const [name, spec] = lookup(eq < 0 ? arg.slice(2) : arg.slice(2, eq), false, specs, command);
      if (spec.type === "boolean") {
        if (eq >= 0) throw new UsageError(`${where}--${name} is a switch and takes no value`, command);
        set(name, spec, true);
        continue;
      }
      if (eq >= 0) {
        set(name, spec, arg.slice(eq + 1));
        continue;
      }
      set(name, spec, valueAfter(args, i++, `--${name}`, spec, where, command));
      continue;
    }
    // Short options: `-w`, `-vq`, or a short option taking a value.
    const letters = arg.slice(1);
    for (let j = 0; j < letters.length; j++) {
      const [name, spec] = lookup(letters[j], true, specs, command);
      if (spec.type === "boolean") {
        set(name, spec, true);
        continue;
      }
      if (j < letters.length - 1) set(name, spec, letters.slice(j + 1));
      else set(name, spec, valueAfter(args, i++, `-${letters[j]}`, spec, where, command));
      break;
    }
  }
  return { values, positionals };
}

/** The value of an option taking one, from the next argument. */
function valueAfter(
  args: readonly string[],
  i: number,
  flag: string,
  spec: OptionSpec,
  where: string,
  command?: string,
): string {
  const value = args[i + 1];
  const placeholder = spec.value ?? "VALUE";
  if (value === undefined) throw new UsageError(`${where}${flag} needs a value (${flag} ${placeholder})`, command);
  // `--name --wait` is almost surely a forgotten value; a value starting with a dash takes `--name=-x`.
  if (value.startsWith("--") && value.length > 2) {
    throw new UsageError(
      `${where}${flag} needs a value, but ${value} follows; for a value that starts with a dash write ${flag}=${value}`,
      command,
    );
  }
  return value;
}

/**
 * Rows of a two-column list (`name`, `text`) wrapped to `width`, the text
 * aligned in its own column; on a narrow terminal each text goes under its
 * name instead.
 */
function columns(rows: readonly [string, string][], width: number): string[] {
  // The first column fits the longest name, within reason: longer names put their text on the next line.
  const left = Math.min(Math.max(...rows.map(([name]) => displayWidth(name))), 30) + 4;
  const stacked = width - left < 30;
  const indent = stacked ? 8 : left;
  const room = Math.max(10, width - indent);
  const lines: string[] = [];
  for (const [name, text] of rows) {
    const wrapped = wrapText(text, room);
    const head = `  ${name}`;
    if (stacked || displayWidth(head) + 2 > left) lines.push(head);
    else lines.push(padEndDisplay(head, left) + wrapped.shift());
    for (const line of wrapped) lines.push(" ".repeat(indent) + line);
  }
  return lines;
}

function optionRows(specs: Specs): [string, string][] {
  return Object.entries(specs).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`,
    spec.description,
  ]);
}

function paragraph(text: string, width: number): string[] {
  return wrapText(text, width);
}

/**
 * Help text for one command or group (`wmp`), or the overview when `command`
 * is undefined or unknown; wrapped to `width` columns.
 */
export function helpText(
  program: string,
  commands: CommandTable,
  command?: string,
  width = DEFAULT_HELP_WIDTH,
): string {
  const spec = command ? commands[command] : undefined;
  if (command && !spec && groups(commands).has(command)) {
    const members = Object.keys(commands).filter((n) => n.startsWith(`${command} `));
    return [
      `Usage: ${program} ${command} <subcommand> [options]`,
      "",
      "Subcommands:",
      ...columns(members.map((n) => [n, commands[n].summary]), width),
      "",
      ...paragraph(`Run '${program} ${command} <subcommand> --help' for a subcommand's options and examples.`, width),
    ].join("\n");
  }
  if (!spec) {
    const names = Object.keys(commands);
    return [
      "Drive Windows BITS (Background Intelligent Transfer Service) jobs.",
      "",
      `Usage: ${program} <command> [options]`,
      "",
      "Commands:",
      ...columns(names.map((n) => [n, commands[n].summary]), width),
      "",
      "Options:",
      ...columns(optionRows({ ...GLOBAL_OPTIONS, version: VERSION_OPTION }), width),
      "",
      ...paragraph(`Run '${program} <command> --help' for a command's options and examples.`, width),
      ...paragraph(
        "A job <id> is its GUID, a unique prefix of it (4 or more hex digits), or a unique display name.",
        width,
      ),
      ...paragraph(
        "Exit codes: 0 ok, 1 job or BITS error, 2 usage, 3 timeout, 4 not found or cancelled, 141 output closed.",
        width,
      ),
    ].join("\n");
  }
  return [
    ...paragraph(spec.summary, width),
    "",
    `Usage: ${program} ${command}${spec.positionals.map((p) => ` <${p}>`).join("")}${
      spec.rest ? ` [${spec.rest}...]` : ""
    } [options]`,
    "",
    "Options:",
    ...columns(optionRows({ ...spec.options, ...GLOBAL_OPTIONS }), width),
    "",
    "Examples:",
    // Not wrapped: an example is a command line to copy.
    ...spec.examples.map((e) => `  ${program} ${e}`),
  ].join("\n");
}

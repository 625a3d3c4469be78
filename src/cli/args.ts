/**
 * The CLI's command-line parser (`node:util` parseArgs) and help text, both
 * generated from a table of command specs (see `registry.ts`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { CommandSpec, OptionSpec, OptionValue, ParsedArgs } from "./command.ts";
import { UsageError } from "./command.ts";

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

type ParseArgsOptions = Record<string, { type: "boolean" | "string"; short?: string; multiple?: boolean }>;

function toParseArgsOptions(specs: Readonly<Record<string, OptionSpec>>): ParseArgsOptions {
  const out: ParseArgsOptions = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  return out;
}

/**
 * Parses `argv` (without the program name).
 *
 * @throws {UsageError} for an unknown command or option, a missing or extra argument.
 */
export function parseCommandLine(argv: readonly string[], commands: CommandTable): ParsedArgs {
  const first = argv.findIndex((arg) => !arg.startsWith("-"));
  if (first === -1) {
    // Only options: `--help`, `--version` or nothing at all.
    const { values } = parseOrThrow([...argv], { ...toParseArgsOptions(GLOBAL_OPTIONS), version: { type: "boolean" } });
    return { command: values.version ? "version" : "help", args: {}, options: values };
  }
  // Two-word commands (`wmp finish`) take the word after the first as part of the name.
  const pair = `${argv[first]} ${argv[first + 1] ?? ""}`;
  const words = commands[pair] ? 2 : 1;
  const command = words === 2 ? pair : argv[first];
  if (command === "help") {
    const topic = argv.slice(first + 1).filter((a) => !a.startsWith("-")).join(" ");
    return { command: "help", args: topic ? { command: topic } : {}, options: {} };
  }
  const spec = commands[command];
  if (!spec) {
    const group = Object.keys(commands).filter((name) => name.startsWith(`${command} `));
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
): { values: Record<string, OptionValue>; positionals: string[] } {
  try {
    // `--` ends options, so a positional may start with a dash.
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
}

/** Parses a `--timeout` value in seconds into milliseconds. */
export function parseSeconds(value: OptionValue, option: string): number | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  if (typeof value !== "string") throw new UsageError(`--${option} may be given once`);
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--${option} takes a positive number of seconds, got ${JSON.stringify(value)}`);
  }
  return seconds * 1000;
}

function optionLine(name: string, spec: OptionSpec): string {
  const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`;
  // At least two spaces between a long flag and its description.
  return `  ${flag.padEnd(26)}  ${spec.description}`;
}

/** Help text for one command, or the overview when `command` is undefined. */
export function helpText(program: string, commands: CommandTable, command?: string): string {
  const spec = command ? commands[command] : undefined;
  if (!spec) {
    const names = Object.keys(commands);
    const width = Math.max(...names.map((n) => n.length)) + 2;
    return [
      "Drive Windows BITS (Background Intelligent Transfer Service) jobs.",
      "",
      `Usage: ${program} <command> [options]`,
      "",
      "Commands:",
      ...names.map((name) => `  ${name.padEnd(width)}${commands[name].summary}`),
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

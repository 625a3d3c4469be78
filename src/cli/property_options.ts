/**
 * The command-line face of every settable job property: one table, keyed by
 * the API's property names (`JobProperties`) plus the two write-only
 * actions (removing credentials, making headers write-only), gives each its
 * kebab-case options and the parser that turns their text into the typed
 * value. The table is derived from the property descriptors
 * (`properties/descriptors.ts`: option names, help, parse); this module
 * holds the parsers. `set`'s option specs and help are generated from it.
 *
 * Parsing is pure and strict: enum and flag names as BITS names them (case
 * and `-`/`_` forgiven), durations in the CLI's one grammar (`duration.ts`;
 * a bare number is seconds, 0 allowed), byte counts
 * (or with a unit), booleans as `on`/`off`. Anything else is a
 * {@linkcode UsageError}, before BITS is touched.
 *
 * @module
 */

import {
  DESCRIPTION_OPTION,
  DURATION_VALUE,
  type DurationRule,
  type OptionSpec,
  type OptionValue,
  UsageError,
} from "./command.ts";
import { parseDuration } from "./duration.ts";
import {
  ACTION_DESCRIPTORS,
  type ActionDescriptor,
  type ActionName,
  APPLY_ORDER,
  choices,
  type CliOption,
  type CliParse,
  type CompositeParse,
  PROPERTY_DESCRIPTORS,
  type PropertyCliSpec,
  type TextParse,
} from "../properties/descriptors.ts";
import {
  AUTH_SCHEMES,
  AUTH_TARGETS,
  type AuthScheme,
  type AuthTarget,
  CERT_STORE_LOCATIONS,
  COST_STATES,
  PROXY_USAGES,
  REDIRECT_POLICIES,
  SECURITY_FLAGS,
  TRANSFER_POLICIES,
} from "../properties/names.ts";
import type { JobProperties, PropertyName, SecurityOptions } from "../properties/types.ts";
import { MAX_UINT32 } from "../validate.ts";
import type { PasswordSource } from "./secrets.ts";

/** Parsed option values, by option name. */
export type Options = Readonly<Record<string, OptionValue>>;

/** Changes `set` makes besides `setProperties`. */
export type SetAction = ActionName;
/** What one row of the table sets. */
export type SetTarget = PropertyName | SetAction;

/** One scheme and target of credentials. */
export interface CredentialsKey {
  /** The scheme. */
  readonly scheme: AuthScheme;
  /** The target. */
  readonly target: AuthTarget;
}

/** Credentials as the options describe them, before the password is read. */
export interface CredentialsRequest extends CredentialsKey {
  /** User name; absent for the logged-on user's credentials (NTLM, NEGOTIATE). */
  readonly userName?: string;
  /** Where the password comes from; null: none (no user name either). */
  readonly password: PasswordSource | null;
}

/** The value a row's options give. */
export type CliValue<K extends SetTarget> = K extends "credentials" ? CredentialsRequest
  : K extends "removeCredentials" ? readonly CredentialsKey[]
  : K extends "makeCustomHeadersWriteOnly" ? true
  : K extends PropertyName ? Exclude<JobProperties[K], undefined>
  : never;

/** One row: the options of a property and how to read them. */
export interface PropertyCli<T> {
  /** The options, the main one first (`properties` shows it as the way to set the property). */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** The value the options give; undefined when none of them was given. */
  readonly parse: (options: Options) => T | undefined;
  /** Which option an API argument inside the value (e.g. `proxy.bypass`) comes from, for messages. */
  readonly fields?: Readonly<Record<string, string>>;
}

/** The whole table's type: a row for every settable property and action. */
export type PropertyCliTable = { readonly [K in SetTarget]: PropertyCli<CliValue<K>> };

// ---- Value parsers (each option's text → a typed value, or UsageError) ----

/** A value that cannot be parsed: the message names the option. */
function fail(option: string, message: string): never {
  throw new UsageError(`--${option}: ${message}`);
}

/** Options that do not go together: the message names them. */
function conflict(message: string): never {
  throw new UsageError(message);
}

/** A string option given once; undefined when absent. */
export function stringOption(options: Options, name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") fail(name, "takes one value");
  return value;
}

/** A repeatable string option's values; undefined when absent. */
function listOption(options: Options, name: string): string[] | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.some((v) => typeof v !== "string")) fail(name, "takes a value");
  return values as string[];
}

/** A boolean flag. */
function flagOption(options: Options, name: string): boolean {
  return options[name] === true;
}

/** BITS names are upper case with `_`; people type `not-roaming` too. */
function normalizeName(text: string): string {
  return text.trim().toUpperCase().replaceAll("-", "_");
}

/** One name of `names`. */
export function parseName<T extends string>(text: string, names: readonly T[], option: string): T {
  const name = normalizeName(text);
  if (!(names as readonly string[]).includes(name)) fail(option, `must be one of ${names.join(", ")}`);
  return name as T;
}

/** A comma-separated list of names of `table`, or `NONE` for the empty set. */
export function parseFlagList<T extends string>(text: string, names: readonly T[], option: string): T[] {
  if (normalizeName(text) === "NONE") return [];
  const items = text.split(",").map((item) => item.trim());
  if (items.some((item) => item === "")) fail(option, `takes a comma-separated list of ${names.join(", ")}, or NONE`);
  return items.map((item) => parseName(item, names, option));
}

/** `on` or `off`. */
export function parseOnOff(text: string, option: string): boolean {
  const word = text.trim().toLowerCase();
  if (word === "on") return true;
  if (word === "off") return false;
  return fail(option, "takes on or off");
}

/** How a property's duration reads: a bare number is seconds, and 0 is a value BITS takes. */
export const PROPERTY_DURATION: DurationRule = { bare: "s", zero: true };

/** A property's duration (see {@linkcode PROPERTY_DURATION}) in whole seconds, at most `max`. */
export function parseSeconds(text: string, option: string, max = MAX_UINT32): number {
  const ms = parseDuration(text, option, PROPERTY_DURATION);
  if (ms % 1000 !== 0) fail(option, "takes whole seconds");
  if (ms / 1000 > max) fail(option, `is more than ${max} seconds`);
  return ms / 1000;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** A byte count: digits, or a number with a unit (`500MB` = 500 × 10⁶, `2GiB` = 2 × 2³⁰). */
export function parseBytes(text: string, option: string): number {
  const match = /^(\d{1,16}(?:\.\d{1,6})?)\s*([kmgt]i?b|b)?$/i.exec(text.trim());
  if (!match) fail(option, "takes a byte count: digits, or a number with B, KB, MB, GB, TB, KiB, MiB, GiB or TiB");
  const bytes = Number(match[1]) * BYTE_UNITS[(match[2] ?? "b").toLowerCase()];
  if (!Number.isSafeInteger(bytes)) fail(option, "must come to a whole number of bytes below 2^53");
  return bytes;
}

/**
 * A notify command line as one string: the program (quoted if it has
 * spaces) then its arguments. BITS wants the program apart and the whole
 * line (program included) as the parameters.
 */
export function parseCommandLine(text: string, option: string): { program: string; parameters?: string } {
  const line = text.trim();
  const match = line.startsWith('"') ? /^"([^"]+)"/.exec(line) : /^(\S+)/.exec(line);
  if (!match) fail(option, "takes a command line: the program's full path (quoted if it has spaces), then arguments");
  return match[0].length === line.length ? { program: match[1] } : { program: match[1], parameters: line };
}

/** `SCHEME[/TARGET]` for `--clear-credentials` (target SERVER by default). */
export function parseCredentialsKey(text: string, option: string): CredentialsKey {
  const [scheme, target, extra] = text.split("/");
  if (extra !== undefined) fail(option, "takes SCHEME or SCHEME/TARGET, e.g. BASIC/SERVER");
  return {
    scheme: parseName(scheme, Object.keys(AUTH_SCHEMES) as AuthScheme[], option),
    target: target === undefined ? "SERVER" : parseName(target, Object.keys(AUTH_TARGETS) as AuthTarget[], option),
  };
}

function keys<T extends string>(table: Readonly<Record<T, number>>): T[] {
  return Object.keys(table) as T[];
}

const DURATION_HELP = "seconds, or 90s, 10m, 2h, 1d, 2w";
/** The spec fields every property duration option shares. */
const DURATION = { value: DURATION_VALUE, duration: PROPERTY_DURATION } as const;
const PASSWORD_OPTIONS = ["password-env", "password-stdin", "password-prompt"] as const;

/** What `--password VALUE` answers: the refusal and what to use instead. */
export const PASSWORD_REFUSED = "--password is not accepted: a password on the command line is visible to every " +
  "user of the machine and stays in shell history. Use --password-env NAME (an environment variable), " +
  "--password-stdin (the first line of standard input) or --password-prompt (type it at the terminal, not echoed)";

function parseCredentials(options: Options): CredentialsRequest | undefined {
  const schemeText = stringOption(options, "credentials-scheme");
  const targetText = stringOption(options, "credentials-target");
  const userName = stringOption(options, "username");
  const env = stringOption(options, "password-env");
  const sources: PasswordSource[] = [];
  if (env !== undefined) sources.push({ kind: "env", name: env });
  if (flagOption(options, "password-stdin")) sources.push({ kind: "stdin" });
  if (flagOption(options, "password-prompt")) sources.push({ kind: "prompt" });
  const given = [
    targetText !== undefined && "--credentials-target",
    userName !== undefined && "--username",
    ...PASSWORD_OPTIONS.filter((o) => options[o] !== undefined && options[o] !== false).map((o) => `--${o}`),
  ].filter((o): o is string => typeof o === "string");
  if (schemeText === undefined) {
    if (given.length) conflict(`--credentials-scheme is needed with ${given.join(", ")}`);
    return undefined;
  }
  const scheme = parseName(schemeText, keys(AUTH_SCHEMES), "credentials-scheme");
  const target = targetText === undefined ? "SERVER" : parseName(targetText, keys(AUTH_TARGETS), "credentials-target");
  if (sources.length > 1) conflict("give only one of --password-env, --password-stdin and --password-prompt");
  const implicit = scheme === "NTLM" || scheme === "NEGOTIATE";
  if (userName === undefined || userName === "") {
    if (!implicit) conflict(`--username is needed with --credentials-scheme ${scheme}`);
    if (sources.length) conflict("--username is needed with a password");
    // BITS then uses the logged-on user's credentials.
    return { scheme, target, password: null };
  }
  return { scheme, target, userName, password: sources[0] ?? { kind: "prompt", implicit: true } };
}

function parseProxy(options: Options): JobProperties["proxy"] {
  const usageText = stringOption(options, "proxy-usage");
  const split = (name: string): string[] | undefined =>
    listOption(options, name)?.flatMap((v) => v.split(/[\s,]+/)).filter((v) => v !== "");
  const proxies = split("proxy-list");
  const bypass = split("proxy-bypass");
  if (usageText === undefined) {
    if (proxies || bypass) conflict("--proxy-list and --proxy-bypass need --proxy-usage OVERRIDE");
    return undefined;
  }
  const usage = parseName(usageText, PROXY_USAGES, "proxy-usage");
  return { usage, ...(proxies ? { proxies } : {}), ...(bypass ? { bypass } : {}) };
}

function parseSecurity(options: Options): SecurityOptions | undefined {
  const flags = stringOption(options, "security-flags");
  const policy = stringOption(options, "redirect-policy");
  if (flags === undefined && policy === undefined) return undefined;
  // Either half may come alone: `set` then keeps the other half as BITS has it.
  return {
    ...(flags === undefined ? {} : { flags: parseFlagList(flags, keys(SECURITY_FLAGS), "security-flags") }),
    ...(policy === undefined ? {} : { redirectPolicy: parseName(policy, keys(REDIRECT_POLICIES), "redirect-policy") }),
  };
}

function parseClientCertificate(options: Options): JobProperties["clientCertificate"] {
  const hash = stringOption(options, "client-cert-hash");
  const subjectName = stringOption(options, "client-cert-subject");
  const storeName = stringOption(options, "client-cert-store");
  const location = stringOption(options, "client-cert-location");
  if (flagOption(options, "clear-client-cert")) {
    if ([hash, subjectName, storeName, location].some((v) => v !== undefined)) {
      conflict("--clear-client-cert cannot be combined with the other --client-cert options");
    }
    return null;
  }
  if (hash === undefined && subjectName === undefined) {
    if (storeName !== undefined || location !== undefined) {
      conflict("--client-cert-store and --client-cert-location need --client-cert-hash or --client-cert-subject");
    }
    return undefined;
  }
  if (hash !== undefined && subjectName !== undefined) {
    conflict("--client-cert-hash and --client-cert-subject exclude each other");
  }
  const store = {
    storeLocation: location === undefined
      ? "CURRENT_USER" as const
      : parseName(location, CERT_STORE_LOCATIONS, "client-cert-location"),
    storeName: storeName ?? "MY",
  };
  return hash !== undefined ? { ...store, hash } : { ...store, subjectName: subjectName as string };
}

function parseCostFlags(options: Options): JobProperties["costFlags"] {
  const policy = stringOption(options, "transfer-policy");
  const states = stringOption(options, "cost-states");
  const ignore = stringOption(options, "ignore-congestion");
  if (policy !== undefined) {
    if (states !== undefined || ignore !== undefined) {
      conflict("--transfer-policy excludes --cost-states and --ignore-congestion (a policy is a fixed set of them)");
    }
    return parseName(policy, keys(TRANSFER_POLICIES), "transfer-policy");
  }
  if (states === undefined) {
    if (ignore !== undefined) conflict("--ignore-congestion needs --cost-states");
    return undefined;
  }
  return {
    states: parseFlagList(states, keys(COST_STATES), "cost-states"),
    ...(ignore === undefined ? {} : { ignoreCongestion: parseOnOff(ignore, "ignore-congestion") }),
  };
}

function parseHeaders(options: Options): readonly string[] | undefined {
  const headers = listOption(options, "header");
  if (!flagOption(options, "clear-headers")) return headers;
  if (headers !== undefined) conflict("--clear-headers cannot be combined with --header");
  return [];
}

/** Options shared with other commands: a property's row uses the shared spec (`--description`). */
const SHARED_OPTIONS: Readonly<Record<string, OptionSpec>> = { description: DESCRIPTION_OPTION };

/** A composite's parser: reads its options (the main one is `option`); undefined when none was given. */
type CompositeParser = (options: Options, option: string) => unknown;

/** The parsers of the composite values, by the name their descriptor gives. */
const COMPOSITE_PARSERS: Readonly<Record<CompositeParse, CompositeParser>> = {
  proxy: parseProxy,
  credentials: parseCredentials,
  headers: parseHeaders,
  security: parseSecurity,
  clientCertificate: parseClientCertificate,
  costFlags: parseCostFlags,
  credentialsKeys: (options, option) => listOption(options, option)?.map((t) => parseCredentialsKey(t, option)),
  switch: (options, option) => flagOption(options, option) ? true : undefined,
};

function isComposite(parse: CliParse): parse is CompositeParse {
  return typeof parse === "string" && Object.hasOwn(COMPOSITE_PARSERS, parse);
}

/** The parser of a one-option value: its text → the value. */
function textParser(parse: TextParse): (text: string, option: string) => unknown {
  if (typeof parse === "object") {
    return "enum" in parse
      ? (text, option) => parseName(text, parse.enum, option)
      : (text, option) => parseFlagList(text, parse.flags, option);
  }
  switch (parse) {
    case "onOff":
      return parseOnOff;
    case "seconds":
      return (text, option) => parseSeconds(text, option);
    case "milliseconds":
      return (text, option) => parseDuration(text, option, PROPERTY_DURATION);
    case "bytes":
      return parseBytes;
    case "commandLine":
      return parseCommandLine;
    default:
      return (text) => text;
  }
}

/** The main option's spec: placeholder and help as the descriptor and its parse give them. */
function mainSpec(cli: PropertyCliSpec): OptionSpec {
  if (cli.shared) return SHARED_OPTIONS[cli.option];
  const { parse } = cli;
  const help = (cli.help ?? "").replace("{duration}", DURATION_HELP);
  if (parse === "switch") return { type: "boolean", description: help };
  if (parse === "seconds" || parse === "milliseconds") return { type: "string", ...DURATION, description: help };
  if (parse === "onOff") return { type: "string", value: "on|off", description: help };
  if (typeof parse === "object" && "flags" in parse) {
    return { type: "string", value: "FLAGS", description: `${help}: comma list of ${parse.flags.join(", ")}; or NONE` };
  }
  const description = typeof parse === "object" ? `${help}: ${choices(parse.enum)}` : help;
  return { type: "string", value: cli.value, ...(cli.multiple ? { multiple: true } : {}), description };
}

/** One of a composite's other options. */
function moreSpec(option: CliOption): OptionSpec {
  return {
    type: option.switch ? "boolean" : "string",
    ...(option.value === undefined ? {} : { value: option.value }),
    ...(option.multiple ? { multiple: true } : {}),
    description: option.help,
  };
}

/** A property's or action's row, from its descriptor's command-line spec. */
export function cliRow(cli: PropertyCliSpec): PropertyCli<unknown> {
  const specs: Record<string, OptionSpec> = { [cli.option]: mainSpec(cli) };
  if (cli.clear) specs[cli.clear.option] = { type: "boolean", description: cli.clear.help };
  for (const [name, option] of Object.entries(cli.more ?? {})) specs[name] = moreSpec(option);
  return { options: specs, parse: rowParser(cli), ...(cli.fields ? { fields: cli.fields } : {}) };
}

/** A row's parser: the composite's, or the main option's text parser with its `--clear-…` switch. */
function rowParser(cli: PropertyCliSpec): (options: Options) => unknown {
  const { option, clear, parse } = cli;
  if (isComposite(parse)) {
    const composite = COMPOSITE_PARSERS[parse];
    return (options) => composite(options, option);
  }
  const fromText = textParser(parse);
  return (options) => {
    const text = stringOption(options, option);
    if (!clear || !flagOption(options, clear.option)) return text === undefined ? undefined : fromText(text, option);
    if (text !== undefined) conflict(`--${clear.option} cannot be combined with --${option}`);
    return null;
  };
}

/**
 * The rows in `set`'s order: every property in the order `setProperties`
 * applies them, each action right after the property it follows (removing
 * credentials, done first) or at the end (write-only headers, done last).
 */
function deriveTable(): PropertyCliTable {
  const rows: Record<string, PropertyCli<unknown>> = {};
  const actions = Object.entries(ACTION_DESCRIPTORS) as [SetAction, ActionDescriptor][];
  for (const name of APPLY_ORDER) {
    rows[name] = cliRow(PROPERTY_DESCRIPTORS[name].cli);
    for (const [action, descriptor] of actions) if (descriptor.after === name) rows[action] = cliRow(descriptor.cli);
  }
  for (const [action, descriptor] of actions) if (descriptor.after === undefined) rows[action] = cliRow(descriptor.cli);
  return rows as unknown as PropertyCliTable;
}

/** Every settable property and action, in `set`'s order: derived from the descriptors. */
export const PROPERTY_CLI: PropertyCliTable = deriveTable();

/** A row's command-line spec: its property's or action's descriptor's. */
export function cliSpec(target: SetTarget): PropertyCliSpec {
  return Object.hasOwn(PROPERTY_DESCRIPTORS, target)
    ? PROPERTY_DESCRIPTORS[target as PropertyName].cli
    : ACTION_DESCRIPTORS[target as SetAction].cli;
}

/** The rows' keys in table order. */
export const SET_TARGETS: readonly SetTarget[] = Object.keys(PROPERTY_CLI) as SetTarget[];

/** Every option of every row, in table order: `set`'s options. */
export function propertyOptionSpecs(): Record<string, OptionSpec> {
  const specs: Record<string, OptionSpec> = {};
  for (const target of SET_TARGETS) {
    for (const [name, spec] of Object.entries(PROPERTY_CLI[target].options)) {
      if (Object.hasOwn(specs, name)) throw new Error(`option --${name} is in two rows`);
      specs[name] = spec;
    }
  }
  return specs;
}

/** The row an option belongs to. */
export function optionTarget(option: string): SetTarget | undefined {
  return SET_TARGETS.find((target) => Object.hasOwn(PROPERTY_CLI[target].options, option));
}

/** The main option of a row (`--priority` for `priority`). */
export function mainOption(target: SetTarget): string {
  return Object.keys(PROPERTY_CLI[target].options)[0];
}

/**
 * The option an `InvalidArgumentError`'s argument (`proxy.bypass[0]`,
 * `customHeaders[2]`, `credentials[0].userName`) comes from.
 */
export function argumentOption(argument: string): string | undefined {
  const root = /^[A-Za-z]+/.exec(argument)?.[0];
  if (root === undefined || !Object.hasOwn(PROPERTY_CLI, root)) return undefined;
  const row = PROPERTY_CLI[root as SetTarget];
  const field = argument.replace(/\[\d+\]$/, "");
  return row.fields?.[field] ?? mainOption(root as SetTarget);
}

/** What the options ask for: a value for each row whose options were given. */
export type ParsedProperties = { -readonly [K in SetTarget]?: CliValue<K> };

/** Parses the options of every row of `targets` (UsageError on anything invalid). */
export function parsePropertyOptions(options: Options, targets: readonly SetTarget[] = SET_TARGETS): ParsedProperties {
  const parsed: Record<string, unknown> = {};
  for (const target of targets) {
    const value = PROPERTY_CLI[target].parse(options);
    if (value !== undefined) parsed[target] = value;
  }
  return parsed as ParsedProperties;
}

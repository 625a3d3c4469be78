/**
 * `set <id> --<property> VALUE …` and `properties <id> [name…]`: every job
 * property the library can set, from the command line, and the read-back.
 *
 * `set` parses every option into the typed properties and validates them
 * with the library's own checks before BITS is touched (exit 2, nothing
 * changed). Then it removes the credentials asked for, makes one
 * `setProperties` call (which applies the properties one by one in the
 * table's order and stops at the first BITS refuses: those before it stay
 * set, and `set` says which), and last makes the headers write-only if
 * asked. A password never comes from argv (see `secrets.ts`); it lives in
 * a `SecretCredentials` and is neither printed nor logged.
 *
 * @module
 */

import { SecretCredentials } from "../credentials.ts";
import { BitsError, BitsUnsupportedError, InvalidArgumentError } from "../errors.ts";
import type { BitsJob } from "../job.ts";
import { connect } from "../manager.ts";
import { APPLY_ORDER, planProperties } from "../properties/encode.ts";
import { READABLE_PROPERTIES } from "../properties/native.ts";
import type {
  JobProperties,
  JobPropertiesSnapshot,
  PropertyName,
  ReadablePropertyName,
  SecurityOptions,
} from "../properties/types.ts";
import { resolveJob } from "../resolve.ts";
import { type Command, type OptionSpec, type ParsedArgs, UsageError } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { logger } from "./log.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, table } from "./format.ts";
import {
  argumentOption,
  type CredentialsKey,
  type CredentialsRequest,
  mainOption,
  type Options,
  optionTarget,
  parsePropertyOptions,
  PASSWORD_REFUSED,
  propertyOptionSpecs,
  SET_TARGETS,
  type SetTarget,
} from "./property_options.ts";
import { processEnvironment, processInput, readPassword, type SecretEnvironment, type SecretInput } from "./secrets.ts";

/** Where `set` reads a password from; injectable for tests. */
export interface SecretIo {
  /** Standard input. */
  readonly input: SecretInput;
  /** The environment. */
  readonly env: SecretEnvironment;
  /** Where the prompt is written (stderr). */
  readonly write: (text: string) => void;
}

/** What `set` will do, validated. */
export interface SetPlan {
  /** The properties for the one `setProperties` call (credentials included). */
  readonly properties: JobProperties;
  /** Credentials removed first. */
  readonly removeCredentials: readonly CredentialsKey[];
  /** Make the headers write-only afterwards. */
  readonly headersWriteOnly: boolean;
}

/** Rethrows a library validation error as a usage error of `command`, naming the option it came from. */
function asUsage(error: unknown, command: string): never {
  if (error instanceof UsageError) throw new UsageError(error.message, command);
  if (error instanceof InvalidArgumentError) {
    const option = argumentOption(error.argument);
    throw new UsageError(option ? `--${option}: ${error.message}` : error.message, command);
  }
  throw error;
}

/**
 * Parses and validates the property options of `command` (`set`, or a
 * command creating a job), then reads the password if credentials need one
 * (only once everything else is known to be valid, so nobody types a
 * password for a command that is refused anyway). Only the rows of
 * `targets` are read: a creating command's own `--description` is not `set`'s.
 *
 * @throws {UsageError} for anything invalid; nothing has been sent to BITS.
 */
export async function preparePropertyPlan(
  options: Options,
  secrets: SecretIo,
  command: string,
  targets: readonly SetTarget[] = SET_TARGETS,
): Promise<SetPlan> {
  if (options.password !== undefined) throw new UsageError(PASSWORD_REFUSED, command);
  let parsed;
  try {
    parsed = parsePropertyOptions(options, targets);
  } catch (error) {
    asUsage(error, command);
  }
  const { credentials, removeCredentials, makeCustomHeadersWriteOnly, ...rest } = parsed;
  const properties: JobProperties = rest;
  try {
    planProperties(properties);
    // The user name's checks, before anyone types a password.
    if (credentials) SecretCredentials.from({ ...credentials, password: "" }, "credentials");
  } catch (error) {
    asUsage(error, command);
  }
  const plan = {
    removeCredentials: removeCredentials ?? [],
    headersWriteOnly: makeCustomHeadersWriteOnly === true,
  };
  if (!credentials) return { properties, ...plan };
  const secret = await secretCredentials(credentials, secrets, command);
  return { properties: { ...properties, credentials: [secret] }, ...plan };
}

/**
 * `set`'s plan: {@linkcode preparePropertyPlan}, and at least one option.
 *
 * @throws {UsageError} for anything invalid or nothing to set; nothing has been sent to BITS.
 */
export async function prepareSet(options: Options, secrets: SecretIo): Promise<SetPlan> {
  const plan = await preparePropertyPlan(options, secrets, "set");
  if (givenProperties(plan.properties).length === 0 && !plan.removeCredentials.length && !plan.headersWriteOnly) {
    throw new UsageError("set: nothing to set; give at least one property option", "set");
  }
  return plan;
}

async function secretCredentials(
  request: CredentialsRequest,
  secrets: SecretIo,
  command: string,
): Promise<SecretCredentials> {
  const { scheme, target, userName } = request;
  if (request.password === null) return SecretCredentials.from({ scheme, target });
  let password: string;
  try {
    const prompt = `Password for ${target === "PROXY" ? "the proxy" : "the server"} (${scheme}): `;
    password = await readPassword(request.password, secrets.input, secrets.env, secrets.write, prompt);
  } catch (error) {
    asUsage(error, command);
  }
  try {
    return SecretCredentials.from({ scheme, target, userName, password }, "credentials");
  } catch (error) {
    // checkSecretString's messages give a length, never the content.
    if (error instanceof InvalidArgumentError) throw new UsageError(`the password: ${error.message}`, command);
    throw error;
  }
}

/** The properties a `setProperties` call had applied when it failed: those before the one named in the error. */
export function appliedBefore(error: unknown, given: readonly PropertyName[]): PropertyName[] {
  if (!(error instanceof BitsError) || error.operation === undefined) return [];
  const failed = /^(?:Set|Remove) (\w+)/.exec(error.operation)?.[1];
  const index = given.indexOf(failed as PropertyName);
  return index < 0 ? [] : given.slice(0, index);
}

/** The properties of `properties` in the order `setProperties` applies them. */
export function givenProperties(properties: JobProperties): PropertyName[] {
  return APPLY_ORDER.filter((name) => properties[name] !== undefined);
}

function key(k: CredentialsKey): string {
  return `${k.scheme}/${k.target}`;
}

/** Fills in the half of the security options that was not given, from what BITS has. */
async function completeSecurity(
  job: BitsJob,
  security: SecurityOptions | undefined,
): Promise<SecurityOptions | undefined> {
  if (security === undefined || (security.flags !== undefined && security.redirectPolicy !== undefined)) {
    return security;
  }
  const current = await job.getProperty("security");
  return { flags: security.flags ?? current.flags, redirectPolicy: security.redirectPolicy ?? current.redirectPolicy };
}

/** `set`: applies a plan to a job; on failure says on stderr what had changed. */
export async function runSet(ctx: Context, id: string, options: Options, secrets: SecretIo): Promise<number> {
  const plan = await prepareSet(options, secrets);
  using bits = await connect();
  using job = await resolveJob(bits, id);
  const given = givenProperties(plan.properties);
  const changed: string[] = [];
  try {
    const security = await completeSecurity(job, plan.properties.security);
    const properties = security === undefined ? plan.properties : { ...plan.properties, security };
    for (const k of plan.removeCredentials) {
      await job.removeCredentials(k.target, k.scheme);
      changed.push(`removed credentials ${key(k)}`);
    }
    if (given.length) {
      try {
        await job.setProperties(properties);
      } catch (error) {
        changed.push(...appliedBefore(error, given));
        throw error;
      }
      changed.push(...given);
    }
    if (plan.headersWriteOnly) {
      await job.makeCustomHeadersWriteOnly();
      changed.push("custom headers made write-only");
    }
  } catch (error) {
    ctx.io.stderr(
      changed.length
        ? `note: changed before the failure, and left so: ${changed.join(", ")}\n`
        : "note: nothing was changed\n",
    );
    throw error;
  }
  // Names only: values may be secrets or personal data.
  logger.debug("set {names} on job {id}", { names: changed.join(", "), id: job.id });
  const removed = plan.removeCredentials.map(({ scheme, target }) => ({ scheme, target }));
  emit(
    ctx,
    { id: job.id, set: given, removedCredentials: removed, headersWriteOnly: plan.headersWriteOnly },
    () =>
      [
        removed.length ? `Removed credentials ${removed.map(key).join(", ")} from job ${job.id}` : "",
        given.length ? `Set ${given.join(", ")} on job ${job.id}` : "",
        plan.headersWriteOnly ? `Custom headers of job ${job.id} are now write-only` : "",
      ].filter(Boolean).join("\n"),
  );
  return ExitCode.Ok;
}

// ---- properties ----

/** A name given to `properties`: a property's name (as in JSON) or one of its `set` options. */
export function readableName(name: string): ReadablePropertyName {
  if ((READABLE_PROPERTIES as readonly string[]).includes(name)) return name as ReadablePropertyName;
  const target: SetTarget | undefined = optionTarget(name.replace(/^--/, ""));
  if (target === "credentials" || target === "removeCredentials" || name === "credentials") {
    throw new UsageError("properties: credentials are write-only; BITS never returns them", "properties");
  }
  if (target === "makeCustomHeadersWriteOnly") return "customHeaders";
  if (target !== undefined && (READABLE_PROPERTIES as readonly string[]).includes(target)) {
    return target as ReadablePropertyName;
  }
  throw new UsageError(
    `properties: unknown property ${JSON.stringify(name)}; known: ${READABLE_PROPERTIES.join(", ")}`,
    "properties",
  );
}

/** Reads the named properties (all when none); what this BITS lacks goes to `unsupported`. */
async function readProperties(job: BitsJob, names: readonly ReadablePropertyName[]): Promise<JobPropertiesSnapshot> {
  if (names.length === 0) return await job.properties();
  const values: Record<string, unknown> = {};
  const unsupported: ReadablePropertyName[] = [];
  for (const name of READABLE_PROPERTIES.filter((n) => names.includes(n))) {
    try {
      values[name] = await job.getProperty(name);
    } catch (error) {
      if (!(error instanceof BitsUnsupportedError)) throw error;
      unsupported.push(name);
    }
  }
  return { values, unsupported };
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** One property's value for people: one string per line. */
export function formatPropertyValue(name: ReadablePropertyName, value: unknown): string[] {
  if (value === null) return ["(none)"];
  if (typeof value === "boolean") return [value ? "on" : "off"];
  if (typeof value === "number") {
    if (name === "maxDownloadSize") return [value === 0 ? "0 (no limit)" : `${value} (${formatBytes(value)})`];
    if (name === "minimumNotificationInterval") return [`${value} ms`];
    return [plural(value, "second")];
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return ["(none)"];
    return name === "customHeaders" ? value.map(String) : [value.join(", ")];
  }
  if (typeof value === "object") {
    const parts = Object.entries(value as Record<string, unknown>).map(([k, v]) =>
      `${k}: ${Array.isArray(v) ? (v.length ? v.join(" ") : "(none)") : v === null ? "(none)" : String(v)}`
    );
    return [parts.join("; ")];
  }
  return [String(value)];
}

function describeProperties(snapshot: JobPropertiesSnapshot): string {
  const rows: string[][] = [["PROPERTY", "SET WITH", "VALUE"]];
  for (const name of READABLE_PROPERTIES) {
    if (!Object.hasOwn(snapshot.values, name)) continue;
    const lines = formatPropertyValue(name, snapshot.values[name]);
    lines.forEach((line, i) => rows.push(i === 0 ? [name, `--${mainOption(name)}`, line] : ["", "", line]));
  }
  const text = [table(rows)];
  if (snapshot.unsupported.length) text.push(`Not supported by this BITS: ${snapshot.unsupported.join(", ")}`);
  return text.join("\n");
}

/** `properties`: a job's properties as BITS reports them. */
export async function runProperties(ctx: Context, id: string, names: readonly string[]): Promise<number> {
  const wanted = [...new Set(names.map(readableName))];
  using bits = await connect();
  using job = await resolveJob(bits, id);
  const snapshot = await readProperties(job, wanted);
  emit(
    ctx,
    { id: job.id, values: snapshot.values, unsupported: snapshot.unsupported },
    () => describeProperties(snapshot),
  );
  return ExitCode.Ok;
}

/** `set`'s options: generated from the property table. */
export const SET_OPTIONS: Readonly<Record<string, OptionSpec>> = propertyOptionSpecs();

/** Builds the two commands; `secrets` is where `set` reads passwords (the process's stdin and environment). */
export function setCommands(secrets: (ctx: Context) => SecretIo): Readonly<Record<string, Command>> {
  return {
    set: {
      summary: "Set job properties: all checked first, then applied in order until BITS refuses one",
      positionals: ["id"],
      options: SET_OPTIONS,
      examples: [
        "set 0f3c1c2e --priority HIGH --min-retry-delay 60 --no-progress-timeout 2h",
        'set "nightly backup" --header "X-Tenant: contoso" --header "Accept: */*" --description "D:\\Data, nightly"',
        "set {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10} --credentials-scheme BASIC --username alice --password-env BITS_PASSWORD",
        'set 0f3c1c2e --notify-flags JOB_TRANSFERRED,JOB_ERROR --notify-cmd "C:\\Tools\\done.exe --job 0f3c1c2e"',
        'set 0f3c1c2e --proxy-usage OVERRIDE --proxy-list http=proxy.corp:8080 --proxy-bypass "<local>"',
        "set 0f3c1c2e --clear-credentials BASIC/SERVER --clear-headers --json",
      ],
      run: (ctx, parsed: ParsedArgs) => runSet(ctx, parsed.args.id, parsed.options, secrets(ctx)),
    },
    properties: {
      summary: "Show a job's properties (all, or the ones named), as BITS reports them",
      positionals: ["id"],
      rest: "names",
      options: {},
      examples: [
        "properties 0f3c1c2e",
        'properties "nightly backup" priority customHeaders min-retry-delay --json',
      ],
      run: (ctx, parsed: ParsedArgs) => runProperties(ctx, parsed.args.id, parsed.rest ?? []),
    },
  };
}

/** Where a command reads a password from: the process's stdin and environment, the prompt on stderr. */
export function processSecrets(ctx: Context): SecretIo {
  return { input: processInput(), env: processEnvironment(), write: ctx.io.stderr };
}

/** `set` and `properties`, reading passwords from the process's stdin and environment. */
export const SET_COMMANDS: Readonly<Record<string, Command>> = setCommands(processSecrets);

/**
 * Turning property options into a validated plan: what `set` and the commands
 * that create a job (through `creation_options.ts`) share. Everything is
 * checked before BITS is touched; a password is read last (never from argv).
 *
 * @module
 */

import { SecretCredentials } from "../credentials.ts";
import { InvalidArgumentError } from "../errors.ts";
import { APPLY_ORDER, planProperties } from "../properties/encode.ts";
import type { JobProperties, PropertyName } from "../properties/types.ts";
import { UsageError } from "./command.ts";
import type { Context } from "./context.ts";
import {
  argumentOption,
  type CredentialsKey,
  type CredentialsRequest,
  type Options,
  parsePropertyOptions,
  PASSWORD_REFUSED,
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

/** The properties of `properties` in the order `setProperties` applies them. */
export function givenProperties(properties: JobProperties): PropertyName[] {
  return APPLY_ORDER.filter((name) => properties[name] !== undefined);
}

/** Where a command reads a password from: the process's stdin and environment, the prompt on stderr. */
export function processSecrets(ctx: Context): SecretIo {
  return { input: processInput(), env: processEnvironment(), write: ctx.io.stderr };
}

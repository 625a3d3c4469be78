/**
 * The job properties a command that creates a job (`download`, `submit`,
 * `upload`, `create`) takes: `set`'s own options (same specs, same parsers,
 * from `property_options.ts`), less those that make no sense on a job that
 * does not exist yet. The properties go to the API's transactional apply
 * (`createJob`'s `properties`): validated before the job exists, applied
 * right after it is created, and a setting BITS refuses cancels the new job.
 *
 * @module
 */

import type { JobProperties, PropertyName } from "../properties/types.ts";
import type { OptionSpec } from "./command.ts";
import type { Context } from "./context.ts";
import { cliSpec, type Options, PROPERTY_CLI, SET_TARGETS, type SetTarget } from "./property_options.ts";
import { givenProperties, preparePropertyPlan, processSecrets, type SecretIo } from "./property_plan.ts";

/**
 * The rows a job-creating command offers, in `set`'s order: all but those
 * whose descriptor says `atCreation: false` (the name and description, as
 * each command has its own `--name` and `--description`, and the actions on
 * an existing job's state).
 */
export const CREATION_TARGETS: readonly SetTarget[] = SET_TARGETS.filter((t) => cliSpec(t).atCreation !== false);

/** A `--clear-…` option undoes a setting: a new job has nothing to clear. */
function isClearOption(name: string): boolean {
  return name.startsWith("clear-");
}

/** The option specs of every creation-time property: `set`'s own objects, not copies. */
export function creationOptionSpecs(): Record<string, OptionSpec> {
  const specs: Record<string, OptionSpec> = {};
  for (const target of CREATION_TARGETS) {
    for (const [name, spec] of Object.entries(PROPERTY_CLI[target].options)) {
      if (!isClearOption(name)) specs[name] = spec;
    }
  }
  return specs;
}

/** The options of {@linkcode creationOptionSpecs}, computed once. */
export const CREATION_OPTIONS: Readonly<Record<string, OptionSpec>> = creationOptionSpecs();

/** What a creating command passes to the API, and the names it reports. */
export interface CreationProperties {
  /** For `createJob`/`download`/`upload`'s `properties`; undefined when no option was given. */
  readonly properties: JobProperties | undefined;
  /** The properties given, in the order the API applies them (for the output's `set`). */
  readonly names: readonly PropertyName[];
}

/**
 * Parses and validates the creation-time property options of `command`,
 * reading a password last (from the environment, stdin or a prompt, never
 * argv), exactly as `set` does.
 *
 * @throws {UsageError} for anything invalid; nothing has been sent to BITS.
 */
export async function prepareCreationProperties(
  ctx: Context,
  options: Options,
  command: string,
  secrets: SecretIo = processSecrets(ctx),
): Promise<CreationProperties> {
  const plan = await preparePropertyPlan(options, secrets, command, CREATION_TARGETS);
  const names = givenProperties(plan.properties);
  return { properties: names.length ? plan.properties : undefined, names };
}

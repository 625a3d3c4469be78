/**
 * `bits set <id> --<property> VALUE …`: every job property the library can
 * set, from the command line.
 *
 * The options are parsed into the typed properties and validated with the
 * library's own checks before BITS is touched (exit 2, nothing changed; see
 * `property_plan.ts`). Then `set` removes the credentials asked for, makes
 * one `setProperties` call (which applies the properties one by one in the
 * table's order and stops at the first BITS refuses: those before it stay
 * set, and `set` says which), and last makes the headers write-only if
 * asked. A password never comes from argv (see `secrets.ts`); it lives in a
 * `SecretCredentials` and is neither printed nor logged.
 *
 * @module
 */

import { BitsError } from "../errors.ts";
import type { BitsJob } from "../job.ts";
import { connect } from "../manager.ts";
import type { PropertyName, SecurityOptions } from "../properties/types.ts";
import { resolveJob } from "../resolve.ts";
import { type Command, type OptionSpec, type ParsedArgs, UsageError } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { logger } from "./log.ts";
import { ExitCode } from "./exit_codes.ts";
import { type CredentialsKey, type Options, propertyOptionSpecs } from "./property_options.ts";
import { givenProperties, preparePropertyPlan, processSecrets, type SecretIo, type SetPlan } from "./property_plan.ts";

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

/** The properties a `setProperties` call had applied when it failed: those before the one named in the error. */
export function appliedBefore(error: unknown, given: readonly PropertyName[]): PropertyName[] {
  if (!(error instanceof BitsError) || error.operation === undefined) return [];
  const failed = /^(?:Set|Remove) (\w+)/.exec(error.operation)?.[1];
  const index = given.indexOf(failed as PropertyName);
  return index < 0 ? [] : given.slice(0, index);
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

/** `set`'s options: generated from the property table. */
export const SET_OPTIONS: Readonly<Record<string, OptionSpec>> = propertyOptionSpecs();

/** The `set` command. */
export const command: Command = {
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
  run: (ctx, parsed: ParsedArgs) => runSet(ctx, parsed.args.id, parsed.options, processSecrets(ctx)),
};

/**
 * `bits properties <id> [name…]`: a job's properties (all, or the ones named
 * by property or by `set` option) as BITS reports them.
 *
 * @module
 */

import { BitsUnsupportedError } from "../errors.ts";
import type { BitsJob } from "../job.ts";
import { connect } from "../manager.ts";
import { READABLE_PROPERTIES } from "../properties/native.ts";
import type { JobPropertiesSnapshot, ReadablePropertyName } from "../properties/types.ts";
import { resolveJob } from "../resolve.ts";
import { type Command, type ParsedArgs, UsageError } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, table } from "./format.ts";
import { mainOption, optionTarget, type SetTarget } from "./property_options.ts";

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

/** The `properties` command. */
export const command: Command = {
  summary: "Show a job's properties (all, or the ones named), as BITS reports them",
  positionals: ["id"],
  rest: "names",
  options: {},
  examples: [
    "properties 0f3c1c2e",
    'properties "nightly backup" priority customHeaders min-retry-delay --json',
  ],
  run: (ctx, parsed: ParsedArgs) => runProperties(ctx, parsed.args.id, parsed.rest ?? []),
};

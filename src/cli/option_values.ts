/**
 * Reading a command's parsed option values: whole numbers, required and
 * plain string options. (Durations have their own grammar: `duration.ts`.)
 *
 * @module
 */

import { type OptionValue, UsageError } from "./command.ts";

/** Parses an option that takes a whole number (digits only); `undefined` when absent. */
export function integerOption(value: OptionValue, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d{1,15}$/.test(value)) {
    throw new UsageError(`--${option} takes a whole number, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** `--max-transient-errors N` (N ≥ 1) as the API's `transientErrorLimit`; undefined when absent. */
export function transientErrorLimit(value: OptionValue): number | undefined {
  const limit = integerOption(value, "max-transient-errors");
  if (limit === 0) throw new UsageError("--max-transient-errors takes 1 or more");
  return limit;
}

/** A required string option; UsageError when missing. */
export function requiredOption(value: OptionValue, option: string, command: string): string {
  if (typeof value !== "string") throw new UsageError(`${command}: --${option} is required`, command);
  return value;
}

/** A string option, `""` when absent. */
export function text(value: OptionValue): string {
  return typeof value === "string" ? value : "";
}

/**
 * The CLI's one duration grammar, for every option that takes a length of
 * time (`--timeout`, `--interval`, `--older-than`, `--no-progress-timeout`…):
 * a decimal number with a unit, `ms`, `s`, `m`, `h`, `d` or `w` (`500ms`,
 * `90s`, `10m`, `1.5h`, `7d`, `2w`, any case). A bare number means what the
 * option has always documented: seconds for most, nothing for `--older-than`
 * (a unit is required there, as `7` alone is ambiguous). The result is
 * milliseconds. Pure, so tested anywhere.
 *
 * @module
 */

import { type DurationRule, type OptionSpec, type OptionValue, UsageError } from "./command.ts";

/** Milliseconds per unit. */
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const GRAMMAR = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i;

/** What a duration option takes, for help and messages. */
function durationHelp(rule: DurationRule): string {
  return `a duration: a number with ms, s, m, h, d or w (90s, 10m, 2h, 7d)${
    rule.bare === "s" ? ", or a bare number of seconds" : ""
  }${rule.zero ? "" : ", more than 0"}`;
}

/**
 * Parses `text` as a duration in milliseconds under `rule` (see the module
 * documentation).
 *
 * @throws {UsageError} naming `--option` (and `command`, when given) for
 * anything else: no or an unknown unit, a bare number where a unit is
 * required, zero where it is not allowed, a fraction of a millisecond.
 */
export function parseDuration(text: string, option: string, rule: DurationRule, command?: string): number {
  const where = command ? `${command}: ` : "";
  const fail = (why: string): never => {
    throw new UsageError(`${where}--${option}: ${why}, got ${JSON.stringify(text)}`, command);
  };
  const match = GRAMMAR.exec(text.trim());
  if (!match) return fail(`takes ${durationHelp(rule)}`);
  const unit = match[2]?.toLowerCase() ?? rule.bare;
  if (unit === null) return fail(`takes ${durationHelp(rule)}; a bare number needs a unit`);
  // Rounded to a thousandth first, so that decimal noise (0.1 × 1000) is not "finer than a millisecond".
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[unit] * 1000) / 1000;
  if (!Number.isSafeInteger(ms)) return fail(Number.isInteger(ms) ? "is too long" : "is finer than a millisecond");
  if (ms === 0 && !rule.zero) return fail(`takes ${durationHelp(rule)}`);
  return ms;
}

/**
 * The value of duration option `name` (its spec's `duration` rule) in
 * milliseconds; `undefined` when absent.
 *
 * @throws {UsageError} for a value given twice or outside the grammar.
 */
export function durationOption(
  value: OptionValue,
  name: string,
  spec: OptionSpec,
  command?: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (!spec.duration) throw new Error(`--${name} is not a duration option`);
  if (typeof value !== "string") {
    throw new UsageError(`${command ? `${command}: ` : ""}--${name} takes one duration`, command);
  }
  return parseDuration(value, name, spec.duration, command);
}

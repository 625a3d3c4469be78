/**
 * What `list` and `clean` select jobs by: states by their BITS names, a
 * display-name pattern; and the newest-first order (a job's age is a
 * duration: `duration.ts`). Pure, so tested anywhere.
 *
 * @module
 */

import { JOB_STATES, type JobState } from "../types.ts";
import { UsageError } from "./command.ts";
import type { OptionValue } from "./command.ts";

/**
 * Parses `--state` values (each `STATE[,STATE…]`, any case, the option may
 * repeat) into a set of BITS state names; `undefined` when not given.
 *
 * @throws {UsageError} naming the valid states for an unknown one.
 */
export function parseStates(value: OptionValue, command: string): ReadonlySet<JobState> | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  const states = new Set<JobState>();
  for (const item of values) {
    if (typeof item !== "string") throw new UsageError(`${command}: --state takes a state name`, command);
    for (const raw of item.split(",")) {
      const name = raw.trim().toUpperCase().replaceAll("-", "_");
      if (!(JOB_STATES as readonly string[]).includes(name)) {
        throw new UsageError(
          `${command}: unknown state ${JSON.stringify(raw.trim())}; valid states: ${JOB_STATES.join(", ")}`,
          command,
        );
      }
      states.add(name as JobState);
    }
  }
  return states;
}

/**
 * A display-name matcher, case-insensitive: a pattern with `*` or `?` is a
 * glob over the whole name (`*` any run of characters, `?` one character),
 * anything else matches as a substring.
 */
export function nameMatcher(pattern: string): (name: string) => boolean {
  const folded = pattern.toLowerCase();
  if (!/[*?]/.test(pattern)) return (name) => name.toLowerCase().includes(folded);
  const source = [...folded].map((c) => c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))
    .join("");
  const regex = new RegExp(`^${source}$`, "su");
  return (name) => regex.test(name.toLowerCase());
}

/**
 * Orders entries newest first by creation time. Entries without a time keep
 * their relative (enumeration) order after the dated ones: BITS on Wine has no
 * times at all, and enumerates newest first itself.
 */
export function newestFirst<T>(entries: readonly T[], created: (entry: T) => Date | null): T[] {
  const dated = entries.filter((e) => created(e) !== null);
  const undated = entries.filter((e) => created(e) === null);
  dated.sort((a, b) => created(b)!.getTime() - created(a)!.getTime());
  return [...dated, ...undated];
}

/**
 * Finding a job the way people name it: by GUID, by a unique GUID prefix
 * (as `git` resolves commit prefixes), or by a unique display name. BITS
 * itself only knows GUIDs, and display names are not unique, so anything but
 * a full GUID is checked for ambiguity against the live queue.
 *
 * @module
 */

import { BitsError, InvalidArgumentError } from "./errors.ts";
import { isGuid } from "./guid.ts";
import { HR } from "./hresult.ts";
import type { BitsJob } from "./job.ts";
import type { BitsManager } from "./manager.ts";
import { FINAL_STATES, type JobSnapshot } from "./types.ts";

/** The fewest hex digits a GUID prefix may have: shorter ones match too much to be meant. */
export const MIN_ID_PREFIX = 4;

/** What a job reference matched. */
export type JobMatch =
  | { readonly kind: "id"; readonly id: string }
  | { readonly kind: "none" }
  | { readonly kind: "ambiguous"; readonly candidates: readonly JobSnapshot[] };

/** A reference matches more than one job; nothing was done. `candidates` lists them. */
export class AmbiguousJobError extends InvalidArgumentError {
  /** Always `"AmbiguousJobError"`. */
  override name = "AmbiguousJobError";
  /** The jobs the reference matched (id, display name, state). */
  readonly candidates: readonly { readonly id: string; readonly displayName: string; readonly state: string }[];

  /** Builds the error for `reference`. */
  constructor(reference: string, candidates: readonly JobSnapshot[]) {
    super(
      "job",
      `${JSON.stringify(reference)} matches ${candidates.length} jobs: ${
        candidates.map((c) => `${c.id} ${JSON.stringify(c.displayName)} (${c.state})`).join(", ")
      }; give more of the id`,
    );
    this.candidates = candidates.map(({ id, displayName, state }) => ({ id, displayName, state }));
  }
}

/** The hex digits of a GUID or prefix, lower case, braces and hyphens dropped; `undefined` if it is not hex. */
function hexDigits(text: string): string | undefined {
  const stripped = text.trim().replace(/^\{|\}$/g, "").replaceAll("-", "");
  return /^[0-9a-f]+$/i.test(stripped) ? stripped.toLowerCase() : undefined;
}

/**
 * Matches a reference against the queue (pure: `snapshots` is the queue as
 * listed). A full GUID always matches by id. Otherwise the reference matches
 * jobs whose id starts with it (at least {@linkcode MIN_ID_PREFIX} hex digits;
 * braces and hyphens are optional) and jobs whose display name equals it;
 * finished jobs (ACKNOWLEDGED, CANCELLED) are ignored, since Windows no longer
 * lists them.
 */
export function matchJobReference(reference: string, snapshots: readonly JobSnapshot[]): JobMatch {
  if (isGuid(reference)) return { kind: "id", id: reference };
  const prefix = hexDigits(reference);
  const live = snapshots.filter((s) => !FINAL_STATES.has(s.state));
  const matches = live.filter((s) =>
    s.displayName === reference ||
    (prefix !== undefined && prefix.length >= MIN_ID_PREFIX && hexDigits(s.id)!.startsWith(prefix))
  );
  if (matches.length === 1) return { kind: "id", id: matches[0].id };
  return matches.length === 0 ? { kind: "none" } : { kind: "ambiguous", candidates: matches };
}

/**
 * Opens the job a reference names: a GUID (one lookup, no listing), a unique
 * GUID prefix, or a unique display name.
 *
 * @throws {InvalidArgumentError} for an empty reference, or one that starts with `{` but is no GUID (prefix).
 * @throws {AmbiguousJobError} when several live jobs match (nothing is done).
 * @throws {BitsError} `BG_E_NOT_FOUND` when none does.
 */
export async function resolveJob(bits: BitsManager, reference: string): Promise<BitsJob> {
  if (isGuid(reference)) return await bits.getJob(reference);
  if (reference.trim() === "") throw new InvalidArgumentError("job", "A job reference must not be empty");
  if (reference.trim().startsWith("{") && hexDigits(reference) === undefined) {
    // A brace promises a GUID: "{" followed by something else is a typo, not a display name.
    throw new InvalidArgumentError("job", `${JSON.stringify(reference)} is not a GUID or the start of one`);
  }
  const match = matchJobReference(reference, await bits.listJobs());
  if (match.kind === "ambiguous") throw new AmbiguousJobError(reference, match.candidates);
  if (match.kind === "none") {
    throw new BitsError(HR.BG_E_NOT_FOUND, {
      operation: `Finding job ${JSON.stringify(reference)} (by id prefix or display name)`,
    });
  }
  return await bits.getJob(match.id);
}

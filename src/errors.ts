/**
 * The module's error classes and the single `unwrap` that turns a failed
 * HRESULT into a {@linkcode BitsError}.
 *
 * @module
 */

import { describeHresult, failed, formatHresult, HR } from "./hresult.ts";
import type { ErrorContext, JobErrorInfo, JobState } from "./types.ts";
import type { REQUIRES } from "./features.ts";

/** The error of a job in ERROR whose cause BITS cannot tell (always the case for network errors on Wine). */
export const UNKNOWN_JOB_ERROR: JobErrorInfo = {
  context: "UNKNOWN",
  hresult: HR.BG_E_ERROR_INFORMATION_UNAVAILABLE >>> 0,
  code: describeHresult(HR.BG_E_ERROR_INFORMATION_UNAVAILABLE).name,
  description: describeHresult(HR.BG_E_ERROR_INFORMATION_UNAVAILABLE).description,
};

/** Details a {@linkcode BitsError} can carry besides the HRESULT. */
export interface BitsErrorDetails {
  /** What was being done, e.g. `"AddFile"` or `"download job"`. */
  readonly operation?: string;
  /** BITS error context, for errors that come from a job. */
  readonly context?: ErrorContext;
  /** The job concerned, braced GUID. */
  readonly jobId?: string;
  /** The job's state when the error was raised, for errors about a job. */
  readonly state?: JobState;
  /** Underlying cause. */
  readonly cause?: unknown;
  /**
   * The feature the call belongs to, named for people (e.g. `"job priority"`):
   * a failure meaning "this BITS lacks it" becomes a {@linkcode BitsUnsupportedError} naming it.
   */
  readonly feature?: string;
  /** What provides the feature, from {@linkcode REQUIRES} (e.g. IBackgroundCopyJob5, BITS 5.0). */
  readonly requires?: string;
}

// Codes meaning "this BITS lacks the feature", not "the call went wrong".
const UNSUPPORTED = new Set<number>([HR.E_NOTIMPL, HR.E_NOINTERFACE, HR.RPC_X_NULL_REF_POINTER].map((hr) => hr >>> 0));

/** A failed BITS or COM call: the HRESULT, its symbolic name and where it happened. */
export class BitsError extends Error {
  /** Always `"BitsError"`. */
  override name = "BitsError";
  /** The HRESULT, unsigned (compare with hex literals: `err.hresult === 0x80190194`). */
  readonly hresult: number;
  /** Symbolic name, e.g. `BG_E_HTTP_ERROR_404`, `BG_E_NOT_FOUND`, `E_NOTIMPL`. */
  readonly code: string;
  /** What the code means. */
  readonly description: string;
  /** HTTP status for `BG_E_HTTP_ERROR_nnn` codes. */
  readonly httpStatus?: number;
  /** BITS error context, for job errors. */
  readonly context?: ErrorContext;
  /** What was being done. */
  readonly operation?: string;
  /** The job concerned. */
  readonly jobId?: string;
  /** The job's state when the error was raised. */
  readonly state?: JobState;
  /** What to do about it, for the common failures (e.g. the interactive-logon rule for `ERROR_NOT_LOGGED_ON`). */
  readonly hint?: string;

  /** Builds the error for `hr`; prefer {@linkcode unwrap}. */
  constructor(hr: number, details: BitsErrorDetails = {}) {
    const info = describeHresult(hr);
    const where = [
      details.context && details.context !== "NONE" ? `context ${details.context}` : "",
      details.jobId ? `job ${details.jobId}` : "",
    ].filter(Boolean).join(", ");
    super(
      `${details.operation ? `${details.operation} failed: ` : ""}${info.name} (${
        formatHresult(hr)
      }): ${info.description}${where ? ` [${where}]` : ""}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.hresult = hr >>> 0;
    this.code = info.name;
    this.description = info.description;
    if (info.httpStatus !== undefined) this.httpStatus = info.httpStatus;
    if (info.hint !== undefined) this.hint = info.hint;
    if (details.context !== undefined) this.context = details.context;
    if (details.operation !== undefined) this.operation = details.operation;
    if (details.jobId !== undefined) this.jobId = details.jobId;
    if (details.state !== undefined) this.state = details.state;
  }

  /** True when the running BITS lacks the feature (E_NOTIMPL, E_NOINTERFACE, or Wine's stubbed getters). */
  get unsupported(): boolean {
    return UNSUPPORTED.has(this.hresult);
  }

  /** Builds the error a job reports in its ERROR state. */
  static fromJobError(error: JobErrorInfo, jobId: string): BitsError {
    return new BitsError(error.hresult, { operation: "Transfer", context: error.context, jobId, state: "ERROR" });
  }
}

/**
 * The running BITS lacks a feature: the call failed with E_NOTIMPL,
 * E_NOINTERFACE (an interface version is missing) or a stub's
 * RPC_X_NULL_REF_POINTER. Nothing was changed. `feature` names what was
 * asked for and `requires` what would provide it. Wine's BITS stubs many
 * features (docs/compat.md lists them).
 */
export class BitsUnsupportedError extends BitsError {
  /** Always `"BitsUnsupportedError"`. */
  override name = "BitsUnsupportedError";
  /** The missing feature, e.g. `"job priority"`. */
  readonly feature: string;
  /** What provides it, e.g. `"IBackgroundCopyJob5 (BITS 5.0, Windows 8 / Server 2012 and later)"`. */
  readonly requires?: string;

  /** Builds the error for `hr` (one of the codes {@linkcode BitsError.unsupported} accepts). */
  constructor(hr: number, details: BitsErrorDetails & { readonly feature: string }) {
    super(hr, details);
    this.feature = details.feature;
    if (details.requires !== undefined) this.requires = details.requires;
    this.message = `${details.feature} is not supported by this BITS (${this.code}, ${formatHresult(hr)})${
      details.requires ? `: it needs ${details.requires}` : ""
    }${details.jobId ? ` [job ${details.jobId}]` : ""}`;
  }
}

/**
 * Returns `hr` when it is a success (any value ≥ 0, including S_FALSE and the
 * BG_S_* codes) and throws otherwise: a {@linkcode BitsUnsupportedError} when
 * the code means the feature is missing (naming `details.feature`, or the
 * operation), else a {@linkcode BitsError}.
 */
export function unwrap(hr: number, operation: string, details: Omit<BitsErrorDetails, "operation"> = {}): number {
  if (!failed(hr)) return hr;
  if (UNSUPPORTED.has(hr >>> 0)) {
    throw new BitsUnsupportedError(hr, { ...details, operation, feature: details.feature ?? operation });
  }
  throw new BitsError(hr, { ...details, operation });
}

/** A key of {@linkcode REQUIRES}. */
export type Requirement = keyof typeof REQUIRES;

// Defined beside the loader, which throws it, so that ffi/ depends on nothing in src/.
export { BitsUnavailableError, type UnavailableReason } from "../ffi/unavailable.ts";

/**
 * An argument was refused before anything was sent to BITS: nothing changed.
 * `argument` names the offending parameter.
 */
export class InvalidArgumentError extends TypeError {
  /** Always `"InvalidArgumentError"`. */
  override name = "InvalidArgumentError";
  /** The parameter or field that was refused. */
  readonly argument: string;

  /** Builds the error; `message` says what is wrong and what is allowed. */
  constructor(argument: string, message: string) {
    super(message);
    this.argument = argument;
  }
}

// How each refused action reads in the message ("… so it was not suspended").
const WMP_ACTION_DONE = {
  complete: "completed",
  cancel: "cancelled",
  suspend: "suspended",
  resume: "resumed",
  "take-ownership": "taken over",
} as const;

/**
 * Refused: the job is a Windows Media Player `WMP_JOB` job, which the Player
 * completes itself (docs/wmp-convention.md, rule R4). Nothing was changed; pass
 * `{ force: true }` (CLI: `--force`) to act anyway.
 */
export class WmpJobOwnedError extends Error {
  /** Always `"WmpJobOwnedError"`. */
  override name = "WmpJobOwnedError";
  /** The job concerned. */
  readonly jobId: string;

  /** Builds the error for `action` on job `jobId`. */
  constructor(jobId: string, action: "complete" | "cancel" | "suspend" | "resume" | "take-ownership") {
    super(
      `Job ${jobId} is a Windows Media Player job (::WMP_JOB:); the Player completes it, so it was not ${
        WMP_ACTION_DONE[action]
      }. Force it only if the Player will never pick it up`,
    );
    this.jobId = jobId;
  }
}

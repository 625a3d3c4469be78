/**
 * Transfer and wait, like `bitsadmin /transfer` or a synchronous
 * `Start-BitsTransfer`: create a download job, resume it, wait, complete it,
 * and on failure follow an explicit policy for the job.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { createDownload } from "./create_job.ts";
import { InvalidArgumentError } from "./errors.ts";
import type { FileSpec } from "./files.ts";
import { cancelChecked, completeChecked } from "./finish.ts";
import type { OwnedHandle } from "./handle.ts";
import { readSnapshot } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";
import { wineVersion } from "./platform.ts";
import { cancelCrashesWine, type CompleteOutcome, type JobSnapshot, type JobState } from "./types.ts";
import { waitFor } from "./wait.ts";
import type { WatchEvent } from "./watch/events.ts";

/**
 * What to do with the job when a transfer fails: `"cancel"` it (its
 * temporary files are deleted), or `"keep"` it in the queue for inspection
 * or a later retry.
 */
export type FailurePolicy = "cancel" | "keep";

/** The failure policies, for validation and help texts. */
export const FAILURE_POLICIES: readonly FailurePolicy[] = ["cancel", "keep"];

/** Options of `manager.transfer()`. */
export interface TransferOptions {
  /** What happens to the job on failure (job ERROR, timeout, abort). Required: no default. */
  readonly onFailure: FailurePolicy;
  /** Display name; default `"deno-bits transfer"`. */
  readonly displayName?: string;
  /** Description (≤ 1,024 characters). */
  readonly description?: string;
  /** Allow existing destinations (BITS replaces them on completion). Default false. */
  readonly overwrite?: boolean;
  /** A directory every destination must resolve inside, checked before the job exists (see `DownloadOptions.root`). */
  readonly root?: string;
  /** Give up after this many milliseconds (then the policy applies). */
  readonly timeout?: number;
  /** Stops waiting (then the policy applies). */
  readonly signal?: AbortSignal;
  /** Milliseconds between watchdog polls; default 1000. */
  readonly interval?: number;
  /** Register a BITS callback while waiting (default true). */
  readonly callbacks?: boolean;
  /** Called with the snapshot of every poll that saw a change. */
  readonly onSnapshot?: (snapshot: JobSnapshot) => void;
  /** Called with every watch event. */
  readonly onEvent?: (event: WatchEvent) => void;
}

/** A finished transfer. */
export interface TransferResult {
  /** The job's GUID. */
  readonly jobId: string;
  /** What Complete reported (`"partial"` when BITS kept only some files). */
  readonly outcome: CompleteOutcome;
  /** The snapshot when the job reached TRANSFERRED. */
  readonly transferred: JobSnapshot;
  /** The snapshot read after Complete (state ACKNOWLEDGED). */
  readonly snapshot: JobSnapshot;
}

/**
 * What happened to the job after a failed transfer: cancelled, kept by
 * policy, or left running because cancelling a running transfer would crash
 * Wine's BITS service.
 */
export type TransferDisposition = "cancelled" | "kept" | "left-running";

/**
 * A transfer stopped waiting (timeout or abort) before the job finished. The
 * job's fate is in `disposition`; with `"kept"` or `"left-running"` it is
 * still in the queue under `jobId`.
 */
export class TransferInterruptedError extends Error {
  /** Always `"TransferInterruptedError"`. */
  override name = "TransferInterruptedError";
  /** The job concerned. */
  readonly jobId: string;
  /** Why waiting stopped. */
  readonly reason: "timeout" | "aborted";
  /** The job's state when the policy was applied (undefined when it could not be read). */
  readonly state?: JobState;
  /** What happened to the job. */
  readonly disposition: TransferDisposition;

  /** Builds the error; `cause` is the TimeoutError or the abort reason. */
  constructor(
    jobId: string,
    reason: "timeout" | "aborted",
    state: JobState | undefined,
    disposition: TransferDisposition,
    cause: unknown,
  ) {
    super(
      `Transfer of job ${jobId} ${reason === "timeout" ? "timed out" : "was aborted"}${
        state ? ` while ${state}` : ""
      }; the job was ${
        disposition === "cancelled"
          ? "cancelled"
          : disposition === "kept"
          ? "kept"
          : "left running (cancelling a running transfer crashes Wine's BITS; cancel it once it settles)"
      }`,
      { cause },
    );
    this.jobId = jobId;
    this.reason = reason;
    if (state !== undefined) this.state = state;
    this.disposition = disposition;
  }
}

const logger = getLogger(["deno-bits", "transfer"]);

/** Checks the options a transfer cannot start without. */
export function checkTransferOptions(options: unknown): TransferOptions {
  const policy = (options as Partial<TransferOptions> | undefined)?.onFailure;
  if (!FAILURE_POLICIES.includes(policy as FailurePolicy)) {
    throw new InvalidArgumentError(
      "onFailure",
      `transfer() needs an explicit onFailure policy: "cancel" or "keep", got ${JSON.stringify(policy)}`,
    );
  }
  const { timeout } = options as TransferOptions;
  if (timeout !== undefined && !(typeof timeout === "number" && timeout >= 0 && Number.isFinite(timeout))) {
    throw new InvalidArgumentError("timeout", "timeout must be a non-negative number of milliseconds");
  }
  return options as TransferOptions;
}

/**
 * The disposition a failed transfer's job gets under `policy` in `state`
 * (`undefined`: the state could not be read). Pure, so the Wine rule is
 * tested everywhere: under Wine a job that may be transferring is never
 * cancelled.
 */
export function dispositionFor(
  policy: FailurePolicy,
  state: JobState | undefined,
  underWine: boolean,
): TransferDisposition {
  if (policy === "keep" || state === "ACKNOWLEDGED") return "kept";
  if (state === "CANCELLED") return "cancelled";
  if (cancelCrashesWine(state, underWine)) return "left-running";
  return "cancelled";
}

/**
 * Downloads `files` and waits: creates the job (everything validated first),
 * resumes it, waits for TRANSFERRED, completes it and returns the outcome.
 * On failure the job is cancelled or kept as `options.onFailure` says, and the
 * error is rethrown: the job's {@linkcode BitsError} (with `jobId`, e.g.
 * `BG_E_HTTP_ERROR_404`), a {@linkcode TransferInterruptedError} on timeout
 * or abort, or an `IntegrityError` when a file with `expect` is not what it
 * should be (checked before Complete where BITS allows, else right after it,
 * removing the bad file).
 */
export async function transfer(
  manager: OwnedHandle,
  files: readonly FileSpec[],
  options: TransferOptions,
): Promise<TransferResult> {
  const checked = checkTransferOptions(options);
  checked.signal?.throwIfAborted();
  const { ref: job } = await createDownload(manager, files, {
    displayName: checked.displayName ?? "deno-bits transfer",
    description: checked.description ?? "",
    overwrite: checked.overwrite ?? false,
    root: checked.root,
  });
  try {
    let transferred: JobSnapshot;
    try {
      transferred = await waitFor(job, {
        timeout: checked.timeout,
        signal: checked.signal,
        interval: checked.interval,
        callbacks: checked.callbacks,
        onSnapshot: checked.onSnapshot,
        onEvent: checked.onEvent,
      });
      // Files with an expectation are checked before they are accepted (IntegrityError otherwise).
      const expect = files.flatMap((f) => f.expect ? [{ ...f.expect, path: f.path }] : []);
      const outcome = await completeChecked(job, { expect });
      return { jobId: job.id, outcome, transferred, snapshot: await readSnapshot(job) };
    } catch (error) {
      throw await applyPolicy(job, checked, error);
    }
  } finally {
    job.handle.dispose();
  }
}

/** Applies the failure policy and returns the error to throw. */
async function applyPolicy(job: JobRef, options: TransferOptions, error: unknown): Promise<unknown> {
  const state = await readSnapshot(job).then((s) => s.state, () => undefined);
  let disposition = dispositionFor(options.onFailure, state, wineVersion() !== null);
  if (disposition === "cancelled" && state !== "CANCELLED") {
    try {
      await cancelChecked(job);
    } catch (cancelError) {
      disposition = "kept";
      logger.error("Transfer of job {id} failed and cancelling it failed too: {error}", {
        id: job.id,
        error: String(cancelError),
      });
    }
  } else if (disposition === "left-running") {
    logger.warn("Transfer of job {id} stopped while {state}; left running (Wine's BITS crashes on such a cancel)", {
      id: job.id,
      state,
    });
  }
  const reason = options.signal?.aborted
    ? "aborted"
    : error instanceof DOMException && error.name === "TimeoutError"
    ? "timeout"
    : undefined;
  return reason ? new TransferInterruptedError(job.id, reason, state, disposition, error) : error;
}

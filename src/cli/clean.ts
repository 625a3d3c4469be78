/**
 * `bits clean`: finds this module's jobs that failed (ERROR) or went
 * stale (no change for longer than `--older-than`), and cancels or completes
 * them only when asked to; by default it only shows what it would do.
 *
 * A job is this module's when its description is {@linkcode DEFAULT_JOB_DESCRIPTION}
 * (what every job created without a description of its own gets). Other
 * programs' jobs, and Windows Media Player convention jobs, are left alone
 * unless `--all` is given; the Player's WMP_JOB jobs need `--force` as well.
 * Running jobs (QUEUED, CONNECTING, TRANSFERRING) are never touched: they are
 * not stale, and cancelling a transfer crashes Wine's BITS service.
 *
 * @module
 */

import { BitsError } from "../errors.ts";
import { DEFAULT_JOB_DESCRIPTION } from "../create_job.ts";
import { connect } from "../manager.ts";
import {
  type DatedJobSnapshot,
  FINAL_STATES,
  type JobSnapshot,
  type JobState,
  RUNNING_STATES,
  STALE_STATES,
} from "../types.ts";
import { wmpKindOf } from "../wmp/codec.ts";
import {
  ALL_USERS_OPTION,
  type Command,
  DURATION_VALUE,
  NAME_PATTERN_OPTION,
  type OptionSpec,
  type ParsedArgs,
  UsageError,
} from "./command.ts";
import { type Context, emit, PROGRAM } from "./context.ts";
import { logger } from "./log.ts";
import { ExitCode } from "./exit_codes.ts";
import { durationOption } from "./duration.ts";
import { nameMatcher } from "./filters.ts";
import { formatDuration, table } from "./format.ts";

/** Why a job is a candidate: it failed, or nothing happened to it for too long. */
export type CleanReason = "error" | "stale";

/** What clean does (or, in a dry run, would do) to a job. */
export type CleanAction = "cancel" | "complete" | "none";

/** How an action ended. */
export type CleanOutcome =
  | "dry-run"
  | "cancelled"
  | "completed"
  | "partial"
  | "unable-to-delete-files"
  | "skipped"
  | "failed";

/** One line of clean's report. */
export interface CleanEntry {
  /** The job. */
  readonly jobId: string;
  /** Its display name. */
  readonly displayName: string;
  /** Its state when it was looked at (the second look, right before acting). */
  readonly state: JobState;
  /** Why it was selected. */
  readonly reason: CleanReason;
  /** What was (or would be) done. */
  readonly action: CleanAction;
  /** How it ended. */
  readonly outcome: CleanOutcome;
  /** When the job last changed, where BITS says (`null` on Wine). */
  readonly lastChange: Date | null;
  /** Why it was skipped or failed. */
  readonly message?: string;
}

/** A job as clean's planning sees it. */
export interface CleanCandidate {
  /** The job's snapshot. */
  readonly snapshot: JobSnapshot;
  /** Its modification time (else creation time), `null` when BITS does not say. */
  readonly lastChange: Date | null;
}

/** What `clean` was asked to do. */
export interface CleanPolicy {
  /** Include other programs' jobs and WMP convention jobs. */
  readonly all: boolean;
  /** Jobs unchanged for longer than this many ms are stale; `undefined`: only ERROR jobs. */
  readonly olderThan?: number;
  /** Cancel the candidates (TRANSFERRED ones too, unless `complete`). */
  readonly cancel: boolean;
  /** Complete the TRANSFERRED candidates. */
  readonly complete: boolean;
  /** Only jobs whose display name matches. */
  readonly name?: (displayName: string) => boolean;
  /** "Now", in ms since the epoch. */
  readonly now: number;
}

/** A planned step (before any outcome). */
export type PlannedClean = Omit<CleanEntry, "outcome" | "message">;

/** True for a job this module created (see the module documentation). */
export function isOwnJob(snapshot: JobSnapshot): boolean {
  return snapshot.description === DEFAULT_JOB_DESCRIPTION;
}

/** True when `clean` may look at the job at all under `policy` (ownership, name, not finished, not running). */
export function inScope(snapshot: JobSnapshot, policy: Pick<CleanPolicy, "all" | "name">): boolean {
  if (FINAL_STATES.has(snapshot.state) || RUNNING_STATES.has(snapshot.state)) return false;
  if (!policy.all && !isOwnJob(snapshot)) return false;
  return !policy.name || policy.name(snapshot.displayName);
}

/**
 * Decides what to do with each job (pure). ERROR jobs are candidates at any
 * age; SUSPENDED, TRANSIENT_ERROR and TRANSFERRED jobs when `olderThan` is
 * set and their last change is known and older. A job whose times are unknown
 * is never stale. The action: complete for TRANSFERRED jobs with `complete`,
 * else cancel with `cancel`, else none; when neither is asked for (a dry run
 * by default) the action shown is what `--cancel --complete` would do.
 */
export function planClean(candidates: readonly CleanCandidate[], policy: CleanPolicy): PlannedClean[] {
  const suggest = !policy.cancel && !policy.complete;
  const plans: PlannedClean[] = [];
  for (const { snapshot, lastChange } of candidates) {
    if (!inScope(snapshot, policy)) continue;
    let reason: CleanReason;
    if (snapshot.state === "ERROR") reason = "error";
    else if (
      STALE_STATES.has(snapshot.state) && policy.olderThan !== undefined && lastChange !== null &&
      policy.now - lastChange.getTime() > policy.olderThan
    ) reason = "stale";
    else continue;
    const transferred = snapshot.state === "TRANSFERRED";
    const action: CleanAction = transferred && (policy.complete || suggest)
      ? "complete"
      : policy.cancel || suggest
      ? "cancel"
      : "none";
    plans.push({
      jobId: snapshot.id,
      displayName: snapshot.displayName,
      state: snapshot.state,
      reason,
      action,
      lastChange,
    });
  }
  return plans;
}

/** Carries out one planned step, after reading the job's state again. */
async function act(
  bits: Awaited<ReturnType<typeof connect>>,
  plan: PlannedClean,
  policy: CleanPolicy,
  force: boolean,
): Promise<CleanEntry> {
  const skip = (message: string, state = plan.state): CleanEntry => ({ ...plan, state, outcome: "skipped", message });
  if (plan.action === "none") {
    return skip(plan.state === "TRANSFERRED" ? "--complete completes it" : "--cancel cancels it");
  }
  let job;
  try {
    job = await bits.getJob(plan.jobId);
  } catch (error) {
    if (error instanceof BitsError && error.code === "BG_E_NOT_FOUND") return skip("the job left the queue");
    throw error;
  }
  using owned = job;
  // The second look: a job that started running meanwhile is left alone (never cancel a transfer).
  const now = await owned.snapshot();
  const [again] = planClean([{ snapshot: now, lastChange: plan.lastChange }], policy);
  if (!again || again.action !== plan.action) return skip(`it is ${now.state} now`, now.state);
  if (wmpKindOf(now.description) === "job" && !force) {
    return skip("a Windows Media Player WMP_JOB job: the Player finishes it (add --force to act anyway)", now.state);
  }
  try {
    const outcome = plan.action === "complete" ? await owned.complete({ force }) : await owned.cancel({ force });
    logger.info("clean: {action} job {id} ({reason}): {outcome}", { ...plan, id: plan.jobId, outcome });
    return { ...plan, state: now.state, outcome };
  } catch (error) {
    return { ...plan, state: now.state, outcome: "failed", message: (error as Error).message };
  }
}

/** `clean`: see the module documentation. */
export async function clean(ctx: Context, options: ParsedArgs["options"]): Promise<number> {
  const olderThan = durationOption(options["older-than"], "older-than", OLDER_THAN_OPTION, "clean");
  if (options.force === true && options.all !== true) {
    throw new UsageError("clean: --force only matters with --all (this tool's own jobs are never WMP jobs)", "clean");
  }
  const cancel = options.cancel === true;
  const complete = options.complete === true;
  const dryRun = options["dry-run"] === true || (!cancel && !complete);
  const policy: CleanPolicy = {
    all: options.all === true,
    olderThan,
    cancel,
    complete,
    name: typeof options.name === "string" ? nameMatcher(options.name) : undefined,
    now: Date.now(),
  };
  using bits = await connect();
  // The whole queue in one FFI call; with its times only when --older-than needs them.
  const allUsers = options["all-users"] === true;
  const queue: readonly DatedJobSnapshot[] = olderThan === undefined
    ? (await bits.listJobs({ allUsers })).map((snapshot) => ({ ...snapshot, times: null }))
    : await bits.listJobsWithTimes({ allUsers });
  const scoped = queue.filter((job) => inScope(job, policy));
  const others = queue.filter((job) => inScope(job, { ...policy, all: true })).length - scoped.length;
  // Times only matter for jobs that could be stale; ERROR jobs qualify at any age.
  const timed = olderThan === undefined ? [] : scoped.filter((job) => STALE_STATES.has(job.state));
  if (timed.length > 0 && timed.every((job) => job.times === null)) {
    logger.warn("This BITS does not report job times (Wine): --older-than finds no stale jobs; ERROR jobs only");
  }
  const plans: PlannedClean[] = planClean(
    scoped.map(({ times, ...snapshot }) => ({
      snapshot,
      lastChange: times?.modificationTime ?? times?.creationTime ?? null,
    })),
    policy,
  );
  const actions: CleanEntry[] = [];
  for (const plan of plans) {
    actions.push(dryRun ? { ...plan, outcome: "dry-run" } : await act(bits, plan, policy, options.force === true));
  }
  emit(ctx, { dryRun, actions }, () => describeClean(actions, dryRun, others, policy.now));
  return actions.some((a) => a.outcome === "failed" || a.outcome === "partial") ? ExitCode.Failure : ExitCode.Ok;
}

function describeClean(actions: readonly CleanEntry[], dryRun: boolean, others: number, now: number): string {
  const lines: string[] = [];
  if (actions.length === 0) lines.push("Nothing to clean.");
  else {
    lines.push(table([
      ["ID", "STATE", "REASON", "ACTION", "OUTCOME", "NAME"],
      ...actions.map((a) => [
        a.jobId,
        a.state,
        a.reason === "stale" && a.lastChange
          ? `stale (${formatDuration((now - a.lastChange.getTime()) / 1000)})`
          : a.reason,
        a.action,
        a.message ? `${a.outcome}: ${a.message}` : a.outcome,
        a.displayName,
      ]),
    ]));
  }
  if (dryRun && actions.length > 0) {
    lines.push(`Dry run: nothing was changed. Act with '${PROGRAM} clean --cancel' and/or '--complete'.`);
  }
  if (others > 0) {
    lines.push(`Left alone: ${others} job(s) of other programs or of the WMP convention (--all includes them).`);
  }
  return lines.join("\n");
}

/** `--older-than DURATION`: a unit is required (`7` alone could mean seconds or days). */
const OLDER_THAN_OPTION: OptionSpec = {
  type: "string",
  value: DURATION_VALUE,
  duration: { bare: null },
  description: "Also jobs unchanged for longer than this (30m, 12h, 7d, 2w): SUSPENDED, TRANSIENT_ERROR, TRANSFERRED",
};

/** The `clean` command. */
export const command: Command = {
  summary: "Find this tool's failed or stale jobs; cancel or complete them only when asked (default: dry run)",
  positionals: [],
  options: {
    "older-than": OLDER_THAN_OPTION,
    cancel: { type: "boolean", description: "Cancel the jobs found (TRANSFERRED ones too, unless --complete)" },
    complete: { type: "boolean", description: "Complete the TRANSFERRED jobs found (the others need --cancel)" },
    "dry-run": {
      type: "boolean",
      description: "Only show what would be done (the default without --cancel or --complete)",
    },
    all: {
      type: "boolean",
      description: `Every job, not only this tool's (described "${DEFAULT_JOB_DESCRIPTION}"); WMP jobs too`,
    },
    force: { type: "boolean", description: "With --all: act on the Player's WMP_JOB jobs too" },
    "all-users": ALL_USERS_OPTION,
    name: NAME_PATTERN_OPTION,
  },
  examples: [
    "clean",
    "clean --older-than 7d --cancel",
    "clean --older-than 12h --complete --cancel --json",
    'clean --all --name "nightly*" --older-than 30d --cancel --dry-run',
    "clean --all-users --older-than 14d --cancel",
  ],
  run: (ctx, { options }) => clean(ctx, options),
};

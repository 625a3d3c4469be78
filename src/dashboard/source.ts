/**
 * Where the dashboard's jobs come from and where its actions go: the
 * {@linkcode DashboardSource} interface, and {@linkcode bitsSource}, the one
 * that drives BITS through a {@linkcode BitsManager} and `watch()`.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { guardAction } from "../action_guard.ts";
import { checkExpectation } from "../integrity.ts";
import type { BitsJob } from "../job.ts";
import type { BitsManager } from "../manager.ts";
import type { JobFile, JobSnapshot } from "../types.ts";
import type { ExpectedFile } from "../verified_complete.ts";
import type { WatchEvent } from "../watch/events.ts";
import { watch } from "../watch/watch.ts";

/** What the page can ask for. */
export const DASHBOARD_ACTIONS = ["suspend", "resume", "cancel", "complete", "take-ownership"] as const;

/** One of {@linkcode DASHBOARD_ACTIONS}. */
export type DashboardAction = typeof DASHBOARD_ACTIONS[number];

/** An action's options: for `complete`, what the job's one file must be. */
export interface ActionOptions {
  /** Expected SHA-256 of the job's single file, 64 hex digits. */
  readonly sha256?: string;
  /** Expected size in bytes of the job's single file. */
  readonly size?: number;
}

/** The job after an action, or `null` when it left the queue (completed, cancelled). */
export type ActionResult = JobSnapshot | null;

/** The jobs a dashboard shows and the actions it runs. */
export interface DashboardSource {
  /** Events of the whole queue until `signal` aborts; the first of each job carries its snapshot. */
  events(signal: AbortSignal): AsyncIterable<WatchEvent>;
  /** A job's files (for sizes BITS does not total, and names). */
  files(id: string): Promise<JobFile[]>;
  /** Runs `action` on job `id`; the Player's `WMP_JOB` jobs are refused (`WmpJobOwnedError`). */
  act(id: string, action: DashboardAction, options: ActionOptions): Promise<ActionResult>;
}

/** Options of {@linkcode bitsSource}. */
export interface BitsSourceOptions {
  /** Milliseconds between polls of moving jobs (default 1000); see `WatchOptions.pollInterval`. */
  readonly pollInterval?: number;
}

/**
 * The dashboard's source for a real BITS queue. It watches without BITS
 * callbacks: a job notifies one client only, and a dashboard that only looks
 * must not take notifications away from the program that owns the job.
 */
export function bitsSource(manager: BitsManager, options: BitsSourceOptions = {}): DashboardSource {
  return {
    events: (signal) => watch(manager, { signal, callbacks: false, pollInterval: options.pollInterval ?? 1000 }),
    files: async (id) => {
      using job = await manager.getJob(id);
      return await job.files();
    },
    act: async (id, action, actionOptions) => {
      using job = await manager.getJob(id);
      return await runAction(job, action, actionOptions);
    },
  };
}

/** Checks the options of `action` before any BITS call; returns the expectation for `complete`, if any. */
export function checkActionOptions(action: DashboardAction, options: ActionOptions): ActionOptions | undefined {
  const { sha256, size } = options;
  if (sha256 === undefined && size === undefined) return undefined;
  if (action !== "complete") throw new InvalidArgumentError("options", `${action} takes no sha256 or size`);
  return checkExpectation({ sha256, size }, "sha256/size");
}

async function runAction(job: BitsJob, action: DashboardAction, options: ActionOptions): Promise<ActionResult> {
  const expectation = checkActionOptions(action, options);
  // The same rule as the CLI's; the dashboard never forces.
  await guardAction(job, action, false);
  if (action === "cancel") {
    await job.cancel();
    return null;
  }
  if (action === "complete") {
    let expect: ExpectedFile[] = [];
    if (expectation) {
      const files = await job.files();
      if (files.length !== 1) {
        throw new InvalidArgumentError(
          "sha256/size",
          `sha256 and size need a job with one file; this one has ${files.length}`,
        );
      }
      expect = [{ ...expectation, path: files[0].localName }];
    }
    await job.complete({ expect });
    return null;
  }
  if (action === "suspend") await job.suspend();
  else if (action === "resume") await job.resume();
  else await job.takeOwnership();
  return await job.snapshot();
}

/**
 * The monitoring commands: watch and wait, and the progress shown while
 * other commands wait.
 *
 * @module
 */

import { BitsError } from "../errors.ts";
import { HR } from "../hresult.ts";
import type { BitsJob } from "../job.ts";
import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import type { JobFile, JobSnapshot } from "../types.ts";
import type { WatchEvent } from "../watch/events.ts";
import { watch } from "../watch/watch.ts";
import { UsageError } from "./args.ts";
import {
  ALL_USERS_OPTION,
  type Command,
  DURATION_VALUE,
  INTERVAL_OPTION,
  MAX_TRANSIENT_ERRORS_OPTION,
  type OptionSpec,
  type ParsedArgs,
  TIMEOUT_OPTION,
} from "./command.ts";
import { type Context, emit, interruptSignal, PROGRAM, transientErrorLimit } from "./context.ts";
import { durationOption } from "./duration.ts";
import { ExitCode } from "./exit_codes.ts";
import { filesTotal, knownTotal } from "./format.ts";
import { ProgressBoard, ProgressReporter } from "./progress.ts";
import { boardView, jsonView, lineView, type WatchView } from "./watch_view.ts";

/**
 * Waits for TRANSFERRED, drawing progress on stderr unless quiet or JSON.
 * Also reads the file list until every file's size is known, because BITS on
 * Wine never reports a job total.
 */
export async function waitWithProgress(
  ctx: Context,
  job: BitsJob,
  timeout?: number,
  transientErrorLimit?: number,
): Promise<JobSnapshot> {
  const reporter = ctx.quiet || ctx.json
    ? undefined
    : new ProgressReporter(ctx.io.stderr, ctx.io.stderrIsTerminal, ctx.io.columns);
  let files: JobFile[] | undefined;
  let reading: Promise<void> | undefined;
  const refreshFiles = (snapshot: JobSnapshot): void => {
    if (reading || snapshot.progress.bytesTotal !== null || (files && knownTotal(snapshot, files) !== null)) return;
    reading = job.files().then((f) => void (files = f), () => {}).finally(() => reading = undefined);
  };
  try {
    return await job.wait({
      timeout,
      transientErrorLimit,
      interval: 200,
      onSnapshot: (snapshot) => {
        if (reporter) refreshFiles(snapshot);
        reporter?.update(snapshot, files);
      },
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new DOMException(`${error.message}; the job keeps running: '${PROGRAM} info ${job.id}'`, "TimeoutError");
    }
    throw error;
  } finally {
    await reading;
    reporter?.finish();
  }
}

/** `watch`: events of jobs (or the whole queue) until they settle. */
export async function watchCommand(
  ctx: Context,
  ids: readonly string[],
  options: ParsedArgs["options"],
): Promise<number> {
  if (ids.length === 0 && options.all !== true) throw new UsageError("watch needs job ids or --all", "watch");
  if (ids.length > 0 && options.all === true) throw new UsageError("give job ids or --all, not both", "watch");
  const allUsers = options["all-users"] === true;
  if (allUsers && options.all !== true) throw new UsageError("--all-users goes with --all", "watch");
  const interval = durationOption(options.interval, "interval", INTERVAL_OPTION, "watch") ?? 1000;
  const idleInterval = durationOption(options["idle-interval"], "idle-interval", IDLE_INTERVAL_OPTION, "watch");
  using bits = await connect();
  const jobs = [];
  try {
    for (const id of ids) jobs.push(await resolveJob(bits, id));
    // The queue watch follows this user's queue; every user's jobs are watched as the list they are now.
    if (allUsers) jobs.push(...await bits.jobs({ allUsers: true }));
    const names = new Map<string, string>();
    for (const job of jobs) names.set(job.id, (await job.snapshot()).displayName);
    const totals = new Map<string, number | null>();
    const view0 = ctx.json
      ? jsonView(ctx.io.stdout)
      : ctx.quiet
      ? { show: () => {}, close: () => {} }
      : ctx.io.stderrIsTerminal
      ? boardView(new ProgressBoard(ctx.io.stderr, true, ctx.io.columns), names, (id) => totals.get(id) ?? null)
      : lineView(ctx.io.stderr, names);
    // BITS on Wine never reports a job total: read the files' sizes once they are known.
    const reading = new Set<Promise<void>>();
    const fillTotal = (event: WatchEvent): void => {
      if (event.progress?.bytesTotal !== null || totals.has(event.jobId) || !ctx.io.stderrIsTerminal) return;
      if (event.state !== "TRANSFERRING" && event.state !== "TRANSFERRED") return;
      totals.set(event.jobId, null);
      const read: Promise<void> = bits.getJob(event.jobId).then(async (job) => {
        using owned = job;
        const total = filesTotal(await owned.files());
        if (total === null) totals.delete(event.jobId);
        else totals.set(event.jobId, total);
      }).catch(() => void totals.delete(event.jobId)).finally(() => reading.delete(read));
      reading.add(read);
    };
    const view: WatchView = {
      show: (event) => {
        fillTotal(event);
        view0.show(event);
      },
      close: () => view0.close(),
    };
    using interrupt = interruptSignal();
    let failed = false;
    try {
      for await (
        const event of watch(options.all === true && !allUsers ? bits : jobs, {
          signal: interrupt.signal,
          pollInterval: interval,
          idlePollInterval: idleInterval,
          untilSettled: true,
        })
      ) {
        if (event.snapshot && !names.has(event.jobId)) names.set(event.jobId, event.snapshot.displayName);
        if (event.kind === "error") failed = true;
        view.show(event);
      }
    } finally {
      await Promise.all(reading);
      view.close();
    }
    if (interrupt.signal.aborted) return ExitCode.Ok;
    return failed ? ExitCode.Failure : ExitCode.Ok;
  } finally {
    for (const job of jobs) job.dispose();
  }
}

/** `wait`: waits for a job, with exit codes for scripts. */
export async function waitCommand(ctx: Context, id: string, options: ParsedArgs["options"]): Promise<number> {
  const timeout = durationOption(options.timeout, "timeout", TIMEOUT_OPTION, "wait");
  const interval = durationOption(options.interval, "interval", INTERVAL_OPTION, "wait") ?? 1000;
  const limit = transientErrorLimit(options["max-transient-errors"]);
  using bits = await connect();
  using job = await resolveJob(bits, id);
  using interrupt = interruptSignal();
  let snapshot: JobSnapshot;
  try {
    snapshot = await job.wait({ timeout, interval, signal: interrupt.signal, transientErrorLimit: limit });
  } catch (error) {
    if (error instanceof BitsError && error.state === "ACKNOWLEDGED") {
      // Another process completed it: the transfer is done.
      const done = await job.snapshot();
      emit(ctx, { job: done, outcome: "completed-elsewhere" }, () => `Job ${job.id} was completed by another process`);
      return ExitCode.Ok;
    }
    if (error instanceof BitsError && error.code === "BG_E_NOT_FOUND") {
      throw new BitsError(HR.BG_E_NOT_FOUND, {
        operation: "Waiting (the job left the queue)",
        jobId: job.id,
        state: "CANCELLED",
      });
    }
    throw error;
  }
  if (options.complete !== true) {
    emit(
      ctx,
      { job: snapshot },
      () => `Job ${job.id} is TRANSFERRED; complete it with '${PROGRAM} complete ${job.id}'`,
    );
    return ExitCode.Ok;
  }
  const outcome = await job.complete();
  emit(ctx, { job: snapshot, outcome }, () => `Job ${job.id} transferred and ${outcome}`);
  return outcome === "partial" ? ExitCode.Failure : ExitCode.Ok;
}

/** `watch --idle-interval DURATION`. */
const IDLE_INTERVAL_OPTION: OptionSpec = {
  type: "string",
  value: DURATION_VALUE,
  duration: { bare: "s" },
  description:
    "Poll interval for idle jobs (default 5 × --interval; = --interval polls all alike): 30s, 2m, or seconds",
};

/** The monitoring commands, by name. */
export const MONITOR_COMMANDS: Readonly<Record<string, Command>> = {
  watch: {
    summary: "Watch jobs until they settle (transferred, failed, completed or cancelled), with live progress",
    positionals: [],
    rest: "ids",
    options: {
      all: { type: "boolean", description: "Watch the whole queue, including jobs that appear later" },
      "all-users": {
        ...ALL_USERS_OPTION,
        description: "With --all: every user's jobs in the queue when watch starts (administrators)",
      },
      interval: INTERVAL_OPTION,
      "idle-interval": IDLE_INTERVAL_OPTION,
    },
    examples: [
      "watch {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}",
      'watch 0f3c1c2e "nightly backup"',
      "watch --all",
      "watch --all --json",
      "watch --all --interval 2 --idle-interval 30s",
      "watch --all --all-users",
    ],
    run: (ctx, { rest, options }) => watchCommand(ctx, rest ?? [], options),
  },
  wait: {
    summary: "Wait for a job to be transferred; exit 0 done, 1 job error, 3 timeout, 4 cancelled or vanished",
    positionals: ["id"],
    options: {
      complete: { type: "boolean", description: "Complete the job once it is transferred" },
      timeout: TIMEOUT_OPTION,
      interval: INTERVAL_OPTION,
      "max-transient-errors": MAX_TRANSIENT_ERRORS_OPTION,
    },
    examples: [
      "wait {0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10} --complete --timeout 600",
      'wait "nightly backup" --json',
      "wait 0f3c1c2e --timeout 1h --interval 5",
      "wait 0f3c1c2e --max-transient-errors 3 --complete",
    ],
    run: (ctx, { args, options }) => waitCommand(ctx, args.id, options),
  },
};

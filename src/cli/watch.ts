/**
 * `bits watch`: events of jobs (or the whole queue) until they settle, as a
 * live board on a terminal, lines otherwise, or JSON lines.
 *
 * @module
 */

import { connect } from "../manager.ts";
import { resolveJob } from "../resolve.ts";
import type { WatchEvent } from "../watch/events.ts";
import { watch } from "../watch/watch.ts";
import {
  ALL_USERS_OPTION,
  type Command,
  DURATION_VALUE,
  INTERVAL_OPTION,
  type OptionSpec,
  type ParsedArgs,
  UsageError,
} from "./command.ts";
import { type Context, interruptSignal } from "./context.ts";
import { durationOption } from "./duration.ts";
import { ExitCode } from "./exit_codes.ts";
import { filesTotal } from "./format.ts";
import { ProgressBoard } from "./progress.ts";
import { boardView, jsonView, lineView, type WatchView } from "./watch_view.ts";

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

/** `watch --idle-interval DURATION`. */
const IDLE_INTERVAL_OPTION: OptionSpec = {
  type: "string",
  value: DURATION_VALUE,
  duration: { bare: "s" },
  description:
    "Poll interval for idle jobs (default 5 × --interval; = --interval polls all alike): 30s, 2m, or seconds",
};

/** The `watch` command. */
export const command: Command = {
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
};

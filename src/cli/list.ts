/**
 * `bits list`: the queue (or the jobs matching `--state` and `--name`), newest
 * first, with creation times where BITS reports them.
 *
 * @module
 */

import { connect } from "../manager.ts";
import { JOB_STATES, type JobSnapshot } from "../types.ts";
import { ALL_USERS_OPTION, type Command, NAME_PATTERN_OPTION, type ParsedArgs } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatBytes, formatTime, table } from "./format.ts";
import { nameMatcher, newestFirst, parseStates } from "./filters.ts";

/** A listed job: its snapshot, and its times where BITS reports them. */
export interface ListedJob extends JobSnapshot {
  /** When the job was created; `null` where BITS does not say (Wine). */
  readonly creationTime: Date | null;
  /** When the job last changed; `null` where BITS does not say (Wine). */
  readonly modificationTime: Date | null;
}

/** `list`: the queue (or the jobs matching `--state` and `--name`), newest first. */
export async function list(ctx: Context, options: ParsedArgs["options"]): Promise<number> {
  const states = parseStates(options.state, "list");
  const matches = typeof options.name === "string" ? nameMatcher(options.name) : undefined;
  using bits = await connect();
  // The whole queue with its times in one FFI call.
  const queue = await bits.listJobsWithTimes({ allUsers: options["all-users"] === true });
  const jobs: ListedJob[] = newestFirst(
    queue
      .filter((job) => (!states || states.has(job.state)) && (!matches || matches(job.displayName)))
      .map(({ times, ...snapshot }) => ({
        ...snapshot,
        creationTime: times?.creationTime ?? null,
        modificationTime: times?.modificationTime ?? null,
      })),
    (job) => job.creationTime,
  );
  const dated = jobs.some((j) => j.creationTime !== null);
  emit(ctx, { jobs }, () =>
    jobs.length === 0 ? (states || matches ? "No matching jobs." : "No jobs.") : table([
      ["ID", "STATE", "BYTES", "FILES", ...(dated ? ["CREATED"] : []), "NAME"],
      ...jobs.map((j) => [
        j.id,
        j.state,
        j.progress.bytesTotal === null
          ? formatBytes(j.progress.bytesTransferred)
          : `${formatBytes(j.progress.bytesTransferred)}/${formatBytes(j.progress.bytesTotal)}`,
        `${j.progress.filesTransferred}/${j.progress.filesTotal}`,
        ...(dated ? [j.creationTime ? formatTime(j.creationTime) : "?"] : []),
        j.displayName,
      ]),
    ]));
  return ExitCode.Ok;
}

/** The `list` command. */
export const command: Command = {
  summary: "List the jobs in the queue, newest first; filter by state and display name",
  positionals: [],
  options: {
    state: {
      type: "string",
      value: "STATE[,STATE…]",
      multiple: true,
      description: `Only jobs in these states (any case): ${JOB_STATES.join(", ")}`,
    },
    name: NAME_PATTERN_OPTION,
    "all-users": ALL_USERS_OPTION,
  },
  examples: [
    "list",
    "list --state error,transient_error",
    'list --name "nightly*" --json',
    "list --all-users --state TRANSFERRED",
  ],
  run: (ctx, { options }) => list(ctx, options),
};

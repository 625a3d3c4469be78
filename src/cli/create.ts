/**
 * `bits create`: an empty, suspended job (bitsadmin's `/create`); prints its id.
 * Files are added with `add-file`, the job started with `resume`.
 *
 * @module
 */

import { connect } from "../manager.ts";
import type { JobType } from "../types.ts";
import { type Command, DESCRIPTION_OPTION, type ParsedArgs, UsageError } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { text } from "./option_values.ts";
import { logger } from "./log.ts";
import { CREATION_OPTIONS, prepareCreationProperties } from "./creation_options.ts";
import { ExitCode } from "./exit_codes.ts";

// The CLI spells job types the way bitsadmin's /create switches do.
const TYPES: Readonly<Record<string, JobType>> = {
  download: "DOWNLOAD",
  upload: "UPLOAD",
  "upload-reply": "UPLOAD_REPLY",
};

/** `--type` as a job type; `DOWNLOAD` when absent. */
function jobTypeOption(value: ParsedArgs["options"][string]): JobType {
  if (value === undefined) return "DOWNLOAD";
  const type = typeof value === "string" ? TYPES[value.toLowerCase()] : undefined;
  if (!type) {
    throw new UsageError(`--type takes ${Object.keys(TYPES).join(", ")}, got ${JSON.stringify(value)}`, "create");
  }
  return type;
}

/** `create`: an empty, suspended job; prints its id. */
export async function create(ctx: Context, name: string, options: ParsedArgs["options"]): Promise<number> {
  const type = jobTypeOption(options.type);
  const { properties, names } = await prepareCreationProperties(ctx, options, "create");
  using bits = await connect();
  using job = await bits.createJob(name, { type, description: text(options.description), properties });
  logger.debug("Created {type} job {id}", { type, id: job.id });
  const snapshot = await job.snapshot();
  // The bare id on stdout, so scripts can capture it (`for /f %i in ('bits create x') do …`).
  emit(ctx, { job: snapshot, set: names }, () => job.id);
  return ExitCode.Ok;
}

/** The `create` command. */
export const command: Command = {
  summary: "Create an empty, suspended job and print its id (add files with add-file, start it with resume)",
  positionals: ["name"],
  options: {
    type: { type: "string", value: "TYPE", description: "download (default), upload or upload-reply" },
    description: DESCRIPTION_OPTION,
    ...CREATION_OPTIONS,
  },
  examples: [
    'create "nightly backup"',
    'create "driver pack" --priority foreground --description "Fabrikam drivers 2.1"',
    'create "intranet" --header "Authorization: Bearer %TOKEN%" --credentials-scheme NEGOTIATE --json',
    'create "report upload" --type upload --json',
  ],
  run: (ctx, { args, options }) => create(ctx, args.name, options),
};

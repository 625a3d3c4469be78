/**
 * Every CLI command, in the order the help lists them.
 *
 * @module
 */

import { ACTION_COMMANDS } from "./actions.ts";
import { BUILD_COMMANDS } from "./build.ts";
import type { Command } from "./command.ts";
import { DASHBOARD_COMMANDS } from "./dashboard.ts";
import { DOCTOR_COMMANDS } from "./doctor.ts";
import { FILES_COMMANDS } from "./job_files.ts";
import { HYGIENE_COMMANDS } from "./hygiene.ts";
import { JOB_COMMANDS } from "./jobs.ts";
import { MONITOR_COMMANDS } from "./monitor.ts";
import { PROBE_COMMANDS } from "./probe.ts";
import { REPLY_PREFIX_COMMANDS } from "./reply_prefix.ts";
import { SET_COMMANDS } from "./set.ts";
import { WMP_COMMANDS } from "./wmp.ts";

const { version, download, list, info, complete, cancel, ...jobCommands } = JOB_COMMANDS;
const { create, ...buildCommands } = BUILD_COMMANDS;

/** The command table: name (two words for `wmp …`) → command. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  create,
  download,
  ...buildCommands,
  list,
  info,
  ...FILES_COMMANDS,
  ...REPLY_PREFIX_COMMANDS,
  complete,
  cancel,
  ...ACTION_COMMANDS,
  ...jobCommands,
  ...SET_COMMANDS,
  ...MONITOR_COMMANDS,
  ...DASHBOARD_COMMANDS,
  ...WMP_COMMANDS,
  ...HYGIENE_COMMANDS,
  ...PROBE_COMMANDS,
  ...DOCTOR_COMMANDS,
  version,
};

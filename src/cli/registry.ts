/**
 * Every CLI command, in the order the help lists them.
 *
 * @module
 */

import type { Command } from "./command.ts";
import { DOCTOR_COMMANDS } from "./doctor.ts";
import { JOB_COMMANDS } from "./jobs.ts";
import { MONITOR_COMMANDS } from "./monitor.ts";
import { SET_COMMANDS } from "./set.ts";
import { WMP_COMMANDS } from "./wmp.ts";

const { version, ...jobCommands } = JOB_COMMANDS;

/** The command table: name (two words for `wmp …`) → command. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  ...jobCommands,
  ...SET_COMMANDS,
  ...MONITOR_COMMANDS,
  ...WMP_COMMANDS,
  ...DOCTOR_COMMANDS,
  version,
};

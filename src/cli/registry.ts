/**
 * Every CLI command, in the order the help lists them.
 *
 * @module
 */

import type { Command } from "./command.ts";
import { DOCTOR_COMMANDS } from "./doctor.ts";
import { HYGIENE_COMMANDS } from "./hygiene.ts";
import { JOB_COMMANDS } from "./jobs.ts";
import { MONITOR_COMMANDS } from "./monitor.ts";
import { PROBE_COMMANDS } from "./probe.ts";
import { WMP_COMMANDS } from "./wmp.ts";

const { version, ...jobCommands } = JOB_COMMANDS;

/** The command table: name (two words for `wmp …`) → command. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  ...jobCommands,
  ...MONITOR_COMMANDS,
  ...WMP_COMMANDS,
  ...DOCTOR_COMMANDS,
  ...HYGIENE_COMMANDS,
  ...PROBE_COMMANDS,
  version,
};

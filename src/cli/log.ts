/**
 * The CLI's logger (sinks are configured by `main`). Its own module so that
 * importing the CLI's shared helpers does not load LogTape: a command that
 * never logs (`version`, help) starts without it.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";

/** The CLI's logger. */
export const logger = getLogger(["deno-bits", "cli"]);

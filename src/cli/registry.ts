/**
 * Every CLI command, loaded: the table of `command_index.ts` with each
 * command's file imported, for tests and tools that need every spec at once
 * (the parser's checks, help, JSON schemas). `main` never imports this file:
 * it loads only the command it runs.
 *
 * @module
 */

import type { Command } from "./command.ts";
import { loadAllCommands } from "./command_index.ts";

/** The command table: name (two words for `wmp …`) → command, in help order. */
export const COMMANDS: Readonly<Record<string, Command>> = await loadAllCommands();

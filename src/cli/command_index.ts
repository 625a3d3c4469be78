/**
 * Every CLI command, in the order the help lists them: the one table of the
 * command line. Each command is one file, `<name>.ts` with `-` and the space
 * of a `wmp …` command as `_` (`add-file` → `add_file.ts`, `wmp finish` →
 * `wmp_finish.ts`), exporting `command`; its line here loads that file and
 * nothing else. `main` loads only the command it runs, so a command starts
 * without the others' imports (the BITS bindings, LogTape, Node
 * compatibility…; docs/performance.md); the other names are enough to parse
 * and suggest. `registry.ts` is this table loaded eagerly, for tests and tools.
 *
 * @module
 */

import type { Command, CommandModule } from "./command.ts";

/** Loads the file of one command. */
export type CommandLoader = () => Promise<CommandModule>;

/** Command name (two words for `wmp …`) → the loader of its file, in help order. */
export const COMMAND_INDEX: Readonly<Record<string, CommandLoader>> = {
  create: () => import("./create.ts"),
  download: () => import("./download.ts"),
  "add-file": () => import("./add_file.ts"),
  upload: () => import("./upload.ts"),
  list: () => import("./list.ts"),
  info: () => import("./info.ts"),
  files: () => import("./files.ts"),
  "replace-prefix": () => import("./replace_prefix.ts"),
  reply: () => import("./reply.ts"),
  complete: () => import("./complete.ts"),
  cancel: () => import("./cancel.ts"),
  suspend: () => import("./suspend.ts"),
  resume: () => import("./resume.ts"),
  "take-ownership": () => import("./take_ownership.ts"),
  set: () => import("./set.ts"),
  properties: () => import("./properties.ts"),
  watch: () => import("./watch.ts"),
  wait: () => import("./wait.ts"),
  dashboard: () => import("./dashboard.ts"),
  submit: () => import("./submit.ts"),
  "wmp finish": () => import("./wmp_finish.ts"),
  "wmp list": () => import("./wmp_list.ts"),
  "wmp refresh": () => import("./wmp_refresh.ts"),
  clean: () => import("./clean.ts"),
  probe: () => import("./probe.ts"),
  doctor: () => import("./doctor.ts"),
  version: () => import("./version.ts"),
};

/** Loads one command. */
export async function loadCommand(name: string): Promise<Command> {
  return (await COMMAND_INDEX[name]()).command;
}

/** Loads every command (for the help overview), in help order. */
export async function loadAllCommands(): Promise<Record<string, Command>> {
  const table: Record<string, Command> = {};
  for (const name of Object.keys(COMMAND_INDEX)) table[name] = await loadCommand(name);
  return table;
}

/**
 * Every command's name, in the order the help lists them, and where its
 * module is: `main` loads only the module of the command it runs, so a
 * command starts without the others' imports (the BITS bindings, LogTape,
 * Node compatibility…; docs/performance.md). `registry.ts` is the same
 * table loaded eagerly; a unit test keeps the two alike.
 *
 * @module
 */

import type { Command } from "./command.ts";

type Commands = Readonly<Record<string, Command>>;
type Loader = () => Promise<Commands>;

const actions: Loader = () => import("./actions.ts").then((m) => m.ACTION_COMMANDS);
const build: Loader = () => import("./build.ts").then((m) => m.BUILD_COMMANDS);
const dashboard: Loader = () => import("./dashboard.ts").then((m) => m.DASHBOARD_COMMANDS);
const doctor: Loader = () => import("./doctor.ts").then((m) => m.DOCTOR_COMMANDS);
const files: Loader = () => import("./job_files.ts").then((m) => m.FILES_COMMANDS);
const hygiene: Loader = () => import("./hygiene.ts").then((m) => m.HYGIENE_COMMANDS);
const jobs: Loader = () => import("./jobs.ts").then((m) => m.JOB_COMMANDS);
const monitor: Loader = () => import("./monitor.ts").then((m) => m.MONITOR_COMMANDS);
const probe: Loader = () => import("./probe.ts").then((m) => m.PROBE_COMMANDS);
const replyPrefix: Loader = () => import("./reply_prefix.ts").then((m) => m.REPLY_PREFIX_COMMANDS);
const set: Loader = () => import("./set.ts").then((m) => m.SET_COMMANDS);
const version: Loader = () => import("./version.ts").then((m) => m.VERSION_COMMANDS);
const wmp: Loader = () => import("./wmp.ts").then((m) => m.WMP_COMMANDS);

/** Command name → the loader of the module that defines it, in help order. */
export const COMMAND_INDEX: Readonly<Record<string, Loader>> = {
  create: build,
  download: jobs,
  "add-file": build,
  upload: build,
  list: jobs,
  info: jobs,
  files,
  "replace-prefix": replyPrefix,
  reply: replyPrefix,
  complete: jobs,
  cancel: jobs,
  suspend: actions,
  resume: actions,
  "take-ownership": actions,
  set,
  properties: set,
  watch: monitor,
  wait: monitor,
  dashboard,
  submit: wmp,
  "wmp finish": wmp,
  "wmp list": wmp,
  "wmp refresh": wmp,
  clean: hygiene,
  probe,
  doctor,
  version,
};

/** Loads one command. */
export async function loadCommand(name: string): Promise<Command> {
  const command = (await COMMAND_INDEX[name]())[name];
  if (!command) throw new Error(`command_index.ts: ${name}'s module does not define it`);
  return command;
}

/** Loads every command (for the help overview), in help order. */
export async function loadAllCommands(): Promise<Record<string, Command>> {
  const table: Record<string, Command> = {};
  for (const name of Object.keys(COMMAND_INDEX)) table[name] = await loadCommand(name);
  return table;
}

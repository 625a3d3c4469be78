/**
 * `bits wmp refresh`: shows or sets RefreshDownload (HKCU), whether the Player
 * scans the BITS queue for convention jobs.
 *
 * @module
 */

import { getRefreshDownload, setRefreshDownload } from "../wmp/refresh.ts";
import { type Command, type ParsedArgs, UsageError } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";

/** `wmp refresh`: shows or sets RefreshDownload. */
export function wmpRefresh(ctx: Context, options: ParsedArgs["options"]): number {
  if (options.enable === true && options.disable === true) {
    throw new UsageError("--enable and --disable exclude each other", "wmp refresh");
  }
  const state = options.enable === true
    ? setRefreshDownload(true)
    : options.disable === true
    ? setRefreshDownload(false)
    : getRefreshDownload();
  emit(
    ctx,
    { refreshDownload: state },
    () =>
      `RefreshDownload = ${state.value ?? "(not set)"}: the Player ${
        state.enabled ? "scans" : "does not scan"
      } the BITS queue for WMP jobs`,
  );
  return ExitCode.Ok;
}

/** The `wmp refresh` command. */
export const command: Command = {
  summary: "Show or set RefreshDownload (HKCU): whether the Player scans the BITS queue",
  positionals: [],
  options: {
    enable: { type: "boolean", description: "Set RefreshDownload to 1" },
    disable: { type: "boolean", description: "Set RefreshDownload to 0" },
    status: { type: "boolean", description: "Show the value (the default)" },
  },
  examples: ["wmp refresh --status", "wmp refresh --enable --json"],
  run: (ctx, { options }) => wmpRefresh(ctx, options),
};

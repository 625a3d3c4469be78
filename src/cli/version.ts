/**
 * `bits version`: the module, Deno and shim versions. Its own module,
 * light on imports, so the command starts about as fast as Deno itself
 * (docs/performance.md).
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };
import { loadShim } from "../../ffi/library.ts";
import { SHIM_ABI_VERSION } from "../../ffi/symbols.ts";
import { wineVersion } from "../platform.ts";
import type { Command } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";

/** `version`: the module, Deno and shim versions. */
export function version(ctx: Context): number {
  let shim: Record<string, unknown>;
  try {
    const loaded = loadShim();
    shim = { abi: SHIM_ABI_VERSION, path: String(loaded.candidate.location), wine: wineVersion() };
  } catch (error) {
    shim = { unavailable: error instanceof Error ? error.message.split("\n")[0] : String(error) };
  }
  emit(ctx, { module: denoJson.version, deno: Deno.version.deno, shim }, () =>
    [
      `deno-bits ${denoJson.version} (deno ${Deno.version.deno})`,
      shim.unavailable
        ? `shim: unavailable: ${shim.unavailable}`
        : `shim: ABI ${shim.abi}, ${shim.path}${shim.wine ? `, Wine ${shim.wine}` : ""}`,
    ].join("\n"));
  return ExitCode.Ok;
}

/** The `version` command. */
export const command: Command = {
  summary: "Print the module and shim versions",
  positionals: [],
  options: {},
  examples: ["version", "version --json"],
  logs: false,
  run: (ctx) => version(ctx),
};

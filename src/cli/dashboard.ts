/**
 * `bits dashboard`: serves the live queue page (src/dashboard/) until Ctrl+C.
 * The URL, token included, goes to stdout; warnings go to stderr.
 *
 * @module
 */

import { serveDashboard } from "../dashboard/server.ts";
import { isLoopback } from "../dashboard/security.ts";
import { connect } from "../manager.ts";
import { type Command, type ParsedArgs, UsageError } from "./command.ts";
import { type Context, emit, interruptSignal } from "./context.ts";
import { integerOption } from "./option_values.ts";
import { logger } from "./log.ts";
import { ExitCode } from "./exit_codes.ts";

/** Runs the dashboard until interrupted. */
export async function dashboardCommand(ctx: Context, options: ParsedArgs["options"]): Promise<number> {
  const port = integerOption(options.port, "port") ?? 0;
  if (port < 0 || port > 65535) throw new UsageError("--port must be 0 to 65535", "dashboard");
  const listen = typeof options.listen === "string" ? options.listen : "127.0.0.1";
  const remote = !isLoopback(listen);
  if (remote) {
    ctx.io.stderr(
      `warning: listening on ${listen}, not loopback: anyone who can reach it and sees the URL can act on your jobs, ` +
        "and plain HTTP carries the token in clear\n",
    );
  }
  using bits = await connect();
  using interrupt = interruptSignal();
  const dashboard = await serveDashboard(bits, {
    port,
    hostname: listen,
    allowRemote: remote,
    signal: interrupt.signal,
  });
  emit(ctx, { url: dashboard.url, port: dashboard.port }, () => dashboard.url);
  if (!ctx.json && !ctx.quiet) {
    ctx.io.stderr(
      "The URL carries the dashboard's token: share it only with who may act on your jobs. Ctrl+C stops.\n",
    );
  }
  if (options.open === true) await openBrowser(ctx, dashboard.url);
  try {
    await dashboard.finished;
  } finally {
    await dashboard.close();
  }
  return ExitCode.Ok;
}

/**
 * The command that opens `url` in the default browser on `os`. On Windows not `cmd /c start`, which would
 * read the URL's characters as shell syntax.
 */
export function browserCommand(os: typeof Deno.build.os, url: string): [string, ...string[]] {
  if (os === "windows") return ["rundll32", "url.dll,FileProtocolHandler", url];
  if (os === "darwin") return ["open", url];
  return ["xdg-open", url];
}

/** Opens `url` in the default browser; says so on stderr when it cannot (e.g. no --allow-run). */
async function openBrowser(ctx: Context, url: string): Promise<void> {
  const [command, ...args] = browserCommand(Deno.build.os, url);
  try {
    const child = new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    await child.status;
  } catch (error) {
    logger.debug("Opening a browser failed: {error}", { error: String(error) });
    ctx.io.stderr(`Could not open a browser (${command}); open the URL above yourself\n`);
  }
}

/** The `dashboard` command. */
export const command: Command = {
  summary: "Serve a live page of the queue on 127.0.0.1, with job actions (the URL carries a secret token)",
  positionals: [],
  options: {
    port: { type: "string", value: "N", description: "TCP port (default: a free one)" },
    open: { type: "boolean", description: "Open the page in the default browser (needs --allow-run)" },
    listen: {
      type: "string",
      value: "ADDR",
      description: "Listen on ADDR instead of 127.0.0.1; a non-loopback address exposes your jobs (warned)",
    },
  },
  examples: ["dashboard", "dashboard --port 8765 --open", "dashboard --json"],
  run: (ctx, { options }) => dashboardCommand(ctx, options),
};

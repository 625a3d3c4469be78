/**
 * Runs `cli.ts` in a new process whose stdout or stderr reader closes at
 * once (as `bits … | head -0` would): for the tests that a closed stream
 * ends the CLI quietly.
 *
 * @module
 */

const CLI = new URL("../../cli.ts", import.meta.url);

/** What the run returned, and what the other (open) stream received. */
export interface ClosedRun {
  /** The exit code. */
  readonly code: number;
  /** The stream that stayed open. */
  readonly other: string;
}

/** Runs `cli.ts args` with `permissions`, closing the reader of `closed` before the CLI writes anything. */
export async function runWithClosed(
  closed: "stdout" | "stderr",
  permissions: readonly string[],
  args: readonly string[],
): Promise<ClosedRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "--no-check", ...permissions, CLI.href, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(90_000),
  }).spawn();
  // Closed before the process has even started running the CLI, so its first write finds no reader.
  await child[closed].cancel();
  const open = closed === "stdout" ? child.stderr : child.stdout;
  const [status, other] = await Promise.all([child.status, new Response(open).text()]);
  return { code: status.code, other };
}

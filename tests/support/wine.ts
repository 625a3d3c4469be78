/**
 * Shared pieces of the Wine and Windows tests (tests/wine/), which run against the real BITS
 * service (Windows, or Wine 10 through scripts/bed): job cleanup, temporary
 * directories, and running the CLI in a separate process.
 *
 * @module
 */

import { join } from "node:path";
import { loadShim } from "../../ffi/library.ts";
import { type BitsJob, type BitsManager, connect, type JobState, wineVersion } from "../../mod.ts";
import { parseCommandLine } from "../../src/cli/args.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import { assertCliJson } from "./cli_schema.ts";

const RUNNING: ReadonlySet<JobState> = new Set(["QUEUED", "CONNECTING", "TRANSFERRING"]);

/**
 * True on native Windows: Windows, and no Wine (`ntdll!wine_get_version`,
 * through {@linkcode wineVersion}). The tests of what only Windows' BITS
 * implements (tests/wine/windows_only/) run there and are reported as
 * skipped under Wine. Asked only by those files, so other tests load the
 * shim when they choose to.
 */
export function isNativeWindows(): boolean {
  return Deno.build.os === "windows" && wineVersion() === null;
}

/** Registers a test that runs on native Windows only and is reported as skipped elsewhere. */
export function windowsTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: `Windows: ${name}`, ignore: !isNativeWindows(), fn });
}

/** Permissions the CLI runs with: the least it needs. */
export const CLI_PERMISSIONS = ["--allow-ffi", "--allow-read", "--allow-write", "--allow-env=BITS_SHIM_PATH"];

const CLI = new URL("../../cli.ts", import.meta.url);

/** Result of a CLI run. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The command run (`wmp list` for the two-word ones), so `parseJson` can check its schema. */
  readonly command?: string;
}

/** The command an argument list runs, as the CLI's own parser reads it; `undefined` for a bad command line. */
export function commandOf(args: readonly string[]): string | undefined {
  try {
    const { command } = parseCommandLine(args, COMMANDS);
    return command === "help" ? undefined : command;
  } catch {
    return undefined;
  }
}

/** How long one CLI run may take before it is killed and the test fails (a hang guard). */
const CLI_TIMEOUT_MS = 90_000;

/**
 * Runs `cli.ts` in a new Deno process, as a user would, with {@linkcode CLI_PERMISSIONS}
 * and any `extraPermissions` (e.g. `--allow-net=127.0.0.1` for `probe` or `doctor --self-test`).
 */
export async function runCli(
  args: readonly string[],
  env?: Record<string, string>,
  extraPermissions: readonly string[] = [],
): Promise<CliResult> {
  const killer = new AbortController();
  const timer = setTimeout(() => killer.abort(), CLI_TIMEOUT_MS);
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--cached-only", "--no-check", ...CLI_PERMISSIONS, ...extraPermissions, CLI.href, ...args],
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      signal: killer.signal,
    }).output();
    const decoder = new TextDecoder();
    const result = {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
      command: commandOf(args),
    };
    if (killer.signal.aborted) {
      throw new Error(`cli.ts ${args.join(" ")} hung for ${CLI_TIMEOUT_MS} ms and was killed:\n${result.stderr}`);
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Parses a `--json` result, failing with the process output when it is not
 * JSON, and checks it against its command's schema (docs/cli-json/) when the
 * command is known: so every document a Wine test reads is validated.
 */
export function parseJson(result: CliResult): Record<string, unknown> & { version: number } {
  let document: Record<string, unknown> & { version: number };
  try {
    document = JSON.parse(result.stdout);
  } catch {
    throw new Error(`CLI output is not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  if (result.command !== undefined) assertCliJson(result.command, document);
  return document;
}

/**
 * A test's BITS session: one connection, a fresh directory for destinations,
 * and every job it creates cancelled at the end unless it was finished, so no
 * test leaves work in the queue.
 */
export class BitsSession implements AsyncDisposable {
  readonly bits: BitsManager;
  readonly dir: string;
  readonly #jobs: BitsJob[] = [];

  private constructor(bits: BitsManager, dir: string) {
    this.bits = bits;
    this.dir = dir;
  }

  /** Connects and makes a temporary directory. */
  static async open(): Promise<BitsSession> {
    return new BitsSession(await connect(), await Deno.makeTempDir({ prefix: "bits-test-" }));
  }

  /** A path in the session's directory. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Registers a job for cleanup and returns it. */
  track(job: BitsJob): BitsJob {
    this.#jobs.push(job);
    return job;
  }

  /** Ids of the jobs in the queue that are not in a final state. */
  async liveJobIds(): Promise<Set<string>> {
    const jobs = await this.bits.listJobs();
    // Wine keeps finished jobs visible until its worker wakes again; Windows drops them.
    return new Set(jobs.filter((j) => j.state !== "CANCELLED" && j.state !== "ACKNOWLEDGED").map((j) => j.id));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const job of this.#jobs) {
      try {
        let { state } = await job.snapshot();
        if (RUNNING.has(state) && wineVersion() !== null) {
          // Cancelling a running transfer crashes Wine's BITS service (docs/compat.md): let
          // it finish first, so one failed test cannot take the following ones down.
          state = (await job.wait({ timeout: 30_000 }).catch(() => job.snapshot())).state;
        }
        // force: a test's own WMP_JOB jobs are refused without it, and would be left behind.
        if (state !== "ACKNOWLEDGED" && state !== "CANCELLED") await job.cancel({ force: true });
      } catch {
        // Already gone.
      }
      job.dispose();
    }
    this.bits.close();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** Polls `read` until `done` holds, for at most `ms` (a guard against hangs, not a timing assertion). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`Condition not reached within ${ms} ms; last value: ${JSON.stringify(value)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts `cli.ts` in a new Deno process like {@linkcode runCli}, without
 * waiting for it: stdout and stderr are piped, and the caller reads, kills or
 * awaits the child.
 */
export function spawnCli(args: readonly string[], env?: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "--no-check", ...CLI_PERMISSIONS, CLI.href, ...args],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/**
 * Counts the real shim calls named in `names` (the calls still go to BITS)
 * until the returned function is called, which restores the table.
 */
export function countCalls(names: readonly string[]): { calls: Map<string, unknown[][]>; restore: () => void } {
  const loaded = loadShim() as unknown as { symbols: Record<string, AnyFn> };
  const original = loaded.symbols;
  const calls = new Map<string, unknown[][]>(names.map((name) => [name, []]));
  const wrapped = { ...original };
  for (const name of names) {
    wrapped[name] = (...args: unknown[]): unknown => {
      calls.get(name)!.push(args);
      return original[name](...args);
    };
  }
  loaded.symbols = wrapped;
  return { calls, restore: () => void (loaded.symbols = original) };
}

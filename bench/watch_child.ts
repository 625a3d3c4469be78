/**
 * Measurement 6's watcher: `cli.ts watch <job-id> --json` (the CLI's own
 * `main`, in a deno.exe of its own, as a user would attach it to a running
 * download), with its shim calls counted and its CPU time read.
 *
 * Prints the CLI's NDJSON events on stdout as they come (the first one, the
 * job's state, means the watch is attached: its callback is registered);
 * when the CLI returns (the job settled), prints one last line
 * `{"watchChild": {...}}` ({@linkcode WatchChildResult}): the shim calls and
 * the CPU time (`process.cpuUsage()`, 10 ms ticks under Wine) from the first
 * event to the end, and the CLI's exit code.
 *
 * Usage: deno run --allow-ffi --allow-read --allow-env=BITS_SHIM_PATH bench/watch_child.ts <job-id> [watch options...]
 * (options such as `--interval 1 --idle-interval 1` go to `watch` as given)
 *
 * @module
 */

import process from "node:process";
import { main } from "@deno-bits/bits/cli";
import { onShimCall } from "./shim_tap.ts";

/** What the watcher reports last. */
export interface WatchChildResult {
  /** The CLI's exit code. */
  readonly code: number;
  /** Milliseconds from the first event to the end. */
  readonly wallMs: number;
  /** CPU time (user + system) from the first event to the end, ms. */
  readonly cpuMs: number;
  /** Events printed. */
  readonly events: number;
  /** Shim calls from the first event to the end, by symbol. */
  readonly calls: Readonly<Record<string, number>>;
}

if (import.meta.main) {
  const jobId = Deno.args[0];
  if (!jobId) throw new Error("usage: watch_child.ts <job-id>");
  const calls: Record<string, number> = {};
  let counting = false;
  onShimCall((name) => {
    if (counting) calls[name] = (calls[name] ?? 0) + 1;
  });

  const encoder = new TextEncoder();
  let events = 0;
  let cpu0: ReturnType<typeof process.cpuUsage> | undefined;
  let t0 = 0;
  const code = await main(["watch", jobId, "--json", ...Deno.args.slice(1)], {
    stdout: (text) => {
      if (events++ === 0) {
        cpu0 = process.cpuUsage();
        t0 = performance.now();
        counting = true;
      }
      Deno.stdout.writeSync(encoder.encode(text));
    },
    stderr: (text) => Deno.stderr.writeSync(encoder.encode(text)),
    stderrIsTerminal: false,
  });
  counting = false;
  const cpu = process.cpuUsage(cpu0);
  const result: WatchChildResult = {
    code,
    wallMs: cpu0 ? performance.now() - t0 : 0,
    cpuMs: cpu0 ? (cpu.user + cpu.system) / 1000 : 0,
    events,
    calls,
  };
  Deno.stdout.writeSync(encoder.encode(JSON.stringify({ watchChild: result }) + "\n"));
}

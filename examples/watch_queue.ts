/**
 * Watch the whole BITS queue: `watch(bits)` yields every job's state,
 * progress and errors (BITS callbacks plus a watchdog poll), including jobs
 * other programs queue while it runs.
 *
 * ```sh
 * deno run --allow-ffi --allow-read --allow-write --allow-env=LOCALAPPDATA,BITS_SHIM_PATH examples/watch_queue.ts [--until-settled] [--timeout SECONDS]
 * ```
 *
 * Runs until Ctrl+C; `--until-settled` ends once every job in the queue is
 * settled (transferred, failed, completed or cancelled), `--timeout` after
 * that many seconds at most (for scripts and CI). Watching never changes a
 * job. Exit codes: 0 settled or interrupted, 2 usage, 3 the timeout came
 * first.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { BitsUnavailableError, connect, watch } from "@deno-bits/bits";

async function main(args: string[]): Promise<number> {
  let values: { "until-settled"?: boolean; timeout?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { "until-settled": { type: "boolean" }, timeout: { type: "string" } },
    }));
  } catch (error) {
    console.error(`usage: watch_queue.ts [--until-settled] [--timeout SECONDS]\n${(error as Error).message}`);
    return 2;
  }
  const seconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (seconds !== undefined && !(seconds > 0)) {
    console.error(`--timeout needs a number of seconds > 0, not ${values.timeout}`);
    return 2;
  }

  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  Deno.addSignalListener("SIGINT", onSigint);
  const timeout = seconds === undefined ? undefined : AbortSignal.timeout(seconds * 1000);
  const signal = timeout ? AbortSignal.any([interrupt.signal, timeout]) : interrupt.signal;

  using bits = await connect();
  let events = 0;
  try {
    for await (const event of watch(bits, { signal, untilSettled: values["until-settled"] })) {
      events++;
      const bytes = event.progress ? ` ${event.progress.bytesTransferred} bytes` : "";
      const error = event.error ? ` ${event.error.code}` : "";
      console.log(
        `${new Date(event.at).toISOString()} ${event.jobId} ${event.kind} ${event.state ?? ""}` +
          `${bytes}${error} (${event.source})`,
      );
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
  const ending = timeout?.aborted ? `timeout after ${seconds} s` : interrupt.signal.aborted ? "interrupted" : "settled";
  console.log(`watch ended: ${ending} (${events} events)`);
  return ending.startsWith("timeout") ? 3 : 0;
}

Deno.exitCode = await main(Deno.args).catch((error) => {
  // Off Windows, or without a permission the shim needs: one line that says why, nothing was done.
  if (!(error instanceof BitsUnavailableError)) throw error;
  console.error(error.message);
  return 1;
});

/**
 * Measurement 5b's child: what `cli.ts watch --all --json` runs (watch() over
 * the whole queue, 1 s poll, callbacks, every event printed as a JSON line),
 * measuring its own CPU time with `process.cpuUsage()` from one second after
 * its first poll for `seconds`, then printing `{"cpuMs", "wallMs", "events"}`
 * as its last line. With `--idle` it only waits (an idle deno.exe).
 *
 * Under Wine, GetProcessTimes of another process leaves out most of its
 * threads (docs/performance.md), so the process measures itself: Deno reads
 * GetProcessTimes(GetCurrentProcess()), which Wine answers with times() for
 * the whole process.
 *
 * Usage: deno run --allow-ffi --allow-read --allow-env=BITS_SHIM_PATH bench/watch_cpu.ts <seconds> [--idle]
 *
 * @module
 */

import process from "node:process";
import { connect, watch } from "../mod.ts";

if (import.meta.main) {
  const seconds = Number(Deno.args[0]);
  const idle = Deno.args.includes("--idle");
  const stop = new AbortController();
  let events = 0;
  let consuming: Promise<void> = Promise.resolve();
  let bits: Awaited<ReturnType<typeof connect>> | undefined;
  if (!idle) {
    bits = await connect();
    let first: () => void = () => {};
    const firstPoll = new Promise<void>((resolve) => first = resolve);
    consuming = (async (): Promise<void> => {
      for await (const event of watch(bits as NonNullable<typeof bits>, { pollInterval: 1000, signal: stop.signal })) {
        events++;
        console.log(JSON.stringify(event));
        first();
      }
    })();
    await firstPoll;
  }
  await new Promise((r) => setTimeout(r, 1000));
  const eventsBefore = events;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  stop.abort();
  await consuming;
  bits?.close();
  console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs, events: events - eventsBefore }));
}

/**
 * Leak benchmark: many create/cancel cycles against the real BITS service,
 * recording the process's RSS (`Deno.memoryUsage().rss`), its kernel handle
 * count (`bits_process_handle_count`) and the live OwnedHandles
 * (`liveHandleCount()`) before, every `--every` cycles, and after. Prints a
 * table, writes `bench/leak.json`, and exits 1 when growth is not bounded.
 *
 * `deno task bench:leak [--cycles N] [--every N]` (default 5,000 cycles,
 * sampled every 500). On Linux it prepares the Wine bed and runs itself there
 * with the Windows Deno (holding the bed's lock while it runs); on Windows it
 * measures directly.
 *
 * Each cycle creates a job (suspended, no file) and cancels it: cancelling a
 * SUSPENDED job is safe under Wine (docs/wine.md, "Cancel"). Wine keeps cancelled
 * jobs in its in-memory list until a Resume wakes its worker; that memory is
 * the service's, not this process's.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connect, wineVersion } from "@deno-bits/bits";
import { liveHandleCount } from "./internals.ts";
import { processHandles } from "./shim.ts";

/** One measurement point. */
export interface LeakSample {
  /** Cycles done when sampled ("after" is sampled once the manager is closed). */
  readonly cycle: number;
  /** `"before"`, `"during"` or `"after"`. */
  readonly phase: "before" | "during" | "after";
  /** Resident set size, bytes. */
  readonly rss: number;
  /** Open kernel handles of the process. */
  readonly handles: number;
  /** OwnedHandles still holding a COM pointer. */
  readonly liveHandles: number;
  /** Milliseconds since the first cycle started. */
  readonly elapsedMs: number;
}

/** Growth limits between the first "during" sample (warm) and "after". */
export const LIMITS = { handles: 32, rssBytes: 32 * 1024 * 1024, liveHandlesAfter: 0 } as const;

/** Whether growth stayed bounded, judged from warm (first "during") to "after". */
export function verdict(samples: readonly LeakSample[]): {
  readonly bounded: boolean;
  readonly handleGrowth: number;
  readonly rssGrowth: number;
  readonly liveHandlesAfter: number;
} {
  const warm = samples.find((s) => s.phase === "during") ?? samples[0];
  const after = samples[samples.length - 1];
  const handleGrowth = after.handles - warm.handles;
  const rssGrowth = after.rss - warm.rss;
  return {
    bounded: handleGrowth <= LIMITS.handles && rssGrowth <= LIMITS.rssBytes &&
      after.liveHandles <= LIMITS.liveHandlesAfter,
    handleGrowth,
    rssGrowth,
    liveHandlesAfter: after.liveHandles,
  };
}

/** The samples as a text table. */
export function leakTable(samples: readonly LeakSample[]): string {
  const rows = [
    ["phase", "cycle", "RSS MiB", "handles", "live OwnedHandles", "elapsed s"],
    ...samples.map((s) => [
      s.phase,
      String(s.cycle),
      (s.rss / 1024 / 1024).toFixed(1),
      String(s.handles),
      String(s.liveHandles),
      (s.elapsedMs / 1000).toFixed(1),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padStart(widths[i])).join("  ")).join("\n");
}

/** Runs a full garbage collection when the process has one to run (`--v8-flags=--expose-gc`). */
export function collectGarbage(): void {
  // Present with --v8-flags=--expose-gc (the bed run passes it): settles RSS before sampling.
  (globalThis as { gc?: () => void }).gc?.();
}

async function measure(cycles: number, every: number): Promise<number> {
  const samples: LeakSample[] = [];
  let start = performance.now();
  const sample = (cycle: number, phase: LeakSample["phase"]): void => {
    collectGarbage();
    samples.push({
      cycle,
      phase,
      rss: Deno.memoryUsage().rss,
      handles: processHandles(),
      liveHandles: liveHandleCount(),
      elapsedMs: Math.round(performance.now() - start),
    });
    console.error(`leak: ${phase} ${cycle}/${cycles}`);
  };
  const bits = await connect();
  sample(0, "before");
  start = performance.now();
  try {
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const job = await bits.createJob("deno-bits leak benchmark (suspended, cancelled at once)");
      try {
        await job.cancel({ force: true });
      } finally {
        job.dispose();
      }
      if (cycle % every === 0 && cycle !== cycles) sample(cycle, "during");
    }
  } finally {
    bits.close();
  }
  // Releases are synchronous; one turn of the event loop lets any pending finalizer run.
  await new Promise((resolve) => setTimeout(resolve, 100));
  sample(cycles, "after");
  const result = verdict(samples);
  const document = {
    version: 1,
    date: new Date().toISOString(),
    wine: wineVersion(),
    deno: Deno.version.deno,
    cycles,
    every,
    limits: LIMITS,
    samples,
    ...result,
    msPerCycle: Number((samples[samples.length - 1].elapsedMs / cycles).toFixed(2)),
  };
  await Deno.writeTextFile(new URL("./leak.json", import.meta.url), JSON.stringify(document, null, 2) + "\n");
  console.log(leakTable(samples));
  console.log(
    `\n${cycles} create/cancel cycles, ${document.msPerCycle} ms each; from the first sample during the run to after:` +
      ` handles ${result.handleGrowth >= 0 ? "+" : ""}${result.handleGrowth} (limit ${LIMITS.handles}),` +
      ` RSS ${(result.rssGrowth / 1024 / 1024).toFixed(1)} MiB (limit ${LIMITS.rssBytes / 1024 / 1024}),` +
      ` live OwnedHandles after ${result.liveHandlesAfter}: ${result.bounded ? "bounded" : "NOT BOUNDED"}` +
      "\nwritten: bench/leak.json",
  );
  return result.bounded ? 0 : 1;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { cycles: { type: "string" }, every: { type: "string" }, inner: { type: "boolean" } },
    strict: true,
  });
  const cycles = Number(values.cycles ?? 5000);
  const every = Number(values.every ?? 500);
  if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(every) || every < 1) {
    console.error("usage: bench/leak.ts [--cycles N] [--every N] (whole numbers ≥ 1)");
    return 2;
  }
  if (values.inner || Deno.build.os === "windows") return await measure(cycles, every);
  return await runInBed("bench/leak.ts", ["--allow-ffi", "--allow-read", "--allow-write"], [
    `--cycles=${cycles}`,
    `--every=${every}`,
  ]);
}

/**
 * Runs a benchmark `script` (a path from the repository root) again with the
 * Windows Deno in the Wine bed, after preparing the bed and the shim, with
 * `--inner` and `args`, `permissions` and a collector it can call (`gc`);
 * returns its exit code. The bed's lock is held while it runs.
 */
export async function runInBed(
  script: string,
  permissions: readonly string[],
  args: readonly string[],
): Promise<number> {
  const { prepare, runWindowsDeno } = await import("../scripts/windows_deno.ts");
  await prepare();
  return await runWindowsDeno([
    "run",
    "--cached-only",
    "--no-check",
    "--v8-flags=--expose-gc",
    ...permissions,
    script,
    "--inner",
    ...args,
  ]);
}

if (import.meta.main) Deno.exitCode = await main();

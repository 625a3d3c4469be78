/**
 * Soak benchmark: a bounded run against the real BITS service, long enough
 * for a slow leak to show. Two stages in one process and one connection:
 *
 * 1. `--cycles` create/cancel cycles (default 10,000): a job is created
 *    (SUSPENDED, no file) and cancelled at once; only suspended jobs are
 *    cancelled, which is safe under Wine (docs/wine.md, "Cancel");
 * 2. `--transfers` transfers (default 1,000): `bits.transfer()` of a small
 *    generated file from the test server (tests/support/server.ts, in this
 *    process on 127.0.0.1, its request log emptied after each transfer),
 *    checked against its size and SHA-256, completed, and the file deleted.
 *
 * Every stage is sampled `--samples` times (default 40) plus once before it
 * starts: RSS (after a full GC), the process's kernel handles, live
 * OwnedHandles (`liveHandleCount()`) and the errors so far. Growth is judged
 * per stage by the least-squares slope over its first and its last quarter:
 * a leak grows at the same rate in both, warm-up only in the first, so the
 * stage is bounded when the last quarter's rate, carried over a whole stage
 * again, stays within {@linkcode SOAK_LIMITS}, and the live OwnedHandles end
 * where they started. Prints tables, writes `bench/soak.json`, and exits 1
 * when growth is not bounded or anything failed.
 *
 * `deno task bench:soak [--cycles N] [--transfers N] [--samples N]`: on Linux
 * it prepares the Wine bed and runs itself there with the Windows Deno (as
 * bench/leak.ts does); on Windows it runs directly.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { type BitsManager, connect, wineVersion } from "@deno-bits/bits";
import { liveHandleCount } from "./internals.ts";
import { processHandles } from "./shim.ts";
import { contentSha256 } from "../tests/support/content.ts";
import { type RecordedRequest, startServer, type TestServer } from "../tests/support/server.ts";
import { cancelSuspendedJobs } from "./cleanup.ts";
import { collectGarbage, type LeakSample, leakTable, runInBed } from "./leak.ts";

/** Display-name prefix of every job the soak creates. */
const PREFIX = "deno-bits soak";
/** Bytes of each transferred file. */
const TRANSFER_BYTES = 32 * 1024;

/** A leak-benchmark sample plus the JavaScript side of the memory, to tell our heap from native growth. */
export interface SoakSample extends LeakSample {
  /** V8 heap in use, bytes (after the same full GC as `rss`). */
  readonly heapUsed: number;
  /** Memory of ArrayBuffers and other objects outside the V8 heap, bytes. */
  readonly external: number;
}

/** How much the last quarter's rate may add over another whole stage. */
export const SOAK_LIMITS = { rssBytes: 16 * 1024 * 1024, handles: 16 } as const;

/** Least-squares slope of `y` over `x` (0 for fewer than two distinct x). */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/** Per-unit slopes of one measure over a stage's first and last quarter. */
export interface QuartileSlopes {
  /** Over the samples in the first quarter of the stage's units (warm-up included). */
  readonly first: number;
  /** Over the samples in the last quarter. */
  readonly last: number;
  /** `last` carried over the whole stage: what another stage like it would add at the final rate. */
  readonly projected: number;
}

/** The slopes of `measure` over the first and last quarter of a stage of `units` units. */
export function quartileSlopes(
  samples: readonly SoakSample[],
  units: number,
  measure: (s: SoakSample) => number,
): QuartileSlopes {
  const pick = (from: number, to: number): [number, number][] =>
    samples.filter((s) => s.cycle >= from && s.cycle <= to).map((s) => [s.cycle, measure(s)]);
  const first = slope(pick(0, units / 4));
  const last = slope(pick((units * 3) / 4, units));
  return { first, last, projected: last * units };
}

/** A stage's verdict. */
export interface StageVerdict {
  readonly rss: QuartileSlopes;
  /** The V8 heap's share of `rss` (reported, not judged: RSS includes it). */
  readonly heapUsed: QuartileSlopes;
  readonly handles: QuartileSlopes;
  /** Live OwnedHandles at the stage's start and end. */
  readonly liveHandles: { readonly start: number; readonly end: number };
  /** RSS and kernel-handle change from the first sample to the last. */
  readonly growth: { readonly rssBytes: number; readonly handles: number };
  readonly bounded: boolean;
}

/** Judges one stage's samples (the first taken before its first unit, the last after its last). */
export function judgeStage(samples: readonly SoakSample[], units: number): StageVerdict {
  const rss = quartileSlopes(samples, units, (s) => s.rss);
  const heapUsed = quartileSlopes(samples, units, (s) => s.heapUsed);
  const handles = quartileSlopes(samples, units, (s) => s.handles);
  const start = samples[0];
  const end = samples[samples.length - 1];
  const liveHandles = { start: start.liveHandles, end: end.liveHandles };
  return {
    rss,
    heapUsed,
    handles,
    liveHandles,
    growth: { rssBytes: end.rss - start.rss, handles: end.handles - start.handles },
    bounded: rss.projected <= SOAK_LIMITS.rssBytes && handles.projected <= SOAK_LIMITS.handles &&
      liveHandles.end <= liveHandles.start,
  };
}

interface SoakError {
  readonly stage: string;
  readonly unit: number;
  readonly message: string;
}

/** Runs `units` units of one stage, sampling before the first and every `units / samples` units. */
async function runStage(
  name: string,
  units: number,
  samples: number,
  errors: SoakError[],
  unit: (index: number) => Promise<void>,
): Promise<{ samples: SoakSample[]; elapsedMs: number }> {
  const taken: SoakSample[] = [];
  const every = Math.max(1, Math.floor(units / samples));
  const start = performance.now();
  const sample = (done: number): void => {
    collectGarbage();
    const memory = Deno.memoryUsage();
    taken.push({
      cycle: done,
      phase: done === 0 ? "before" : "during",
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      external: memory.external,
      handles: processHandles(),
      liveHandles: liveHandleCount(),
      elapsedMs: Math.round(performance.now() - start),
    });
    console.error(`soak: ${name} ${done}/${units}, ${errors.length} errors`);
  };
  sample(0);
  for (let index = 1; index <= units; index++) {
    try {
      await unit(index);
    } catch (error) {
      errors.push({ stage: name, unit: index, message: String(error) });
    }
    if (index % every === 0 || index === units) sample(index);
  }
  return { samples: taken, elapsedMs: Math.round(performance.now() - start) };
}

async function createCancel(bits: BitsManager): Promise<void> {
  const job = await bits.createJob(`${PREFIX} (suspended, cancelled at once)`);
  try {
    // Safe under Wine: the job is SUSPENDED and has no file.
    await job.cancel({ force: true });
  } finally {
    job.dispose();
  }
}

async function transferOne(bits: BitsManager, server: TestServer, dir: string, index: number): Promise<void> {
  const path = join(dir, `soak-${index}.bin`);
  const size = TRANSFER_BYTES + index;
  try {
    const result = await bits.transfer([{
      url: server.contentUrl(size, index),
      path,
      expect: { size, sha256: contentSha256(size, index) },
    }], {
      displayName: `${PREFIX} transfer ${index}`,
      // A failed job is cancelled unless it may still be running (never cancelled under Wine).
      onFailure: "cancel",
      timeout: 60_000,
    });
    if (result.outcome !== "completed") throw new Error(`transfer ${index}: ${result.outcome}`);
  } finally {
    await Deno.remove(path).catch(() => {});
    // The test server records every request for the tests' assertions (about 1 KiB each): drop the record, or
    // this process's growth would be the server's bookkeeping rather than deno-bits'.
    (server.requests as string[]).length = 0;
    (server.requestLog as RecordedRequest[]).length = 0;
  }
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

async function measure(cycles: number, transfers: number, samples: number): Promise<number> {
  const errors: SoakError[] = [];
  const dir = await Deno.makeTempDir({ prefix: "deno-bits-soak-" });
  const server = startServer();
  const bits = await connect();
  const stages = [];
  let leftInQueue: string[] = [];
  try {
    stages.push({
      name: "create/cancel",
      units: cycles,
      ...await runStage("create/cancel", cycles, samples, errors, () => createCancel(bits)),
    });
    stages.push({
      name: "transfer",
      units: transfers,
      ...await runStage("transfer", transfers, samples, errors, (i) => transferOne(bits, server, dir, i)),
    });
    // A cancel that failed leaves a suspended job; a failed transfer may leave one running (reported, never cancelled).
    await cancelSuspendedJobs(bits, PREFIX);
    leftInQueue = (await bits.listJobs())
      .filter((s) => s.displayName.startsWith(PREFIX) && s.state !== "CANCELLED" && s.state !== "ACKNOWLEDGED")
      .map((s) => `${s.id} ${s.displayName}: ${s.state}`);
  } finally {
    bits.close();
    await server.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  collectGarbage();
  const after = { rss: Deno.memoryUsage().rss, handles: processHandles(), liveHandles: liveHandleCount() };
  const judged = stages.map((stage) => ({
    ...stage,
    msPerUnit: Number((stage.elapsedMs / stage.units).toFixed(2)),
    verdict: judgeStage(stage.samples, stage.units),
  }));
  const bounded = judged.every((s) => s.verdict.bounded) && after.liveHandles === 0;
  const document = {
    version: 1,
    date: new Date().toISOString(),
    wine: wineVersion(),
    deno: Deno.version.deno,
    limits: SOAK_LIMITS,
    transferBytes: TRANSFER_BYTES,
    stages: judged,
    after,
    errors: { count: errors.length, first: errors.slice(0, 20) },
    leftInQueue,
    bounded,
    ok: bounded && errors.length === 0 && leftInQueue.length === 0,
  };
  await Deno.writeTextFile(new URL("./soak.json", import.meta.url), JSON.stringify(document, null, 2) + "\n");
  const signed = (n: number, text: string): string => `${n >= 0 ? "+" : ""}${text}`;
  const rate = (q: QuartileSlopes): string =>
    `${(q.first / 1024).toFixed(2)} KiB/unit in the first quarter, ${(q.last / 1024).toFixed(2)} in the last ` +
    `(${signed(q.projected, mib(q.projected))} MiB over another stage)`;
  for (const stage of judged) {
    const { rss, heapUsed, handles, liveHandles, growth } = stage.verdict;
    const first = stage.samples[0];
    const last = stage.samples[stage.samples.length - 1];
    console.log(
      `\n${stage.name}: ${stage.units} in ${(stage.elapsedMs / 1000).toFixed(1)} s (${stage.msPerUnit} ms each)`,
    );
    console.log(leakTable(stage.samples));
    console.log(
      [
        `RSS ${mib(first.rss)} -> ${mib(last.rss)} MiB (${signed(growth.rssBytes, mib(growth.rssBytes))}): ${
          rate(rss)
        };` +
        ` limit ${mib(SOAK_LIMITS.rssBytes)} MiB`,
        `V8 heap ${mib(first.heapUsed)} -> ${mib(last.heapUsed)} MiB: ${rate(heapUsed)}`,
        `kernel handles ${first.handles} -> ${last.handles}: ${
          signed(handles.projected, handles.projected.toFixed(1))
        }` +
        ` over another stage at the last quarter's rate (limit ${SOAK_LIMITS.handles})`,
        `live OwnedHandles ${liveHandles.start} -> ${liveHandles.end}: ${
          stage.verdict.bounded ? "bounded" : "NOT BOUNDED"
        }`,
      ].join("\n"),
    );
  }
  console.log(
    `\nafter closing: RSS ${mib(after.rss)} MiB, ${after.handles} kernel handles, ${after.liveHandles} live ` +
      `OwnedHandles; ${errors.length} errors; ${leftInQueue.length} jobs left in the queue: ` +
      `${document.ok ? "ok" : "NOT OK"}\nwritten: bench/soak.json`,
  );
  for (const error of errors.slice(0, 5)) console.log(`error: ${error.stage} #${error.unit}: ${error.message}`);
  return document.ok ? 0 : 1;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      cycles: { type: "string" },
      transfers: { type: "string" },
      samples: { type: "string" },
      inner: { type: "boolean" },
    },
    strict: true,
  });
  const cycles = Number(values.cycles ?? 10_000);
  const transfers = Number(values.transfers ?? 1_000);
  const samples = Number(values.samples ?? 40);
  if (![cycles, transfers, samples].every((n) => Number.isInteger(n) && n >= 1)) {
    console.error("usage: bench/soak.ts [--cycles N] [--transfers N] [--samples N] (whole numbers ≥ 1)");
    return 2;
  }
  if (values.inner || Deno.build.os === "windows") return await measure(cycles, transfers, samples);
  return await runInBed("bench/soak.ts", ["--allow-ffi", "--allow-read", "--allow-write", "--allow-net=127.0.0.1"], [
    `--cycles=${cycles}`,
    `--transfers=${transfers}`,
    `--samples=${samples}`,
  ]);
}

if (import.meta.main) Deno.exitCode = await main();

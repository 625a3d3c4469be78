/**
 * Measurement 6: a large download through BITS with `watch` attached vs
 * without it, as a paired experiment (docs/performance.md, "Measurement 6").
 *
 * - **With**: `cli.ts watch <id> --json` in a deno.exe of its own
 *   (bench/watch_child.ts), attached to the suspended job before `resume()`
 *   (its first event, the job's state, comes after its callback is
 *   registered); it runs until the job is TRANSFERRED. Its shim calls and
 *   CPU time are counted.
 * - **Without**: no BITS call at all while the transfer runs; once the
 *   server has sent the body, the job is polled until TRANSFERRED.
 * - The time compared is the server's own (request arrival to the body's
 *   last chunk), so how each side learns of the end does not enter it.
 * - Runs come in pairs of adjacent runs ({@linkcode planPairs}): effect pairs
 *   (without + with, the order alternating) and null pairs (without twice: the
 *   noise floor), interleaved. Each run starts at least {@linkcode GAP_MS}
 *   after the previous one ended, whatever its condition, so the watcher's
 *   start-up does not give "with" runs a longer rest.
 * - Around each transfer, /proc is read (bench/proc_load.ts): the CPU of BITS
 *   (svchost), wineserver, the server, the watcher, this process and the
 *   host outside the bed, and CPU/IO pressure; what dominates the noise.
 * - Then quiet windows measure the watch's own cost ({@linkcode measureWatchCost}).
 *
 * Every download is let finish, completed and its file deleted (disk use:
 * one body); nothing is cancelled while it transfers (that crashes Wine's
 * BITS, docs/wine.md, "Cancel").
 *
 * Standalone (`deno task bench --only download`): prints one JSON document
 * ({@linkcode DownloadExperiment}) as its last stdout line.
 *
 * Usage: deno run --allow-ffi --allow-read --allow-write --allow-run --allow-sys bench/download.ts [--mb N] [--pairs N]
 *        [--null-pairs N] [--cost-rounds N]
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { type BitsJob, type BitsManager, connect } from "@deno-bits/bits";
import { ContentServer, splitLines } from "./content_server.ts";
import { type PlannedRun, planPairs } from "./paired.ts";
import { type ProcDelta, procDelta, ProcLoad } from "./proc_load.ts";
import type { WatchChildResult } from "./watch_child.ts";

const WATCH_CHILD = fileURLToPath(new URL("./watch_child.ts", import.meta.url));
/** What `deno task cli` grants, plus --cached-only (the bed has no registry access). */
const CHILD_FLAGS = ["run", "--cached-only", "--no-check", "--allow-ffi", "--allow-read", "--allow-env=BITS_SHIM_PATH"];
/** The least time between the end of one run and the `resume()` of the next, ms. */
export const GAP_MS = 3000;

/** How many pairs of each kind the experiment runs. */
export interface PairCounts {
  /** Pairs of without + with. */
  readonly effectPairs: number;
  /** Pairs of without twice (the noise floor). */
  readonly nullPairs: number;
}

/** Settings of one experiment. */
export interface DownloadSettings extends PairCounts {
  /** Size of each download, MiB. */
  readonly mb: number;
  /** Size of the warm-up download before the pairs, MiB. */
  readonly warmUpMb: number;
  /** Pairs of quiet windows (with and without the watcher) that measure the watch's own cost. */
  readonly costRounds: number;
  /** Seconds per such window. */
  readonly costSeconds: number;
}

/** One measured download. */
export interface DownloadRun {
  /** Where it stood in the plan. */
  readonly run: PlannedRun;
  /** Server-side transfer time, s: the compared value. */
  readonly value: number;
  /** From `resume()` to this process knowing the job TRANSFERRED, s. */
  readonly clientS: number;
  /** Ms after the request at which each further 64 MiB was sent (the server's throughput profile). */
  readonly marks: readonly number[];
  /** CPU and stalls from `resume()` to the server's last chunk; null without /proc (Windows). */
  readonly load: ProcDelta | null;
  /** The watcher's own account ("with" runs). */
  readonly watch: WatchChildResult | null;
}

/** Everything measurement 6 measured. */
export interface DownloadExperiment {
  /** The settings. */
  readonly settings: DownloadSettings;
  /** Every run, in run order. */
  readonly runs: readonly DownloadRun[];
  /** The watch's own cost in quiet windows; null without /proc. */
  readonly cost: WatchCost | null;
}

/**
 * The full run's size and pairs. The 1 GB takes about 20–25 s under
 * Wine here, and the runs vary by about ±5 % however quiet the machine
 * (docs/performance.md): 16 pairs are what a 95 % interval of the median
 * narrower than about ±3 % takes; the noise floor needs fewer.
 */
export const DEFAULT_PAIRS = { mb: 1024, effectPairs: 16, nullPairs: 6 } as const;

/** The options of a standalone run. */
export function parseDownloadArgs(args: readonly string[]): DownloadSettings {
  const { values } = parseArgs({
    args: [...args],
    options: {
      mb: { type: "string" },
      pairs: { type: "string" },
      "null-pairs": { type: "string" },
      "cost-rounds": { type: "string" },
    },
  });
  const count = (text: string | undefined, fallback: number, name: string, min: number): number => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return value;
  };
  return {
    mb: count(values.mb, DEFAULT_PAIRS.mb, "mb", 1),
    effectPairs: count(values.pairs, DEFAULT_PAIRS.effectPairs, "pairs", 1),
    nullPairs: count(values["null-pairs"], DEFAULT_PAIRS.nullPairs, "null-pairs", 0),
    warmUpMb: 256,
    costRounds: count(values["cost-rounds"], 2, "cost-rounds", 0),
    costSeconds: 20,
  };
}

/** Reads a child's stdout line by line; `next()` yields lines as they come. */
class Lines {
  readonly #lines: AsyncGenerator<string>;
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#lines = splitLines(stream);
  }
  /** The next line; undefined at the end. */
  async next(): Promise<string | undefined> {
    const step = await this.#lines.next();
    return step.done ? undefined : step.value;
  }
}

/** The watcher, attached: `cli.ts watch <id> --json [options]` in its own process. */
async function attachWatcher(
  jobId: string,
  options: readonly string[] = [],
): Promise<{ child: Deno.ChildProcess; lines: Lines }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...CHILD_FLAGS, WATCH_CHILD, jobId, ...options],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines = new Lines(child.stdout);
  const first = await lines.next();
  if (first === undefined || JSON.parse(first).kind !== "state") {
    throw new Error(`the watcher's first line is not a state event: ${first}`);
  }
  return { child, lines };
}

/** Reads the watcher's events until the job is transferred and the watcher's own account. */
async function watcherResult(watcher: { child: Deno.ChildProcess; lines: Lines }): Promise<WatchChildResult> {
  let result: WatchChildResult | undefined;
  for (let line = await watcher.lines.next(); line !== undefined; line = await watcher.lines.next()) {
    const parsed = JSON.parse(line);
    if (parsed.watchChild) result = parsed.watchChild;
    else if (parsed.kind === "error") throw new Error(`the watched download failed: ${line}`);
  }
  const status = await watcher.child.status;
  if (!result || !status.success || result.code !== 0) {
    throw new Error(`the watcher failed (exit ${status.code}): ${JSON.stringify(result)}`);
  }
  return result;
}

/** Polls a job (after the transfer) until TRANSFERRED. */
async function untilTransferred(job: BitsJob): Promise<void> {
  for (;;) {
    const state = (await job.snapshot()).state;
    if (state === "TRANSFERRED") return;
    if (state === "ERROR") throw new Error(`download ${job.id} failed`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the experiment's steps share. */
export interface DownloadOptions {
  /** Display-name and file prefix of this run's jobs. */
  readonly prefix: string;
  /** A fresh content seed (one per body: the server times bodies by seed). */
  readonly nextSeed: () => number;
  /** Progress lines. */
  readonly log: (message: string) => void;
}

/** The pairs of downloads, after a warm-up. */
export async function runDownloads(
  bits: BitsManager,
  server: ContentServer,
  dir: string,
  settings: DownloadSettings,
  options: DownloadOptions,
): Promise<DownloadRun[]> {
  const load = await ProcLoad.open({
    server: "serve.ts",
    watch: "watch_child.ts",
    self: Deno.mainModule.split("/").at(-1)!,
  });
  let lastEnd = 0;

  const one = async (size: number, withWatch: boolean): Promise<Omit<DownloadRun, "run">> => {
    const seed = options.nextSeed();
    const path = join(dir, `${options.prefix}-big-${seed}.bin`);
    const job = await bits.download([{ url: server.url(size, seed), path }], {
      displayName: `${options.prefix}-big-${seed}`,
      suspended: true,
    });
    try {
      let watcher: Awaited<ReturnType<typeof attachWatcher>> | undefined;
      try {
        watcher = withWatch ? await attachWatcher(job.id) : undefined;
      } catch (error) {
        // Still SUSPENDED: safe to cancel (never a transferring job under Wine).
        await job.cancel({ force: true }).catch(() => {});
        throw error;
      }
      const rest = lastEnd + GAP_MS - Date.now();
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
      const before = await load?.read();
      const t0 = performance.now();
      await job.resume();
      const body = await server.bodySent(seed);
      const after = await load?.read();
      let watch: WatchChildResult | null = null;
      if (watcher) watch = await watcherResult(watcher);
      else await untilTransferred(job);
      const clientS = (performance.now() - t0) / 1000;
      await job.complete({ force: true });
      return {
        value: (body.endMs - body.startMs) / 1000,
        clientS,
        marks: body.marks,
        load: before && after ? procDelta(before, after) : null,
        watch,
      };
    } finally {
      job.dispose();
      await Deno.remove(path).catch(() => {});
      lastEnd = Date.now();
    }
  };

  const plan = planPairs(settings.effectPairs, settings.nullPairs);
  options.log(
    `6: ${plan.length} downloads of ${settings.mb} MiB: ${settings.effectPairs} pairs with/without watch, ` +
      `${settings.nullPairs} pairs without twice (noise floor), interleaved; warm-up ${settings.warmUpMb} MiB`,
  );
  await one(settings.warmUpMb * 1024 * 1024, false);
  const runs: DownloadRun[] = [];
  for (const [i, run] of plan.entries()) {
    const measured = await one(settings.mb * 1024 * 1024, run.condition === "with");
    runs.push({ run, ...measured });
    const cpu = measured.load
      ? `; BITS ${measured.load.cpuPct.bits.toFixed(0)} %, wineserver ${
        measured.load.cpuPct.wineserver.toFixed(0)
      } %, outside the bed ${measured.load.cpuPct.outside.toFixed(0)} % of a core`
      : "";
    options.log(
      `6: ${i + 1}/${plan.length} pair ${run.pair} (${run.kind}) ${run.condition}: ${
        measured.value.toFixed(2)
      } s${cpu}`,
    );
  }
  return runs;
}

/** What the watch adds, measured in quiet windows: CPU as % of one core, by role. */
export interface WatchCost {
  /** Seconds per window. */
  readonly seconds: number;
  /** Windows with the watcher attached (polling every second, as during a transfer). */
  readonly withWatch: readonly ProcDelta[];
  /** The same windows without it. */
  readonly without: readonly ProcDelta[];
  /** The watcher's shim calls over its whole life in these windows (attached to settled), by symbol. */
  readonly calls: Readonly<Record<string, number>>;
  /** Seconds the watchers were attached, in all. */
  readonly attachedSeconds: number;
}

/**
 * The watch's cost, separated from a transfer's: `rounds` pairs of windows of
 * `seconds` over a suspended 10 KB download, one with the watcher attached
 * with `--interval 1 --idle-interval 1` (one snapshot a second, what it
 * makes while a job transfers), one without; /proc per role at each window's
 * ends. BITS and wineserver serve the watcher's round trips, so the
 * difference between the windows is everything the watch costs the machine.
 * Each watched job is then resumed, so the watcher ends cleanly (untilSettled).
 */
export async function measureWatchCost(
  bits: BitsManager,
  server: ContentServer,
  dir: string,
  rounds: number,
  seconds: number,
  options: DownloadOptions,
): Promise<WatchCost | null> {
  if (rounds === 0) return null;
  const load = await ProcLoad.open({
    server: "serve.ts",
    watch: "watch_child.ts",
    self: Deno.mainModule.split("/").at(-1)!,
  });
  if (!load) return null;
  options.log(`6: the watch's own cost, ${rounds} pairs of ${seconds} s windows with and without it, no transfer`);
  const withWatch: ProcDelta[] = [];
  const without: ProcDelta[] = [];
  const calls: Record<string, number> = {};
  let attachedSeconds = 0;
  for (let round = 0; round < rounds; round++) {
    for (const watched of round % 2 === 0 ? [true, false] : [false, true]) {
      const seed = options.nextSeed();
      const path = join(dir, `${options.prefix}-cost-${seed}.bin`);
      const job = await bits.download([{ url: server.url(10 * 1024, seed), path }], {
        displayName: `${options.prefix}-cost-${seed}`,
        suspended: true,
      });
      try {
        const watcher = watched ? await attachWatcher(job.id, ["--interval", "1", "--idle-interval", "1"]) : undefined;
        // Past the watcher's start-up and first poll.
        await new Promise((r) => setTimeout(r, 1500));
        const before = await load.read();
        await new Promise((r) => setTimeout(r, seconds * 1000));
        const after = await load.read();
        (watched ? withWatch : without).push(procDelta(before, after));
        await job.resume();
        if (watcher) {
          const result = await watcherResult(watcher);
          for (const [name, count] of Object.entries(result.calls)) calls[name] = (calls[name] ?? 0) + count;
          attachedSeconds += result.wallMs / 1000;
        } else {
          await untilTransferred(job);
        }
        await job.complete({ force: true });
      } finally {
        job.dispose();
        await Deno.remove(path).catch(() => {});
      }
    }
  }
  return { seconds, withWatch, without, calls, attachedSeconds };
}

/** The whole of measurement 6: the pairs, then the watch's cost windows. */
export async function measureDownloads(
  bits: BitsManager,
  server: ContentServer,
  dir: string,
  settings: DownloadSettings,
  options: DownloadOptions,
): Promise<DownloadExperiment> {
  const runs = await runDownloads(bits, server, dir, settings, options);
  const cost = await measureWatchCost(bits, server, dir, settings.costRounds, settings.costSeconds, options);
  return { settings, runs, cost };
}

async function main(): Promise<void> {
  const settings = parseDownloadArgs(Deno.args);
  const log = (message: string): void => console.error(`bench: ${message}`);
  const prefix = `bench-${crypto.randomUUID().slice(0, 8)}`;
  const bits = await connect();
  const server = await ContentServer.start();
  const dir = await Deno.makeTempDir({ prefix: "bits-bench-" });
  let seed = 1;
  try {
    const experiment = await measureDownloads(bits, server, dir, settings, { prefix, nextSeed: () => seed++, log });
    console.log(JSON.stringify(experiment));
  } finally {
    await server.close();
    bits.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    // An explicit exit code: under Wine an uncaught error after some FFI/COM work was seen to exit 0.
    console.error("bench: download.ts failed:", error);
    Deno.exit(1);
  }
}

/**
 * The measuring side of `deno task bench`: runs under the Windows Deno
 * (deno.exe under Wine in the bed on Linux, natively on Windows), talks to
 * real BITS through deno-bits, runs the C reference (`bench/build/bits_ref.exe`)
 * and the C micro-benchmarks (`bench/build/bench_micro.dll`) in the same run,
 * and prints one JSON document ({@linkcode RawResults}) on stdout. Progress
 * goes to stderr. `bench/run.ts` builds the C side, starts this script and
 * turns its output into the table and `bench/results.json`.
 *
 * Jobs are created suspended (one file, http://127.0.0.1:9/x, a path in a
 * temporary directory) and never resumed, so nothing transfers; every job this
 * script creates is cancelled before it exits, and only in the SUSPENDED
 * state (cancelling a running transfer crashes Wine's BITS, docs/wine.md, "Cancel").
 *
 * Measurements 5 and 6 do transfer: small and large downloads from
 * bench/serve.ts (a child process on 127.0.0.1). Every such download is let
 * finish, then completed and its file deleted; none is ever cancelled.
 *
 * Usage: deno run --allow-ffi --allow-read --allow-write --allow-run --allow-sys bench/measure.ts [--quick]
 *        [--download-mb N] [--download-pairs N]
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import {
  type BitsJob,
  type BitsManager,
  connect,
  decodeUtf16,
  encodeUtf16,
  type JobSnapshot,
  watch,
  type WatchEvent,
  wineVersion,
} from "../mod.ts";
import { loadShim } from "../ffi/library.ts";
import { decodeSnapshot } from "../src/decode.ts";
import { OwnedHandle, pointerFromOut } from "../src/handle.ts";
import { readSnapshot } from "../src/job_ops.ts";
import { cancelSuspendedJobs } from "./cleanup.ts";
import { num, numbers, type RefResult, RefServer, runRef } from "./ref_server.ts";
import { comFromFfi, type RawResults, type RoundTrips, type Series } from "./report.ts";
import { ContentServer, splitLines } from "./content_server.ts";
import { DEFAULT_PAIRS, type DownloadExperiment, type DownloadSettings, measureDownloads } from "./download.ts";
import { downloadSeries } from "./download_report.ts";

const { values: OPTIONS } = parseArgs({
  args: Deno.args,
  options: { quick: { type: "boolean" }, "download-mb": { type: "string" }, "download-pairs": { type: "string" } },
});
const QUICK = OPTIONS.quick === true;

/** How much of everything; `--quick` is a smoke run. */
const SETTINGS = QUICK
  ? { jobs: 30, rounds: 2, queueIterations: 2, onePerRound: 15, createCancelPerRound: 5, cliRuns: 2, layerSamples: 10 }
  : {
    jobs: 300,
    rounds: 10,
    queueIterations: 7,
    onePerRound: 30,
    createCancelPerRound: 10,
    cliRuns: 7,
    layerSamples: 40,
  };

/** Measurements 5 and 6. */
const MONITOR = QUICK
  ? {
    monitorJobs: 50,
    latencyRounds: 2,
    latencyPerRound: 3,
    idleSeconds: 30,
    pollRounds: 2,
    pollPerRound: 3,
    downloadMb: Number(OPTIONS["download-mb"] ?? 64),
    downloadPairs: Number(OPTIONS["download-pairs"] ?? 1),
    downloadNullPairs: Number(OPTIONS["download-pairs"] ?? 1),
    downloadWarmUpMb: 16,
    costRounds: 1,
    costSeconds: 10,
  }
  : {
    monitorJobs: 50,
    latencyRounds: 4,
    latencyPerRound: 5,
    idleSeconds: 60,
    pollRounds: 4,
    pollPerRound: 5,
    // The issue's 1 GB, in pairs (bench/download.ts).
    downloadMb: Number(OPTIONS["download-mb"] ?? DEFAULT_PAIRS.mb),
    downloadPairs: Number(OPTIONS["download-pairs"] ?? DEFAULT_PAIRS.effectPairs),
    downloadNullPairs: DEFAULT_PAIRS.nullPairs,
    downloadWarmUpMb: 256,
    costRounds: 2,
    costSeconds: 20,
  };
/** Size of each download in the latency measurement. */
const LATENCY_BYTES = 10 * 1024;

const WATCH_CPU = fileURLToPath(new URL("./watch_cpu.ts", import.meta.url));
const MICRO_DLL = new URL("./build/bench_micro.dll", import.meta.url);
const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
/** What `deno task cli` grants, plus --cached-only (the bed has no registry access). */
const CLI_FLAGS = [
  "--cached-only",
  "--no-check",
  "--allow-ffi",
  "--allow-read",
  "--allow-write",
  "--allow-env=BITS_SHIM_PATH",
];
const REMOTE = "http://127.0.0.1:9/x";
/** Snapshots in flight at a time in the pooled queue-read variant. */
const POOL = 8;
const PREFIX = `bench-${crypto.randomUUID().slice(0, 8)}`;

const series: Record<string, Series> = {};
const notes: string[] = [];
const roundTrips: RoundTrips[] = [];
let sink = 0;

function log(message: string): void {
  console.error(`bench: ${message}`);
}

/** Adds samples to a series (measurements run in interleaved rounds, ours and the reference's in turn). */
function record(key: string, unit: Series["unit"], samples: readonly number[]): void {
  const previous = series[key]?.samples ?? [];
  series[key] = { unit, samples: [...previous, ...samples.map((v) => Number(v.toPrecision(6)))] };
}

// ---------------------------------------------------------------------------
// Timing helpers

/** `samples` batches of `batch` calls of a synchronous operation; ns per call for each batch. */
function timeSync(batch: number, samples: number, op: () => number): number[] {
  // Warm-up long enough for V8 to optimise the caller (and FFI fast calls to kick in).
  const warmUp = Math.max(batch * 3, 200_000);
  for (let i = 0; i < warmUp; i++) sink += op();
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink += op();
    out.push(((performance.now() - t0) * 1e6) / batch);
  }
  return out;
}

/** Same for an awaited asynchronous operation. */
async function timeAsync(batch: number, samples: number, op: () => Promise<number>): Promise<number[]> {
  for (let i = 0; i < batch; i++) sink += await op();
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink += await op();
    out.push(((performance.now() - t0) * 1e6) / batch);
  }
  return out;
}

/** Milliseconds one call of `op` takes, `n` times. */
async function timeEach(n: number, op: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await op(i);
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Runs `op` while a 1 ms interval timer ticks, and returns the longest gap
 * between ticks: how long the event loop was blocked at most (synchronous FFI
 * calls block it; nonblocking ones do not).
 */
async function longestStall(op: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  };
  const timer = setInterval(tick, 1);
  try {
    await op();
    tick();
  } finally {
    clearInterval(timer);
  }
  return longest;
}

// ---------------------------------------------------------------------------
// The C side

const micro = Deno.dlopen(MICRO_DLL, {
  micro_shim_calls: { parameters: ["u32", "u32", "u32", "buffer"], result: "i32" },
  micro_utf16_encode: { parameters: ["buffer", "u32", "u32", "u32", "buffer"], result: "i32" },
  micro_utf16_decode: { parameters: ["buffer", "u32", "u32", "u32", "buffer"], result: "i32" },
  micro_parse_snapshots: { parameters: ["buffer", "u32", "u32", "u32", "buffer"], result: "i32" },
});

/** Calls a micro_* function that fills `samples` doubles; fails on a negative result. */
function cSamples(samples: number, call: (out: Float64Array) => number, what: string): number[] {
  const out = new Float64Array(samples);
  const code = call(out);
  if (code !== 0) throw new Error(`${what} returned ${code}`);
  return Array.from(out);
}

// ---------------------------------------------------------------------------
// FFI call counting: every call site reads `loadShim().symbols` at call time,
// and loadShim() returns one shared object, so swapping its `symbols` for
// counting wrappers counts every FFI call our API makes.

type AnyFn = (...args: unknown[]) => unknown;

async function countFfi(op: () => Promise<void>): Promise<Record<string, number>> {
  const loaded = loadShim() as unknown as { symbols: Record<string, AnyFn> };
  const original = loaded.symbols;
  const counts: Record<string, number> = {};
  const counting: Record<string, AnyFn> = {};
  for (const name of Object.keys(original)) {
    counting[name] = (...args: unknown[]): unknown => {
      counts[name] = (counts[name] ?? 0) + 1;
      return original[name](...args);
    };
  }
  loaded.symbols = counting;
  try {
    await op();
  } finally {
    loaded.symbols = original;
  }
  return counts;
}

function addTrips(
  operation: string,
  ffi: Record<string, number> | null,
  ref: { calls: number; releases: number } | null,
  queueJobs = 0,
): void {
  const ours = ffi ? comFromFfi(ffi, queueJobs) : null;
  const retries = (ffi?.bits_manager_enum_jobs ?? 0) - 1;
  roundTrips.push({
    operation: retries > 0 ? `${operation}; EnumJobs retried ${retries}x (array too small)` : operation,
    oursFfiCalls: ours?.ffi ?? null,
    oursComCalls: ours?.calls ?? null,
    oursReleases: ours?.releases ?? null,
    refComCalls: ref?.calls ?? null,
    refReleases: ref?.releases ?? null,
  });
}

// ---------------------------------------------------------------------------
// Layer measurements (no BITS round trip)

/** Text of exactly `units` UTF-16 code units: accents, RTL, and non-BMP characters. */
function sampleText(units: number): string {
  const pattern = "Ünïcødé Trąck 03 – שלום 🎵 (Live) ";
  let text = "";
  while (text.length < units) text += pattern;
  text = text.slice(0, units);
  const last = text.charCodeAt(units - 1);
  if (last >= 0xd800 && last <= 0xdbff) text = text.slice(0, units - 1) + "x";
  return text;
}

function measureLayer(shimLocation: string | URL): void {
  const samples = SETTINGS.layerSamples;
  log("layer: FFI no-op calls");
  const sync = Deno.dlopen(shimLocation, {
    bits_shim_abi_version: { parameters: ["buffer"], result: "i32" },
    bits_job_snapshot: { parameters: ["pointer", "buffer", "u32", "buffer"], result: "i32" },
  });
  try {
    const version = new Uint32Array(1);
    const buf = new Uint8Array(4096);
    const needed = new Uint32Array(1);
    record("layer.noopSync", "ns", timeSync(20_000, samples, () => sync.symbols.bits_shim_abi_version(version)));
    record(
      "layer.noopSyncSnapshot",
      "ns",
      timeSync(20_000, samples, () => sync.symbols.bits_job_snapshot(null, buf, buf.length, needed)),
    );
  } finally {
    sync.close();
  }
  record(
    "layer.noopSync.c",
    "ns",
    cSamples(samples, (out) => micro.symbols.micro_shim_calls(0, 200_000, samples, out), "micro_shim_calls"),
  );
  record(
    "layer.noopSnapshot.c",
    "ns",
    cSamples(samples, (out) => micro.symbols.micro_shim_calls(1, 200_000, samples, out), "micro_shim_calls"),
  );
}

async function measureNonblocking(): Promise<void> {
  log("layer: nonblocking no-op calls");
  // The project's own symbol definition: nonblocking, exactly what job.snapshot() pays per call.
  const shim = loadShim().symbols;
  const buf = new Uint8Array(4096);
  const needed = new Uint32Array(1);
  record(
    "layer.noopNonblocking",
    "ns",
    await timeAsync(300, SETTINGS.layerSamples, () => shim.bits_job_snapshot(null, buf, buf.length, needed)),
  );
}

function measureUtf16(): void {
  const samples = SETTINGS.layerSamples;
  log("layer: UTF-16");
  for (const [name, units, batch] of [["Short", 34, 50_000], ["Long", 1024, 5_000]] as const) {
    const text = sampleText(units);
    const encoded = encodeUtf16(text);
    const bytes = new Uint8Array(encoded.buffer.buffer);
    record(`layer.encode${name}`, "ns", timeSync(batch, samples, () => encodeUtf16(text).length));
    record(`layer.decode${name}`, "ns", timeSync(batch, samples, () => decodeUtf16(bytes, 0, units).length));
    record(
      `layer.encode${name}.c`,
      "ns",
      cSamples(
        samples,
        (out) => micro.symbols.micro_utf16_encode(encoded.buffer, units, batch, samples, out),
        "encode",
      ),
    );
    record(
      `layer.decode${name}.c`,
      "ns",
      cSamples(
        samples,
        (out) => micro.symbols.micro_utf16_decode(encoded.buffer, units, batch, samples, out),
        "decode",
      ),
    );
  }
}

// ---------------------------------------------------------------------------
// Raw access for the sequential variant and the decode buffers

/** A raw manager pointer and the queue's job pointers (the caller releases them). */
async function rawQueue(): Promise<{ manager: Deno.PointerObject; jobs: Deno.PointerObject[] }> {
  const shim = loadShim().symbols;
  const out = new BigUint64Array(1);
  const hr = await shim.bits_connect(out);
  if (hr !== 0) throw new Error(`bits_connect: ${hr}`);
  const manager = pointerFromOut(out, "bits_connect");
  const cap = 4096;
  const handles = new BigUint64Array(cap);
  const count = new Uint32Array(1);
  const enumHr = await shim.bits_manager_enum_jobs(manager, 0, handles, cap, count);
  if (enumHr !== 0) throw new Error(`bits_manager_enum_jobs: ${enumHr}`);
  const jobs = Array.from(handles.subarray(0, count[0]), (a) => pointerFromOut(BigUint64Array.of(a), "enum"));
  return { manager, jobs };
}

/** Our layer without concurrency: enumerate, then each job's snapshot (shim + decode) one after another. */
async function listSequential(): Promise<JobSnapshot[]> {
  const { manager, jobs } = await rawQueue();
  const handles = jobs.map((p) => new OwnedHandle(p, "enumerated job"));
  const snapshots: JobSnapshot[] = [];
  try {
    for (const handle of handles) snapshots.push(await readSnapshot({ id: "(enumerated)", handle }));
  } finally {
    for (const handle of handles) handle.dispose();
    loadShim().symbols.bits_release(manager);
  }
  return snapshots;
}

/** The same with `limit` snapshots in flight at a time (a pool of nonblocking calls). */
async function listPooled(limit: number): Promise<JobSnapshot[]> {
  const { manager, jobs } = await rawQueue();
  const handles = jobs.map((p) => new OwnedHandle(p, "enumerated job"));
  const snapshots: JobSnapshot[] = new Array(handles.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < handles.length) {
      const i = next++;
      snapshots[i] = await readSnapshot({ id: "(enumerated)", handle: handles[i] });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, handles.length) }, worker));
  } finally {
    for (const handle of handles) handle.dispose();
    loadShim().symbols.bits_release(manager);
  }
  return snapshots;
}

/** Every job's snapshot buffer, as bits_job_snapshot writes it. */
async function snapshotBuffers(): Promise<Uint8Array[]> {
  const shim = loadShim().symbols;
  const { manager, jobs } = await rawQueue();
  const buffers: Uint8Array[] = [];
  try {
    for (const job of jobs) {
      const out = new Uint8Array(4096);
      const needed = new Uint32Array(1);
      const hr = await shim.bits_job_snapshot(job, out, out.length, needed);
      if (hr === 0) buffers.push(out.slice(0, needed[0]));
    }
  } finally {
    for (const job of jobs) shim.bits_release(job);
    shim.bits_release(manager);
  }
  return buffers;
}

function measureDecode(buffers: readonly Uint8Array[]): void {
  log(`layer: decoding ${buffers.length} snapshot buffers`);
  const samples = SETTINGS.layerSamples * 2;
  const decoded: JobSnapshot[] = new Array(buffers.length);
  record(
    "layer.decodeQueue",
    "ns",
    timeSync(1, samples, () => {
      for (let i = 0; i < buffers.length; i++) decoded[i] = decodeSnapshot(buffers[i]);
      return decoded.length;
    }),
  );
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    all.set(b, offset);
    offset += b.length;
  }
  record(
    "layer.decodeQueue.c",
    "ns",
    cSamples(
      samples,
      (out) => micro.symbols.micro_parse_snapshots(all, total, buffers.length, samples, out),
      "micro_parse_snapshots",
    ),
  );
}

// ---------------------------------------------------------------------------
// BITS measurements

async function createJobs(bits: BitsManager, dir: string, count: number, tag: string): Promise<number[]> {
  return await timeEach(count, async (i) => {
    const job = await bits.download([{ url: REMOTE, path: join(dir, `${PREFIX}-${tag}-${i}.bin`) }], {
      displayName: `${PREFIX}-${tag}-${i}`,
      description: `deno-bits benchmark job ${i}`,
      suspended: true,
    });
    job.dispose();
  });
}

async function runProcess(command: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  const output = await new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const ms = performance.now() - t0;
  if (output.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${output.code}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return { ms, stdout: new TextDecoder().decode(output.stdout) };
}

async function measureCli(expectedJobs: number): Promise<void> {
  const deno = Deno.execPath();
  const eval0 = (): Promise<{ ms: number; stdout: string }> => runProcess(deno, ["eval", "0"]);
  const version = (): Promise<{ ms: number; stdout: string }> =>
    runProcess(deno, ["run", ...CLI_FLAGS, CLI, "version", "--json"]);
  const list = (): Promise<{ ms: number; stdout: string }> =>
    runProcess(deno, ["run", ...CLI_FLAGS, CLI, "list", "--json"]);
  log("3: warm-up of each process (file cache)");
  await eval0();
  await version();
  const first = JSON.parse((await list()).stdout) as { jobs: unknown[] };
  if (first.jobs.length < expectedJobs) throw new Error(`cli list saw ${first.jobs.length} jobs`);
  await runRef(["list-cold"]);
  const samples = { eval0: [] as number[], version: [] as number[], list: [] as number[], refExe: [] as number[] };
  const refInProcess: number[] = [];
  for (let run = 0; run < SETTINGS.cliRuns; run++) {
    log(`3: run ${run + 1}/${SETTINGS.cliRuns}: deno eval 0, cli version, cli list, bits_ref list-cold`);
    samples.eval0.push((await eval0()).ms);
    samples.version.push((await version()).ms);
    samples.list.push((await list()).ms);
    const ref = await runRef(["list-cold"]);
    samples.refExe.push(ref.wallMs);
    refInProcess.push(num(ref.result, "total_us") / 1000);
  }
  record("cli.eval0", "ms", samples.eval0);
  record("cli.version", "ms", samples.version);
  record("cli.list", "ms", samples.list);
  record("cli.refExe", "ms", samples.refExe);
  record("cli.refListCold", "ms", refInProcess);
}

// ---------------------------------------------------------------------------
// Measurements 5 and 6: monitoring

let nextSeed = 1;
/** Measurement 6's runs, once measured. */
let download: DownloadExperiment | undefined;

/** Reads a watch until `kind` for the job; fails on an error event or an ended watch. */
async function nextOf(events: AsyncGenerator<WatchEvent>, kind: WatchEvent["kind"]): Promise<WatchEvent> {
  for (;;) {
    const step = await events.next();
    if (step.done) throw new Error(`watch ended before a ${kind} event`);
    if (step.value.kind === "error") throw new Error(`job ${step.value.jobId} failed: ${step.value.error?.message}`);
    if (step.value.kind === kind) return step.value;
  }
}

/** Completes a finished download and deletes its file (never a cancel: see the module doc). */
async function finish(job: BitsJob, path: string): Promise<void> {
  await job.complete({ force: true });
  job.dispose();
  await Deno.remove(path).catch(() => {});
}

/**
 * 5a, our side: per download, watch([job]) is attached (its first event, the
 * job's state, arrives after the callback is registered), then resume() and
 * the time to the `transferred` event. Returns ms for callback-sourced events,
 * the shim's own received_at - resume time, and how many came from the poll.
 */
async function latencyOurs(
  bits: BitsManager,
  server: ContentServer,
  dir: string,
  count: number,
): Promise<{ ms: number[]; callbackMs: number[]; fromPoll: number }> {
  const ms: number[] = [];
  const callbackMs: number[] = [];
  let fromPoll = 0;
  for (let i = 0; i < count; i++) {
    const seed = nextSeed++;
    const path = join(dir, `${PREFIX}-lat-${seed}.bin`);
    const job = await bits.download([{ url: server.url(LATENCY_BYTES, seed), path }], {
      displayName: `${PREFIX}-lat-${seed}`,
      suspended: true,
    });
    const events = watch([job], { pollInterval: 1000 });
    try {
      await nextOf(events, "state");
      const epoch = Date.now();
      const t0 = performance.now();
      await job.resume();
      const event = await nextOf(events, "transferred");
      const elapsed = performance.now() - t0;
      if (event.source === "callback") {
        ms.push(elapsed);
        callbackMs.push(event.at - epoch);
      } else {
        fromPoll++;
      }
    } finally {
      await events.return();
    }
    await finish(job, path);
  }
  return { ms, callbackMs, fromPoll };
}

/**
 * 5c, our side: the watch's own poll cycles over the whole queue, timed from
 * the outside. The shim's symbol table is wrapped (as countFfi does) to stamp
 * each bits_manager_enum_jobs (a poll starts by enumerating) and each
 * bits_watcher_drain (the loop waits for callbacks once the poll's events are
 * coalesced and yielded). The first cycle also registers the callbacks and is
 * dropped.
 */
async function pollCycles(bits: BitsManager, cycles: number, pollInterval: number): Promise<number[]> {
  const loaded = loadShim() as unknown as { symbols: Record<string, AnyFn> };
  const original = loaded.symbols;
  const marks: { kind: "enum" | "drain"; t: number }[] = [];
  const stamped = (kind: "enum" | "drain", name: string): AnyFn => (...args: unknown[]): unknown => {
    marks.push({ kind, t: performance.now() });
    return original[name](...args);
  };
  const spans = (): number[] => {
    const out: number[] = [];
    let start: number | undefined;
    for (const mark of marks) {
      if (mark.kind === "enum") start ??= mark.t;
      else if (start !== undefined) {
        out.push(mark.t - start);
        start = undefined;
      }
    }
    return out;
  };
  loaded.symbols = {
    ...original,
    bits_manager_enum_jobs: stamped("enum", "bits_manager_enum_jobs"),
    bits_watcher_drain: stamped("drain", "bits_watcher_drain"),
  };
  const stop = new AbortController();
  try {
    const consuming = (async (): Promise<void> => {
      // Uniform polling: this measures one full-queue poll per tick, not the tiered count-only ticks.
      for await (const _ of watch(bits, { pollInterval, idlePollInterval: pollInterval, signal: stop.signal })) {
        // Every event is consumed, as a monitor would.
      }
    })();
    while (spans().length < cycles + 1) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    await consuming;
  } finally {
    loaded.symbols = original;
  }
  return spans().slice(1, cycles + 1);
}

const kernel32 = Deno.build.os === "windows"
  ? Deno.dlopen("kernel32.dll", {
    OpenProcess: { parameters: ["u32", "i32", "u32"], result: "pointer" },
    GetProcessTimes: { parameters: ["pointer", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
    CloseHandle: { parameters: ["pointer"], result: "i32" },
  })
  : undefined;

/** A process's user + kernel CPU time in ms (GetProcessTimes, 100 ns units; Wine: clock ticks). */
function processCpuMs(pid: number): number {
  if (!kernel32) throw new Error("GetProcessTimes needs Windows");
  const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
  const handle = kernel32.symbols.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
  if (handle === null) throw new Error(`OpenProcess(${pid}) failed`);
  try {
    const [created, exited, kernel, user] = [1, 2, 3, 4].map(() => new BigUint64Array(1));
    if (!kernel32.symbols.GetProcessTimes(handle, created, exited, kernel, user)) {
      throw new Error(`GetProcessTimes(${pid}) failed`);
    }
    return Number(kernel[0] + user[0]) / 1e4;
  } finally {
    kernel32.symbols.CloseHandle(handle);
  }
}

/** processCpuMs, or NaN when the process cannot be read (it may have just ended). */
function outsideCpu(pid: number): number {
  try {
    return processCpuMs(pid);
  } catch {
    return NaN;
  }
}

/** A deno.exe child whose stdout is read line by line: its first and last lines. */
interface Reading {
  readonly child: Deno.ChildProcess;
  readonly first: Promise<string>;
  readonly last: Promise<string>;
  /** GetProcessTimes of the child read from this process: from its first line to its last (ms). */
  readonly outsideMs: number;
}

function spawnReading(args: string[]): Reading {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  let resolveFirst: (line: string) => void = () => {};
  const first = new Promise<string>((resolve) => resolveFirst = resolve);
  let outsideMs = 0;
  return {
    child,
    first,
    get outsideMs(): number {
      return outsideMs;
    },
    last: (async (): Promise<string> => {
      let last = "";
      let start: number | undefined;
      for await (const line of splitLines(child.stdout)) {
        if (start === undefined) {
          start = outsideCpu(child.pid);
          resolveFirst(line);
        }
        if (line.startsWith('{"cpuMs"')) outsideMs = outsideCpu(child.pid) - start;
        last = line;
      }
      resolveFirst("");
      return last;
    })(),
  };
}

/**
 * 5b: CPU time over `seconds`, as a percentage of one core, of watch() over
 * the whole queue as `cli.ts watch --all --json` runs it (bench/watch_cpu.ts:
 * same call, same options, every event printed), of an idle deno.exe, and of
 * the C reference reading the whole queue every second, all in the same
 * window. Each process measures its own CPU time (GetProcessTimes of the
 * current process): under Wine, GetProcessTimes of another process misses
 * most threads, which the outside reading kept in the notes shows.
 */
async function idleCpu(ref: RefServer, seconds: number): Promise<void> {
  const flags = ["run", "--cached-only", "--no-check", "--allow-ffi", "--allow-read", "--allow-env=BITS_SHIM_PATH"];
  const ours = spawnReading([...flags, WATCH_CPU, String(seconds)]);
  const idle = spawnReading([...flags, WATCH_CPU, String(seconds), "--idle"]);
  try {
    await ours.first;
    const outside0 = processCpuMs(ours.child.pid);
    // The children start their window a second after their first poll; the reference starts now.
    const refIdle = await ref.run(["idle-poll", String(seconds), "1000"]);
    const [oursStatus, idleStatus] = await Promise.all([ours.child.status, idle.child.status]);
    if (!oursStatus.success || !idleStatus.success) throw new Error("bench/watch_cpu.ts failed");
    const oursResult = JSON.parse(await ours.last) as { cpuMs: number; wallMs: number; events: number };
    const idleResult = JSON.parse(await idle.last) as { cpuMs: number; wallMs: number };
    record("idle.ours", "%", [(100 * oursResult.cpuMs) / oursResult.wallMs]);
    record("idle.deno", "%", [(100 * idleResult.cpuMs) / idleResult.wallMs]);
    record("idle.ref", "%", [(100 * num(refIdle, "cpu_ms")) / num(refIdle, "wall_ms")]);
    notes.push(
      `5: watch() used ${oursResult.cpuMs.toFixed(0)} ms of CPU in ${(oursResult.wallMs / 1000).toFixed(1)} s ` +
        `(${oursResult.events} events in the window); idle deno.exe ${idleResult.cpuMs.toFixed(0)} ms; ` +
        `reference ${num(refIdle, "cpu_ms").toFixed(0)} ms over ${numbers(refIdle, "poll_us").length} queue reads of ` +
        `${
          num(refIdle, "jobs")
        } jobs. Read from outside (GetProcessTimes of the child) the watch process showed only ` +
        `${ours.outsideMs.toFixed(0)} ms over its whole life after its first event (${outside0.toFixed(0)} ms before).`,
    );
  } finally {
    for (const child of [ours.child, idle.child]) {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status.catch(() => {});
    }
  }
}

async function measureMonitoring(bits: BitsManager, dir: string): Promise<void> {
  const server = await ContentServer.start();
  const ref = new RefServer();
  try {
    const { latencyRounds, latencyPerRound } = MONITOR;
    log(`5a: notification latency, ${latencyRounds} rounds of ${latencyPerRound} downloads of 10 KB, alternately`);
    await latencyOurs(bits, server, dir, 1); // warm-up of each side
    await ref.run(["latency", "1", server.url(LATENCY_BYTES, nextSeed++), dir, `${PREFIX}-latw`]);
    let fromPoll = 0;
    for (let round = 0; round < latencyRounds; round++) {
      const ours = await latencyOurs(bits, server, dir, latencyPerRound);
      record("latency.ours", "ms", ours.ms);
      record("latency.oursCallback", "ms", ours.callbackMs);
      fromPoll += ours.fromPoll;
      const refLatency = await ref.run([
        "latency",
        String(latencyPerRound),
        server.url(LATENCY_BYTES, nextSeed++),
        dir,
        `${PREFIX}-lat-ref-${round}`,
      ]);
      record("latency.ref", "ms", numbers(refLatency, "samples_us").map((us) => us / 1000));
    }
    if (fromPoll > 0) notes.push(`5: ${fromPoll} transferred events came from the poll, not a callback (left out).`);

    log(`5b/5c: ${MONITOR.monitorJobs} suspended jobs`);
    await createJobs(bits, dir, MONITOR.monitorJobs, "mon");
    const queued = (await bits.listJobs()).length;
    if (queued !== MONITOR.monitorJobs) notes.push(`5: the queue held ${queued} jobs during 5b/5c.`);
    try {
      const { pollRounds, pollPerRound } = MONITOR;
      log(`5c: watchdog poll cycles, ${pollRounds} rounds of ${pollPerRound}, alternately with the reference`);
      await ref.run(["queue", "1"]);
      for (let round = 0; round < pollRounds; round++) {
        record("poll.ours", "ms", (await pollCycles(bits, pollPerRound, 300)).map((ms) => ms / queued));
        const refQueue = await ref.run(["queue", String(pollPerRound)]);
        record("poll.ref", "ms", numbers(refQueue, "total_us").map((us) => us / 1000 / num(refQueue, "jobs")));
      }
      log(`5b: CPU of cli.ts watch --all, an idle deno.exe and the reference, ${MONITOR.idleSeconds} s`);
      await idleCpu(ref, MONITOR.idleSeconds);
    } finally {
      log(`cancelled ${await cancelSuspendedJobs(bits, PREFIX)} suspended jobs`);
    }

    const settings: DownloadSettings = {
      mb: MONITOR.downloadMb,
      effectPairs: MONITOR.downloadPairs,
      nullPairs: MONITOR.downloadNullPairs,
      warmUpMb: MONITOR.downloadWarmUpMb,
      costRounds: MONITOR.costRounds,
      costSeconds: MONITOR.costSeconds,
    };
    download = await measureDownloads(bits, server, dir, settings, { prefix: PREFIX, nextSeed: () => nextSeed++, log });
  } finally {
    await ref.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  const loaded = loadShim();
  const wine = wineVersion();
  const { rounds } = SETTINGS;
  log(`${wine ? `Wine ${wine}` : "Windows"}, deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs`);

  // Layer measurements first: no BITS work is running.
  measureLayer(loaded.candidate.location);
  await measureNonblocking();
  measureUtf16();

  const bits = await connect();
  const ref = new RefServer();
  const dir = await Deno.makeTempDir({ prefix: "bits-bench-" });
  let queueJobs = 0;
  try {
    const existing = (await bits.listJobs()).filter((j) => j.state !== "CANCELLED" && j.state !== "ACKNOWLEDGED");
    if (existing.length > 0) notes.push(`${existing.length} jobs were already queued and count towards the queue.`);
    const toCreate = Math.max(0, SETTINGS.jobs - existing.length);
    log(`creating ${toCreate} suspended jobs, alternately through deno-bits and bits_ref, in ${rounds} rounds`);
    let refCreate: RefResult | undefined;
    for (let round = 0, created = 0; round < rounds; round++) {
      const share = Math.round((toCreate * (round + 1)) / rounds) - created;
      const ours = Math.floor(share / 2);
      record("create.ours", "ms", await createJobs(bits, dir, ours, `ours-${round}`));
      if (share - ours > 0) {
        refCreate = await ref.run(["create", String(share - ours), dir, `${PREFIX}-ref-${round}`]);
        record("create.ref", "ms", numbers(refCreate, "samples_us").map((us) => us / 1000));
      }
      created += share;
    }

    const queue = await bits.listJobs();
    queueJobs = queue.length;
    log(`1: queue snapshot, ${queueJobs} jobs, ${SETTINGS.queueIterations} times: listJobs, reference, our variants`);
    await bits.listJobs(); // warm-up of each side
    await ref.run(["queue", "1"]);
    await listSequential();
    await listPooled(POOL);
    for (let i = 0; i < SETTINGS.queueIterations; i++) {
      const t0 = performance.now();
      const jobs = await bits.listJobs();
      record("queue.ours", "ms", [performance.now() - t0]);
      if (jobs.length !== queueJobs) throw new Error(`listJobs saw ${jobs.length} jobs, expected ${queueJobs}`);
      const refQueue = await ref.run(["queue", "1"]);
      if (num(refQueue, "jobs") !== queueJobs) throw new Error(`bits_ref saw ${refQueue.jobs} jobs`);
      for (const [key, field] of [["", "total_us"], [".enumerate", "enumerate_us"], [".snapshots", "snapshots_us"]]) {
        record(`queue.ref${key}`, "ms", numbers(refQueue, field).map((us) => us / 1000));
      }
      record("queue.ref.release", "ms", numbers(refQueue, "release_us").map((us) => us / 1000));
      record("queue.oursSequential", "ms", await timeEach(1, () => listSequential().then(() => {})));
      record("queue.oursPool", "ms", await timeEach(1, () => listPooled(POOL).then(() => {})));
      if (i < 3) record("queue.stall", "ms", [await longestStall(() => bits.listJobs())]);
    }

    const target = queue.find((j) => j.displayName.startsWith(`${PREFIX}-ours-`)) ?? queue[0];
    log(`2: one job's snapshot, ${rounds} rounds of ${SETTINGS.onePerRound}, alternately`);
    {
      using job = await bits.getJob(target.id);
      for (let i = 0; i < 20; i++) await job.snapshot();
      let refOne: RefResult | undefined;
      for (let round = 0; round < rounds; round++) {
        const ours = await timeEach(SETTINGS.onePerRound, () => job.snapshot().then(() => {}));
        record("one.ours", "us", ours.map((ms) => ms * 1000));
        // Each command opens the job anew (GetJob, untimed); its first two reads are dropped as warm-up.
        refOne = await ref.run(["one", target.id, String(SETTINGS.onePerRound + 2)]);
        record("one.ref", "us", numbers(refOne, "samples_us").slice(2));
      }
      const snapshotCalls = await countFfi(() => job.snapshot().then(() => {}));
      addTrips("job.snapshot() (job not in error)", snapshotCalls, {
        calls: num(refOne as RefResult, "com_calls_per_snapshot"),
        releases: 0,
      });
    }

    measureDecode(await snapshotBuffers());

    // Counted once each, outside the timed runs.
    const listCalls = await countFfi(async () => {
      const manager = await connect();
      await manager.listJobs();
      manager.close();
    });
    const refCold = await runRef(["list-cold"]);
    addTrips(`connect() + listJobs() + close(), ${queueJobs} jobs (= cli list)`, listCalls, {
      calls: num(refCold.result, "com_calls"),
      releases: num(refCold.result, "com_releases"),
    }, queueJobs);
    const createCalls = await countFfi(() => createJobs(bits, dir, 1, "counted").then(() => {}));
    if (refCreate) {
      addTrips("download([1 file], { suspended: true })", createCalls, {
        calls: num(refCreate, "com_calls_per_job"),
        releases: num(refCreate, "com_releases_per_job"),
      });
    }

    await measureCli(queueJobs);
  } finally {
    log("cancelling this run's jobs (all SUSPENDED)");
    log(`cancelled ${await cancelSuspendedJobs(bits, PREFIX)} jobs`);
  }

  const perRound = SETTINGS.createCancelPerRound;
  log(`4: create + cancel, ${rounds} rounds of ${perRound}: ours, ours with force, reference`);
  const createCancel = (force: boolean): (i: number) => Promise<void> => async (i) => {
    const job = await bits.createJob(`${PREFIX}-cc-${force ? "f" : "d"}-${i}`);
    try {
      await job.cancel({ force });
    } finally {
      job.dispose();
    }
  };
  try {
    await timeEach(3, createCancel(false));
    await timeEach(3, createCancel(true));
    await ref.run(["create-cancel", "3", `${PREFIX}-cc-ref-w`]);
    let refCc: RefResult | undefined;
    for (let round = 0; round < rounds; round++) {
      record("createCancel.ours", "ms", await timeEach(perRound, createCancel(false)));
      record("createCancel.oursForce", "ms", await timeEach(perRound, createCancel(true)));
      refCc = await ref.run(["create-cancel", String(perRound), `${PREFIX}-cc-ref-${round}`]);
      record("createCancel.ref", "ms", numbers(refCc, "samples_us").map((us) => us / 1000));
    }
    const ccRef = {
      calls: num(refCc as RefResult, "com_calls_per_job"),
      releases: num(refCc as RefResult, "com_releases_per_job"),
    };
    addTrips("createJob() + cancel() + dispose()", await countFfi(() => createCancel(false)(0)), ccRef);
    addTrips("createJob() + cancel({ force: true }) + dispose()", await countFfi(() => createCancel(true)(0)), ccRef);
  } catch (error) {
    // A failure between createJob() and cancel() may leave a SUSPENDED job behind.
    await cancelSuspendedJobs(bits, PREFIX).catch(() => 0);
    throw error;
  } finally {
    await ref.close();
  }
  await measureMonitoring(bits, dir);
  bits.close();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  micro.close();
  kernel32?.close();

  const m6 = download ? downloadSeries(download) : undefined;
  if (m6) {
    Object.assign(series, m6.series);
    notes.push(...m6.notes);
  }
  const raw: RawResults = {
    facts: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      os: Deno.build.os,
      osRelease: Deno.osRelease(),
      cpus: navigator.hardwareConcurrency,
      wine,
      queueJobs,
      settings: { ...SETTINGS, ...MONITOR, quick: QUICK },
    },
    series,
    paired: m6?.paired,
    download,
    roundTrips,
    notes,
  };
  if (sink === 0.5) console.error("unreachable"); // keeps the timed results observable
  console.log(JSON.stringify(raw));
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    // An explicit exit code: under Wine an uncaught error after some FFI/COM work was seen to exit 0.
    console.error("bench: measure.ts failed:", error);
    Deno.exit(1);
  }
}

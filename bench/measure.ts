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
 * state (cancelling a running transfer crashes Wine's BITS, wine-bits.md §6).
 *
 * Usage: deno run --allow-ffi --allow-read --allow-write --allow-run --allow-sys bench/measure.ts [--quick]
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BitsManager, connect, decodeUtf16, encodeUtf16, type JobSnapshot, wineVersion } from "../mod.ts";
import { loadShim } from "../ffi/library.ts";
import { decodeSnapshot } from "../src/decode.ts";
import { OwnedHandle, pointerFromOut } from "../src/handle.ts";
import { readSnapshot } from "../src/job.ts";
import { comFromFfi, type RawResults, type RoundTrips, type Series } from "./report.ts";

const QUICK = Deno.args.includes("--quick");

/** How much of everything; `--quick` is a smoke run. */
const SETTINGS = QUICK
  ? { jobs: 30, queueIterations: 2, oneIterations: 40, cliRuns: 2, createCancel: 15, layerSamples: 10 }
  : { jobs: 300, queueIterations: 5, oneIterations: 300, cliRuns: 5, createCancel: 100, layerSamples: 40 };

const REF_EXE = fileURLToPath(new URL("./build/bits_ref.exe", import.meta.url));
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
const PREFIX = `bench-${crypto.randomUUID().slice(0, 8)}`;

const series: Record<string, Series> = {};
const notes: string[] = [];
const roundTrips: RoundTrips[] = [];
let sink = 0;

function log(message: string): void {
  console.error(`bench: ${message}`);
}

function record(key: string, unit: Series["unit"], samples: readonly number[]): void {
  series[key] = { unit, samples: samples.map((v) => Number(v.toPrecision(6))) };
}

// ---------------------------------------------------------------------------
// Timing helpers

/** `samples` batches of `batch` calls of a synchronous operation; ns per call for each batch. */
function timeSync(batch: number, samples: number, op: () => number): number[] {
  for (let i = 0; i < batch; i++) sink += op(); // warm-up: compile and settle
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

// ---------------------------------------------------------------------------
// The C side

type RefResult = Record<string, unknown>;

/** Runs bits_ref.exe and returns its JSON, with the process's wall time in ms. */
async function runRef(args: string[]): Promise<{ result: RefResult; wallMs: number }> {
  const t0 = performance.now();
  const output = await new Deno.Command(REF_EXE, { args, stdin: "null", stdout: "piped", stderr: "inherit" }).output();
  const wallMs = performance.now() - t0;
  const text = new TextDecoder().decode(output.stdout).trim();
  let result: RefResult;
  try {
    result = JSON.parse(text.split("\n").at(-1) ?? "");
  } catch {
    throw new Error(`bits_ref.exe ${args.join(" ")} printed no JSON (exit ${output.code}): ${text}`);
  }
  if (result.ok !== true || output.code !== 0) {
    throw new Error(`bits_ref.exe ${args.join(" ")} failed (exit ${output.code}): ${text}`);
  }
  return { result, wallMs };
}

function numbers(result: RefResult, key: string): number[] {
  const value = result[key];
  if (!Array.isArray(value)) throw new Error(`bits_ref.exe: no ${key} in ${JSON.stringify(result).slice(0, 200)}`);
  return value as number[];
}

function num(result: RefResult, key: string): number {
  const value = result[key];
  if (typeof value !== "number") throw new Error(`bits_ref.exe: no ${key}`);
  return value;
}

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
): void {
  const ours = ffi ? comFromFfi(ffi) : null;
  roundTrips.push({
    operation,
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
    for (const handle of handles) snapshots.push(await readSnapshot(handle, "(enumerated)"));
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

/** Cancels this run's jobs that are still SUSPENDED (the only state they can be in). */
async function cleanup(bits: BitsManager): Promise<number> {
  let cancelled = 0;
  for (const snapshot of await bits.listJobs()) {
    if (!snapshot.displayName.startsWith(PREFIX) || snapshot.state !== "SUSPENDED") continue;
    using job = await bits.getJob(snapshot.id);
    // Re-checked right before cancelling: never cancel a transferring job (Wine's BITS crashes).
    if ((await job.snapshot()).state !== "SUSPENDED") continue;
    await job.cancel({ force: true });
    cancelled++;
  }
  return cancelled;
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

async function main(): Promise<void> {
  const loaded = loadShim();
  const wine = wineVersion();
  log(`${wine ? `Wine ${wine}` : "Windows"}, deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs`);

  // Layer measurements first: no BITS work is running.
  measureLayer(loaded.candidate.location);
  await measureNonblocking();
  measureUtf16();

  const bits = await connect();
  const dir = await Deno.makeTempDir({ prefix: "bits-bench-" });
  let queueJobs = 0;
  try {
    const existing = (await bits.listJobs()).filter((j) => j.state !== "CANCELLED" && j.state !== "ACKNOWLEDGED");
    if (existing.length > 0) notes.push(`${existing.length} jobs were already queued and count towards the queue.`);
    const toCreate = Math.max(0, SETTINGS.jobs - existing.length);
    const oursCount = Math.floor(toCreate / 2);
    log(`creating ${toCreate} suspended jobs (${oursCount} through deno-bits, ${toCreate - oursCount} by bits_ref)`);
    record("create.ours", "ms", await createJobs(bits, dir, oursCount, "ours"));
    const created = await runRef(["create", String(toCreate - oursCount), dir, `${PREFIX}-ref`]);
    record("create.ref", "ms", numbers(created.result, "samples_us").map((us) => us / 1000));

    const queue = await bits.listJobs();
    queueJobs = queue.length;
    log(`1: queue snapshot, ${queueJobs} jobs, ${SETTINGS.queueIterations} iterations each (+1 warm-up)`);
    const oursQueue = await timeEach(SETTINGS.queueIterations, async () => {
      const jobs = await bits.listJobs();
      if (jobs.length !== queueJobs) throw new Error(`listJobs saw ${jobs.length} jobs, expected ${queueJobs}`);
    });
    record("queue.ours", "ms", oursQueue);
    const refQueue = await runRef(["queue", String(SETTINGS.queueIterations + 1)]);
    if (num(refQueue.result, "jobs") !== queueJobs) throw new Error(`bits_ref saw ${refQueue.result.jobs} jobs`);
    record("queue.ref", "ms", numbers(refQueue.result, "total_us").slice(1).map((us) => us / 1000));
    record("queue.ref.enumerate", "ms", numbers(refQueue.result, "enumerate_us").slice(1).map((us) => us / 1000));
    record("queue.ref.snapshots", "ms", numbers(refQueue.result, "snapshots_us").slice(1).map((us) => us / 1000));
    record("queue.ref.release", "ms", numbers(refQueue.result, "release_us").slice(1).map((us) => us / 1000));
    await listSequential();
    record(
      "queue.oursSequential",
      "ms",
      await timeEach(SETTINGS.queueIterations, () => listSequential().then(() => {})),
    );

    const target = queue.find((j) => j.displayName.startsWith(`${PREFIX}-ours-`)) ?? queue[0];
    log(`2: one job's snapshot, ${SETTINGS.oneIterations} times each (+20 warm-up)`);
    {
      using job = await bits.getJob(target.id);
      for (let i = 0; i < 20; i++) await job.snapshot();
      record(
        "one.ours",
        "us",
        (await timeEach(SETTINGS.oneIterations, () => job.snapshot().then(() => {}))).map((ms) => ms * 1000),
      );
      const snapshotCalls = await countFfi(() => job.snapshot().then(() => {}));
      const refOne = await runRef(["one", target.id, String(SETTINGS.oneIterations + 20)]);
      record("one.ref", "us", numbers(refOne.result, "samples_us").slice(20));
      addTrips("job.snapshot() (job not in error)", snapshotCalls, {
        calls: num(refOne.result, "com_calls_per_snapshot"),
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
    });
    const createCalls = await countFfi(() => createJobs(bits, dir, 1, "counted").then(() => {}));
    addTrips("download([1 file], { suspended: true })", createCalls, {
      calls: num(created.result, "com_calls_per_job"),
      releases: num(created.result, "com_releases_per_job"),
    });

    await measureCli(queueJobs);
  } finally {
    log("cancelling this run's jobs (all SUSPENDED)");
    log(`cancelled ${await cleanup(bits)} jobs`);
  }

  log(`4: create + cancel, ${SETTINGS.createCancel} jobs each (+5 warm-up)`);
  const createCancel = (force: boolean): (i: number) => Promise<void> => async (i) => {
    const job = await bits.createJob(`${PREFIX}-cc-${force ? "f" : "d"}-${i}`);
    try {
      await job.cancel({ force });
    } finally {
      job.dispose();
    }
  };
  try {
    await timeEach(5, createCancel(false));
    record("createCancel.ours", "ms", await timeEach(SETTINGS.createCancel, createCancel(false)));
    await timeEach(5, createCancel(true));
    record("createCancel.oursForce", "ms", await timeEach(SETTINGS.createCancel, createCancel(true)));
    const refCc = await runRef(["create-cancel", String(SETTINGS.createCancel + 5), `${PREFIX}-cc-ref`]);
    record("createCancel.ref", "ms", numbers(refCc.result, "samples_us").slice(5).map((us) => us / 1000));
    const ccRef = {
      calls: num(refCc.result, "com_calls_per_job"),
      releases: num(refCc.result, "com_releases_per_job"),
    };
    addTrips("createJob() + cancel() + dispose()", await countFfi(() => createCancel(false)(0)), ccRef);
    addTrips("createJob() + cancel({ force: true }) + dispose()", await countFfi(() => createCancel(true)(0)), ccRef);
  } catch (error) {
    // A failure between createJob() and cancel() may leave a SUSPENDED job behind.
    await cleanup(bits).catch(() => 0);
    throw error;
  }
  bits.close();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  micro.close();

  const raw: RawResults = {
    facts: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      os: Deno.build.os,
      osRelease: Deno.osRelease(),
      cpus: navigator.hardwareConcurrency,
      wine,
      queueJobs,
      settings: { ...SETTINGS, quick: QUICK },
    },
    series,
    roundTrips,
    notes,
  };
  if (sink === 0.5) console.error("unreachable"); // keeps the timed results observable
  console.log(JSON.stringify(raw));
}

if (import.meta.main) await main();

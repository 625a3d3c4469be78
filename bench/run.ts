/**
 * `deno task bench`: builds the C reference and micro-benchmarks, runs the
 * measurements with the Windows Deno against real BITS (under Wine in the
 * bed on Linux, natively on Windows), prints the table and writes
 * `bench/results.json`. See docs/performance.md.
 *
 * Options:
 *   --quick      a smoke run (30 jobs, few iterations); not for quoting
 *   --download-mb N, --download-pairs N
 *                measurement 6's download size (default 1024 MiB, the issue's
 *                1 GB) and with/without pairs (default 16, plus 6 noise-floor pairs)
 *   --no-trace   skip the Wine +rpc trace that counts real RPC round trips (Linux only)
 *   --out PATH   where to write the results (default bench/results.json)
 *   --only download
 *                only measurement 6 (bench/download.ts): prints its rows and
 *                writes .out/bench-download.json (not results.json)
 *   --only watch-cpu
 *                only measurement 5b, the CPU of watching the whole queue: the
 *                tiered watch, the uniform one (every job every second), an
 *                idle deno.exe and the C reference in one window; prints the
 *                shares and writes .out/bench-watch-cpu.json (not results.json)
 *   --only queue-read
 *                only measurement 1b (bench/queue_read.ts): the whole-queue read of 300
 *                jobs, ours (one FFI call) vs the old per-job design vs the C reference,
 *                with the FFI calls per read; writes .out/bench-queue-read.json
 *   --only concurrent-waits
 *                only measurement 7 (bench/concurrent_waits.ts): the latency of an
 *                unrelated nonblocking FFI call while 64 waits run, with the shared
 *                drain and with one drain per wait (the old design); prints the rows
 *                and writes .out/bench-concurrent-waits.json (not results.json)
 *   --keep-awake keep every CPU out of its idle state during the measurements
 *                (Linux: one SCHED_IDLE busy loop per CPU, which yields to any
 *                other work); shows how much of a COM round trip is CPU wake-up
 *                latency (docs/performance.md)
 *
 * Permissions: --allow-read --allow-write --allow-run --allow-env=PROCESSOR_IDENTIFIER --allow-sys=osRelease
 *
 * @module
 */

import { parseArgs } from "node:util";
import { prepare, REPO_ROOT } from "../scripts/windows_deno.ts";
import {
  buildRows,
  type HostFacts,
  type RawResults,
  renderRoundTrips,
  renderTable,
  renderTraced,
  type Row,
  stats,
} from "./report.ts";
import { traceOperations } from "./trace.ts";
import type { CompareResult, WatchCalls } from "./watch_cpu.ts";
import type { DownloadExperiment } from "./download.ts";
import type { ConcurrentWaitsResult, PhaseResult } from "./concurrent_waits.ts";
import type { QueueReadResult } from "./queue_read.ts";
import { downloadSeries } from "./download_report.ts";

const ON_WINDOWS = Deno.build.os === "windows";
/** Permissions of bench/measure.ts and bench/trace_ops.ts under the Windows Deno. */
const MEASURE_FLAGS = ["--allow-ffi", "--allow-read", "--allow-write", "--allow-run", "--allow-sys"];
/** A hang guard, not a timing assertion: a full run takes about half an hour (measurement 6: 45 downloads of 1 GiB). */
const MEASURE_TIMEOUT_MS = 60 * 60_000;

function log(message: string): void {
  console.error(`bench: ${message}`);
}

async function mtime(path: URL): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).mtime?.getTime();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Starts `program args`; `undefined` when it cannot start. */
async function probe(program: string, args: string[]): Promise<number | undefined> {
  try {
    return (await new Deno.Command(program, { args, stdin: "null", stdout: "null", stderr: "null" }).output()).code;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

interface Target {
  readonly source: string;
  readonly output: string;
  /** Extra flags for GCC-compatible drivers. */
  readonly gnu: readonly string[];
  /** Extra arguments for MSVC `cl`. */
  readonly msvc: readonly string[];
}

const TARGETS: readonly Target[] = [
  {
    source: "bench/ref/bits_ref.c",
    output: "bench/build/bits_ref.exe",
    gnu: ["-lole32"],
    msvc: ["ole32.lib"],
  },
  {
    source: "bench/ref/micro.c",
    output: "bench/build/bench_micro.dll",
    gnu: ["-shared"],
    msvc: ["/LD"],
  },
];

const GNU_FLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-s", "-static-libgcc"];

/** Compiles the C side into bench/build/ when a source is newer than its output. */
async function buildC(): Promise<void> {
  await Deno.mkdir(new URL("bench/build/", REPO_ROOT), { recursive: true });
  let compiler: "gnu" | "msvc" | undefined;
  let program = "x86_64-w64-mingw32-gcc";
  for (const target of TARGETS) {
    const built = await mtime(new URL(target.output, REPO_ROOT));
    const source = await mtime(new URL(target.source, REPO_ROOT));
    if (source === undefined) throw new Error(`missing ${target.source}`);
    if (built !== undefined && built > source) continue;
    if (compiler === undefined) {
      if (!ON_WINDOWS) {
        if (await probe(program, ["--version"]) === undefined) {
          throw new Error(`${program} not found (apt-get install gcc-mingw-w64-x86-64)`);
        }
        compiler = "gnu";
      } else if (await probe("gcc", ["--version"]) !== undefined) {
        [compiler, program] = ["gnu", "gcc"];
      } else if (await probe("clang", ["--version"]) !== undefined) {
        [compiler, program] = ["gnu", "clang"];
      } else if (await probe("cl", []) !== undefined) {
        [compiler, program] = ["msvc", "cl"];
      } else {
        throw new Error("no C compiler found (gcc, clang or cl); see docs/building.md");
      }
    }
    const args = compiler === "gnu"
      ? [...GNU_FLAGS, "-o", target.output, target.source, ...target.gnu]
      : ["/nologo", "/O2", "/W3", "/MT", "/Fo:bench\\build\\", `/Fe:${target.output}`, target.source, ...target.msvc];
    log(`$ ${program} ${args.join(" ")}`);
    const { code } = await new Deno.Command(program, { args, cwd: REPO_ROOT, stdin: "null" }).output();
    if (code !== 0) throw new Error(`${program} failed for ${target.source} (exit ${code})`);
  }
}

/** Runs a script with the Windows Deno (bed or native); returns its stdout and, if asked, its stderr. */
export async function runWindowsScript(
  script: string,
  args: readonly string[],
  options: { env?: Record<string, string>; captureStderr?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const denoArgs = ["run", "--cached-only", "--no-check", ...MEASURE_FLAGS, script, ...args];
  const [command, commandArgs] = ON_WINDOWS
    ? [Deno.execPath(), denoArgs]
    : ["bash", ["scripts/bed/run.sh", "--", "/opt/deno/deno", ...denoArgs]];
  log(`$ ${[command, ...commandArgs].join(" ")}`);
  const child = new Deno.Command(command, {
    args: commandArgs,
    cwd: REPO_ROOT,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: options.captureStderr ? "piped" : "inherit",
  }).spawn();
  const timer = setTimeout(() => {
    log(`${script} still running after ${MEASURE_TIMEOUT_MS / 60_000} min: stopping it`);
    child.kill("SIGTERM");
  }, MEASURE_TIMEOUT_MS);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: options.captureStderr ? decoder.decode(output.stderr) : "",
    };
  } finally {
    clearTimeout(timer);
  }
}

/** One SCHED_IDLE busy loop per CPU (Linux): the CPUs never idle, yet any real work preempts the loops. */
async function startSpinners(): Promise<Deno.ChildProcess[]> {
  if (ON_WINDOWS) throw new Error("--keep-awake is implemented for Linux only");
  if (await probe("chrt", ["--help"]) === undefined) throw new Error("--keep-awake needs chrt (util-linux)");
  log(`keeping ${navigator.hardwareConcurrency} CPUs awake with SCHED_IDLE busy loops`);
  return Array.from({ length: navigator.hardwareConcurrency }, () =>
    new Deno.Command("chrt", {
      args: ["--idle", "0", "sh", "-c", "while :; do :; done"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn());
}

/** Ends the spinners and waits for them. */
async function stopSpinners(spinners: readonly Deno.ChildProcess[]): Promise<void> {
  for (const child of spinners) {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
  }
}

async function hostFacts(): Promise<HostFacts> {
  let cpuModel: string | null = null;
  if (ON_WINDOWS) {
    cpuModel = Deno.env.get("PROCESSOR_IDENTIFIER") ?? null;
  } else {
    // lscpu rather than /proc/cpuinfo: Deno asks for --allow-all to read /proc.
    try {
      const { stdout } = await new Deno.Command("lscpu", { stdin: "null", stdout: "piped", stderr: "null" }).output();
      const text = new TextDecoder().decode(stdout);
      cpuModel = /^Model name:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? null;
      const hypervisor = /^Hypervisor vendor:\s*(.+)$/m.exec(text)?.[1]?.trim();
      if (cpuModel !== null && hypervisor) cpuModel += ` (virtual machine, ${hypervisor})`;
    } catch {
      cpuModel = null;
    }
  }
  return {
    date: new Date().toISOString(),
    mode: ON_WINDOWS ? "windows (native)" : "linux (Wine bed)",
    hostOs: `${Deno.build.os} ${Deno.osRelease()}`,
    cpuModel,
    hostCpus: navigator.hardwareConcurrency,
    runnerDeno: Deno.version.deno,
  };
}

function p50(raw: RawResults, key: string): number | null {
  const s = raw.series[key];
  return s && s.samples.length > 0 ? stats(s.samples).p50 : null;
}

/** Numbers derived from several series (all p50, in ms). */
function derived(raw: RawResults): Record<string, number | null> {
  const sub = (a: number | null, b: number | null): number | null =>
    a === null || b === null ? null : Number((a - b).toFixed(1));
  const round = (v: number | null): number | null => v === null ? null : Number(v.toFixed(2));
  return {
    cliStartCostMs: sub(p50(raw, "cli.version"), p50(raw, "cli.eval0")),
    cliListOverDenoStartMs: sub(p50(raw, "cli.list"), p50(raw, "cli.eval0")),
    refQueueEnumerateMs: round(p50(raw, "queue.ref.enumerate")),
    refQueueSnapshotsMs: round(p50(raw, "queue.ref.snapshots")),
    refQueueReleaseMs: round(p50(raw, "queue.ref.release")),
  };
}

function summary(rows: readonly Row[]): string {
  return rows
    .filter((r) => r.goal !== null)
    .map((r) =>
      `${r.section}. ${r.id}: ${r.verdict}${r.ratio === null ? "" : ` (${r.ratio.toFixed(2)}x, goal ${r.goal})`}`
    )
    .join("; ");
}

/** `--only watch-cpu`: measurement 5b alone (bench/watch_cpu.ts --compare), 50 suspended jobs. */
async function watchCpuOnly(quick: boolean): Promise<number> {
  await prepare();
  await buildC();
  const seconds = quick ? 30 : 60;
  const measured = await runWindowsScript("bench/watch_cpu.ts", ["--compare", String(seconds), "--jobs", "50"]);
  if (measured.code !== 0) {
    log(`bench/watch_cpu.ts failed with exit code ${measured.code}`);
    return 1;
  }
  const result = JSON.parse(measured.stdout.trim().split("\n").at(-1) ?? "") as CompareResult;
  const host = await hostFacts();
  const pct = (v: number): string => `${v.toFixed(2)} %`;
  const trips = (c: WatchCalls): number => 6 * c.snapshot + 3 * c.count + 4 * c.enumerate + 2 * (c.light ?? 0);
  const calls = (c: WatchCalls): string =>
    `${c.snapshot} snapshots, ${c.count} counts, ${c.enumerate} enumerations, ${c.light ?? 0} light job reads ` +
    `(~${trips(c)} COM round trips)`;
  // The reference's reads, counted the same way: an enumeration and a snapshot per job each.
  const refTrips = result.refPolls * (4 + 6 * result.queueJobs);
  console.log(
    `\nwatch CPU, ${host.date.slice(0, 10)}, ${host.mode}, ${
      host.cpuModel ?? "unknown CPU"
    } (${host.hostCpus} CPUs), ` +
      `queue ${result.queueJobs} jobs, ${seconds} s window${quick ? " [QUICK RUN: not for quoting]" : ""}\n`,
  );
  console.log(`  watch --all (tiered, default)       ${pct(result.tieredPct)}  ${calls(result.tiered.calls)}`);
  console.log(`  watch --all (uniform, every job 1 s) ${pct(result.uniformPct)}  ${calls(result.uniform.calls)}`);
  console.log(
    `  dashboard, one open page             ${pct(result.dashboardPct)}  ${calls(result.dashboard.calls)}`,
  );
  console.log(`  idle deno.exe                       ${pct(result.idleDenoPct)}`);
  console.log(
    `  C reference, whole queue every 1 s  ${
      pct(result.refPct)
    }  (${result.refPolls} reads, ~${refTrips} COM round trips)`,
  );
  console.log(
    `\n  tiered / reference ${(result.tieredPct / result.refPct).toFixed(2)}x CPU, ` +
      `${(trips(result.tiered.calls) / refTrips).toFixed(3)}x round trips (goal <= 0.1x each); ` +
      `uniform / reference ${(result.uniformPct / result.refPct).toFixed(2)}x CPU; ` +
      `dashboard / watch --all ${(result.dashboardPct / result.tieredPct).toFixed(2)}x`,
  );
  await Deno.mkdir(new URL(".out/", REPO_ROOT), { recursive: true });
  await Deno.writeTextFile(
    new URL(".out/bench-watch-cpu.json", REPO_ROOT),
    JSON.stringify({ machine: host, ...result }, null, 2) + "\n",
  );
  log("wrote .out/bench-watch-cpu.json");
  return 0;
}

/** `--only queue-read`: measurement 1b alone (bench/queue_read.ts). */
async function queueReadOnly(): Promise<number> {
  await prepare();
  await buildC();
  const measured = await runWindowsScript("bench/queue_read.ts", []);
  if (measured.code !== 0) {
    log(`bench/queue_read.ts failed with exit code ${measured.code}`);
    return 1;
  }
  const r = JSON.parse(measured.stdout.trim().split("\n").at(-1) ?? "") as QueueReadResult;
  const host = await hostFacts();
  const ffi = Object.values(r.ffiPerRead).reduce((a, b) => a + b, 0);
  console.log(
    `\nwhole-queue read, ${r.jobs} jobs, p50 of ${r.iterations}, ${host.date.slice(0, 10)}, ${host.mode}, ` +
      `${host.cpuModel ?? "unknown CPU"} (${host.hostCpus} CPUs)\n`,
  );
  console.log(`  listJobs() (one call)        ${r.oursP50.toFixed(2)} ms  ${ffi} FFI calls per read`);
  console.log(`  per-job calls (old design)   ${r.perJobP50.toFixed(2)} ms  ${1 + 2 * r.jobs} FFI calls per read`);
  console.log(`  C reference                  ${r.refP50.toFixed(2)} ms  ${r.refComCalls} COM calls`);
  console.log(
    `\n  ours / reference ${(r.oursP50 / r.refP50).toFixed(3)}x (goal <= 1.05x), old / reference ` +
      `${(r.perJobP50 / r.refP50).toFixed(3)}x; Deno's cost of one nonblocking call ${
        r.nonblockingCallUs.toFixed(1)
      } µs`,
  );
  await Deno.mkdir(new URL(".out/", REPO_ROOT), { recursive: true });
  await Deno.writeTextFile(
    new URL(".out/bench-queue-read.json", REPO_ROOT),
    JSON.stringify({ machine: host, ...r }, null, 2) + "\n",
  );
  log("wrote .out/bench-queue-read.json");
  return 0;
}

/** `--only concurrent-waits`: measurement 7 alone (bench/concurrent_waits.ts). */
async function concurrentWaitsOnly(quick: boolean): Promise<number> {
  await prepare();
  const args = quick ? ["--waits", "64", "--seconds", "1"] : ["--waits", "64", "--seconds", "3"];
  const measured = await runWindowsScript("bench/concurrent_waits.ts", args);
  if (measured.code !== 0) {
    log(`bench/concurrent_waits.ts failed with exit code ${measured.code}`);
    return 1;
  }
  const result = JSON.parse(measured.stdout.trim().split("\n").at(-1) ?? "") as ConcurrentWaitsResult;
  const host = await hostFacts();
  const row = (name: string, r: PhaseResult): string =>
    `  ${name.padEnd(34)} p50 ${r.p50Ms.toFixed(3)} ms, p95 ${r.p95Ms.toFixed(3)} ms, max ${r.maxMs.toFixed(1)} ms ` +
    `(${r.calls} calls; at most ${r.maxDrainsInFlight} drains in flight)`;
  console.log(
    `\nunrelated nonblocking call during ${result.waits} waits, ${host.date.slice(0, 10)}, ${host.mode}, ` +
      `${host.cpuModel ?? "unknown CPU"} (${host.hostCpus} CPUs)${quick ? " [QUICK RUN: not for quoting]" : ""}\n`,
  );
  console.log(row("nothing else running", result.baseline));
  console.log(row(`${result.waits} waits, one shared drain`, result.shared));
  console.log(row(`${result.waits} drains, one per wait (old)`, result.perWait));
  console.log(
    `\n  p95 shared / baseline ${(result.shared.p95Ms / result.baseline.p95Ms).toFixed(2)}x, ` +
      `per-wait / baseline ${(result.perWait.p95Ms / result.baseline.p95Ms).toFixed(2)}x`,
  );
  await Deno.mkdir(new URL(".out/", REPO_ROOT), { recursive: true });
  await Deno.writeTextFile(
    new URL(".out/bench-concurrent-waits.json", REPO_ROOT),
    JSON.stringify({ machine: host, ...result }, null, 2) + "\n",
  );
  log("wrote .out/bench-concurrent-waits.json");
  return 0;
}

/** `--only download`: measurement 6 alone (bench/download.ts). */
async function downloadOnly(args: readonly string[], keepAwake: boolean): Promise<number> {
  await prepare();
  // bench/download.ts takes --mb and --pairs.
  const own = args.map((a) => a === "--download-mb" ? "--mb" : a === "--download-pairs" ? "--pairs" : a);
  const spinners = keepAwake ? await startSpinners() : [];
  let measured: { code: number; stdout: string };
  try {
    measured = await runWindowsScript("bench/download.ts", own);
  } finally {
    await stopSpinners(spinners);
  }
  if (measured.code !== 0) {
    log(`bench/download.ts failed with exit code ${measured.code}`);
    return 1;
  }
  const experiment = JSON.parse(measured.stdout.trim().split("\n").at(-1) ?? "") as DownloadExperiment;
  const host = await hostFacts();
  const m6 = downloadSeries(experiment);
  const raw: RawResults = {
    facts: {
      deno: "",
      v8: "",
      os: "",
      osRelease: "",
      cpus: 0,
      wine: null,
      queueJobs: 0,
      settings: { downloadMb: experiment.settings.mb },
    },
    series: m6.series,
    paired: m6.paired,
    roundTrips: [],
    notes: m6.notes,
  };
  const rows = buildRows(raw).filter((r) => r.section === "6");
  console.log(
    `\nmeasurement 6, ${host.date.slice(0, 10)}, ${host.mode}, ${host.cpuModel ?? "unknown CPU"} ` +
      `(${host.hostCpus} CPUs)${keepAwake ? ", CPUs kept awake" : ""}\n`,
  );
  console.log(renderTable(rows));
  for (const note of m6.notes) console.log(`note: ${note}`);
  await Deno.mkdir(new URL(".out/", REPO_ROOT), { recursive: true });
  await Deno.writeTextFile(
    new URL(".out/bench-download.json", REPO_ROOT),
    JSON.stringify(
      { machine: { ...host, keepAwake }, measurements: rows, notes: m6.notes, download: experiment },
      null,
      2,
    ) +
      "\n",
  );
  log("wrote .out/bench-download.json");
  return 0;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean" },
      "download-mb": { type: "string" },
      "download-pairs": { type: "string" },
      "no-trace": { type: "boolean" },
      "keep-awake": { type: "boolean" },
      out: { type: "string" },
      only: { type: "string" },
    },
  });
  const downloadArgs = [
    ...(values["download-mb"] ? ["--download-mb", values["download-mb"]] : []),
    ...(values["download-pairs"] ? ["--download-pairs", values["download-pairs"]] : []),
  ];
  if (values.only !== undefined) {
    if (values.only === "watch-cpu") return await watchCpuOnly(values.quick === true);
    if (values.only === "download") return await downloadOnly(downloadArgs, values["keep-awake"] === true);
    if (values.only === "concurrent-waits") return await concurrentWaitsOnly(values.quick === true);
    if (values.only === "queue-read") return await queueReadOnly();
    log(`--only ${values.only}: the selectable measurements are watch-cpu, download, concurrent-waits and queue-read`);
    return 2;
  }
  const out = values.out ?? "bench/results.json";
  await prepare();
  await buildC();

  const keepAwake = values["keep-awake"] === true;
  const spinners = keepAwake ? await startSpinners() : [];
  let measured: { code: number; stdout: string };
  try {
    measured = await runWindowsScript("bench/measure.ts", [
      ...(values.quick ? ["--quick"] : []),
      ...downloadArgs,
    ]);
  } finally {
    await stopSpinners(spinners);
  }
  if (measured.code !== 0) {
    log(`bench/measure.ts failed with exit code ${measured.code}`);
    return 1;
  }
  let raw: RawResults;
  try {
    raw = JSON.parse(measured.stdout.trim().split("\n").at(-1) ?? "");
  } catch {
    log(`bench/measure.ts printed no results:\n${measured.stdout}`);
    return 1;
  }
  // Every sample, for a closer look (not committed: .out/ is ignored).
  await Deno.mkdir(new URL(".out/", REPO_ROOT), { recursive: true });
  await Deno.writeTextFile(new URL(".out/bench-raw.json", REPO_ROOT), JSON.stringify(raw, null, 2) + "\n");

  const traced = ON_WINDOWS || values["no-trace"]
    ? null
    : await traceOperations((script, args, env) => runWindowsScript(script, args, { env, captureStderr: true }));

  const host = await hostFacts();
  const rows = buildRows(raw);
  const extra = derived(raw);
  const machine = {
    ...host,
    windowsSide: raw.facts.wine
      ? `Wine ${raw.facts.wine} (reports Windows ${raw.facts.osRelease})`
      : `Windows ${raw.facts.osRelease}`,
    denoExe: raw.facts.deno,
    v8: raw.facts.v8,
    cpusSeen: raw.facts.cpus,
    queueJobs: raw.facts.queueJobs,
    settings: { ...raw.facts.settings, keepAwake },
  };

  console.log(
    `\ndeno-bits benchmark, ${host.date.slice(0, 10)}, ${machine.windowsSide}, ${host.hostOs}, ` +
      `${
        host.cpuModel ?? "unknown CPU"
      } (${host.hostCpus} CPUs), deno.exe ${raw.facts.deno}, queue ${raw.facts.queueJobs} jobs` +
      (keepAwake ? ", CPUs kept awake" : "") +
      (raw.facts.settings.quick ? " [QUICK RUN: not for quoting]" : ""),
  );
  console.log("Ratios are ours / reference at p50; lower is better. Times are per operation.\n");
  console.log(renderTable(rows));
  console.log("\nCOM round trips per operation (COM calls + proxy releases):\n");
  console.log(renderRoundTrips(raw.roundTrips));
  if (traced) {
    console.log(`\nRPC round trips counted in Wine's +rpc trace (I_RpcSendReceive), queue of ${traced.jobs} jobs:\n`);
    console.log(renderTraced(traced.rows));
  }
  console.log(
    `\nCLI start cost (cli version - deno eval 0, p50): ${extra.cliStartCostMs} ms; ` +
      `cli list - deno eval 0: ${extra.cliListOverDenoStartMs} ms. ` +
      `Reference queue read: enumerate ${extra.refQueueEnumerateMs} ms, snapshots ${extra.refQueueSnapshotsMs} ms, ` +
      `releases ${extra.refQueueReleaseMs} ms.`,
  );
  for (const note of raw.notes) console.log(`note: ${note}`);
  console.log(`\ngoals: ${summary(rows)}`);

  const results = {
    version: 1,
    machine,
    measurements: rows,
    roundTrips: raw.roundTrips,
    tracedRoundTrips: traced,
    derived: extra,
    notes: raw.notes,
    // Measurement 6 run by run: the evidence behind its rows (pairs, CPU by process, throughput marks).
    download: raw.download ?? null,
  };
  await Deno.writeTextFile(new URL(out, REPO_ROOT), JSON.stringify(results, null, 2) + "\n");
  log(`wrote ${out}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main());

/**
 * The benchmark's data model and report: what `bench/measure.ts` measures
 * (raw samples), how `bench/run.ts` turns it into rows (p50, p95, ratio,
 * goal, verdict), the printed table and `bench/results.json`.
 *
 * Pure functions: no I/O, no BITS, any OS.
 *
 * @module
 */

import type { DownloadExperiment } from "./download.ts";
import { type Interval, judge, pairedStats } from "./paired.ts";

/** One measured series: raw samples in one unit. */
export interface Series {
  /** Unit of every sample: a time, or a percentage (of one CPU core). */
  readonly unit: Unit;
  /** The samples, in measurement order. */
  readonly samples: readonly number[];
}

/** Units of samples and rows: times, or "%" (CPU time as a percentage of one core's wall time). */
export type Unit = "s" | "ms" | "us" | "ns" | "%";

/**
 * Two series measured in pairs of adjacent runs: `first[i]` and `second[i]`
 * are one pair; the row's ratio is the median of `first[i] / second[i]`
 * (bench/paired.ts), with a confidence interval.
 */
export interface PairedSeries {
  /** Unit of every sample. */
  readonly unit: Unit;
  /** The numerator of each pair's ratio (ours / the condition under test). */
  readonly first: readonly number[];
  /** The denominator of each pair's ratio (the baseline). */
  readonly second: readonly number[];
}

/** Facts about the machine and runtime the measurements ran on (measure.ts side). */
export interface RuntimeFacts {
  /** Deno version of the measuring process (the Windows deno.exe). */
  readonly deno: string;
  /** V8 version. */
  readonly v8: string;
  /** `Deno.build.os` of the measuring process ("windows"). */
  readonly os: string;
  /** `Deno.osRelease()` as the measuring process sees it (Wine reports a Windows version). */
  readonly osRelease: string;
  /** Logical CPUs the measuring process sees. */
  readonly cpus: number;
  /** Wine version, or null on Windows. */
  readonly wine: string | null;
  /** Jobs in the queue during measurements 1 to 3. */
  readonly queueJobs: number;
  /** Benchmark settings used. */
  readonly settings: Record<string, number | boolean>;
}

/** Everything measure.ts prints (one JSON document on stdout). */
export interface RawResults {
  /** The measuring side's facts. */
  readonly facts: RuntimeFacts;
  /** Measured series by key (see {@linkcode ROWS}). */
  readonly series: Record<string, Series>;
  /** Series measured in pairs, by key (rows with `paired`). */
  readonly paired?: Record<string, PairedSeries>;
  /** Measurement 6's runs in full (bench/download.ts), for results.json. */
  readonly download?: DownloadExperiment;
  /** COM round trips per operation: FFI calls counted, COM calls derived or counted by the reference. */
  readonly roundTrips: readonly RoundTrips[];
  /** Free-form notes about this run (e.g. why something was skipped). */
  readonly notes: readonly string[];
}

/** Facts about the host that ran `bench/run.ts`. */
export interface HostFacts {
  /** ISO date and time of the run. */
  readonly date: string;
  /** "linux (Wine bed)" or "windows (native)". */
  readonly mode: string;
  /** Host OS and kernel. */
  readonly hostOs: string;
  /** CPU model, when known. */
  readonly cpuModel: string | null;
  /** Logical CPUs of the host. */
  readonly hostCpus: number;
  /** Deno version that ran bench/run.ts. */
  readonly runnerDeno: string;
}

/** p50, p95 and more of one series. */
export interface Stats {
  /** Median. */
  readonly p50: number;
  /** 95th percentile (nearest rank). */
  readonly p95: number;
  /** Smallest sample. */
  readonly min: number;
  /** Arithmetic mean. */
  readonly mean: number;
  /** Number of samples. */
  readonly n: number;
}

/** Percentile by nearest rank (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Summary statistics of a series. */
export function stats(samples: readonly number[]): Stats {
  const n = samples.length;
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    min: n === 0 ? NaN : Math.min(...samples),
    mean: n === 0 ? NaN : samples.reduce((a, b) => a + b, 0) / n,
    n,
  };
}

/** A goal: ours/ref ratio (or, when `absolute`, our p50 itself) must not exceed `max`. */
export interface Goal {
  /** Largest acceptable ratio (ours / reference, on p50), or our largest acceptable p50 when `absolute`. */
  readonly max: number;
  /** What the goal says, as in the issue. */
  readonly text: string;
  /** The goal bounds our own p50 (in the row's unit), not the ratio. */
  readonly absolute?: boolean;
}

/** How a row's reference side is obtained. */
export type RefSpec =
  | { readonly kind: "series"; readonly key: string }
  /** Sum of several series' p50 (and of their p95): e.g. `deno eval 0` + the reference's enumeration. */
  | { readonly kind: "sum"; readonly keys: readonly string[] }
  | { readonly kind: "none" };

/** One line of the table. */
export interface RowSpec {
  /** Key of a paired series (instead of `ours` / `ref`): the ratio is the median of the per-pair ratios. */
  readonly paired?: string;
  /** Stable id (results.json key). */
  readonly id: string;
  /** Section: "1".."6" for the issue's measurements, "L" for layer measurements. */
  readonly section: string;
  /** What is measured. */
  readonly title: string;
  /** Series key of our side; absent for pending rows. */
  readonly ours?: string;
  /** The reference side. */
  readonly ref: RefSpec;
  /** Unit the row is shown in. */
  readonly unit: Unit;
  /** The goal, when the issue sets one. */
  readonly goal?: Goal;
  /** What the reference is, in a few words. */
  readonly refText: string;
  /** Pending rows: why there is no number yet. */
  readonly pending?: string;
  /** Also show throughput (operations per second) from the p50 time. */
  readonly throughput?: boolean;
}

/** Every row of the report, in printing order. Keys refer to `RawResults.series` (and `.paired`). */
export const ROWS: readonly RowSpec[] = [
  {
    id: "queue_snapshot",
    section: "1",
    title: "snapshot of the whole queue ({jobs} jobs): listJobs()",
    ours: "queue.ours",
    ref: { kind: "series", key: "queue.ref" },
    unit: "ms",
    goal: { max: 1.3, text: "<= 1.3x" },
    refText: "C: EnumJobs + 6 COM calls per job, one thread",
  },
  {
    id: "queue_snapshot_sequential",
    section: "1",
    title: "  same, jobsWithSnapshots(): enumerate, then one snapshot per job",
    ours: "queue.oursSequential",
    ref: { kind: "series", key: "queue.ref" },
    unit: "ms",
    refText: "same C reference",
  },
  {
    id: "queue_snapshot_pool",
    section: "1",
    title: "  same, raw shim: 8 snapshot calls (+ decode) in flight at a time",
    ours: "queue.oursPool",
    ref: { kind: "series", key: "queue.ref" },
    unit: "ms",
    refText: "same C reference",
  },
  {
    id: "queue_snapshot_event_loop_stall",
    section: "1",
    title: "  longest event-loop stall during listJobs() (1 ms timer)",
    ours: "queue.stall",
    ref: { kind: "none" },
    unit: "ms",
    refText: "-",
  },
  {
    id: "job_snapshot",
    section: "2",
    title: "one job's snapshot, repeated: job.snapshot() (1 FFI call)",
    ours: "one.ours",
    ref: { kind: "series", key: "one.ref" },
    unit: "us",
    goal: { max: 1.5, text: "<= 1.5x" },
    refText: "C: the same 6 COM calls",
  },
  {
    id: "cli_list",
    section: "3",
    title: "`cli.ts list --json`, end to end (new process)",
    ours: "cli.list",
    ref: { kind: "sum", keys: ["cli.eval0", "cli.refListCold"] },
    unit: "ms",
    refText: "`deno eval 0` + C cold list (connect + enumerate)",
  },
  {
    id: "cli_version",
    section: "3",
    title: "  `cli.ts version --json` (start cost: no BITS call)",
    ours: "cli.version",
    ref: { kind: "series", key: "cli.eval0" },
    unit: "ms",
    refText: "`deno eval 0`",
  },
  {
    id: "cli_list_vs_ref_exe",
    section: "3",
    title: "  `cli.ts list --json` vs `bits_ref.exe list-cold`, both whole processes",
    ours: "cli.list",
    ref: { kind: "series", key: "cli.refExe" },
    unit: "ms",
    refText: "C process: start, connect, enumerate, exit",
  },
  {
    id: "create_cancel",
    section: "4",
    title: "create + cancel: createJob() + cancel() + dispose()",
    ours: "createCancel.ours",
    ref: { kind: "series", key: "createCancel.ref" },
    unit: "ms",
    refText: "C: CreateJob + SetDescription + Cancel + Release",
    throughput: true,
  },
  {
    id: "create_cancel_force",
    section: "4",
    title: "  same with cancel({ force: true }) (no WMP_JOB guard)",
    ours: "createCancel.oursForce",
    ref: { kind: "series", key: "createCancel.ref" },
    unit: "ms",
    refText: "same C reference",
    throughput: true,
  },
  {
    id: "create_job",
    section: "4",
    title: "  create a suspended 1-file job: download(..., { suspended })",
    ours: "create.ours",
    ref: { kind: "series", key: "create.ref" },
    unit: "ms",
    refText: "C: CreateJob + SetDescription + AddFile",
    throughput: true,
  },
  {
    id: "notification_latency",
    section: "5",
    title: "JobTransferred to the JS event: resume() to `transferred` (callback) in watch(), 10 KB",
    ours: "latency.ours",
    ref: { kind: "series", key: "latency.ref" },
    unit: "ms",
    refText: "C: Resume to its own JobTransferred callback",
  },
  {
    id: "notification_latency_callback",
    section: "5",
    title: "  of which resume() to the shim's callback (received_at; 1 ms resolution)",
    ours: "latency.oursCallback",
    ref: { kind: "series", key: "latency.ref" },
    unit: "ms",
    refText: "same C reference",
  },
  {
    id: "watch_idle_cpu",
    section: "5",
    title: "CPU of `cli.ts watch --all --json`, {monitorJobs} suspended jobs, {idleSeconds} s, % of one core",
    ours: "idle.ours",
    ref: { kind: "series", key: "idle.ref" },
    unit: "%",
    goal: { max: 1, text: "< 1 %", absolute: true },
    refText: "C: whole queue read every 1 s, same window",
  },
  {
    id: "watch_idle_cpu_deno",
    section: "5",
    title: "  idle deno.exe (`deno eval`, a pending timer), same window",
    ours: "idle.deno",
    ref: { kind: "none" },
    unit: "%",
    refText: "-",
  },
  {
    id: "watch_poll_per_job",
    section: "5",
    title: "watchdog poll of the whole queue ({monitorJobs} jobs), per job: one cycle / jobs",
    ours: "poll.ours",
    ref: { kind: "series", key: "poll.ref" },
    unit: "ms",
    refText: "C: EnumJobs + snapshot + Release per job",
  },
  {
    id: "download_with_watch",
    section: "6",
    title: "{downloadMb} MiB download, `cli.ts watch <id> --json` attached vs not (server-side time)",
    paired: "download.effect",
    ref: { kind: "none" },
    unit: "s",
    goal: { max: 1.02, text: "<= 1.02x" },
    refText: "same download, no BITS call until it ends; ratio = median of with / without per pair",
  },
  {
    id: "download_noise_floor",
    section: "6",
    title: "  noise floor: the same download without watch, twice",
    paired: "download.null",
    ref: { kind: "none" },
    unit: "s",
    refText: "ratio = median of one run / the other per pair",
  },
  {
    id: "download_watch_cost",
    section: "6",
    title: "CPU the watch adds (1 poll/s, no transfer), all processes, vs the transfer's BITS + wineserver CPU",
    ours: "download.watchCostAdded",
    ref: { kind: "series", key: "download.transferCpu" },
    unit: "%",
    refText: "BITS (svchost) + wineserver during a transfer without watch",
  },
  {
    id: "download_watch_cost_watcher",
    section: "6",
    title: "  of which the watcher process itself",
    ours: "download.watchCostWatcher",
    ref: { kind: "none" },
    unit: "%",
    refText: "-",
  },
  {
    id: "download_watcher_cpu",
    section: "6",
    title: "  CPU of the watcher during the downloads (self-measured, 10 ms ticks)",
    ours: "download.watcherCpu",
    ref: { kind: "none" },
    unit: "%",
    refText: "-",
  },
  {
    id: "download_outside_cpu",
    section: "6",
    title: "  CPU used on the host outside the bed during the downloads (other work)",
    ours: "download.outsideCpu",
    ref: { kind: "none" },
    unit: "%",
    refText: "-",
  },
  {
    id: "ffi_noop_sync",
    section: "L",
    title: "FFI no-op, sync: bits_shim_abi_version(&v)",
    ours: "layer.noopSync",
    ref: { kind: "series", key: "layer.noopSync.c" },
    unit: "ns",
    refText: "C: same call via function pointer",
  },
  {
    id: "ffi_noop_sync_snapshot_signature",
    section: "L",
    title: "FFI no-op, sync, snapshot signature: bits_job_snapshot(NULL, ...)",
    ours: "layer.noopSyncSnapshot",
    ref: { kind: "series", key: "layer.noopSnapshot.c" },
    unit: "ns",
    refText: "C: same call via function pointer",
  },
  {
    id: "ffi_noop_nonblocking",
    section: "L",
    title: "FFI no-op, nonblocking (awaited): bits_job_snapshot(NULL, ...)",
    ours: "layer.noopNonblocking",
    ref: { kind: "series", key: "layer.noopSnapshot.c" },
    unit: "us",
    refText: "C: same call via function pointer",
  },
  {
    id: "utf16_encode_short",
    section: "L",
    title: "encodeUtf16, 34-unit display name",
    ours: "layer.encodeShort",
    ref: { kind: "series", key: "layer.encodeShort.c" },
    unit: "ns",
    refText: "C: NUL check + malloc + copy",
  },
  {
    id: "utf16_encode_long",
    section: "L",
    title: "encodeUtf16, 1,024-unit description",
    ours: "layer.encodeLong",
    ref: { kind: "series", key: "layer.encodeLong.c" },
    unit: "ns",
    refText: "C: NUL check + malloc + copy",
  },
  {
    id: "utf16_decode_short",
    section: "L",
    title: "decodeUtf16, 34 units",
    ours: "layer.decodeShort",
    ref: { kind: "series", key: "layer.decodeShort.c" },
    unit: "ns",
    refText: "C: malloc + memcpy",
  },
  {
    id: "utf16_decode_long",
    section: "L",
    title: "decodeUtf16, 1,024 units",
    ours: "layer.decodeLong",
    ref: { kind: "series", key: "layer.decodeLong.c" },
    unit: "ns",
    refText: "C: malloc + memcpy",
  },
  {
    id: "decode_queue_snapshots",
    section: "L",
    title: "decode {jobs} snapshot buffers into JobSnapshot objects",
    ours: "layer.decodeQueue",
    ref: { kind: "series", key: "layer.decodeQueue.c" },
    unit: "us",
    refText: "C: parse into structs (GUID text, owned strings)",
  },
];

/** A computed row of the report. */
export interface Row {
  /** Stable id. */
  readonly id: string;
  /** Section ("1".."6", "L"). */
  readonly section: string;
  /** What is measured. */
  readonly title: string;
  /** Unit of the numbers. */
  readonly unit: string;
  /** Our side, or null when pending or missing. */
  readonly ours: Stats | null;
  /** The reference side, or null. */
  readonly ref: { readonly p50: number; readonly p95: number; readonly n: number } | null;
  /** ours.p50 / ref.p50, or null. */
  readonly ratio: number | null;
  /** The goal text, or null. */
  readonly goal: string | null;
  /**
   * "pass", "miss", "pending", "missing" or null (no goal); paired rows are
   * judged on their interval: "inconclusive" when it straddles the goal.
   */
  readonly verdict: "pass" | "miss" | "inconclusive" | "pending" | "missing" | null;
  /** Paired rows: the interval of the median ratio and the test of "no effect". */
  readonly paired?: {
    readonly n: number;
    readonly signTest: Interval;
    readonly bootstrap: Interval;
    readonly pNoEffect: number;
  };
  /** What the reference is. */
  readonly refText: string;
  /** Why there is no number (pending rows). */
  readonly note: string | null;
  /** Operations per second at the p50 (ours, ref), for throughput rows. */
  readonly perSecond: { readonly ours: number; readonly ref: number } | null;
}

/** Each unit as a power of ten of a second. */
const EXPONENT: Record<string, number> = { s: 0, ms: -3, us: -6, ns: -9 };

/** Converts `value` from one time unit to another (a percentage converts only to itself). */
export function convert(value: number, from: string, to: string): number {
  if (from === "%" || to === "%") {
    if (from !== to) throw new RangeError(`cannot convert ${from} to ${to}`);
    return value;
  }
  const e = EXPONENT[from] - EXPONENT[to];
  // Dividing by an exact power of ten keeps 100,000 us = 100 ms exact.
  return e >= 0 ? value * 10 ** e : value / 10 ** -e;
}

function seriesIn(raw: RawResults, key: string, unit: string): number[] | null {
  const series = raw.series[key];
  if (!series || series.samples.length === 0) return null;
  return series.samples.map((v) => convert(v, series.unit, unit));
}

/** Computes every row of {@linkcode ROWS} from raw results. */
export function buildRows(raw: RawResults): Row[] {
  return ROWS.map((spec): Row => {
    const settings = raw.facts.settings;
    const title = spec.title
      .replaceAll("{jobs}", String(raw.facts.queueJobs))
      .replaceAll("{monitorJobs}", String(settings.monitorJobs ?? "?"))
      .replaceAll("{idleSeconds}", String(settings.idleSeconds ?? "?"))
      .replaceAll("{downloadMb}", String(settings.downloadMb ?? "?"));
    const base = { id: spec.id, section: spec.section, title, unit: spec.unit, refText: spec.refText };
    const goal = spec.goal?.text ?? null;
    if (spec.paired !== undefined) return pairedRow(raw, spec, base, goal);
    if (spec.pending !== undefined || spec.ours === undefined) {
      return {
        ...base,
        ours: null,
        ref: null,
        ratio: null,
        goal,
        verdict: "pending",
        note: spec.pending ?? null,
        perSecond: null,
      };
    }
    const oursSamples = seriesIn(raw, spec.ours, spec.unit);
    let ref: Row["ref"] = null;
    if (spec.ref.kind === "series") {
      const samples = seriesIn(raw, spec.ref.key, spec.unit);
      if (samples) {
        const s = stats(samples);
        ref = { p50: s.p50, p95: s.p95, n: s.n };
      }
    } else if (spec.ref.kind === "sum") {
      const parts = spec.ref.keys.map((key) => seriesIn(raw, key, spec.unit));
      if (parts.every((p) => p !== null)) {
        const all = parts.map((p) => stats(p as number[]));
        ref = {
          p50: all.reduce((a, s) => a + s.p50, 0),
          p95: all.reduce((a, s) => a + s.p95, 0),
          n: Math.min(...all.map((s) => s.n)),
        };
      }
    }
    if (!oursSamples) {
      return { ...base, ours: null, ref, ratio: null, goal, verdict: "missing", note: "not measured", perSecond: null };
    }
    const ours = stats(oursSamples);
    const ratio = ref && ref.p50 > 0 ? ours.p50 / ref.p50 : null;
    const verdict = spec.goal === undefined
      ? null
      : spec.goal.absolute
      ? (ours.p50 <= spec.goal.max ? "pass" : "miss")
      : ratio === null
      ? "missing"
      : ratio <= spec.goal.max
      ? "pass"
      : "miss";
    const perSecond = spec.throughput && ref
      ? { ours: 1 / convert(ours.p50, spec.unit, "s"), ref: 1 / convert(ref.p50, spec.unit, "s") }
      : null;
    return { ...base, ours, ref, ratio, goal, verdict, note: null, perSecond };
  });
}

/** A row over a paired series: the median of the per-pair ratios, judged on its sign-test interval. */
function pairedRow(
  raw: RawResults,
  spec: RowSpec,
  base: Pick<Row, "id" | "section" | "title" | "unit" | "refText">,
  goal: string | null,
): Row {
  const series = raw.paired?.[spec.paired as string];
  if (!series || series.first.length === 0) {
    return {
      ...base,
      ours: null,
      ref: null,
      ratio: null,
      goal,
      verdict: "missing",
      note: "not measured",
      perSecond: null,
    };
  }
  const first = series.first.map((v) => convert(v, series.unit, spec.unit));
  const second = series.second.map((v) => convert(v, series.unit, spec.unit));
  const analysis = pairedStats(first, second);
  const refStats = stats(second);
  return {
    ...base,
    ours: stats(first),
    ref: { p50: refStats.p50, p95: refStats.p95, n: refStats.n },
    ratio: analysis.median,
    goal,
    verdict: spec.goal ? judge(analysis.signTest, spec.goal.max) : null,
    note: null,
    perSecond: null,
    paired: {
      n: analysis.n,
      signTest: analysis.signTest,
      bootstrap: analysis.bootstrap,
      pNoEffect: analysis.pNoEffect,
    },
  };
}

/** "0.97-1.03x (sign test, 97 %)": a paired row's interval in words. */
export function intervalText(paired: NonNullable<Row["paired"]>): string {
  const { signTest, bootstrap } = paired;
  return `n=${paired.n}, CI ${signTest.low.toFixed(3)}-${signTest.high.toFixed(3)}x ` +
    `(sign test, ${(100 * signTest.coverage).toFixed(1)} %), bootstrap ${bootstrap.low.toFixed(3)}-` +
    `${bootstrap.high.toFixed(3)}x, p(no effect) ${paired.pNoEffect.toFixed(2)}`;
}

/**
 * A ratio for the table: two decimals; three for paired rows, whose claims
 * are about a few percent; two significant digits below 0.1 (a share, not a ratio near 1).
 */
export function ratioText(ratio: number, paired = false): string {
  if (ratio !== 0 && Math.abs(ratio) < 0.1) return ratio.toPrecision(2);
  return ratio.toFixed(paired ? 3 : 2);
}

/** Formats a number with about three significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "-";
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** Renders rows as a fixed-width table (one line per row, a header, a legend). */
export function renderTable(rows: readonly Row[]): string {
  const header = ["#", "measurement", "unit", "ours p50", "ours p95", "ref p50", "ref p95", "ratio", "goal", "result"];
  const lines: string[][] = [header];
  for (const row of rows) {
    let result = row.verdict === "pending" ? (row.note ?? "pending") : row.verdict ?? "-";
    if (row.paired) result = `${row.verdict ?? ""} ${intervalText(row.paired)}`.trim();
    let title = row.title;
    if (row.perSecond) {
      title += ` [${formatNumber(row.perSecond.ours)} vs ${formatNumber(row.perSecond.ref)} jobs/s]`;
    }
    lines.push([
      row.section,
      title,
      row.unit,
      row.ours ? formatNumber(row.ours.p50) : "-",
      row.ours ? formatNumber(row.ours.p95) : "-",
      row.ref ? formatNumber(row.ref.p50) : "-",
      row.ref ? formatNumber(row.ref.p95) : "-",
      row.ratio === null ? "-" : `${ratioText(row.ratio, row.paired !== undefined)}x`,
      row.goal ?? "-",
      result,
    ]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const numeric = new Set([3, 4, 5, 6, 7]);
  return lines
    .map((line) => line.map((cell, i) => pad(cell, widths[i], numeric.has(i))).join("  ").trimEnd())
    .join("\n");
}

/** The COM round trips of one operation: counted (reference, FFI) and derived (ours). */
export interface RoundTrips {
  /** Operation. */
  readonly operation: string;
  /** FFI calls our API made for it (counted at run time). */
  readonly oursFfiCalls: number | null;
  /** COM calls our API makes for it (FFI calls x the shim's COM calls per function, {@linkcode SHIM_COM}). */
  readonly oursComCalls: number | null;
  /** Proxy releases our API makes for it. */
  readonly oursReleases: number | null;
  /** COM calls the reference made (counted). */
  readonly refComCalls: number | null;
  /** Proxy releases the reference made (counted). */
  readonly refReleases: number | null;
}

/** The COM traffic of one shim function, named as its C source names it. */
export interface ShimComCalls {
  /** The C function, when the symbol is an alias of another (`bits_release_async` is `bits_release`). */
  readonly function?: string;
  /** COM methods called on the happy path (`Interface_Method`, as the mingw-w64 C macros spell them). */
  readonly calls: readonly string[];
  /** What is released on the happy path (the released expression in the C source). */
  readonly releases: readonly string[];
  /** Calls and releases made once per item read (a job of the queue, a file of a job), on top of the above. */
  readonly perItem?: { readonly calls: readonly string[]; readonly releases: readonly string[] };
  /** Calls and releases in the C source that the happy path does not make (failures, error states, other actions). */
  readonly offPath?: { readonly calls?: readonly string[]; readonly releases?: readonly string[] };
}

const SNAPSHOT_CALLS = [
  "IBackgroundCopyJob_GetId",
  "IBackgroundCopyJob_GetType",
  "IBackgroundCopyJob_GetState",
  "IBackgroundCopyJob_GetProgress",
  "IBackgroundCopyJob_GetDisplayName",
  "IBackgroundCopyJob_GetDescription",
];
/** GetError, IBackgroundCopyError::GetError and the error's release: the two error states only. */
const SNAPSHOT_ERROR = { calls: ["IBackgroundCopyJob_GetError", "IBackgroundCopyError_GetError"], releases: ["error"] };
const JOB_ACTIONS = ["Resume", "Complete", "Cancel", "Suspend", "TakeOwnership"].map((m) => `IBackgroundCopyJob_${m}`);

/** One of the argument-less job actions, which share one C entry path (the other actions are off its path). */
function jobAction(method: string): ShimComCalls {
  const call = `IBackgroundCopyJob_${method}`;
  return { calls: [call], releases: [], offPath: { calls: JOB_ACTIONS.filter((other) => other !== call) } };
}

/**
 * The COM method calls and proxy releases of each shim function the bench
 * counts, by symbol. `bench/report_test.ts` checks every entry against the C
 * sources (`ffi/*.c`, through `bench/com_calls.ts`): each name here is in
 * the function's reach, and each COM call or release in its reach is named
 * here, on the happy path or off it.
 */
export const SHIM_COM: Readonly<Record<string, ShimComCalls>> = {
  // CoCreateInstance: one activation (several RPCs to rpcss too).
  bits_connect: { calls: ["CoCreateInstance"], releases: [], offPath: { releases: ["mgr"] } },
  bits_manager_create_job: {
    calls: ["IBackgroundCopyManager_CreateJob", "IBackgroundCopyJob_SetDescription"],
    releases: [],
    offPath: { calls: ["IBackgroundCopyJob_Cancel"], releases: ["created"] },
  },
  bits_manager_get_job: { calls: ["IBackgroundCopyManager_GetJob"], releases: [], offPath: { releases: ["found"] } },
  bits_manager_enum_jobs: {
    calls: ["IBackgroundCopyManager_EnumJobs", "IEnumBackgroundCopyJobs_GetCount", "IEnumBackgroundCopyJobs_Next"],
    releases: ["enumerator"],
    offPath: { releases: ["items[i]"] },
  },
  // The whole queue in one call: the enumeration, then each job's snapshot and release.
  bits_manager_read_queue: {
    calls: ["IBackgroundCopyManager_EnumJobs", "IEnumBackgroundCopyJobs_GetCount", "IEnumBackgroundCopyJobs_Next"],
    releases: ["enumerator"],
    perItem: { calls: SNAPSHOT_CALLS, releases: ["jobs[i]"] },
    // GetTimes: listJobsWithTimes only.
    offPath: { calls: [...SNAPSHOT_ERROR.calls, "IBackgroundCopyJob_GetTimes"], releases: ["items[i]", "error"] },
  },
  bits_job_add_file: { calls: ["IBackgroundCopyJob_AddFile"], releases: [] },
  // download() adds its files in one AddFileSet.
  bits_job_add_file_set: { calls: ["IBackgroundCopyJob_AddFileSet"], releases: [] },
  // The WMP_JOB guard of cancel and complete.
  bits_job_description: { calls: ["IBackgroundCopyJob_GetDescription"], releases: [] },
  bits_job_suspend: jobAction("Suspend"),
  bits_job_take_ownership: jobAction("TakeOwnership"),
  bits_job_resume: jobAction("Resume"),
  bits_job_complete: jobAction("Complete"),
  bits_job_cancel: jobAction("Cancel"),
  bits_job_snapshot: { calls: SNAPSHOT_CALLS, releases: [], offPath: SNAPSHOT_ERROR },
  // EnumFiles and the Next that ends the list; per file a Next, three getters and its release.
  bits_job_files: {
    calls: ["IBackgroundCopyJob_EnumFiles", "IEnumBackgroundCopyFiles_Next"],
    releases: ["enumerator"],
    perItem: {
      calls: [
        "IEnumBackgroundCopyFiles_Next",
        "IBackgroundCopyFile_GetRemoteName",
        "IBackgroundCopyFile_GetLocalName",
        "IBackgroundCopyFile_GetProgress",
      ],
      releases: ["file"],
    },
  },
  bits_release: { calls: [], releases: ["handle"] },
  // bits_release, nonblocking (a failed synchronous release retried).
  bits_release_async: { function: "bits_release", calls: [], releases: ["handle"] },
};

/**
 * Our COM calls and releases for a set of counted FFI calls; `queueJobs` is
 * the queue's size for each `bits_manager_read_queue` among them (its
 * per-job reads). Several `bits_manager_enum_jobs` calls in one operation are
 * retries: every call but the last found the array too small and made only
 * EnumJobs + GetCount and the enumerator's release (no Next).
 */
export function comFromFfi(
  ffi: Record<string, number>,
  queueJobs = 0,
): { calls: number; releases: number; ffi: number } {
  let calls = 0;
  let releases = 0;
  let total = 0;
  for (const [name, count] of Object.entries(ffi)) {
    const entry = SHIM_COM[name];
    const items = name === "bits_manager_read_queue" ? queueJobs : 0;
    if (entry !== undefined) {
      calls += count * (entry.calls.length + items * (entry.perItem?.calls.length ?? 0));
      releases += count * (entry.releases.length + items * (entry.perItem?.releases.length ?? 0));
    }
    total += count;
  }
  const enumCalls = ffi.bits_manager_enum_jobs ?? 0;
  if (enumCalls > 1) calls -= enumCalls - 1; // no Next in the retried calls
  return { calls, releases, ffi: total };
}

/** A count: an integer as such ("1,800"), anything else as {@linkcode formatNumber}. */
export function formatCount(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString("en-US") : formatNumber(value);
}

/** Renders the round-trip table. */
export function renderRoundTrips(trips: readonly RoundTrips[]): string {
  const header = ["operation", "ours: FFI calls", "ours: COM calls + releases", "reference: COM calls + releases"];
  const show = (calls: number | null, releases: number | null): string =>
    calls === null ? "-" : `${formatCount(calls)} + ${formatCount(releases ?? 0)}`;
  const lines: string[][] = [header];
  for (const t of trips) {
    lines.push([
      t.operation,
      t.oursFfiCalls === null ? "-" : formatCount(t.oursFfiCalls),
      show(t.oursComCalls, t.oursReleases),
      show(t.refComCalls, t.refReleases),
    ]);
  }
  return renderColumns(lines);
}

/** RPC round trips counted in Wine's `+rpc` trace (I_RpcSendReceive lines), per operation. */
export interface TracedTrips {
  /** Operation. */
  readonly operation: string;
  /** Round trips our API made. */
  readonly ours: number | null;
  /** Round trips the reference made. */
  readonly ref: number | null;
}

/** Renders the traced round trips. */
export function renderTraced(traced: readonly TracedTrips[]): string {
  const lines: string[][] = [["operation", "ours: RPCs", "reference: RPCs"]];
  for (const t of traced) {
    lines.push([
      t.operation,
      t.ours === null ? "-" : formatCount(t.ours),
      t.ref === null ? "-" : formatCount(t.ref),
    ]);
  }
  return renderColumns(lines);
}

function renderColumns(lines: readonly string[][]): string {
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((line) => line.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

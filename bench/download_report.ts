/**
 * Measurement 6's numbers from its runs (bench/download.ts): the paired
 * series the report's rows are built from, the watch's cost, and what the
 * noise went with. Pure: no I/O, any OS.
 *
 * @module
 */

import type { DownloadExperiment, DownloadRun, WatchCost } from "./download.ts";
import { collectPairs, median } from "./paired.ts";
import type { PairedSeries, Series } from "./report.ts";

/** A pair counts as quiet when the host outside the bed used less than this (% of one core) in both runs. */
export const QUIET_OUTSIDE_PCT = 10;

/** Series and paired series of measurement 6, by the keys the report's rows use. */
export interface DownloadSeries {
  /** Plain series (p50/p95 rows). */
  readonly series: Record<string, Series>;
  /** Paired series (median-of-ratios rows). */
  readonly paired: Record<string, PairedSeries>;
  /** Findings in words, for the notes. */
  readonly notes: string[];
}

/** Pearson correlation of two equally long arrays; NaN when undefined. */
export function correlation(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 3) return NaN;
  const mx = x.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = y.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** CPU of the bed's processes serving a transfer or a watch: BITS, wineserver, the watcher, the rest of Wine. */
function bedPct(cpu: { bits: number; wineserver: number; watch: number; bed: number }): number {
  return cpu.bits + cpu.wineserver + cpu.watch + cpu.bed;
}

function pairsOf(runs: readonly DownloadRun[], kind: "effect" | "null"): PairedSeries {
  const { numerators, denominators } = collectPairs(runs, kind);
  return { unit: "s", first: numerators, second: denominators };
}

/** Keeps the pairs whose two runs both saw less than {@linkcode QUIET_OUTSIDE_PCT} outside the bed. */
function quietRuns(runs: readonly DownloadRun[]): DownloadRun[] {
  const loud = new Set(
    runs.filter((r) => r.load === null || r.load.cpuPct.outside >= QUIET_OUTSIDE_PCT).map((r) => r.run.pair),
  );
  return runs.filter((r) => !loud.has(r.run.pair));
}

/** The quiet pairs' medians, in words ("" when there are none). */
function quietSummary(effect: PairedSeries, noise: PairedSeries): string {
  const text = (p: PairedSeries): string =>
    p.first.length === 0
      ? "none"
      : `${median(p.first.map((v, i) => v / p.second[i])).toFixed(3)}x (n=${p.first.length})`;
  return effect.first.length + noise.first.length === 0
    ? ""
    : `: with / without ${text(effect)}, noise floor ${text(noise)}`;
}

/** The watch's cost per window pair: with minus without, over the bed's processes and the watcher alone. */
export function watchCostSeries(cost: WatchCost): { added: number[]; watcher: number[] } {
  const n = Math.min(cost.withWatch.length, cost.without.length);
  const added: number[] = [];
  const watcher: number[] = [];
  for (let i = 0; i < n; i++) {
    added.push(bedPct(cost.withWatch[i].cpuPct) - bedPct(cost.without[i].cpuPct));
    watcher.push(cost.withWatch[i].cpuPct.watch);
  }
  return { added, watcher };
}

/** Everything the report needs from measurement 6. */
export function downloadSeries(experiment: DownloadExperiment): DownloadSeries {
  const runs = experiment.runs;
  const series: Record<string, Series> = {};
  const paired: Record<string, PairedSeries> = {};
  const notes: string[] = [];
  const values = (condition: "with" | "without"): number[] =>
    runs.filter((r) => r.run.kind === "effect" && r.run.condition === condition).map((r) => r.value);
  series["download.with"] = { unit: "s", samples: values("with") };
  series["download.without"] = { unit: "s", samples: values("without") };
  paired["download.effect"] = pairsOf(runs, "effect");
  paired["download.null"] = pairsOf(runs, "null");
  const quiet = quietRuns(runs);
  const quietEffect = pairsOf(quiet, "effect");
  const quietNoise = pairsOf(quiet, "null");

  const withLoad = runs.filter((r) => r.load !== null);
  if (withLoad.length > 0) {
    const transfer = withLoad.filter((r) => r.run.condition === "without");
    series["download.transferCpu"] = {
      unit: "%",
      samples: transfer.map((r) => r.load!.cpuPct.bits + r.load!.cpuPct.wineserver),
    };
    series["download.outsideCpu"] = { unit: "%", samples: withLoad.map((r) => r.load!.cpuPct.outside) };
    const r = correlation(withLoad.map((x) => x.load!.cpuPct.outside), withLoad.map((x) => Math.log(x.value)));
    const pressure = withLoad.map((x) => x.load!.cpuPressure ?? NaN);
    const rPressure = correlation(pressure, withLoad.map((x) => Math.log(x.value)));
    const io = withLoad.map((x) => x.load!.ioPressure ?? 0);
    notes.push(
      `6: transfer time vs CPU used outside the bed (other work on the host): r = ${r.toFixed(2)} over ` +
        `${withLoad.length} runs (outside ${Math.min(...series["download.outsideCpu"].samples).toFixed(0)}–` +
        `${Math.max(...series["download.outsideCpu"].samples).toFixed(0)} % of a core); vs CPU pressure ` +
        `r = ${rPressure.toFixed(2)}; IO pressure at most ${(100 * Math.max(...io)).toFixed(1)} % of the time. ` +
        `${quiet.length / 2} of ${runs.length / 2} pairs were quiet (< ${QUIET_OUTSIDE_PCT} % outside in both runs)` +
        `${quietSummary(quietEffect, quietNoise)}.`,
    );
  }
  const watched = runs.filter((r) => r.watch !== null);
  if (watched.length > 0) {
    const seconds = watched.reduce((a, r) => a + r.watch!.wallMs / 1000, 0);
    const cpuMs = watched.reduce((a, r) => a + r.watch!.cpuMs, 0);
    const calls: Record<string, number> = {};
    for (const r of watched) {
      for (const [name, count] of Object.entries(r.watch!.calls)) calls[name] = (calls[name] ?? 0) + count;
    }
    series["download.watcherCpu"] = {
      unit: "%",
      samples: watched.map((r) => r.watch!.wallMs > 0 ? (100 * r.watch!.cpuMs) / r.watch!.wallMs : 0),
    };
    const perSecond = Object.entries(calls)
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => `${name} ${(count / seconds).toFixed(2)}/s`)
      .join(", ");
    notes.push(
      `6: the watcher during the "with" runs (${seconds.toFixed(0)} s attached in all): ${
        cpuMs.toFixed(0)
      } ms of CPU ` +
        `(${((100 * cpuMs) / (seconds * 1000)).toFixed(2)} % of a core); shim calls ${perSecond}.`,
    );
  }
  if (experiment.cost) {
    const { added, watcher } = watchCostSeries(experiment.cost);
    series["download.watchCostAdded"] = { unit: "%", samples: added };
    series["download.watchCostWatcher"] = { unit: "%", samples: watcher };
    const perSecond = Object.entries(experiment.cost.calls)
      .map(([name, count]) => `${name} ${(count / experiment.cost!.attachedSeconds).toFixed(2)}/s`)
      .join(", ");
    notes.push(`6: the watch's cost windows (no transfer, 1 poll/s): shim calls ${perSecond}.`);
  }
  return { series, paired, notes };
}

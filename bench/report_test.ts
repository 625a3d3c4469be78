// Tests of the benchmark's pure parts: statistics, rows and verdicts, COM
// accounting, trace parsing. No timing is asserted anywhere.
//
// Run: deno test bench/report_test.ts

import assert from "node:assert/strict";
import { comTraffic, functionBodies, readShimSources } from "./com_calls.ts";
import type { DownloadExperiment, DownloadRun } from "./download.ts";
import { correlation, downloadSeries, QUIET_OUTSIDE_PCT, watchCostSeries } from "./download_report.ts";
import {
  binomialHalfCdf,
  bootstrapMedianInterval,
  collectPairs,
  judge,
  median,
  pairedStats,
  planPairs,
  signTestInterval,
  signTestP,
} from "./paired.ts";
import { parsePidTicks, parsePressure, parseProcStat, type ProcDelta, procDelta, roleOf } from "./proc_load.ts";
import {
  buildRows,
  comFromFfi,
  convert,
  formatCount,
  percentile,
  ratioText,
  type RawResults,
  renderTable,
  SHIM_COM,
  stats,
} from "./report.ts";
import { countBetweenMarkers, tracedRows } from "./trace.ts";
import { MARK } from "./trace_ops.ts";

function raw(series: RawResults["series"]): RawResults {
  return {
    facts: {
      deno: "2.9.5",
      v8: "15",
      os: "windows",
      osRelease: "10.0.19043",
      cpus: 2,
      wine: "10.0",
      queueJobs: 300,
      settings: {},
    },
    series,
    roundTrips: [],
    notes: [],
  };
}

Deno.test("percentile uses the nearest rank and ignores order", () => {
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  assert.equal(percentile([7], 95), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.deepEqual(stats([2, 4]), { p50: 2, p95: 4, min: 2, mean: 3, n: 2 });
});

Deno.test("convert changes time units", () => {
  assert.equal(convert(1500, "us", "ms"), 1.5);
  assert.equal(convert(2, "s", "ms"), 2000);
});

Deno.test("rows compute ratios, verdicts, sums and missing series", () => {
  const rows = buildRows(raw({
    "queue.ours": { unit: "ms", samples: [130, 120, 140] },
    "queue.ref": { unit: "us", samples: [100_000, 100_000, 100_000] },
    "one.ours": { unit: "us", samples: [200] },
    "one.ref": { unit: "us", samples: [100] },
    "cli.list": { unit: "ms", samples: [900] },
    "cli.eval0": { unit: "ms", samples: [400] },
    "cli.refListCold": { unit: "ms", samples: [200] },
  }));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const queue = byId.get("queue_snapshot");
  assert.equal(queue?.ratio, 1.3);
  assert.equal(queue?.verdict, "pass");
  assert.match(queue?.title ?? "", /300 jobs/);
  assert.equal(byId.get("job_snapshot")?.verdict, "miss");
  assert.equal(byId.get("cli_list")?.ref?.p50, 600);
  assert.equal(byId.get("cli_list")?.ratio, 1.5);
  assert.equal(byId.get("cli_list")?.verdict, null);
  assert.equal(byId.get("download_with_watch")?.verdict, "missing");
  assert.equal(byId.get("create_cancel")?.verdict, "missing");
  assert.equal(byId.get("create_cancel")?.note, "not measured");
  assert.match(renderTable(rows), /missing/);
});

Deno.test("absolute goals bound our p50; percentages and settings in titles", () => {
  const base = raw({
    "idle.ours": { unit: "%", samples: [0.4] },
    "idle.ref": { unit: "%", samples: [0.2] },
  });
  const rows = buildRows({ ...base, facts: { ...base.facts, settings: { monitorJobs: 50, idleSeconds: 60 } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const idle = byId.get("watch_idle_cpu");
  assert.equal(idle?.verdict, "pass");
  assert.equal(idle?.ratio, 2);
  assert.match(idle?.title ?? "", /50 suspended jobs, 60 s/);
  const missed = buildRows(raw({ "idle.ours": { unit: "%", samples: [1.5] } }));
  assert.equal(missed.find((r) => r.id === "watch_idle_cpu")?.verdict, "miss");
  assert.throws(() => convert(1, "%", "ms"), RangeError);
});

Deno.test("COM accounting follows the shim and counts EnumJobs retries without Next", () => {
  assert.deepEqual(comFromFfi({ bits_job_snapshot: 1 }), { calls: 6, releases: 0, ffi: 1 });
  // connect + 2 enumerations (one retry) + 300 snapshots + 300 job releases + manager release
  assert.deepEqual(
    comFromFfi({ bits_connect: 1, bits_manager_enum_jobs: 2, bits_job_snapshot: 300, bits_release: 301 }),
    { calls: 1 + 3 + 2 + 1800, releases: 2 + 301, ffi: 604 },
  );
  // listJobs releases the job proxies with the nonblocking alias; download() adds its files in one AddFileSet.
  assert.deepEqual(comFromFfi({ bits_release_async: 30, bits_release: 1 }), { calls: 0, releases: 31, ffi: 31 });
  assert.deepEqual(
    comFromFfi({ bits_manager_create_job: 1, bits_job_add_file_set: 1, bits_release: 1 }),
    { calls: 3, releases: 1, ffi: 3 },
  );
  assert.deepEqual(comFromFfi({ bits_job_description: 1, bits_job_cancel: 1 }), { calls: 2, releases: 0, ffi: 2 });
  // The whole queue in one call: EnumJobs, GetCount, Next, six getters and a release per job, the enumerator's release.
  assert.deepEqual(
    comFromFfi({ bits_connect: 1, bits_manager_read_queue: 1, bits_release: 1 }, 300),
    { calls: 1 + 3 + 1800, releases: 301 + 1, ffi: 3 },
  );
  assert.equal(formatCount(1800), "1,800");
  assert.equal(formatCount(1.5), "1.50");
});

Deno.test("the COM-call table names exactly the COM traffic of each function in ffi/*.c", async () => {
  const bodies = await readShimSources(new URL("../ffi/", import.meta.url));
  for (const [symbol, entry] of Object.entries(SHIM_COM)) {
    const traffic = comTraffic(bodies, entry.function ?? symbol);
    const happy = {
      calls: [...entry.calls, ...entry.perItem?.calls ?? []],
      releases: [...entry.releases, ...entry.perItem?.releases ?? []],
    };
    for (const kind of ["calls", "releases"] as const) {
      const found = traffic[kind];
      const named = new Set([...happy[kind], ...entry.offPath?.[kind] ?? []]);
      assert.deepEqual(happy[kind].filter((name) => !found.has(name)), [], `${symbol}: ${kind} not in the C source`);
      assert.deepEqual([...found].filter((name) => !named.has(name)), [], `${symbol}: ${kind} the table does not name`);
    }
  }
});

Deno.test("COM traffic is read through helpers, function pointers and releases, not comments or the bare prologue", () => {
  const bodies = functionBodies([
    `static HRESULT helper(IBackgroundCopyJob *j) {\n  return IBackgroundCopyJob_GetState(j, NULL);\n}\n`,
    `static inline HRESULT shim_begin(void *o, const GUID *iid, void **out) {\n  return IUnknown_QueryInterface(o, iid, out);\n}\n`,
    `static HRESULT drop(void *h) {\n  IUnknown_Release((IUnknown *)h);\n  return S_OK;\n}\n`,
    [
      "BITS_SHIM_API int32_t bits_x(BITS_JOB job,",
      "                             void *h) {",
      "  /* IBackgroundCopyJob_Cancel(job) is only a comment */",
      "  HRESULT hr = shim_begin(job, NULL, NULL);",
      "  if (FAILED(hr)) { return hr; }",
      "  hr = helper((IBackgroundCopyJob *)job);",
      "  shim_run_in_mta(drop, h);",
      "  shim_release(enumerator);",
      "  return hr;",
      "}",
      "BITS_SHIM_API int32_t bits_y(BITS_JOB job) {",
      "  void *job5 = NULL;",
      "  return shim_begin(job, &shim_iid_job5, &job5);",
      "}",
    ].join("\n"),
  ]);
  const x = comTraffic(bodies, "bits_x");
  assert.deepEqual([...x.calls], ["IBackgroundCopyJob_GetState"]);
  assert.deepEqual([...x.releases].sort(), ["enumerator", "h"]);
  assert.deepEqual([...comTraffic(bodies, "bits_y").calls], ["IUnknown_QueryInterface"]);
  assert.throws(() => comTraffic(bodies, "bits_missing"), /no definition/);
});

Deno.test("bench reaches deno-bits through its public entry points; only internals.ts imports internals", async () => {
  const shared = new Set(["../tests/support/content.ts", "../tests/support/server.ts", "../scripts/windows_deno.ts"]);
  const bench = new URL("./", import.meta.url);
  const offending: string[] = [];
  for await (const entry of Deno.readDir(bench)) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const source = await Deno.readTextFile(new URL(entry.name, bench));
    for (const [, specifier] of source.matchAll(/^(?:import|export)\b[^;]*?from "([^"]+)";/gms)) {
      const allowed = specifier.startsWith("node:") || /^@deno-bits\/bits(\/\w+)?$/.test(specifier) ||
        /^\.\/\w+\.ts$/.test(specifier) || shared.has(specifier) ||
        (entry.name === "internals.ts" && specifier.startsWith("../src/"));
      if (!allowed) offending.push(`${entry.name}: ${specifier}`);
    }
  }
  assert.deepEqual(offending, []);
});

Deno.test("trace parsing counts I_RpcSendReceive lines between markers", () => {
  const line = "0170:trace:rpc:I_RpcSendReceive (00007FFFFE2FE380)";
  const stderr = [
    line,
    `${MARK} begin ours snapshot x10`,
    ...Array(60).fill(line),
    "0170:trace:rpc:ndr_client_call SENDRECEIVE",
    `${MARK} end ours snapshot x10`,
    line,
    `${MARK} begin ref snapshot x1`,
    ...Array(16).fill(line),
    `${MARK} end ref snapshot x1`,
    `${MARK} begin ref snapshot x11`,
    ...Array(76).fill(line),
    `${MARK} end ref snapshot x11`,
  ].join("\n");
  const counts = countBetweenMarkers(stderr);
  assert.equal(counts.get("ours snapshot x10"), 60);
  const [snapshot] = tracedRows(counts, 20);
  assert.deepEqual(snapshot, { operation: "job snapshot", ours: 6, ref: 6 });
});

Deno.test("median and the binomial tail", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.equal(binomialHalfCdf(6, 0), 1 / 64);
  assert.equal(binomialHalfCdf(6, 1), 7 / 64);
  assert.equal(binomialHalfCdf(6, 6), 1);
  assert.equal(binomialHalfCdf(6, -1), 0);
});

Deno.test("the sign-test interval takes the narrowest order statistics with enough coverage", () => {
  // n = 6: only the full range reaches 95 % (1 - 2/64 = 96.9 %).
  const six = signTestInterval([1.05, 0.97, 1.01, 0.99, 1.03, 1.0]);
  assert.deepEqual([six.low, six.high], [0.97, 1.05]);
  assert.equal(six.coverage, 1 - 2 / 64);
  // n = 10: x(2)..x(9), coverage 1 - 2 * 11/1024.
  const ten = signTestInterval([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
  assert.deepEqual([ten.low, ten.high], [2, 9]);
  assert.equal(ten.coverage, 1 - 22 / 1024);
  // Too few values for 95 %: the full range with its real coverage.
  const three = signTestInterval([3, 1, 2]);
  assert.deepEqual([three.low, three.high, three.coverage], [1, 3, 0.75]);
});

Deno.test("the sign test of no effect drops ties and is two-sided", () => {
  assert.equal(signTestP([1.1, 1.2, 1.3, 1.4, 1.5, 1.6]), 2 / 64);
  assert.equal(signTestP([0.9, 0.8, 0.7, 0.6, 0.5, 0.4]), 2 / 64);
  assert.equal(signTestP([1, 1, 1]), 1);
  assert.equal(signTestP([1.1, 0.9]), 1);
});

Deno.test("the bootstrap interval is reproducible and brackets the median", () => {
  const values = [0.98, 1.01, 1.0, 1.03, 0.99, 1.02, 0.97, 1.04];
  const a = bootstrapMedianInterval(values);
  const b = bootstrapMedianInterval(values);
  assert.deepEqual(a, b);
  assert.ok(a.low <= median(values) && median(values) <= a.high);
  assert.ok(a.low >= 0.97 && a.high <= 1.04);
  const constant = bootstrapMedianInterval([2, 2, 2]);
  assert.deepEqual([constant.low, constant.high], [2, 2]);
});

Deno.test("paired ratios and the verdict on an interval", () => {
  const stats6 = pairedStats([10.2, 10.1, 9.9, 10.0, 10.3, 10.1], [10, 10, 10, 10, 10, 10]);
  assert.equal(stats6.n, 6);
  assert.ok(Math.abs(stats6.median - 1.01) < 1e-9);
  assert.throws(() => pairedStats([1], [1, 2]), RangeError);
  assert.equal(judge({ low: 0.99, high: 1.015, coverage: 0.95 }, 1.02), "pass");
  assert.equal(judge({ low: 1.03, high: 1.1, coverage: 0.95 }, 1.02), "miss");
  assert.equal(judge({ low: 0.95, high: 1.05, coverage: 0.95 }, 1.02), "inconclusive");
  // Too few pairs for the coverage asked: never a verdict either way.
  assert.equal(judge({ low: 0.99, high: 1.0, coverage: 0.875 }, 1.02), "inconclusive");
  assert.equal(judge({ low: 1.1, high: 1.2, coverage: 0.875 }, 1.02), "inconclusive");
});

Deno.test("the plan interleaves effect and null pairs, alternating the order inside pairs", () => {
  // A: without (effect pair), B: with, a: without (null pair); * marks the numerator of its pair's ratio.
  const show = (e: number, n: number): string =>
    planPairs(e, n).map((r) =>
      (r.kind === "effect" ? (r.condition === "with" ? "B" : "A") : "a") + (r.numerator ? "*" : "")
    ).join(" ");
  assert.equal(show(3, 3), "A B* a a* B* A a* a A B* a a*");
  assert.equal(show(4, 2), "A B* a a* B* A A B* a* a B* A");
  assert.equal(show(2, 0), "A B* B* A");
  const plan = planPairs(6, 6);
  for (let i = 0; i < plan.length; i += 2) {
    assert.equal(plan[i].pair, i / 2);
    assert.equal(plan[i + 1].pair, i / 2);
    assert.notEqual(plan[i].numerator, plan[i + 1].numerator);
  }
});

Deno.test("collectPairs keeps complete pairs only, numerator first", () => {
  const plan = planPairs(2, 1);
  const measured = plan.map((run, i) => ({ run, value: 10 + i }));
  const effect = collectPairs(measured, "effect");
  assert.equal(effect.numerators.length, 2);
  for (const [i, num] of effect.numerators.entries()) {
    const pair = measured.filter((m) => m.run.kind === "effect" && m.value === num)[0].run.pair;
    const den = measured.find((m) => m.run.pair === pair && !m.run.numerator)?.value;
    assert.equal(effect.denominators[i], den);
  }
  const incomplete = collectPairs(measured.slice(0, -1), plan.at(-1)!.kind);
  assert.equal(incomplete.numerators.length, (plan.at(-1)!.kind === "effect" ? 2 : 1) - 1);
});

Deno.test("/proc parsing: stat, pressure, a process's ticks and its role", () => {
  assert.deepEqual(parseProcStat("cpu  100 5 50 1000 20 3 2 7 0 0\ncpu0 1 2 3\n"), {
    busy: 160,
    idle: 1020,
    steal: 7,
  });
  assert.throws(() => parseProcStat("intr 1 2 3"));
  const pressure =
    "some avg10=0.00 avg60=0.00 avg300=0.00 total=1234\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=56\n";
  assert.equal(parsePressure(pressure, "some"), 1234);
  assert.equal(parsePressure(pressure, "full"), 56);
  assert.equal(parsePressure("", "some"), null);
  // A command with spaces and a parenthesis: fields after the last ") ".
  assert.equal(parsePidTicks("42 (deno (x) y) S 1 2 3 4 5 6 7 8 9 10 300 40 0 0"), 340);
  const markers = { server: "serve.ts", watch: "watch_child.ts", self: "measure.ts" };
  assert.equal(roleOf("C:\\windows\\system32\\svchost.exe -k netsvcs", markers), "bits");
  assert.equal(roleOf("/usr/lib/wine/wineserver64 -p0 -p", markers), "wineserver");
  assert.equal(roleOf("Z:\\opt\\deno\\deno.exe run bench/serve.ts", markers), "server");
  assert.equal(roleOf("deno.exe run bench/watch_child.ts {id}", markers), "watch");
  assert.equal(roleOf("deno.exe run bench/measure.ts", markers), "self");
  assert.equal(roleOf("C:\\windows\\system32\\rpcss.exe", markers), "bed");
});

Deno.test("procDelta turns two readings into CPU shares of one core and pressure", () => {
  const reading = (at: number, busy: number, bits: number, other: number, cpuSome: number) => ({
    at,
    busy,
    idle: 0,
    steal: 0,
    cpuSome,
    ioSome: 0,
    ioFull: 0,
    dirtyPages: 256,
    processes: new Map([
      [1, { role: "bits" as const, ticks: bits }],
      [2, { role: "wineserver" as const, ticks: other }],
    ]),
  });
  // 10 s; the machine was busy 1,500 ticks (15 s of CPU = 150 % of a core), BITS 500, wineserver 300.
  const d = procDelta(reading(0, 1000, 100, 100, 0), reading(10_000, 2500, 600, 400, 2_000_000));
  assert.equal(d.seconds, 10);
  assert.equal(d.cpuPct.bits, 50);
  assert.equal(d.cpuPct.wineserver, 30);
  assert.equal(d.cpuPct.outside, 70);
  assert.equal(d.cpuPct.total, 150);
  assert.equal(d.cpuPressure, 0.2);
  assert.equal(d.dirtyMiBAtStart, 1);
});

function load(outside: number, bits = 50, watch = 0): ProcDelta {
  return {
    seconds: 10,
    cpuPct: { bits, wineserver: 30, server: 5, watch, self: 0, bed: 0, outside, total: 85 + outside + watch },
    stealPct: 0,
    cpuPressure: outside / 200,
    ioPressure: 0,
    dirtyMiBAtStart: 0,
  };
}

function downloadRuns(times: readonly number[], outside: (i: number) => number): DownloadRun[] {
  return planPairs(times.length / 4, times.length / 4).map((run, i) => ({
    run,
    value: times[i],
    clientS: times[i] + 0.5,
    marks: [],
    load: load(outside(i)),
    watch: run.condition === "with"
      ? { code: 0, wallMs: 20_000, cpuMs: 40, events: 20, calls: { bits_job_snapshot: 16 } }
      : null,
  }));
}

Deno.test("measurement 6's series: pairs, quiet pairs, the watch's cost and the notes", () => {
  // Plan (2, 2): A B* a a* B* A a* a. Pairs 0 (effect) and 1 (null) quiet; pairs 2 and 3 loud in one run each.
  const times = [20, 20.2, 19, 19.5, 25, 24, 30, 22];
  const runs = downloadRuns(times, (i) => i >= 4 && i % 2 === 0 ? 80 : 2);
  const experiment: DownloadExperiment = {
    settings: {
      mb: 1024,
      effectPairs: 2,
      nullPairs: 2,
      warmUpMb: 256,
      costRounds: 1,
      costSeconds: 20,
    },
    runs,
    cost: {
      seconds: 20,
      withWatch: [load(0, 0.1, 0.15)],
      without: [load(0, 0.05, 0)],
      calls: { bits_job_snapshot: 40 },
      attachedSeconds: 40,
    },
  };
  const m6 = downloadSeries(experiment);
  assert.deepEqual(m6.paired["download.effect"], { unit: "s", first: [20.2, 25], second: [20, 24] });
  assert.deepEqual(m6.paired["download.null"], { unit: "s", first: [19.5, 30], second: [19, 22] });
  assert.deepEqual(m6.series["download.watcherCpu"].samples, [0.2, 0.2]);
  const cost = watchCostSeries(experiment.cost!);
  assert.ok(Math.abs(cost.added[0] - 0.2) < 1e-9);
  assert.deepEqual(cost.watcher, [0.15]);
  assert.ok(m6.notes.some((n) => n.includes("2 of 4 pairs were quiet") && n.includes("with / without 1.010x (n=1)")));
  assert.ok(m6.notes.some((n) => n.includes("bits_job_snapshot 0.80/s")));
  assert.ok(QUIET_OUTSIDE_PCT > 2 && QUIET_OUTSIDE_PCT < 80);

  const base = raw(m6.series);
  const rows = buildRows({ ...base, paired: m6.paired, facts: { ...base.facts, settings: { downloadMb: 1024 } } });
  const effect = rows.find((r) => r.id === "download_with_watch");
  assert.match(effect?.title ?? "", /1024 MiB download/);
  // Ratios 1.01 and 25/24: two pairs cover only 50 %, and the interval straddles 1.02.
  assert.ok(Math.abs((effect?.ratio ?? 0) - (1.01 + 25 / 24) / 2) < 1e-9);
  assert.equal(effect?.verdict, "inconclusive");
  assert.equal(effect?.paired?.signTest.coverage, 0.5);
  assert.match(renderTable(rows), /n=2, CI .*sign test/);
  assert.equal(rows.find((r) => r.id === "download_noise_floor")?.verdict, null);
});

Deno.test("ratios: two decimals, three for paired rows, two significant digits for small shares", () => {
  assert.equal(ratioText(1.2345), "1.23");
  assert.equal(ratioText(1.2346, true), "1.235");
  assert.equal(ratioText(0.00314), "0.0031");
  assert.equal(ratioText(0), "0.00");
});

Deno.test("correlation", () => {
  assert.ok(Math.abs(correlation([1, 2, 3, 4], [2, 4, 6, 8]) - 1) < 1e-12);
  assert.ok(Math.abs(correlation([1, 2, 3, 4], [8, 6, 4, 2]) + 1) < 1e-12);
  assert.ok(Number.isNaN(correlation([1, 1, 1], [1, 2, 3])));
  assert.ok(Number.isNaN(correlation([1, 2], [1, 2])));
});

// Tests of the benchmark's pure parts: statistics, rows and verdicts, COM
// accounting, trace parsing. No timing is asserted anywhere.
//
// Run: deno test bench/report_test.ts

import assert from "node:assert/strict";
import { buildRows, comFromFfi, convert, percentile, type RawResults, renderTable, stats } from "./report.ts";
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
    "download.with": { unit: "s", samples: [10.3, 10.1, 10.2] },
    "download.without": { unit: "ms", samples: [10_000, 10_000, 10_000] },
  });
  const rows = buildRows({ ...base, facts: { ...base.facts, settings: { monitorJobs: 50, idleSeconds: 60 } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const idle = byId.get("watch_idle_cpu");
  assert.equal(idle?.verdict, "pass");
  assert.equal(idle?.ratio, 2);
  assert.match(idle?.title ?? "", /50 suspended jobs, 60 s/);
  assert.equal(byId.get("download_with_watch")?.ratio, 1.02);
  assert.equal(byId.get("download_with_watch")?.verdict, "pass");
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

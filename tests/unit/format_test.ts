// Unit tests of src/cli/format.ts: sizes, totals, progress lines and tables.
//
// Permissions: none.

import assert from "node:assert/strict";
import {
  filesTotal,
  formatBytes,
  formatDuration,
  knownTotal,
  progressDetail,
  RateMeter,
  table,
} from "../../src/cli/format.ts";
import type { JobFile, JobSnapshot, JobState } from "../../src/types.ts";
import { rowText, snapshotRow } from "../../src/cli/progress.ts";

/** A job's progress line, as the CLI's progress renderer draws its row. */
function progressLine(
  snapshot: JobSnapshot,
  options: { total?: number | null; bytesPerSecond?: number } = {},
): string {
  const row = snapshotRow(snapshot);
  return rowText({ ...row, total: options.total ?? row.total }, options.bytesPerSecond);
}

const MiB = 1024 * 1024;

function snapshot(
  progress: Partial<JobSnapshot["progress"]> = {},
  state: JobState = "TRANSFERRING",
  displayName = "a.iso",
): JobSnapshot {
  return {
    id: "{4991D34B-80A1-4291-83B6-3328366B9097}",
    type: "DOWNLOAD",
    state,
    displayName,
    description: "",
    progress: { bytesTotal: null, bytesTransferred: 0, filesTotal: 1, filesTransferred: 0, ...progress },
    error: null,
  };
}

function file(bytesTotal: number | null, bytesTransferred = 0): JobFile {
  return { remoteName: "https://e.com/f", localName: "C:\\f", bytesTotal, bytesTransferred, completed: false };
}

Deno.test("format: formatBytes uses bytes below 1 KiB and one decimal with binary units above", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1), "1 B");
  assert.equal(formatBytes(812), "812 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1024), "1.0 KiB");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(5 * MiB), "5.0 MiB");
  assert.equal(formatBytes(2.5 * MiB), "2.5 MiB");
  assert.equal(formatBytes(6 * 1024 * MiB), "6.0 GiB");
  assert.equal(formatBytes(3 * 1024 * 1024 * MiB), "3.0 TiB");
  assert.equal(formatBytes(2048 * 1024 * 1024 * MiB), "2048.0 TiB", "TiB is the largest unit");
});

Deno.test({
  name: "format: formatBytes rounds fractional byte counts (transfer rates) below 1 KiB",
  fn(): void {
    assert.equal(formatBytes(341.3333333333333), "341 B");
    assert.equal(formatBytes(0.4), "0 B");
    const line = progressLine(snapshot({ bytesTransferred: 10 }), { bytesPerSecond: 1024 / 3 });
    assert.ok(line.includes("  341 B/s  "), line);
  },
});

Deno.test("format: knownTotal prefers BITS' job total", () => {
  assert.equal(knownTotal(snapshot({ bytesTotal: 5000 })), 5000);
  assert.equal(knownTotal(snapshot({ bytesTotal: 5000 }), [file(1), file(2)]), 5000);
  assert.equal(knownTotal(snapshot({ bytesTotal: 0 }), [file(7)]), 0, "a known zero total is a total");
  assert.equal(knownTotal(snapshot({ bytesTotal: 5000 }), [file(null)]), 5000);
});

Deno.test("format: knownTotal sums the files' sizes when the job total is unknown and all are known", () => {
  assert.equal(knownTotal(snapshot(), [file(1000), file(2 * MiB), file(0)]), 1000 + 2 * MiB);
  assert.equal(knownTotal(snapshot(), [file(6 * 1024 * MiB)]), 6 * 1024 * MiB);
});

Deno.test("format: knownTotal is null when any file's size is unknown, or without files", () => {
  assert.equal(knownTotal(snapshot(), [file(1000), file(null)]), null);
  assert.equal(knownTotal(snapshot(), [file(null)]), null);
  assert.equal(knownTotal(snapshot(), []), null);
  assert.equal(knownTotal(snapshot()), null);
});

Deno.test("format: progressLine with a total shows both sizes and the percentage", () => {
  const s = snapshot({ bytesTotal: 5 * MiB, bytesTransferred: 2.5 * MiB, filesTotal: 1, filesTransferred: 0 });
  assert.equal(progressLine(s), "TRANSFERRING     2.5 MiB / 5.0 MiB  50%  files 0/1  a.iso");
  assert.equal(
    progressLine(s, { bytesPerSecond: 1.2 * MiB }),
    "TRANSFERRING     2.5 MiB / 5.0 MiB  50%  1.2 MiB/s  ETA 2s  files 0/1  a.iso",
  );
  // The percentage rounds down (99.9% is not 100%) and never exceeds 100.
  assert.ok(progressLine(snapshot({ bytesTotal: 1000, bytesTransferred: 999 })).includes("  99%  "));
  assert.ok(progressLine(snapshot({ bytesTotal: 1000, bytesTransferred: 1500 })).includes("  100%  "));
});

Deno.test("format: progressLine takes an explicit total over the snapshot's unknown one", () => {
  const s = snapshot({ bytesTransferred: 512 });
  assert.equal(progressLine(s, { total: 1024 }), "TRANSFERRING     512 B / 1.0 KiB  50%  files 0/1  a.iso");
  assert.equal(progressLine(s, { total: null }), "TRANSFERRING     512 B  files 0/1  a.iso");
});

Deno.test("format: progressLine without a total shows the bytes so far; no rate when zero or absent", () => {
  const s = snapshot({ bytesTransferred: 3 * MiB, filesTotal: 2, filesTransferred: 1 }, "CONNECTING", "two files");
  assert.equal(progressLine(s), "CONNECTING       3.0 MiB  files 1/2  two files");
  assert.equal(progressLine(s, { bytesPerSecond: 0 }), "CONNECTING       3.0 MiB  files 1/2  two files");
  assert.equal(progressLine(s, { bytesPerSecond: 2048 }), "CONNECTING       3.0 MiB  2.0 KiB/s  files 1/2  two files");
  // A zero total (empty file) is shown like an unknown one: no division by zero.
  assert.equal(progressLine(snapshot({ bytesTotal: 0 }), {}), "TRANSFERRING     0 B  files 0/1  a.iso");
});

Deno.test("format: progressLine pads the state to 15 columns so lines align", () => {
  const queued = progressLine(snapshot({}, "QUEUED"));
  const transient = progressLine(snapshot({}, "TRANSIENT_ERROR"));
  assert.equal(queued.indexOf("0 B"), 17);
  assert.equal(transient.indexOf("0 B"), 17);
});

Deno.test("format: table left-aligns columns, two spaces apart, without trailing spaces", () => {
  const text = table([
    ["ID", "STATE", "NAME"],
    ["{A}", "TRANSFERRING", "x"],
    ["{LONGER-ID}", "ERROR", "a longer name"],
  ]);
  assert.equal(
    text,
    [
      "ID           STATE         NAME",
      "{A}          TRANSFERRING  x",
      "{LONGER-ID}  ERROR         a longer name",
    ].join("\n"),
  );
  for (const line of text.split("\n")) assert.equal(line, line.trimEnd());
  assert.equal(table([]), "");
  assert.equal(table([["only"]]), "only");
});

Deno.test("format: formatDuration uses the largest two units", () => {
  assert.deepEqual(
    [0, 0.4, 59.6, 60, 185, 3599, 3600, 7620, -3].map(formatDuration),
    ["0s", "0s", "1m00s", "1m00s", "3m05s", "59m59s", "1h00m", "2h07m", "0s"],
  );
});

Deno.test("format: the ETA appears only while bytes remain and the total and rate are known", () => {
  const done = snapshot({ bytesTotal: 1000, bytesTransferred: 1000 });
  assert.ok(!progressLine(done, { bytesPerSecond: 100 }).includes("ETA"));
  const unknown = snapshot({ bytesTotal: null, bytesTransferred: 500 });
  assert.ok(!progressLine(unknown, { bytesPerSecond: 100 }).includes("ETA"));
  assert.ok(progressLine(unknown, { bytesPerSecond: 100, total: 1500 }).includes("ETA 10s"));
});

Deno.test("format: RateMeter needs 0.2 s of samples and forgets samples older than 3 s", () => {
  const meter = new RateMeter();
  assert.equal(meter.sample(0, 0), undefined);
  assert.equal(meter.sample(100, 1000), undefined);
  assert.equal(meter.sample(1000, 1000), 1000);
  // At 5 s the samples from 0 and 100 ms are dropped: the rate covers 1 s to 5 s only.
  assert.equal(meter.sample(5000, 9000), 2000);
});

Deno.test("format: filesTotal sums known sizes and is null when any is unknown or there are none", () => {
  const file = (bytesTotal: number | null) => ({
    remoteName: "u",
    localName: "l",
    bytesTotal,
    bytesTransferred: 0,
    completed: false,
  });
  assert.equal(filesTotal([file(10), file(32)]), 42);
  assert.equal(filesTotal([file(10), file(null)]), null);
  assert.equal(filesTotal([]), null);
});

Deno.test("format: progressDetail clamps the percentage and shows the ETA only while bytes remain", () => {
  assert.equal(progressDetail(1500, 1000), "1.5 KiB / 1000 B  100%");
  assert.equal(progressDetail(500, 1000, 100), "500 B / 1000 B  50%  100 B/s  ETA 5s");
  assert.equal(progressDetail(500, null, 100), "500 B  100 B/s");
});

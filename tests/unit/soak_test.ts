// The soak's growth verdict (bench/soak.ts) must tell a leak from warm-up, or its "bounded" means nothing.
import assert from "node:assert/strict";
import { judgeStage, quartileSlopes, slope, SOAK_LIMITS, type SoakSample } from "../../bench/soak.ts";

const MIB = 1024 * 1024;

/** Samples every 250 of 10,000 units, with RSS and kernel handles given per unit count. */
function stage(rss: (unit: number) => number, handles: (unit: number) => number = () => 60, live = 1): SoakSample[] {
  const samples: SoakSample[] = [];
  for (let unit = 0; unit <= 10_000; unit += 250) {
    samples.push({
      cycle: unit,
      phase: unit === 0 ? "before" : "during",
      rss: rss(unit),
      heapUsed: 20 * MIB,
      external: MIB,
      handles: handles(unit),
      liveHandles: unit === 10_000 ? live : 1,
      elapsedMs: unit,
    });
  }
  return samples;
}

Deno.test("soak: slope is the least-squares rate", () => {
  assert.equal(slope([[0, 1], [1, 3], [2, 5]]), 2);
  assert.equal(slope([[0, 4], [10, 4]]), 0);
  assert.equal(slope([[5, 1]]), 0);
  assert.equal(slope([[3, 1], [3, 9]]), 0);
});

Deno.test("soak: warm-up that levels off is bounded; the first quarter shows it, the last does not", () => {
  // +20 MiB over the first 1,000 units, flat after: more than the limit in total, yet bounded.
  const samples = stage((u) => 150 * MIB + Math.min(u, 1000) * 20 * 1024 + (u % 500 === 0 ? 200_000 : 0));
  const rss = quartileSlopes(samples, 10_000, (s) => s.rss);
  assert.ok(rss.first > 1024, `first ${rss.first}`);
  assert.ok(Math.abs(rss.projected) < SOAK_LIMITS.rssBytes, `projected ${rss.projected}`);
  const verdict = judgeStage(samples, 10_000);
  assert.ok(verdict.growth.rssBytes > 16 * MIB);
  assert.equal(verdict.bounded, true);
});

Deno.test("soak: a steady leak of RSS or kernel handles, or an OwnedHandle left live, is not bounded", () => {
  // 2 KiB a unit: 20,480,000 bytes over 10,000 units, the same rate in every quarter.
  const leak = judgeStage(stage((u) => 150 * MIB + u * 2048), 10_000);
  assert.equal(leak.bounded, false);
  assert.ok(Math.abs(leak.rss.first - leak.rss.last) < 1, "a steady leak has one rate throughout");
  assert.ok(Math.abs(leak.rss.projected - 20_480_000) < 1024);
  // One kernel handle every 500 units: 20 over a stage.
  assert.equal(judgeStage(stage(() => 150 * MIB, (u) => 60 + Math.floor(u / 500)), 10_000).bounded, false);
  assert.equal(judgeStage(stage(() => 150 * MIB, () => 60, 2), 10_000).bounded, false);
  assert.equal(judgeStage(stage(() => 150 * MIB), 10_000).bounded, true);
});

/**
 * `bits doctor --self-test --json` against the real BITS: the checks run, the
 * verdict matches what this BITS implements (under Wine: downloads and HTTP
 * errors pass, the stubbed features are reported unsupported, so `partial`;
 * on Windows every check passes), and no job it created is left behind.
 */

import assert from "node:assert/strict";
import { wineVersion } from "../../mod.ts";
import { BitsSession, parseJson, runCli } from "../support/wine.ts";

Deno.test("doctor --self-test --json: checks run for real, the verdict fits this BITS, and no job is left", async () => {
  await using session = await BitsSession.open();
  const before = new Set((await session.bits.listJobs()).map((j) => j.id));
  // The self-test's own server needs the loopback network, and nothing more.
  const result = await runCli(["doctor", "--self-test", "--json"], undefined, ["--allow-net=127.0.0.1"]);
  const report = parseJson(result) as unknown as {
    verdict: string;
    wine: string | null;
    jobsLeft: number;
    checks: { name: string; result: string; detail: string }[];
  };
  const results = Object.fromEntries(report.checks.map((c) => [c.name, c.result]));
  assert.equal(report.wine, wineVersion());
  assert.equal(results.download, "pass", JSON.stringify(report.checks));
  assert.equal(results["http-error"], "pass", JSON.stringify(report.checks));
  if (wineVersion() !== null) {
    for (const name of ["suspend", "priority", "job5", "file3"]) assert.equal(results[name], "unsupported", name);
    assert.equal(report.verdict, "partial");
  } else {
    assert.deepEqual(Object.values(results).filter((r) => r !== "pass"), [], JSON.stringify(report.checks));
    assert.equal(report.verdict, "full");
  }
  assert.equal(result.code, 0, result.stderr);
  assert.equal(report.jobsLeft, 0);
  // Every job it created is gone (or, under Wine, visible only as CANCELLED or ACKNOWLEDGED until Wine drops it).
  const left = (await session.bits.listJobs()).filter((j) =>
    !before.has(j.id) && j.displayName.startsWith("deno-bits self-test") && j.state !== "CANCELLED" &&
    j.state !== "ACKNOWLEDGED"
  );
  assert.deepEqual(left, []);
});

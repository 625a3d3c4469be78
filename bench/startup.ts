/**
 * The CLI's start-up: `cli.ts version --json` against `deno eval 0`, wall
 * time, on this machine in one run (pairs interleaved, so drift hits both
 * sides alike). The goal: at most 2× `deno eval 0` (docs/performance.md,
 * "CLI start-up"). Also times `--help` and a usage error, and lists the
 * heavy modules `version` must not load. No timing is asserted anywhere:
 * this prints what it measured.
 *
 * `deno task bench:startup [--pairs N] [--json]` (default 20 pairs; the Linux deno runs both sides:
 * the CLI's start-up is the same code under Windows).
 *
 * @module
 */

import { judge, median, pairedStats } from "./paired.ts";

const CLI = new URL("../cli.ts", import.meta.url);
const PERMISSIONS = ["--allow-ffi", "--allow-read", "--allow-env=BITS_SHIM_PATH"];

/** The commands timed, each against `deno eval 0`. */
const CASES: Readonly<Record<string, readonly string[]>> = {
  "version --json": ["run", "--no-check", ...PERMISSIONS, CLI.href, "version", "--json"],
  "--help": ["run", "--no-check", ...PERMISSIONS, CLI.href, "--help"],
  "usage error (lst)": ["run", "--no-check", ...PERMISSIONS, CLI.href, "lst"],
};
const BASELINE = ["eval", "0"];

/** Wall time of one process run, in milliseconds. */
async function time(args: readonly string[]): Promise<number> {
  const started = performance.now();
  await new Deno.Command(Deno.execPath(), { args: [...args], stdout: "null", stderr: "null", stdin: "null" }).output();
  return performance.now() - started;
}

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(name);
  return i < 0 ? fallback : Number(Deno.args[i + 1]);
}

const pairs = option("--pairs", 20);
// Warm the module cache (a first run transpiles), so both sides start warm.
for (const args of [BASELINE, ...Object.values(CASES)]) await time(args);

const rows = [];
for (const [name, args] of Object.entries(CASES)) {
  const cli: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which side runs first, so neither always follows the other.
    if (i % 2 === 0) {
      cli.push(await time(args));
      baseline.push(await time(BASELINE));
    } else {
      baseline.push(await time(BASELINE));
      cli.push(await time(args));
    }
  }
  const stats = pairedStats(cli, baseline);
  rows.push({
    command: name,
    cliMs: Math.round(median(cli) * 10) / 10,
    evalMs: Math.round(median(baseline) * 10) / 10,
    ratio: Math.round(stats.median * 100) / 100,
    interval: [Math.round(stats.signTest.low * 100) / 100, Math.round(stats.signTest.high * 100) / 100],
    goal: name === "version --json" ? judge(stats.signTest, 2) : "-",
  });
}

if (Deno.args.includes("--json")) {
  console.log(JSON.stringify({ deno: Deno.version.deno, os: Deno.build.os, pairs, rows }, null, 2));
} else {
  console.log(`deno ${Deno.version.deno} on ${Deno.build.os}, ${pairs} interleaved pairs, medians (ms)`);
  console.log("command              cli     eval    ratio  (95% sign-test interval)  goal <= 2x");
  for (const r of rows) {
    console.log(
      `${r.command.padEnd(20)} ${String(r.cliMs).padStart(6)}  ${String(r.evalMs).padStart(6)}  ${
        r.ratio.toFixed(2).padStart(5)
      }  [${r.interval[0].toFixed(2)}, ${r.interval[1].toFixed(2)}]${" ".repeat(16)}${r.goal}`,
    );
  }
}

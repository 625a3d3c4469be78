/**
 * `deno task test`: every test, one closing line.
 *
 * 1. prepares the Windows side (on Linux: the Wine 10 bed) and builds the shim;
 * 2. runs the unit tests with this Deno;
 * 3. fuzzes the shim's pure C parts (Linux: scripts/fuzz.sh, libFuzzer with
 *    ASan/UBSan, FUZZ_SECONDS per target), one test case per target;
 * 4. runs the integration tests against real BITS with the Windows Deno
 *    (natively on Windows, under Wine on Linux);
 * 5. on Linux, runs the browser tests (tests/browser/): headless Chromium,
 *    installed from Debian when missing, against the dashboard served by the
 *    Windows Deno in the bed;
 * 6. reads the JUnit reports and prints `N passed, N failed, N skipped`.
 *
 * Exits non-zero when anything failed or a suite produced no report.
 * Permissions: --allow-read --allow-write --allow-run --allow-env.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { prepare, REPO_ROOT, run, runWindowsDeno } from "./windows_deno.ts";

/** Counts from one JUnit report. */
export interface SuiteCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Counts the test cases of a Deno JUnit report. */
export function countJunit(xml: string): SuiteCounts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const match of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = match[2] ?? "";
    if (/<(failure|error)\b/.test(body)) counts.failed++;
    else if (/<skipped\b/.test(body)) counts.skipped++;
    else counts.passed++;
  }
  return counts;
}

// Writes go to ffi/build (the shim build test) and to temporary directories (library filing tests);
// the network only to the fault server's own loopback port.
const UNIT_PERMISSIONS = [
  "--allow-read",
  "--allow-net=127.0.0.1",
  "--allow-env=BITS_SHIM_PATH",
  "--allow-run",
  "--allow-write",
];
// The integration tests serve files on loopback, write destinations, and run the CLI.
const WINE_PERMISSIONS = [
  "--allow-ffi",
  "--allow-read",
  "--allow-write",
  "--allow-net=127.0.0.1",
  "--allow-env",
  "--allow-run",
];

// The browser test drives Chromium (a child process, its profile in a temporary directory) and the bed (run.sh).
const BROWSER_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-net=127.0.0.1",
  "--allow-env",
  "--allow-sys",
];
const CHROMIUM = "/usr/bin/chromium";

/** Installs Debian's Chromium for the browser tests when it is missing (CI runs as root on Debian). */
async function ensureChromium(): Promise<void> {
  if (await Deno.stat(CHROMIUM).then(() => true, () => false)) return;
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-qq"], env);
  await run("apt-get", ["install", "-y", "-qq", "chromium"], env);
}

// The suite takes well under a minute; this only stops a hang from using up CI's 90 minutes.
const INTEGRATION_TIMEOUT_MS = 20 * 60_000;

async function readCounts(name: string, path: string, exitCode: number): Promise<SuiteCounts> {
  let counts: SuiteCounts;
  try {
    counts = countJunit(await Deno.readTextFile(new URL(path, REPO_ROOT)));
  } catch {
    console.error(`${name}: no report at ${path} (exit code ${exitCode}); counted as one failure`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  if (exitCode !== 0 && counts.failed === 0) {
    console.error(`${name}: exit code ${exitCode} with no failed test in the report; counted as one failure`);
    counts.failed = 1;
  }
  console.error(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  return counts;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { only: { type: "string" } },
    allowPositionals: true,
  });
  const only = values.only;
  // Test files or directories narrow a run (e.g. `deno task test:wine tests/wine/files_test.ts`).
  const unitPaths = positionals.length > 0 ? positionals : ["tests/unit/", "bench/report_test.ts"];
  const winePaths = positionals.length > 0 ? positionals : ["tests/wine/"];
  await Deno.mkdir(new URL(".out/", REPO_ROOT), { recursive: true });
  // The fuzz stage needs neither the bed nor the DLL.
  if (only !== "fuzz") await prepare();
  const totals: SuiteCounts = { passed: 0, failed: 0, skipped: 0 };
  const add = (c: SuiteCounts): void => {
    totals.passed += c.passed;
    totals.failed += c.failed;
    totals.skipped += c.skipped;
  };
  if (only === undefined || only === "unit") {
    await Deno.remove(new URL(".out/unit.xml", REPO_ROOT)).catch(() => {});
    const code = await run(Deno.execPath(), [
      "test",
      ...UNIT_PERMISSIONS,
      "--junit-path=.out/unit.xml",
      ...unitPaths,
    ]);
    add(await readCounts("unit", ".out/unit.xml", code));
  }
  // Whole runs only: a run narrowed to test files is about those files. `--only fuzz [target...]` runs it alone.
  if ((only === undefined && positionals.length === 0) || only === "fuzz") {
    if (Deno.build.os === "windows") {
      console.error("fuzz: skipped on Windows (libFuzzer targets are built and run on Linux; see scripts/fuzz.sh)");
    } else {
      await Deno.remove(new URL(".out/fuzz.xml", REPO_ROOT)).catch(() => {});
      const code = await run("bash", ["scripts/fuzz.sh", ...(only === "fuzz" ? positionals : [])], {
        FUZZ_JUNIT: ".out/fuzz.xml",
      });
      add(await readCounts("fuzz (libFuzzer + ASan/UBSan)", ".out/fuzz.xml", code));
    }
  }
  if (only === undefined || only === "wine") {
    await Deno.remove(new URL(".out/integration.xml", REPO_ROOT)).catch(() => {});
    const code = await runWindowsDeno(
      ["test", "--cached-only", "--no-check", ...WINE_PERMISSIONS, "--junit-path=.out/integration.xml", ...winePaths],
      Deno.build.os === "windows" ? {} : { BED_WINE: "1" },
      INTEGRATION_TIMEOUT_MS,
    );
    add(await readCounts("integration (real BITS)", ".out/integration.xml", code));
  }
  // Whole runs only (on Linux, where the bed and Debian's Chromium are); `--only browser [files]` runs it alone.
  if ((only === undefined && positionals.length === 0) || only === "browser") {
    if (Deno.build.os === "windows") {
      console.error("browser: skipped on Windows (the tests drive Debian's Chromium against the bed)");
    } else {
      await Deno.remove(new URL(".out/browser.xml", REPO_ROOT)).catch(() => {});
      await ensureChromium();
      const code = await run(Deno.execPath(), [
        "test",
        ...BROWSER_PERMISSIONS,
        "--junit-path=.out/browser.xml",
        ...(only === "browser" && positionals.length > 0 ? positionals : ["tests/browser/"]),
      ]);
      add(await readCounts("browser (Chromium, real BITS)", ".out/browser.xml", code));
    }
  }
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  return totals.failed === 0 && totals.passed > 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());

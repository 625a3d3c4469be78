/**
 * Measurement 5b: the CPU time of watching the whole queue.
 *
 * **Child mode** (what bench/measure.ts and the driver below spawn): runs
 * what `cli.ts watch --all --json` runs (watch() over the whole queue, 1 s
 * poll with the default idle tier, callbacks, every event printed as a JSON
 * line), measuring its own CPU time with `process.cpuUsage()` from one second
 * after its first poll for `seconds`, then printing `{"cpuMs", "wallMs",
 * "events", "calls"}` as its last line (`calls`: the shim calls made in the
 * window, by kind, to count COM round trips). With `--uniform` it polls every
 * job every second (`idlePollInterval: 1000`, as before the idle tier); with
 * `--idle` it only waits (an idle deno.exe); with `--dashboard` it serves
 * `serveDashboard()` (its own watch, 1 s poll, no callbacks) with one page's
 * event stream open, read in the same process (so the page's share is
 * counted against the dashboard).
 *
 * **Driver mode** (`--compare`, what `deno task bench --only watch-cpu`
 * runs): creates `--jobs` suspended jobs (default 50), runs in one window the
 * tiered watch, the uniform watch, the dashboard with one open page, an idle deno.exe and the C reference
 * (`bits_ref.exe idle-poll`: the whole queue read every second), cancels the
 * jobs (all SUSPENDED), and prints the four CPU shares as its last line.
 *
 * Under Wine, GetProcessTimes of another process leaves out most of its
 * threads (docs/performance.md), so each process measures itself: Deno reads
 * GetProcessTimes(GetCurrentProcess()), which Wine answers with times() for
 * the whole process.
 *
 * Usage:
 *   deno run --allow-ffi --allow-read --allow-env=BITS_SHIM_PATH --allow-net=127.0.0.1 bench/watch_cpu.ts <seconds> [--idle | --uniform | --dashboard]
 *   deno run --allow-ffi --allow-read --allow-write --allow-run bench/watch_cpu.ts --compare <seconds> [--jobs N]
 *
 * @module
 */

import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { connect, watch } from "@deno-bits/bits";
import { serveDashboard } from "@deno-bits/bits/dashboard";
import { onShimCall } from "./shim_tap.ts";
import { cancelSuspendedJobs } from "./cleanup.ts";

const REF_EXE = fileURLToPath(new URL("./build/bits_ref.exe", import.meta.url));
const REMOTE = "http://127.0.0.1:9/x";
const CHILD_FLAGS = [
  "run",
  "--cached-only",
  "--no-check",
  "--allow-ffi",
  "--allow-read",
  "--allow-env=BITS_SHIM_PATH",
  "--allow-net=127.0.0.1",
];

/** Shim calls of the window, by kind: what they cost in COM round trips is in docs/performance.md. */
export interface WatchCalls {
  /** `bits_job_snapshot`, or a job read by `bits_manager_read_queue`: one job read, 6 round trips. */
  snapshot: number;
  /** `bits_manager_enum_jobs` with capacity 0: the queue counted, 3 round trips. */
  count: number;
  /** `bits_manager_enum_jobs` with room for the queue, or `bits_manager_read_queue`: a full read's enumeration, 4 round trips. */
  enumerate: number;
  /** Jobs read by `bits_jobs_progress` (the idle tier's light read): 2 round trips each. */
  light: number;
  /** `bits_watcher_drain`: a wait for callbacks (no round trip). */
  drain: number;
}

/** What one child prints last. */
export interface ChildResult {
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly events: number;
  readonly calls: WatchCalls;
}

/** No shim calls: the start of every count, and the idle child's calls. */
const ZERO_CALLS: Readonly<WatchCalls> = { snapshot: 0, count: 0, enumerate: 0, light: 0, drain: 0 };

/** Counts the shim calls the watch makes (seen through bench/shim_tap.ts; the calls still go to BITS). */
function countCalls(): WatchCalls {
  const calls: WatchCalls = { ...ZERO_CALLS };
  onShimCall((name, args) => {
    switch (name) {
      case "bits_job_snapshot":
        calls.snapshot++;
        return;
      case "bits_manager_enum_jobs":
        if (args[3] === 0) calls.count++;
        else calls.enumerate++;
        return;
      case "bits_watcher_drain":
        calls.drain++;
        return;
      case "bits_jobs_progress":
        calls.light += args[1] as number;
        return;
      case "bits_manager_read_queue":
        // A whole-queue read in one call: an enumeration plus a snapshot per job (the count field of its buffer).
        return (hr) => {
          if (hr !== 0) return;
          const buffer = args[2] as Uint8Array;
          calls.enumerate++;
          calls.snapshot += new DataView(buffer.buffer, buffer.byteOffset).getUint32(8, true);
        };
    }
  });
  return calls;
}

/**
 * One measuring window of `seconds` in this process: its CPU and wall time, the events `events()` counted and the
 * shim calls `counted` saw meanwhile (none when nothing is counted: the idle child).
 */
async function measureWindow(seconds: number, events: () => number, counted?: WatchCalls): Promise<ChildResult> {
  const before = { ...(counted ?? ZERO_CALLS) };
  const eventsBefore = events();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const after = counted ?? ZERO_CALLS;
  const calls: WatchCalls = {
    snapshot: after.snapshot - before.snapshot,
    count: after.count - before.count,
    enumerate: after.enumerate - before.enumerate,
    light: after.light - before.light,
    drain: after.drain - before.drain,
  };
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, events: events() - eventsBefore, calls };
}

/** The dashboard over the whole queue with one page's event stream open; the same window as the watch children. */
async function dashboardChild(seconds: number): Promise<void> {
  using bits = await connect();
  const counted = countCalls();
  await using dashboard = await serveDashboard(bits, { pollInterval: 1000 });
  const url = new URL(dashboard.url);
  const page = await fetch(`${url.origin}/events?token=${url.searchParams.get("token")}`);
  let events = 0;
  let first: () => void = () => {};
  const firstJobs = new Promise<void>((resolve) => first = resolve);
  const reading = (async (): Promise<void> => {
    for await (const chunk of page.body!.pipeThrough(new TextDecoderStream())) {
      events += chunk.split("\n\n").length - 1;
      if (chunk.includes("event: jobs")) first();
    }
  })().catch(() => {});
  await firstJobs;
  // The first reading of every job (files included) happens now; the window starts once it has settled.
  console.log(JSON.stringify({ serving: true }));
  await new Promise((r) => setTimeout(r, 3000));
  const result = await measureWindow(seconds, () => events, counted);
  await dashboard.close();
  await reading;
  console.log(JSON.stringify(result));
}

async function child(seconds: number, idle: boolean, uniform: boolean): Promise<void> {
  if (idle) {
    await new Promise((r) => setTimeout(r, 1000));
    console.log(JSON.stringify(await measureWindow(seconds, () => 0)));
    return;
  }
  const stop = new AbortController();
  let events = 0;
  const bits = await connect();
  const counted = countCalls();
  let first: () => void = () => {};
  const firstPoll = new Promise<void>((resolve) => first = resolve);
  const options = { pollInterval: 1000, signal: stop.signal, ...(uniform ? { idlePollInterval: 1000 } : {}) };
  const consuming = (async (): Promise<void> => {
    for await (const event of watch(bits, options)) {
      events++;
      console.log(JSON.stringify(event));
      first();
    }
  })();
  await firstPoll;
  await new Promise((r) => setTimeout(r, 1000));
  const result = await measureWindow(seconds, () => events, counted);
  stop.abort();
  await consuming;
  bits.close();
  console.log(JSON.stringify(result));
}

/** A deno.exe child running this file; resolves its first line (the first poll) and its last (the result). */
function spawnChild(args: string[]): { first: Promise<void>; last: Promise<string>; child: Deno.ChildProcess } {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...CHILD_FLAGS, fileURLToPath(import.meta.url), ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  let resolveFirst: () => void = () => {};
  const first = new Promise<void>((resolve) => resolveFirst = resolve);
  const last = (async (): Promise<string> => {
    let buffer = "";
    let lastLine = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        if (line.trim()) lastLine = line;
        resolveFirst();
      }
    }
    if (buffer.trim()) lastLine = buffer;
    resolveFirst();
    return lastLine;
  })();
  return { first, last, child };
}

/** The driver's result: CPU shares (% of one core) in one window. */
export interface CompareResult {
  readonly seconds: number;
  readonly queueJobs: number;
  readonly tieredPct: number;
  readonly uniformPct: number;
  readonly idleDenoPct: number;
  readonly refPct: number;
  /** The dashboard with one open page (bench/watch_cpu.ts `--dashboard`). */
  readonly dashboardPct: number;
  readonly dashboard: ChildResult;
  readonly tiered: ChildResult;
  readonly uniform: ChildResult;
  readonly refPolls: number;
}

async function compare(seconds: number, jobs: number): Promise<CompareResult> {
  const prefix = `bench-cpu-${crypto.randomUUID().slice(0, 8)}`;
  const dir = await Deno.makeTempDir({ prefix: "bits-bench-cpu-" });
  const bits = await connect();
  const children: Deno.ChildProcess[] = [];
  try {
    for (let i = 0; i < jobs; i++) {
      const job = await bits.download([{ url: REMOTE, path: join(dir, `${prefix}-${i}.bin`) }], {
        displayName: `${prefix}-${i}`,
        description: `deno-bits benchmark job ${i}`,
        suspended: true,
      });
      job.dispose();
    }
    const queueJobs = (await bits.listJobs()).length;
    const tiered = spawnChild([String(seconds)]);
    const uniform = spawnChild([String(seconds), "--uniform"]);
    const idle = spawnChild([String(seconds), "--idle"]);
    const board = spawnChild([String(seconds), "--dashboard"]);
    children.push(tiered.child, uniform.child, idle.child, board.child);
    await Promise.all([tiered.first, uniform.first, board.first]);
    // The children start their window a second after their first poll; the reference starts now.
    const ref = new Deno.Command(REF_EXE, {
      args: ["idle-poll", String(seconds), "1000"],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const [refOutput, ...statuses] = await Promise.all([ref, ...children.map((c) => c.status)]);
    if (refOutput.code !== 0 || statuses.some((s) => !s.success)) throw new Error("a measuring process failed");
    const refResult = JSON.parse(new TextDecoder().decode(refOutput.stdout).trim().split("\n").at(-1) ?? "");
    const [t, u, d, b] = await Promise.all([tiered.last, uniform.last, idle.last, board.last]).then((lines) =>
      lines.map((line) => JSON.parse(line) as ChildResult)
    );
    const pct = (r: { cpuMs: number; wallMs: number }): number => (100 * r.cpuMs) / r.wallMs;
    return {
      seconds,
      queueJobs,
      tieredPct: pct(t),
      uniformPct: pct(u),
      idleDenoPct: pct(d),
      refPct: (100 * refResult.cpu_ms) / refResult.wall_ms,
      dashboardPct: pct(b),
      dashboard: b,
      tiered: t,
      uniform: u,
      refPolls: refResult.poll_us?.length ?? 0,
    };
  } finally {
    for (const c of children) {
      try {
        c.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await c.status.catch(() => {});
    }
    // Every job of this run is SUSPENDED: nothing resumes them.
    await cancelSuspendedJobs(bits, prefix);
    bits.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  try {
    if (Deno.args[0] === "--compare") {
      const seconds = Number(Deno.args[1]);
      const at = Deno.args.indexOf("--jobs");
      const jobs = at >= 0 ? Number(Deno.args[at + 1]) : 50;
      console.log(JSON.stringify(await compare(seconds, jobs)));
    } else if (Deno.args.includes("--dashboard")) {
      await dashboardChild(Number(Deno.args[0]));
    } else {
      await child(Number(Deno.args[0]), Deno.args.includes("--idle"), Deno.args.includes("--uniform"));
    }
  } catch (error) {
    // An explicit exit code: under Wine an uncaught error after some FFI/COM work was seen to exit 0.
    console.error("bench: watch_cpu.ts failed:", error);
    Deno.exit(1);
  }
}

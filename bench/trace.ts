/**
 * Counts real RPC round trips under Wine: runs `bench/trace_ops.ts` in the
 * bed with `WINEDEBUG=+rpc` and counts the `I_RpcSendReceive` trace lines
 * (one per RPC a client sends: COM method calls, proxy releases, activation)
 * between the markers trace_ops.ts writes around each operation.
 *
 * Linux only: Windows has no such trace; there the counted COM calls of
 * bench/measure.ts stand alone.
 *
 * @module
 */

import type { TracedTrips } from "./report.ts";
import { MARK } from "./trace_ops.ts";

/** How the caller runs a script with the Windows Deno and captures stderr. */
export type ScriptRunner = (
  script: string,
  args: readonly string[],
  env: Record<string, string>,
) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Jobs in the queue while tracing (a small queue keeps the trace short). */
export const TRACE_JOBS = 20;

const RPC_LINE = /:trace:rpc:I_RpcSendReceive\b/;

/** Counts RPC trace lines between `@@bench-trace begin X` and `@@bench-trace end X`, by X. */
export function countBetweenMarkers(stderr: string): Map<string, number> {
  const counts = new Map<string, number>();
  let current: string | null = null;
  for (const line of stderr.split("\n")) {
    const marker = line.indexOf(MARK);
    if (marker >= 0) {
      const [what, ...name] = line.slice(marker + MARK.length).trim().split(" ");
      current = what === "begin" ? name.join(" ") : null;
      if (current !== null) counts.set(current, 0);
      continue;
    }
    if (current !== null && RPC_LINE.test(line)) counts.set(current, (counts.get(current) ?? 0) + 1);
  }
  return counts;
}

/** Turns marker counts into per-operation rows (reference counts as differences of 11 and 1 repetitions). */
export function tracedRows(counts: ReadonlyMap<string, number>, jobs: number): TracedTrips[] {
  const get = (name: string): number | null => counts.get(name) ?? null;
  const diff = (many: string, one: string, times: number): number | null => {
    const a = get(many);
    const b = get(one);
    return a === null || b === null ? null : (a - b) / times;
  };
  const per = (name: string, times: number): number | null => {
    const v = get(name);
    return v === null ? null : v / times;
  };
  return [
    {
      operation: "job snapshot",
      ours: per("ours snapshot x10", 10),
      ref: diff("ref snapshot x11", "ref snapshot x1", 10),
    },
    {
      operation: `list, ${jobs} jobs (enumerate + snapshots + releases)`,
      ours: per("ours list x1", 1),
      ref: diff("ref list x2", "ref list x1", 1),
    },
    {
      operation: "create a suspended 1-file job",
      ours: per("ours create x1", 1),
      ref: diff("ref create x11", "ref create x1", 10),
    },
    {
      operation: "create + cancel (our default cancel)",
      ours: per("ours create-cancel x1", 1),
      ref: diff("ref create-cancel x11", "ref create-cancel x1", 10),
    },
    {
      operation: "create + cancel({ force: true })",
      ours: per("ours create-cancel-force x1", 1),
      ref: diff("ref create-cancel x11", "ref create-cancel x1", 10),
    },
  ];
}

/** Runs the traced operations; null (with a message) when the run fails. */
export async function traceOperations(run: ScriptRunner): Promise<{ jobs: number; rows: TracedTrips[] } | null> {
  console.error(`bench: counting RPC round trips in Wine's +rpc trace (${TRACE_JOBS} jobs)`);
  const result = await run("bench/trace_ops.ts", [String(TRACE_JOBS)], { BED_WINEDEBUG: "+rpc", BED_QUIET: "1" });
  if (result.code !== 0) {
    const tail = result.stderr.split("\n").filter((l) => !l.includes(":trace:")).slice(-15).join("\n");
    console.error(`bench: the trace run failed (exit ${result.code}); no traced counts.\n${tail}`);
    return null;
  }
  const counts = countBetweenMarkers(result.stderr);
  if (counts.size === 0) {
    console.error("bench: the trace run printed no markers; no traced counts");
    return null;
  }
  return { jobs: TRACE_JOBS, rows: tracedRows(counts, TRACE_JOBS) };
}

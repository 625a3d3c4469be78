/**
 * Where the CPU went during a measured interval, read from Linux's /proc:
 * under the Wine bed, the Windows deno.exe sees the namespace's /proc as
 * `Z:\proc` (every Wine process of the bed, with its command line), and
 * `/proc/stat` and `/proc/pressure/*` are the whole machine's. So one
 * reading at the start and one at the end of a transfer tell how much CPU
 * BITS (svchost), wineserver, the content server and the measuring process
 * used, how busy the machine was outside the bed (other work on the host),
 * and how long tasks waited for a CPU or for the disk (pressure stall
 * information). Natively on Windows there is no /proc: {@linkcode ProcLoad.open}
 * returns undefined and the rows say so.
 *
 * @module
 */

/** Which process a /proc entry is, by its command line. */
export type ProcRole = "bits" | "wineserver" | "server" | "watch" | "self" | "bed";

/** The measuring side's processes, by a piece of their command lines: the content server, the watcher, itself. */
export interface ProcMarkers {
  /** The content server (bench/serve.ts). */
  readonly server: string;
  /** The watcher process (bench/watch_child.ts). */
  readonly watch: string;
  /** The measuring process. */
  readonly self: string;
}

/** A reading of /proc at one moment. */
export interface ProcReading {
  /** `Date.now()` at the reading. */
  readonly at: number;
  /** Machine-wide busy and idle clock ticks (all CPUs) and steal ticks, from /proc/stat. */
  readonly busy: number;
  readonly idle: number;
  readonly steal: number;
  /** Pressure stall totals (µs): some task waiting for a CPU; some / all tasks waiting for I/O. */
  readonly cpuSome: number | null;
  readonly ioSome: number | null;
  readonly ioFull: number | null;
  /** Dirty and under-writeback page-cache pages (/proc/vmstat). */
  readonly dirtyPages: number;
  /** CPU ticks (user + system) of each bed process, by pid. */
  readonly processes: ReadonlyMap<number, { readonly role: ProcRole; readonly ticks: number }>;
}

/** CPU use and stalls between two readings. */
export interface ProcDelta {
  /** Seconds between the readings. */
  readonly seconds: number;
  /**
   * CPU time as a percentage of one core over the interval, by role.
   * `outside`: the machine's busy time (/proc/stat) minus the bed's, at
   * least 0; a lower bound, since /proc/stat samples per clock tick and
   * misses short bursts (in a quiet download the bed's own ticks came to
   * about 95 % of a core against 71 % busy in /proc/stat), so only heavy
   * outside work shows.
   */
  readonly cpuPct: Readonly<Record<ProcRole | "outside" | "total", number>>;
  /** Steal time, % of one core. */
  readonly stealPct: number;
  /** Share of the interval in which some task waited for a CPU (PSI cpu some), 0..1; null without PSI. */
  readonly cpuPressure: number | null;
  /** Share of the interval in which some task waited for I/O (PSI io some), 0..1. */
  readonly ioPressure: number | null;
  /** Dirty + writeback pages at the start, MiB. */
  readonly dirtyMiBAtStart: number;
}

/** Clock ticks per second of /proc/stat (USER_HZ; 100 on every Linux this runs on). */
const USER_HZ = 100;

/** Parses `/proc/stat`'s first line: busy (user nice system irq softirq steal excluded), idle (idle iowait), steal. */
export function parseProcStat(text: string): { busy: number; idle: number; steal: number } {
  const line = text.split("\n", 1)[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (line.split(/\s+/)[0] !== "cpu" || f.length < 8 || f.some((v) => !Number.isFinite(v))) {
    throw new Error(`not a /proc/stat cpu line: ${line}`);
  }
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

/** The `total=` of the `some` or `full` line of a /proc/pressure file. */
export function parsePressure(text: string, kind: "some" | "full"): number | null {
  const line = text.split("\n").find((l) => l.startsWith(`${kind} `));
  const match = line ? /\btotal=(\d+)/.exec(line) : null;
  return match ? Number(match[1]) : null;
}

/** utime + stime (clock ticks) of a `/proc/<pid>/stat` line (the command may hold spaces and parentheses). */
export function parsePidTicks(text: string): number {
  const fields = text.slice(text.lastIndexOf(") ") + 2).split(" ");
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error("not a /proc/<pid>/stat line");
  return ticks;
}

/** The role of a bed process by its command line (NULs already turned into spaces). */
export function roleOf(cmdline: string, markers: ProcMarkers): ProcRole {
  // Wine's BITS service (qmgr) runs in the netsvcs svchost.
  if (/svchost\.exe -k netsvcs/i.test(cmdline)) return "bits";
  if (/wineserver/.test(cmdline)) return "wineserver";
  if (cmdline.includes(markers.server)) return "server";
  if (cmdline.includes(markers.watch)) return "watch";
  if (cmdline.includes(markers.self)) return "self";
  return "bed";
}

/** Readings of /proc from the Windows Deno under Wine. */
export class ProcLoad {
  readonly #root: string;
  readonly #markers: ProcMarkers;

  private constructor(root: string, markers: ProcMarkers) {
    this.#root = root;
    this.#markers = markers;
  }

  /**
   * Opens /proc (`Z:\proc` under Wine, `/proc` on Linux), or undefined where
   * there is none (Windows).
   */
  static async open(markers: ProcMarkers): Promise<ProcLoad | undefined> {
    for (const root of Deno.build.os === "windows" ? ["Z:\\proc\\"] : ["/proc/"]) {
      try {
        parseProcStat(await Deno.readTextFile(`${root}stat`));
        return new ProcLoad(root, markers);
      } catch {
        // Not there.
      }
    }
    return undefined;
  }

  #path(...parts: string[]): string {
    return this.#root + parts.join(this.#root.endsWith("\\") ? "\\" : "/");
  }

  async #text(...parts: string[]): Promise<string | null> {
    try {
      return await Deno.readTextFile(this.#path(...parts));
    } catch {
      return null;
    }
  }

  /** Reads everything now. */
  async read(): Promise<ProcReading> {
    const at = Date.now();
    const stat = parseProcStat((await this.#text("stat")) ?? "");
    const cpu = await this.#text("pressure", "cpu");
    const io = await this.#text("pressure", "io");
    const vmstat = (await this.#text("vmstat")) ?? "";
    const page = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(vmstat)?.[1] ?? 0);
    const processes = new Map<number, { role: ProcRole; ticks: number }>();
    for await (const entry of Deno.readDir(this.#root)) {
      if (!/^\d+$/.test(entry.name)) continue;
      const [cmdline, pidStat] = await Promise.all([this.#text(entry.name, "cmdline"), this.#text(entry.name, "stat")]);
      if (cmdline === null || pidStat === null) continue; // ended in between
      const role = roleOf(cmdline.replaceAll("\0", " "), this.#markers);
      processes.set(Number(entry.name), { role, ticks: parsePidTicks(pidStat) });
    }
    return {
      at,
      ...stat,
      cpuSome: cpu === null ? null : parsePressure(cpu, "some"),
      ioSome: io === null ? null : parsePressure(io, "some"),
      ioFull: io === null ? null : parsePressure(io, "full"),
      dirtyPages: page("nr_dirty") + page("nr_writeback"),
      processes,
    };
  }
}

/** CPU use and stalls between two readings. */
export function procDelta(a: ProcReading, b: ProcReading): ProcDelta {
  const seconds = (b.at - a.at) / 1000;
  const pct = (ticks: number): number => seconds > 0 ? (100 * ticks) / USER_HZ / seconds : 0;
  const byRole: Record<ProcRole, number> = { bits: 0, wineserver: 0, server: 0, watch: 0, self: 0, bed: 0 };
  for (const [pid, now] of b.processes) {
    const before = a.processes.get(pid)?.ticks ?? 0;
    byRole[now.role] += Math.max(0, now.ticks - before);
  }
  const bedTicks = Object.values(byRole).reduce((x, y) => x + y, 0);
  const busyTicks = b.busy - a.busy;
  const pressure = (x: number | null, y: number | null): number | null =>
    x === null || y === null || seconds <= 0 ? null : (y - x) / 1e6 / seconds;
  return {
    seconds,
    cpuPct: {
      bits: pct(byRole.bits),
      wineserver: pct(byRole.wineserver),
      server: pct(byRole.server),
      watch: pct(byRole.watch),
      self: pct(byRole.self),
      bed: pct(byRole.bed),
      outside: pct(Math.max(0, busyTicks - bedTicks)),
      total: pct(busyTicks),
    },
    stealPct: pct(b.steal - a.steal),
    cpuPressure: pressure(a.cpuSome, b.cpuSome),
    ioPressure: pressure(a.ioSome, b.ioSome),
    dirtyMiBAtStart: (a.dirtyPages * 4096) / (1 << 20),
  };
}

/**
 * `kill -9` of a process a test started, as the operating system does it,
 * and a look at the Linux processes behind Wine.
 *
 * Under Wine a Windows program is a Linux process; `child.kill("SIGKILL")`
 * from a Windows Deno is TerminateProcess, which Wine turns into a polite
 * request that the process's own threads act on, not the signal a crash or
 * the OOM killer delivers. {@linkcode killHard} therefore finds the child's
 * Linux process in `/proc` and has `kill -9` sent to it (tests/support/kill9.sh,
 * run through cmd.exe because a Windows Deno cannot spawn a Unix program
 * itself: Wine hands back no process handle and Deno panics). On Windows,
 * TerminateProcess is the hard kill.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { wineVersion } from "../../mod.ts";

/** A Linux process seen in `/proc`. */
export interface LinuxProcess {
  /** Linux process id. */
  readonly pid: number;
  /** Its arguments (a Wine process shows its Windows command line: `Z:\opt\deno\deno.exe`, then the arguments). */
  readonly argv: readonly string[];
}

/** How a hard kill went. */
export interface HardKillResult {
  /** The Linux process that got SIGKILL (`null` on Windows, where TerminateProcess was used). */
  readonly linuxPid: number | null;
  /** The child's status once it ended. */
  readonly status: Deno.CommandStatus;
  /** Milliseconds from the kill to the child's end. */
  readonly elapsedMs: number;
}

const KILL9 = fileURLToPath(new URL("./kill9.sh", import.meta.url));

/** Every Linux process visible in `/proc` (in the test bed: its own PID namespace), with its arguments. */
export async function linuxProcesses(): Promise<LinuxProcess[]> {
  const found: LinuxProcess[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const argv = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).split("\0");
      // Wine pads the command line it writes over the loader's with NULs.
      while (argv.length > 0 && argv[argv.length - 1] === "") argv.pop();
      found.push({ pid: Number(entry.name), argv });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Whether the Linux process `pid` still runs (a zombie, dead and not yet reaped by its parent, does not). */
export async function linuxProcessAlive(pid: number): Promise<boolean> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    return !/^State:\s*[ZX]/m.test(status);
  } catch {
    return false;
  }
}

/** The one Linux process whose arguments include every string of `args` (throws unless exactly one matches). */
export async function linuxPidOf(args: readonly string[]): Promise<number> {
  const matches = (await linuxProcesses()).filter((p) => args.every((arg) => p.argv.includes(arg)));
  if (matches.length !== 1) {
    throw new Error(`${matches.length} Linux processes have the arguments ${JSON.stringify(args)}, not one`);
  }
  return matches[0].pid;
}

/**
 * Kills `child` the hard way and waits (at most `timeoutMs`) until its
 * parent sees it end. Under Wine, `args` picks its Linux process (see
 * {@linkcode linuxPidOf}), which gets SIGKILL and must be gone afterwards.
 */
export async function killHard(
  child: Deno.ChildProcess,
  args: readonly string[],
  timeoutMs = 10_000,
): Promise<HardKillResult> {
  let linuxPid: number | null = null;
  const started = performance.now();
  if (wineVersion() === null) {
    child.kill("SIGKILL");
  } else {
    linuxPid = await linuxPidOf(args);
    // cmd.exe cannot wait for a Unix program (Wine gives it no handle either) and its exit code means nothing:
    // the effect is checked below.
    await new Deno.Command("cmd.exe", { args: ["/c", KILL9, String(linuxPid)], stdout: "null", stderr: "null" })
      .output();
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = await Promise.race([
    child.status,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the killed process did not end within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  const elapsedMs = Math.round(performance.now() - started);
  if (linuxPid !== null && await linuxProcessAlive(linuxPid)) {
    throw new Error(`Linux process ${linuxPid} still exists after kill -9`);
  }
  return { linuxPid, status, elapsedMs };
}

/**
 * Download one file with BITS and show live progress: `bits.download()`
 * queues and resumes the job, `job.wait({ onSnapshot })` reports every
 * change, `job.complete()` hands the file over.
 *
 * ```sh
 * deno run --allow-ffi --allow-read --allow-write --allow-env=LOCALAPPDATA,BITS_SHIM_PATH examples/download_progress.ts URL DESTINATION
 * ```
 *
 * DESTINATION is a full Windows path. Progress goes to stderr (one redrawn
 * line on a terminal, a line per change otherwise); the result to stdout.
 * Ctrl+C stops watching and leaves the job to BITS. Exit codes: 0 done,
 * 1 the job failed (it is cancelled), 2 usage, 130 interrupted.
 *
 * @module
 */

import { BitsError, BitsUnavailableError, connect, type JobSnapshot } from "@deno-bits/bits";

function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** One progress line; BITS under Wine never knows the job's total, so the percentage is optional. */
function progressLine(snapshot: JobSnapshot, seconds: number): string {
  const { bytesTransferred, bytesTotal } = snapshot.progress;
  const of = bytesTotal === null
    ? ""
    : ` of ${formatBytes(bytesTotal)} (${(100 * bytesTransferred / bytesTotal || 0).toFixed(1)} %)`;
  const rate = seconds > 0 ? `, ${formatBytes(bytesTransferred / seconds)}/s` : "";
  return `${snapshot.state} ${formatBytes(bytesTransferred)}${of}${rate}`;
}

async function main([url, path]: string[]): Promise<number> {
  if (url === undefined || path === undefined) {
    console.error("usage: download_progress.ts URL DESTINATION");
    return 2;
  }
  using bits = await connect();
  using job = await bits.download([{ url, path }], { displayName: "download_progress example" });
  console.log(`job ${job.id}`);

  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  Deno.addSignalListener("SIGINT", onSigint);
  const terminal = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  const started = Date.now();
  try {
    await job.wait({
      interval: 250,
      signal: interrupt.signal,
      onSnapshot: (snapshot) => {
        const line = progressLine(snapshot, (Date.now() - started) / 1000);
        Deno.stderr.writeSync(encoder.encode(terminal ? `\r\x1b[2K${line}` : `${line}\n`));
      },
    });
  } catch (error) {
    if (terminal) Deno.stderr.writeSync(encoder.encode("\n"));
    if (interrupt.signal.aborted) {
      console.error(`interrupted: job ${job.id} stays queued in BITS`);
      return 130;
    }
    if (!(error instanceof BitsError)) throw error;
    // The job is in ERROR, not transferring, so cancelling it is safe everywhere.
    console.error(`failed: ${error.code} (${error.context ?? "no context"}): ${error.message}`);
    await job.cancel();
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
  if (terminal) Deno.stderr.writeSync(encoder.encode("\n"));
  const outcome = await job.complete();
  const { size } = await Deno.stat(path);
  console.log(`${outcome}: ${path} (${size} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return outcome === "completed" ? 0 : 1;
}

Deno.exitCode = await main(Deno.args).catch((error) => {
  // Off Windows, or without a permission the shim needs: one line that says why, nothing was done.
  if (!(error instanceof BitsUnavailableError)) throw error;
  console.error(error.message);
  return 1;
});

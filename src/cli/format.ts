/**
 * Human-readable formatting for the CLI: sizes, rates, progress details, tables.
 * Pure functions, so they are tested anywhere.
 *
 * @module
 */

import type { JobFile, JobSnapshot } from "../types.ts";
import { displayWidth, padEndDisplay } from "./display_width.ts";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** Formats a byte count with binary units: `5.0 MiB`, `812 B`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * The total size of a job: BITS' own figure, else the sum of its files'
 * sizes when every file's size is known (Wine never fills in the job total).
 */
export function knownTotal(snapshot: JobSnapshot, files?: readonly JobFile[]): number | null {
  if (snapshot.progress.bytesTotal !== null) return snapshot.progress.bytesTotal;
  return files ? filesTotal(files) : null;
}

/** The sum of the files' sizes, or `null` when there are none or any size is still unknown. */
export function filesTotal(files: readonly JobFile[]): number | null {
  if (!files.length || files.some((f) => f.bytesTotal === null)) return null;
  return files.reduce((sum, f) => sum + (f.bytesTotal ?? 0), 0);
}

/** Measures a transfer rate over the last few seconds of byte counts. */
export class RateMeter {
  #samples: { at: number; bytes: number }[] = [];

  /** Records `bytes` transferred at `at` (ms) and returns bytes per second, once 0.2 s of samples exist. */
  sample(at: number, bytes: number): number | undefined {
    this.#samples.push({ at, bytes });
    while (this.#samples.length > 2 && at - this.#samples[0].at > 3000) this.#samples.shift();
    const first = this.#samples[0];
    const seconds = (at - first.at) / 1000;
    return seconds > 0.2 ? (bytes - first.bytes) / seconds : undefined;
  }
}

/** Formats a duration in seconds as `45s`, `3m05s` or `2h07m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * Bytes done (of the total with a percentage, when known), then the rate and
 * the ETA when known: `2.5 MiB / 5.0 MiB  50%  1.2 MiB/s  ETA 2s`.
 */
export function progressDetail(done: number, total: number | null | undefined, bytesPerSecond?: number): string {
  const parts: string[] = [];
  if (total !== null && total !== undefined && total > 0) {
    parts.push(`${formatBytes(done)} / ${formatBytes(total)}`, `${Math.min(100, Math.floor((done / total) * 100))}%`);
  } else {
    parts.push(formatBytes(done));
  }
  if (bytesPerSecond !== undefined && bytesPerSecond > 0) {
    parts.push(`${formatBytes(bytesPerSecond)}/s`);
    if (total !== null && total !== undefined && total > done) {
      parts.push(`ETA ${formatDuration((total - done) / bytesPerSecond)}`);
    }
  }
  return parts.join("  ");
}

/**
 * Formats rows as left-aligned columns separated by two spaces, aligned by
 * display width (a CJK or emoji job name takes two columns a character).
 */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell)));
  return rows.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : padEndDisplay(cell, widths[i])).join("  ")
  )
    .join("\n");
}

/** A time for people: local `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${
    p(date.getMinutes())
  }:${p(date.getSeconds())}`;
}

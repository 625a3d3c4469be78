/**
 * The CLI's one progress renderer, for `wait`, `download --wait`,
 * `wmp finish --wait` (one job) and `watch` (one row per job): on a
 * terminal, the rows are redrawn in place (at most ~10 times a second, or at
 * once on a change of state), each cut to the terminal's width so none
 * wraps; elsewhere, one plain line per change of state, so logs and pipes
 * stay readable.
 *
 * @module
 */

import type { JobFile, JobSnapshot } from "../types.ts";
import { displayWidth } from "./display_width.ts";
import { knownTotal, progressDetail, RateMeter } from "./format.ts";

const REDRAW_MS = 100;
const ESC = "\x1b[";

/** What one row shows. */
export interface ProgressRow {
  /** The job's display name. */
  readonly name: string;
  /** Its state (or `REMOVED`). */
  readonly state: string;
  /** Bytes transferred. */
  readonly done: number;
  /** Bytes in all, when known. */
  readonly total: number | null;
  /** Files transferred and in all, when known. */
  readonly files?: { readonly transferred: number; readonly total: number };
}

/** A bar of `width` cells for `done` of `total`. */
export function bar(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.min(width, Math.floor((done / total) * width)) : 0;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

/** `text` cut to `width` display columns. */
function fit(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  for (const char of text) {
    if (displayWidth(out + char) > width - 1) break;
    out += char;
  }
  return `${out}…`;
}

/**
 * One row as text: state, bytes (of the total, with a percentage), rate and
 * ETA, files, name; with `barWidth`, a bar after the state when the total is known.
 */
export function rowText(row: ProgressRow, bytesPerSecond?: number, barWidth = 0): string {
  const parts = [row.state.padEnd(15)];
  if (barWidth > 0 && row.total) parts.push(bar(row.done, row.total, barWidth));
  parts.push(progressDetail(row.done, row.total, bytesPerSecond));
  if (row.files) parts.push(`files ${row.files.transferred}/${row.files.total}`);
  parts.push(row.name);
  return parts.join("  ");
}

/** Draws the progress of one or more jobs on stderr. */
export class ProgressBoard {
  readonly #write: (text: string) => void;
  readonly #live: boolean;
  readonly #columns: number;
  readonly #rows = new Map<string, { row: ProgressRow; rate: RateMeter; bytesPerSecond?: number }>();
  #drawnLines = 0;
  #lastDraw = 0;

  /** `live`: redraw in place (stderr is a terminal) `columns` wide. */
  constructor(write: (text: string) => void, live: boolean, columns = 80) {
    this.#write = write;
    this.#live = live;
    this.#columns = columns;
  }

  /** Records a job's row (`at`: when, in ms) and draws what changed. */
  update(id: string, row: ProgressRow, at = Date.now()): void {
    let entry = this.#rows.get(id);
    const changed = entry === undefined || entry.row.state !== row.state;
    if (!entry) {
      entry = { row, rate: new RateMeter() };
      this.#rows.set(id, entry);
    }
    entry.row = row;
    entry.bytesPerSecond = entry.rate.sample(at, row.done);
    if (!this.#live) {
      if (changed) this.#write(rowText(row, entry.bytesPerSecond) + "\n");
      return;
    }
    if (!changed && at - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = at;
    this.#redraw();
  }

  #redraw(): void {
    // Back to the first row drawn, then each row over its old line.
    let text = this.#drawnLines > 1 ? `${ESC}${this.#drawnLines - 1}A` : "";
    text += "\r";
    const barWidth = Math.max(0, Math.min(30, this.#columns - 90));
    const lines = [...this.#rows.values()].map(({ row, bytesPerSecond }) =>
      `${ESC}2K${fit(rowText(row, bytesPerSecond, barWidth), this.#columns - 1)}`
    );
    this.#write(text + lines.join("\n"));
    this.#drawnLines = lines.length;
  }

  /** Ends the live rows so later output starts on a fresh line. */
  finish(): void {
    if (this.#live && this.#drawnLines > 0) this.#write("\n");
    this.#drawnLines = 0;
  }
}

/** A job's snapshot as a row (the files give a total when BITS has none, as on Wine). */
export function snapshotRow(snapshot: JobSnapshot, files?: readonly JobFile[]): ProgressRow {
  return {
    name: snapshot.displayName,
    state: snapshot.state,
    done: snapshot.progress.bytesTransferred,
    total: knownTotal(snapshot, files),
    files: { transferred: snapshot.progress.filesTransferred, total: snapshot.progress.filesTotal },
  };
}

/** One job's progress while it is waited for: a {@linkcode ProgressBoard} with one row. */
export class ProgressReporter {
  readonly #board: ProgressBoard;

  /** `live`: redraw the row in place (stderr is a terminal) `columns` wide. */
  constructor(write: (text: string) => void, live: boolean, columns?: number) {
    this.#board = new ProgressBoard(write, live, columns);
  }

  /** Records a snapshot (and the job's files, for a total when BITS has none). */
  update(snapshot: JobSnapshot, files?: readonly JobFile[]): void {
    this.#board.update(snapshot.id, snapshotRow(snapshot, files));
  }

  /** Ends the live row so later output starts on a fresh line. */
  finish(): void {
    this.#board.finish();
  }
}

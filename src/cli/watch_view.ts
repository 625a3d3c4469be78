/**
 * How `bits watch` shows events: live rows on a terminal (the CLI's one
 * progress renderer, `progress.ts`: a row per job), one plain line per
 * change otherwise, or NDJSON on stdout with `--json`.
 *
 * @module
 */

import { formatHresult } from "../hresult.ts";
import type { WatchEvent } from "../watch/events.ts";
import { formatBytes } from "./format.ts";
import type { ProgressBoard, ProgressRow } from "./progress.ts";

/** Receives every watch event; `close` restores the terminal. */
export interface WatchView {
  /** Shows one event. */
  show(event: WatchEvent): void;
  /** Ends the display. */
  close(): void;
}

/** One NDJSON line for an event, with `"version": 1`. */
export function eventJson(event: WatchEvent): string {
  return JSON.stringify({
    version: 1,
    kind: event.kind,
    source: event.source,
    jobId: event.jobId,
    at: new Date(event.at).toISOString(),
    ...(event.state ? { state: event.state } : {}),
    ...(event.previousState ? { previousState: event.previousState } : {}),
    ...(event.progress ? { progress: event.progress } : {}),
    ...(event.file ? { file: event.file } : {}),
    ...(event.error
      ? {
        error: {
          code: event.error.code,
          hresult: formatHresult(event.error.hresult),
          context: event.error.context,
          message: event.error.message,
        },
      }
      : {}),
  });
}

/** One plain line for an event that matters to a reader of logs. */
export function eventLine(event: WatchEvent, name = ""): string | undefined {
  const who = `${event.jobId}${name ? ` ${name}` : ""}`;
  switch (event.kind) {
    case "state":
      return `${who}: ${event.previousState ? `${event.previousState} -> ` : ""}${event.state}${
        event.progress ? ` (${formatBytes(event.progress.bytesTransferred)})` : ""
      } [${event.source}]`;
    case "error":
      return `${who}: error ${event.error?.message ?? ""}`;
    case "file-transferred":
      return `${who}: file done ${event.file}`;
    case "removed":
      return `${who}: left the queue`;
    default:
      return undefined;
  }
}

/** NDJSON on stdout: one line per event, nothing else. */
export function jsonView(write: (text: string) => void): WatchView {
  return { show: (event) => write(eventJson(event) + "\n"), close: () => {} };
}

/** Plain lines on stderr, for logs and pipes. */
export function lineView(write: (text: string) => void, names: Map<string, string>): WatchView {
  return {
    show(event): void {
      const line = eventLine(event, names.get(event.jobId));
      if (line) write(line + "\n");
    },
    close: () => {},
  };
}

/** Live rows on a terminal's stderr, drawn by the CLI's one progress renderer. */
export function boardView(
  board: ProgressBoard,
  names: Map<string, string>,
  totals: (jobId: string) => number | null,
): WatchView {
  const last = new Map<string, ProgressRow>();
  return {
    show(event): void {
      const before = last.get(event.jobId);
      if (event.kind === "removed") {
        if (before) board.update(event.jobId, { ...before, state: "REMOVED" }, event.at);
        return;
      }
      const row: ProgressRow = {
        name: names.get(event.jobId) ?? event.jobId,
        state: event.state ?? before?.state ?? "",
        done: event.progress?.bytesTransferred ?? before?.done ?? 0,
        total: event.progress?.bytesTotal ?? totals(event.jobId),
        ...(event.progress
          ? { files: { transferred: event.progress.filesTransferred, total: event.progress.filesTotal } }
          : before?.files
          ? { files: before.files }
          : {}),
      };
      last.set(event.jobId, row);
      board.update(event.jobId, row, event.at);
    },
    close: () => board.finish(),
  };
}

/**
 * How `bits watch` shows events: live bars on a terminal (cli-progress, one
 * line per job, at most 10 redraws a second), one plain line per change
 * otherwise, or NDJSON on stdout with `--json`.
 *
 * @module
 */

// @ts-types="@types/cli-progress"
import cliProgress from "cli-progress";
import process from "node:process";
import { formatHresult } from "../hresult.ts";
import type { WatchEvent } from "../watch/events.ts";
import { formatBytes, progressDetail, RateMeter } from "./format.ts";

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

interface BarState {
  bar: cliProgress.SingleBar;
  rate: RateMeter;
}

/** Live bars on a terminal's stderr: name, state, bytes and percent, rate, ETA. */
export function barView(names: Map<string, string>, totals: (jobId: string) => number | null): WatchView {
  // name 20 + state 15 + detail up to 44 + separators: the bar takes what is left of the line,
  // so no line wraps (a wrapped line breaks in-place redrawing).
  const columns = process.stderr.columns || 80;
  const multi = new cliProgress.MultiBar({
    stream: process.stderr,
    fps: 10,
    barsize: Math.max(8, Math.min(40, columns - 84)),
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    format: (options, params, payload) => {
      const bar = cliProgress.Format.BarFormat(params.progress, options);
      return `${payload.name.padEnd(20).slice(0, 20)} ${payload.state.padEnd(15)} ${bar} ${payload.detail}`;
    },
  }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, BarState>();
  return {
    show(event): void {
      let state = bars.get(event.jobId);
      if (event.kind === "removed") {
        state?.bar.update({ state: "REMOVED", detail: "" });
        return;
      }
      const total = event.progress?.bytesTotal ?? totals(event.jobId);
      if (!state) {
        state = {
          bar: multi.create(total ?? 1, 0, { name: names.get(event.jobId) ?? event.jobId, state: "", detail: "" }),
          rate: new RateMeter(),
        };
        bars.set(event.jobId, state);
      }
      const done = event.progress?.bytesTransferred ?? 0;
      const rate = state.rate.sample(event.at, done);
      if (total) state.bar.setTotal(total);
      state.bar.update(total ? done : 0, {
        state: event.state ?? "",
        detail: progressDetail(done, total, rate),
      });
    },
    close: () => multi.stop(),
  };
}

/**
 * Live progress on stderr while the CLI waits: one line redrawn in place on a
 * terminal (at most ~10 times a second), one plain line per state change
 * otherwise, so logs and pipes stay readable.
 *
 * @module
 */

import type { JobFile, JobSnapshot } from "../types.ts";
import { knownTotal, progressLine, RateMeter } from "./format.ts";

const REDRAW_MS = 100;

/** Draws a job's progress while it is being waited for. */
export class ProgressReporter {
  readonly #write: (text: string) => void;
  readonly #live: boolean;
  #lastState = "";
  #lastDraw = 0;
  #drawn = false;
  readonly #rate = new RateMeter();

  /** `live`: redraw one line in place (stderr is a terminal). */
  constructor(write: (text: string) => void, live: boolean) {
    this.#write = write;
    this.#live = live;
  }

  /** Records a snapshot (and the job's files, for a total when BITS has none). */
  update(snapshot: JobSnapshot, files?: readonly JobFile[]): void {
    const now = Date.now();
    const line = progressLine(snapshot, {
      total: knownTotal(snapshot, files),
      bytesPerSecond: this.#rate.sample(now, snapshot.progress.bytesTransferred),
    });
    if (this.#live) {
      if (now - this.#lastDraw < REDRAW_MS && snapshot.state === this.#lastState) return;
      this.#write(`\r\x1b[2K${line}`);
      this.#drawn = true;
    } else if (snapshot.state !== this.#lastState) {
      this.#write(line + "\n");
    }
    this.#lastDraw = now;
    this.#lastState = snapshot.state;
  }

  /** Ends the live line so later output starts on a fresh line. */
  finish(): void {
    if (this.#live && this.#drawn) this.#write("\n");
    this.#drawn = false;
  }
}

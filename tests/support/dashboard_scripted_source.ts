/**
 * A scripted {@linkcode DashboardSource} for the dashboard's HTTP and security
 * unit tests ONLY: it stands in for the queue so those tests can check
 * status codes, headers and the event stream on Linux. It is not BITS and
 * no test that claims to test BITS uses it: the browser tests drive real
 * BITS under Wine (tests/browser/).
 *
 * @module
 */

import type { ActionOptions, ActionResult, DashboardAction, DashboardSource } from "../../src/dashboard/source.ts";
import type { JobFile, JobSnapshot } from "../../src/types.ts";
import type { WatchEvent } from "../../src/watch/events.ts";

/** One action the scripted source was asked for. */
export interface ScriptedCall {
  /** The job. */
  readonly id: string;
  /** The action. */
  readonly action: DashboardAction;
  /** Its options. */
  readonly options: ActionOptions;
}

/** A scripted source: push events with {@linkcode ScriptedSource.emit}; actions are recorded. */
export class ScriptedSource implements DashboardSource {
  /** Every action asked for, in order. */
  readonly calls: ScriptedCall[] = [];
  /** Files per job id. */
  readonly fileLists = new Map<string, JobFile[]>();
  /** What `act` does: by default it returns the job's snapshot with the state an action implies. */
  onAct?: (id: string, action: DashboardAction) => ActionResult | Promise<ActionResult>;
  readonly #snapshots = new Map<string, JobSnapshot>();
  #push?: (event: WatchEvent) => void;
  readonly #pending: WatchEvent[] = [];

  /** Sends a poll event for `snapshot` (the first for a job is a state event). */
  emit(snapshot: JobSnapshot, kind: WatchEvent["kind"] = "state"): void {
    this.#snapshots.set(snapshot.id, snapshot);
    this.#send({ kind, source: "poll", jobId: snapshot.id, at: Date.now(), state: snapshot.state, snapshot });
  }

  /** Sends a removal. */
  remove(id: string): void {
    this.#snapshots.delete(id);
    this.#send({ kind: "removed", source: "poll", jobId: id, at: Date.now() });
  }

  #send(event: WatchEvent): void {
    if (this.#push) this.#push(event);
    else this.#pending.push(event);
  }

  async *events(signal: AbortSignal): AsyncIterable<WatchEvent> {
    while (!signal.aborted) {
      const next = this.#pending.shift() ?? await new Promise<WatchEvent | null>((resolve) => {
        this.#push = (event) => resolve(event);
        signal.addEventListener("abort", () => resolve(null), { once: true });
      });
      this.#push = undefined;
      if (next === null) return;
      yield next;
    }
  }

  files(id: string): Promise<JobFile[]> {
    return Promise.resolve(this.fileLists.get(id) ?? []);
  }

  async act(id: string, action: DashboardAction, options: ActionOptions): Promise<ActionResult> {
    this.calls.push({ id, action, options });
    if (this.onAct) return await this.onAct(id, action);
    const snapshot = this.#snapshots.get(id);
    if (!snapshot || action === "cancel" || action === "complete") return null;
    return { ...snapshot, state: action === "suspend" ? "SUSPENDED" : action === "resume" ? "QUEUED" : snapshot.state };
  }
}

/** A job snapshot for the scripted source. */
export function scriptedJob(id: string, overrides: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    id,
    type: "DOWNLOAD",
    state: "SUSPENDED",
    displayName: `job ${id}`,
    description: "Created by deno-bits",
    progress: { bytesTotal: null, bytesTransferred: 0, filesTotal: 1, filesTransferred: 0 },
    error: null,
    ...overrides,
  };
}

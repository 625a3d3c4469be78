/**
 * What the page is sent about a job: the snapshot, file sizes, a rate and an
 * ETA, the error with its name and hint, and the WMP metadata of convention
 * jobs. URLs go out without user name, password or query values: nothing
 * secret reaches the page. Pure: tested on any OS.
 *
 * @module
 */

import { hintFor } from "../hresult.ts";
import { redactUrl } from "../probe/redact.ts";
import { FLOWING_STATES, type JobFile, type JobSnapshot, type JobState } from "../types.ts";
import { parseWmpDescription, type WmpKind, wmpKindOf } from "../wmp/codec.ts";

/** One file as the page shows it. */
export interface FileView {
  /** The remote URL, redacted. */
  readonly remote: string;
  /** The local path. */
  readonly local: string;
  /** Size, or `null` while unknown. */
  readonly bytesTotal: number | null;
  /** Bytes so far. */
  readonly bytesTransferred: number;
  /** Done. */
  readonly completed: boolean;
}

/** A job as the page shows it. */
export interface JobView {
  /** Braced GUID. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** DOWNLOAD, UPLOAD or UPLOAD_REPLY. */
  readonly type: string;
  /** Current state. */
  readonly state: JobState;
  /** Bytes so far. */
  readonly bytesTransferred: number;
  /** Total bytes: the job's, else the sum of its files' once all are known, else `null`. */
  readonly bytesTotal: number | null;
  /** Files done. */
  readonly filesTransferred: number;
  /** Files in the job. */
  readonly filesTotal: number;
  /** Bytes per second over the last readings, or `null` when not moving. */
  readonly rate: number | null;
  /** Seconds left at `rate`, or `null` when unknown. */
  readonly eta: number | null;
  /** The job's error, with its name and a hint when one is known. */
  readonly error: { code: string; description: string; context: string; hint: string | null } | null;
  /** The files, once read. */
  readonly files: readonly FileView[];
  /** WMP convention metadata, for jobs whose description follows it. */
  readonly wmp: WmpView | null;
}

/** A WMP convention job's metadata, for the Player's download-collection view. */
export interface WmpView {
  /** `job` (the Player completes it) or `status` (the Player only shows it). */
  readonly kind: WmpKind;
  /** The collection the Player groups it under; `null` when the description is malformed. */
  readonly serviceId: number | null;
  /** Store key name. */
  readonly provider: string;
  /** Track title. */
  readonly title: string;
  /** Album artist. */
  readonly albumArtist: string;
  /** Album title. */
  readonly albumTitle: string;
  /** Track number. */
  readonly trackNumber: number | null;
}

/** Speed memory of one job: last reading and a smoothed rate. */
export interface RateSample {
  /** When (ms). */
  readonly at: number;
  /** Bytes then. */
  readonly bytes: number;
  /** Smoothed bytes per second. */
  readonly rate: number | null;
}

/** The next rate sample after reading `bytes` at `at` in `state`. */
export function nextRate(previous: RateSample | undefined, bytes: number, at: number, state: JobState): RateSample {
  if (!FLOWING_STATES.has(state)) return { at, bytes, rate: null };
  if (!previous || at <= previous.at || bytes < previous.bytes) return { at, bytes, rate: previous?.rate ?? null };
  const now = (bytes - previous.bytes) / ((at - previous.at) / 1000);
  // Exponential smoothing: steady enough to read, quick to follow a change.
  const rate = previous.rate === null ? now : 0.5 * previous.rate + 0.5 * now;
  return { at, bytes, rate };
}

/** The page's view of a job. */
export function jobView(snapshot: JobSnapshot, files: readonly JobFile[] | undefined, sample?: RateSample): JobView {
  const progress = snapshot.progress;
  let total = progress.bytesTotal;
  if (total === null && files && files.length > 0 && files.every((f) => f.bytesTotal !== null)) {
    total = files.reduce((sum, f) => sum + (f.bytesTotal ?? 0), 0);
  }
  const rate = sample?.rate !== null && sample?.rate !== undefined && FLOWING_STATES.has(snapshot.state)
    ? sample.rate
    : null;
  const eta = rate !== null && rate > 0 && total !== null
    ? Math.max(0, Math.round((total - progress.bytesTransferred) / rate))
    : null;
  const error = snapshot.error === null ? null : {
    code: snapshot.error.code,
    description: snapshot.error.description,
    context: snapshot.error.context,
    hint: hintFor(snapshot.error.hresult) ?? null,
  };
  return {
    id: snapshot.id,
    name: snapshot.displayName,
    type: snapshot.type,
    state: snapshot.state,
    bytesTransferred: progress.bytesTransferred,
    bytesTotal: total,
    filesTransferred: progress.filesTransferred,
    filesTotal: progress.filesTotal,
    rate,
    eta,
    error,
    files: (files ?? []).map((f) => ({
      remote: redactUrl(f.remoteName),
      local: f.localName,
      bytesTotal: f.bytesTotal,
      bytesTransferred: f.bytesTransferred,
      completed: f.completed,
    })),
    wmp: wmpView(snapshot.description),
  };
}

function wmpView(description: string): WmpView | null {
  try {
    const meta = parseWmpDescription(description);
    if (meta === null) return null;
    const { kind, serviceId, provider, title, albumArtist, albumTitle, trackNumber } = meta;
    return { kind, serviceId, provider, title, albumArtist, albumTitle, trackNumber };
  } catch {
    // A malformed convention description still marks the job as the Player's.
    const kind = wmpKindOf(description) ?? "status";
    return { kind, serviceId: null, provider: "", title: "", albumArtist: "", albumTitle: "", trackNumber: null };
  }
}

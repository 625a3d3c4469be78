/**
 * The queue, through the manager's handle: reading every job's snapshot in
 * one call ({@linkcode QueueReader}), enumerating jobs as references, and
 * opening one by id. `BitsManager` wraps these; the watch uses them through it.
 *
 * @module
 */

import { loadShim } from "../ffi/library.ts";
import { QUEUE_WITH_TIMES } from "../ffi/symbols.ts";
import { readGrowing } from "./buffer_read.ts";
import { decodeDatedQueue, decodeQueue } from "./decode.ts";
import { InvalidArgumentError, unwrap } from "./errors.ts";
import { formatGuid, isGuid, parseGuid } from "./guid.ts";
import { OwnedHandle, pointerFromOut } from "./handle.ts";
import { readSnapshot } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";
import type { DatedJobSnapshot, JobSnapshot } from "./types.ts";

/** Options of `BitsManager.listJobs`. */
export interface ListOptions {
  /** All users' jobs (BG_JOB_ENUM_ALL_USERS; needs administrator rights on Windows). */
  readonly allUsers?: boolean;
}

const ENUM_ALL_USERS = 1;
/** The queue read's first buffer: about 40 jobs with short names; it grows to the queue's size once. */
const QUEUE_BUFFER_BYTES = 16 * 1024;

function enumFlags(options: ListOptions): number {
  return options.allUsers ? ENUM_ALL_USERS : 0;
}

/**
 * Reads the whole queue in one nonblocking call (the shim enumerates and
 * reads every job), into a buffer kept from the last read: its size is the
 * queue's high-water mark.
 */
export class QueueReader {
  readonly #manager: OwnedHandle;
  // The buffer between reads (undefined while a read holds it).
  #kept: Uint8Array | undefined;

  /** Reads through `manager`, which the caller keeps owning. */
  constructor(manager: OwnedHandle) {
    this.#manager = manager;
  }

  /** Every job's snapshot, newest first as BITS enumerates them; jobs that vanish meanwhile are skipped. */
  snapshots(options: ListOptions = {}): Promise<JobSnapshot[]> {
    return this.#read(enumFlags(options), decodeQueue);
  }

  /** {@linkcode snapshots} with each job's times (`null` where BITS lacks GetTimes). */
  datedSnapshots(options: ListOptions = {}): Promise<DatedJobSnapshot[]> {
    return this.#read(enumFlags(options) | QUEUE_WITH_TIMES, decodeDatedQueue);
  }

  /** One `bits_manager_read_queue` call (retried with a larger buffer), decoded. */
  #read<T>(flags: number, decode: (buffer: Uint8Array) => T): Promise<T> {
    return readGrowing({
      initialSize: QUEUE_BUFFER_BYTES,
      // Taken while in use, so concurrent reads never share it.
      allocate: (size: number) => {
        const kept = this.#kept;
        this.#kept = undefined;
        return {
          buffer: kept !== undefined && kept.byteLength >= size ? kept : new Uint8Array(size),
          needed: new Uint32Array(1),
        };
      },
      call: ({ buffer, needed }) =>
        this.#manager.use((manager) =>
          loadShim().symbols.bits_manager_read_queue(manager, flags >>> 0, buffer, buffer.byteLength, needed)
        ),
      // Room to spare: the queue may grow before the retry.
      grow: ({ needed }) => Math.ceil(needed[0] * 1.25) + QUEUE_BUFFER_BYTES,
      finish: (hr, { buffer }) => {
        unwrap(hr, "EnumJobs");
        return decode(buffer);
      },
      // Put back once the call has settled and the queue is decoded. A concurrent read may have
      // put back a buffer meanwhile: keep the larger.
      release: ({ buffer }) => {
        const kept = this.#kept;
        if (kept === undefined || kept.byteLength < buffer.byteLength) this.#kept = buffer;
      },
      operation: "EnumJobs (the queue keeps growing)",
    });
  }
}

/**
 * Opens a job by GUID (braces optional).
 *
 * @throws {InvalidArgumentError} when `id` is not a GUID.
 * @throws {BitsError} `BG_E_NOT_FOUND` when BITS has no such job.
 */
export async function openJob(manager: OwnedHandle, id: string): Promise<JobRef> {
  if (!isGuid(id)) throw new InvalidArgumentError("id", `Not a job id (GUID): ${JSON.stringify(id)}`);
  const guid = parseGuid(id);
  const out = new BigUint64Array(1);
  const hr = await manager.use((pointer) => loadShim().symbols.bits_manager_get_job(pointer, guid, out));
  const canonical = formatGuid(guid);
  unwrap(hr, "GetJob", { jobId: canonical });
  return { id: canonical, handle: new OwnedHandle(pointerFromOut(out, "GetJob"), `job ${canonical}`) };
}

/** Enumerates the queue and snapshots each job; the caller owns the references. */
export async function enumerateJobs(
  manager: OwnedHandle,
  options: ListOptions = {},
): Promise<{ ref: JobRef; snapshot: JobSnapshot }[]> {
  const flags = enumFlags(options);
  const handles = await readGrowing({
    // Room for a full machine queue (300 jobs by policy) on the first try.
    initialSize: 1024,
    allocate: (capacity: number) => ({ out: new BigUint64Array(capacity), count: new Uint32Array(1) }),
    call: ({ out, count }) =>
      manager.use((pointer) => loadShim().symbols.bits_manager_enum_jobs(pointer, flags, out, out.length, count)),
    // The queue outgrew the array; retry with room to spare.
    grow: ({ count }) => count[0] + 16,
    finish: (hr, { out, count }) => {
      unwrap(hr, "EnumJobs");
      return Array.from(
        out.subarray(0, count[0]),
        (address) => new OwnedHandle(pointerFromOut(BigUint64Array.of(address), "EnumJobs"), "enumerated job"),
      );
    },
    operation: "EnumJobs (the queue keeps growing)",
  });
  // One job after another, like every BITS client: many concurrent calls from one
  // process buy little (the service serialises them) and strain Wine's RPC.
  const read: { ref: JobRef; snapshot: JobSnapshot }[] = [];
  for (const handle of handles) {
    try {
      const snapshot = await readSnapshot({ id: "(enumerated)", handle });
      read.push({ ref: { id: snapshot.id, handle }, snapshot });
    } catch {
      // The job vanished between enumeration and reading.
      handle.dispose();
    }
  }
  return read;
}

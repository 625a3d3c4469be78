/**
 * The shim's symbol table: one entry per function of `bits_shim.h`, with the
 * C parameter names in comments. Every function returns an HRESULT (`i32`).
 * Calls that cross into the BITS service can block, so they are `nonblocking`
 * and run on Deno's thread pool; the shim initialises COM on each thread.
 *
 * The table is assembled from one part per header (`bits_shim.h` here,
 * `bits_properties.h`, `bits_files.h` and `bits_inspection.h` in their own
 * modules) so each stays small; it is still one table, loaded once.
 *
 * @module
 */

import { filesSymbols } from "./symbols_files.ts";
import { inspectionSymbols } from "./symbols_inspection.ts";
import { propertiesSymbols } from "./symbols_properties.ts";

/** HRESULT, signed: negative is failure. */
export const HRESULT = "i32";
/** A COM interface pointer owned by the caller (BITS_MANAGER, BITS_JOB, BITS_WATCHER, BITS_FILE). */
export const HANDLE = "pointer";
/** Caller-owned memory: input strings, GUIDs, out-parameters, result buffers. */
export const BUFFER = "buffer";

/** Symbols of `bits_shim.h`. */
const coreSymbols = {
  /** bits_shim_abi_version(uint32_t* version) */
  bits_shim_abi_version: { parameters: [BUFFER], result: HRESULT },
  /** bits_wine_version(uint16_t* buf, uint32_t cap, uint32_t* len) */
  bits_wine_version: { parameters: [BUFFER, "u32", BUFFER], result: HRESULT },
  /**
   * bits_release(void* handle): synchronous so dispose and finalizers can use it. Never makes the calling
   * thread an MTA thread; from an STA it releases on a thread of its own.
   */
  bits_release: { parameters: [HANDLE], result: HRESULT },
  /** bits_connect(BITS_MANAGER* manager) */
  bits_connect: { parameters: [BUFFER], result: HRESULT, nonblocking: true },
  /**
   * bits_manager_create_job(manager, display_name, name_len, type,
   * description, description_len, guid_out, job)
   */
  bits_manager_create_job: {
    parameters: [HANDLE, BUFFER, "u32", "i32", BUFFER, "u32", BUFFER, BUFFER],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_manager_get_job(manager, const uint8_t* guid, BITS_JOB* job) */
  bits_manager_get_job: { parameters: [HANDLE, BUFFER, BUFFER], result: HRESULT, nonblocking: true },
  /** bits_manager_enum_jobs(manager, uint32_t flags, BITS_JOB* jobs, uint32_t cap, uint32_t* count) */
  bits_manager_enum_jobs: {
    parameters: [HANDLE, "u32", BUFFER, "u32", BUFFER],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_manager_read_queue(manager, uint32_t flags, uint8_t* out, uint32_t cap, uint32_t* needed): every snapshot */
  bits_manager_read_queue: { parameters: [HANDLE, "u32", BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_jobs_progress(const uint64_t* jobs, uint32_t count, uint8_t* out, uint32_t cap): state and progress only */
  bits_jobs_progress: { parameters: [BUFFER, "u32", BUFFER, "u32"], result: HRESULT, nonblocking: true },
  /** bits_job_add_file(job, remote, remote_len, local, local_len) */
  bits_job_add_file: { parameters: [HANDLE, BUFFER, "u32", BUFFER, "u32"], result: HRESULT, nonblocking: true },
  /** bits_job_description(job, uint16_t* buf, uint32_t cap, uint32_t* len) */
  bits_job_description: { parameters: [HANDLE, BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_release(handle) on a pool thread: the retry of a synchronous release that failed (src/handle.ts). */
  bits_release_async: { name: "bits_release", parameters: [HANDLE], result: HRESULT, nonblocking: true },
  /** bits_job_resume(job) */
  bits_job_resume: { parameters: [HANDLE], result: HRESULT, nonblocking: true },
  /** bits_job_complete(job): S_OK, BG_S_PARTIAL_COMPLETE or BG_S_UNABLE_TO_DELETE_FILES */
  bits_job_complete: { parameters: [HANDLE], result: HRESULT, nonblocking: true },
  /** bits_job_cancel(job): S_OK or BG_S_UNABLE_TO_DELETE_FILES */
  bits_job_cancel: { parameters: [HANDLE], result: HRESULT, nonblocking: true },
  /** bits_job_suspend(job) */
  bits_job_suspend: { parameters: [HANDLE], result: HRESULT, nonblocking: true },
  /** bits_job_take_ownership(job) */
  bits_job_take_ownership: { parameters: [HANDLE], result: HRESULT, nonblocking: true },
  /** bits_job_snapshot(job, uint8_t* out, uint32_t cap, uint32_t* needed) */
  bits_job_snapshot: { parameters: [HANDLE, BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_job_files(job, uint8_t* out, uint32_t cap, uint32_t* needed) */
  bits_job_files: { parameters: [HANDLE, BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_hkcu_get_dword(subkey, subkey_len, name, name_len, uint32_t* value, uint32_t* present) */
  bits_hkcu_get_dword: { parameters: [BUFFER, "u32", BUFFER, "u32", BUFFER, BUFFER], result: HRESULT },
  /** bits_hkcu_set_dword(subkey, subkey_len, name, name_len, uint32_t value) */
  bits_hkcu_set_dword: { parameters: [BUFFER, "u32", BUFFER, "u32", "u32"], result: HRESULT },
  /** bits_watcher_create(uint32_t capacity, BITS_WATCHER* watcher): release the watcher with bits_release */
  bits_watcher_create: { parameters: ["u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_watcher_attach(watcher, job, uint32_t* previous_flags): S_FALSE when another interface is registered */
  bits_watcher_attach: { parameters: [HANDLE, HANDLE, BUFFER], result: HRESULT, nonblocking: true },
  /** bits_watcher_detach(watcher, const uint8_t* guid): S_FALSE when not registered there or another interface is */
  bits_watcher_detach: { parameters: [HANDLE, BUFFER], result: HRESULT, nonblocking: true },
  /** bits_watcher_close(watcher): undoes every registration, disconnects, drops the queue; idempotent */
  bits_watcher_close: { parameters: [HANDLE], result: HRESULT, nonblocking: true },
  /** bits_watcher_close(watcher), on the JavaScript thread: for the unload handler, which cannot wait for a promise. */
  bits_watcher_close_sync: { name: "bits_watcher_close", parameters: [HANDLE], result: HRESULT },
  /**
   * bits_watcher_drain(watcher, uint8_t* out, uint32_t cap, uint32_t timeout_ms, uint32_t* count,
   * uint32_t* dropped): cap counts records of BITS_EVENT_RECORD_BYTES; S_FALSE without records
   */
  bits_watcher_drain: {
    parameters: [HANDLE, BUFFER, "u32", "u32", BUFFER, BUFFER],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_watcher_wake(watcher): synchronous, never blocks; ends a pending drain */
  bits_watcher_wake: { parameters: [HANDLE], result: HRESULT },
} as const satisfies Deno.ForeignLibraryInterface;

/** Symbols of `bits_shim.dll`, for `Deno.dlopen`. */
export const symbols = {
  ...coreSymbols,
  ...propertiesSymbols,
  ...filesSymbols,
  ...inspectionSymbols,
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded shim's functions. */
export type ShimSymbols = Deno.DynamicLibrary<typeof symbols>["symbols"];

/** ABI version this module was written for (`BITS_SHIM_ABI_VERSION`). */
export const SHIM_ABI_VERSION = 4;

/** Size of the fixed part of a snapshot (`BITS_SNAPSHOT_HEADER_BYTES`). */
export const SNAPSHOT_HEADER_BYTES = 88;
/** Size of the fixed part of a whole-queue read (`BITS_QUEUE_HEADER_BYTES`). */
export const QUEUE_HEADER_BYTES = 16;
/** `bits_manager_read_queue` flag: each job's times follow its snapshot (`BITS_QUEUE_WITH_TIMES`). */
export const QUEUE_WITH_TIMES = 0x8000_0000;
/** Size of one job's times in a whole-queue read (`BITS_QUEUE_TIMES_BYTES`). */
export const QUEUE_TIMES_BYTES = 32;
/** Size of one record of `bits_jobs_progress` (`BITS_PROGRESS_RECORD_BYTES`). */
export const PROGRESS_RECORD_BYTES = 32;
/** Size of the fixed part of a file list (`BITS_FILES_HEADER_BYTES`). */
export const FILES_HEADER_BYTES = 16;
/** Size of the fixed part of one file record (`BITS_FILE_RECORD_HEADER_BYTES`). */
export const FILE_RECORD_HEADER_BYTES = 40;
/** Size of one watcher event record (`BITS_EVENT_RECORD_BYTES`). */
export const EVENT_RECORD_BYTES = 600;
/** Capacity of an event record's file name, in code units (`BITS_EVENT_FILE_NAME_UNITS`). */
export const EVENT_FILE_NAME_UNITS = 260;
/** Notify flags a watcher registers (`BITS_WATCHER_NOTIFY_FLAGS`). */
export const WATCHER_NOTIFY_FLAGS = 0x1b;
/**
 * Notify flags a watcher asks for first, with FILE_RANGES_TRANSFERRED (`BITS_WATCHER_NOTIFY_FLAGS_RANGES`);
 * BITS before 10.1 and Wine refuse them, and the watcher falls back to {@link WATCHER_NOTIFY_FLAGS}.
 */
export const WATCHER_NOTIFY_FLAGS_RANGES = 0x3b;

/*
 * bits_shim.h: a flat C ABI over the BITS COM API, for Deno FFI.
 *
 * Rules that hold for every function:
 *  - Every function returns an HRESULT (int32). Failure is hr < 0 only:
 *    S_FALSE and the BG_S_* codes are successes that carry information.
 *  - COM is initialised by the shim in the multithreaded apartment (MTA),
 *    lazily on every thread that calls in (Deno runs `nonblocking` symbols
 *    on a thread pool). A thread that is already a single-threaded apartment
 *    gets RPC_E_CHANGED_MODE and nothing else happens.
 *  - Handles (BITS_MANAGER, BITS_JOB) are COM interface pointers owned by
 *    the caller; every handle an out-parameter returns must be released
 *    exactly once with bits_release. The shim releases every other COM
 *    pointer it touches on every path.
 *  - Input strings are UTF-16LE, NUL-terminated, with their length in code
 *    units (NUL excluded). A string whose length does not match its first
 *    NUL is refused with E_INVALIDARG before any COM call.
 *  - Output strings go to caller-owned buffers with an explicit capacity;
 *    the shim never writes past it. When a buffer is too small the function
 *    returns BITS_SHIM_E_INSUFFICIENT_BUFFER and reports the size needed.
 *  - Jobs are named by their GUID: 16 bytes in Windows' in-memory layout
 *    (Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4[8]).
 *
 * Build: `deno task build` (mingw-w64 from Linux; MSVC or clang on Windows,
 * see docs/building.md).
 */
#ifndef BITS_SHIM_H
#define BITS_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(BITS_SHIM_BUILD)
#define BITS_SHIM_API __declspec(dllexport)
#elif defined(_WIN32)
#define BITS_SHIM_API __declspec(dllimport)
#else
#define BITS_SHIM_API
#endif

/* ABI version: bumped whenever an export is added or removed, or a signature
 * or a record layout changes (2: the per-area headers). */
#define BITS_SHIM_ABI_VERSION 4

/* HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER). */
#define BITS_SHIM_E_INSUFFICIENT_BUFFER ((int32_t)0x8007007A)

typedef void *BITS_MANAGER; /* IBackgroundCopyManager* */
typedef void *BITS_JOB;     /* IBackgroundCopyJob* */

/* Writes BITS_SHIM_ABI_VERSION to *version. Needs no COM; never fails
 * unless version is NULL (E_POINTER). */
BITS_SHIM_API int32_t bits_shim_abi_version(uint32_t *version);

/* Writes the Wine version (e.g. "10.0") when running under Wine, from
 * ntdll!wine_get_version, and returns S_OK; returns S_FALSE with *len = 0
 * on real Windows. *len receives the length in code units (NUL excluded);
 * buf receives the string NUL-terminated when it fits. */
BITS_SHIM_API int32_t bits_wine_version(uint16_t *buf, uint32_t cap,
                                        uint32_t *len);

/* Releases any handle returned by this API (IUnknown::Release). NULL is a
 * no-op returning S_FALSE. Safe on any thread: on one already in the MTA
 * (explicitly, or implicitly while bits_connect's pin holds it) it releases
 * in place and leaves the thread's COM state alone; on any other (an STA
 * another library made, e.g. a webview's JavaScript thread) it releases on
 * a short-lived MTA thread of its own and waits for it. */
BITS_SHIM_API int32_t bits_release(void *handle);

/* Connects to the BITS service: CoCreateInstance of the 1.0
 * CLSID_BackgroundCopyManager with CLSCTX_LOCAL_SERVER (the only CLSID Wine
 * registers; newer interfaces come from QueryInterface). Also pins the MTA
 * for the process lifetime (CoIncrementMTAUsage) so that handles outlive
 * the pool threads that created them. */
BITS_SHIM_API int32_t bits_connect(BITS_MANAGER *manager);

/* Creates a job and sets its description right after CreateJob (Wine's
 * GetDescription fails on a job whose description was never set, so the
 * description is always set, "" when empty). If SetDescription fails, the
 * job is cancelled before returning the failure: no half-built job stays.
 * type: 0 download, 1 upload, 2 upload-reply (BG_JOB_TYPE).
 * guid_out: 16 bytes. */
BITS_SHIM_API int32_t bits_manager_create_job(
    BITS_MANAGER manager, const uint16_t *display_name, uint32_t name_len,
    int32_t type, const uint16_t *description, uint32_t description_len,
    uint8_t *guid_out, BITS_JOB *job);

/* Looks a job up by GUID (BG_E_NOT_FOUND when absent). */
BITS_SHIM_API int32_t bits_manager_get_job(BITS_MANAGER manager,
                                           const uint8_t *guid, BITS_JOB *job);

/* Enumerates the queue (flags: 0 own jobs, 1 BG_JOB_ENUM_ALL_USERS) and
 * writes up to cap job handles to jobs. *count receives the number of jobs
 * in the queue. When cap < *count nothing is written, no handle is
 * returned, and BITS_SHIM_E_INSUFFICIENT_BUFFER comes back: call again with
 * a larger array (the queue may have grown in between). */
BITS_SHIM_API int32_t bits_manager_enum_jobs(BITS_MANAGER manager,
                                             uint32_t flags, BITS_JOB *jobs,
                                             uint32_t cap, uint32_t *count);

/* IBackgroundCopyJob::AddFile(remote_url, local_path). */
BITS_SHIM_API int32_t bits_job_add_file(BITS_JOB job, const uint16_t *remote,
                                        uint32_t remote_len,
                                        const uint16_t *local,
                                        uint32_t local_len);

/* IBackgroundCopyJob::GetDescription alone (one round trip, for checks that
 * need only the description). *len receives the length in code units (NUL
 * excluded); buf receives the string NUL-terminated when cap > *len, else
 * BITS_SHIM_E_INSUFFICIENT_BUFFER. GetDescription's failure is returned as is
 * (Wine fails it on jobs whose description was never set). */
BITS_SHIM_API int32_t bits_job_description(BITS_JOB job, uint16_t *buf,
                                           uint32_t cap, uint32_t *len);

/* IBackgroundCopyJob::Resume. */
BITS_SHIM_API int32_t bits_job_resume(BITS_JOB job);

/* IBackgroundCopyJob::Complete. Returns S_OK, BG_S_PARTIAL_COMPLETE or
 * BG_S_UNABLE_TO_DELETE_FILES unchanged so the caller can tell them apart. */
BITS_SHIM_API int32_t bits_job_complete(BITS_JOB job);

/* IBackgroundCopyJob::Cancel. Returns S_OK or BG_S_UNABLE_TO_DELETE_FILES
 * unchanged. */
BITS_SHIM_API int32_t bits_job_cancel(BITS_JOB job);

/* IBackgroundCopyJob::Suspend (E_NOTIMPL on Wine). */
BITS_SHIM_API int32_t bits_job_suspend(BITS_JOB job);

/* IBackgroundCopyJob::TakeOwnership: the caller becomes the job's owner
 * (BITS drops the notify command line and custom headers). */
BITS_SHIM_API int32_t bits_job_take_ownership(BITS_JOB job);

/*
 * A job's whole state in one call: GetId, GetType, GetState, GetProgress,
 * GetDisplayName, GetDescription and, in the ERROR and TRANSIENT_ERROR
 * states only, GetError -> IBackgroundCopyError::GetError.
 *
 * Layout written to out (little-endian, offsets in bytes):
 *    0 u32 abi_version        BITS_SHIM_ABI_VERSION
 *    4 u32 total_bytes        header + both strings
 *    8 u8[16] id              job GUID
 *   24 i32 type               BG_JOB_TYPE
 *   28 i32 state              BG_JOB_STATE
 *   32 u64 bytes_total        (UINT64)-1 while unknown
 *   40 u64 bytes_transferred
 *   48 u32 files_total
 *   52 u32 files_transferred
 *   56 i32 error_context      BG_ERROR_CONTEXT, 0 when none
 *   60 i32 error_code         the job's error HRESULT, 0 when none
 *   64 i32 error_hr           result of reading the error: S_FALSE when
 *                             the state has no error, else GetError's
 *   68 i32 display_name_hr    result of GetDisplayName
 *   72 i32 description_hr     result of GetDescription
 *   76 u32 display_name_len   code units, NUL excluded; 0 on failure
 *   80 u32 description_len    code units, NUL excluded; 0 on failure
 *   84 u32 reserved           0
 *   88 u16[] display name, then description, neither NUL-terminated
 *
 * The call fails only when GetId, GetType, GetState or GetProgress fails,
 * or when the buffer is too small: then *needed holds the bytes required
 * and BITS_SHIM_E_INSUFFICIENT_BUFFER is returned. A failed name or
 * description read is reported in its *_hr field instead (Wine fails
 * GetDescription on jobs created by clients that never set one).
 */
#define BITS_SNAPSHOT_HEADER_BYTES 88u
BITS_SHIM_API int32_t bits_job_snapshot(BITS_JOB job, uint8_t *out,
                                        uint32_t cap, uint32_t *needed);

/*
 * The whole queue in one call: EnumJobs(flags), then every job's snapshot
 * (as bits_job_snapshot), each job read once and released here. Jobs that
 * leave the queue between the enumeration and their read are skipped.
 *
 * Layout written to out (little-endian):
 *    0 u32 abi_version   BITS_SHIM_ABI_VERSION
 *    4 u32 total_bytes   header + all records
 *    8 u32 count         snapshot records that follow
 *   12 u32 enumerated    jobs EnumJobs listed (count plus the skipped)
 *   16 records: one snapshot each (bits_job_snapshot's layout, its own
 *      total_bytes at +4), each padded to a multiple of 8 bytes
 *
 * With BITS_QUEUE_WITH_TIMES in flags (not passed on to EnumJobs), each
 * padded snapshot is followed by BITS_QUEUE_TIMES_BYTES of the job's times:
 *    0 i32 hr            GetTimes' result; the times are 0 when it failed
 *    4 u32 reserved      0
 *    8 u64 creation      FILETIME (100 ns since 1601-01-01 UTC)
 *   16 u64 modification
 *   24 u64 transfer_completion (0 until the job is transferred)
 * A BITS without GetTimes (E_NOTIMPL) is asked once: the other jobs get its
 * hr without a round trip of their own.
 *
 * When cap is too small, every job is still read once (to measure it),
 * *needed receives the bytes the whole queue took, and
 * BITS_SHIM_E_INSUFFICIENT_BUFFER is returned: call again with at least
 * that much (with some room: the queue may grow in between).
 */
#define BITS_QUEUE_HEADER_BYTES 16u
#define BITS_QUEUE_WITH_TIMES 0x80000000u
#define BITS_QUEUE_TIMES_BYTES 32u
BITS_SHIM_API int32_t bits_manager_read_queue(BITS_MANAGER manager,
                                              uint32_t flags, uint8_t *out,
                                              uint32_t cap, uint32_t *needed);

/*
 * The light read of an idle watch: GetState and GetProgress of each of
 * `count` jobs (an array of BITS_JOB handles the caller holds, as 64-bit
 * values), two round trips per job and no enumeration or release. out
 * receives `count` records of BITS_PROGRESS_RECORD_BYTES (cap counts
 * records):
 *    0 i32 state              BG_JOB_STATE, -1 when GetState failed
 *    4 i32 read_hr            the first failure reading the job, else S_OK
 *    8 u64 bytes_total        GetProgress, (UINT64)-1 while unknown
 *   16 u64 bytes_transferred
 *   24 u32 files_total
 *   28 u32 files_transferred
 * Fails only for bad arguments (a NULL handle, cap below count).
 */
#define BITS_PROGRESS_RECORD_BYTES 32u
BITS_SHIM_API int32_t bits_jobs_progress(const uint64_t *jobs, uint32_t count,
                                         uint8_t *out, uint32_t cap);

/*
 * Every file of a job, in BITS' enumeration order, in one call: EnumFiles,
 * then GetRemoteName, GetLocalName and GetProgress for each file.
 *
 * Layout written to out (little-endian, offsets in bytes):
 *    0 u32 abi_version        BITS_SHIM_ABI_VERSION
 *    4 u32 total_bytes        everything written
 *    8 u32 count              number of file records
 *   12 u32 reserved           0
 *   16 file records, each starting on an 8-byte boundary:
 *      0 u64 bytes_total      (UINT64)-1 while unknown
 *      8 u64 bytes_transferred
 *     16 u32 completed        BOOL
 *     20 i32 remote_hr        result of GetRemoteName
 *     24 i32 local_hr         result of GetLocalName
 *     28 u32 remote_len       code units, NUL excluded; 0 on failure
 *     32 u32 local_len        code units, NUL excluded; 0 on failure
 *     36 u32 record_bytes     this record's size, strings and padding
 *                             included (a multiple of 8)
 *     40 u16[] remote name, then local name, neither NUL-terminated,
 *        zero-padded to the next 8-byte boundary
 *
 * Fails when EnumFiles, Next or GetProgress fails, or when the buffer is
 * too small (then *needed holds the bytes required and
 * BITS_SHIM_E_INSUFFICIENT_BUFFER is returned; the file list may change
 * between calls, so callers retry until it fits).
 */
#define BITS_FILES_HEADER_BYTES 16u
#define BITS_FILE_RECORD_HEADER_BYTES 40u
BITS_SHIM_API int32_t bits_job_files(BITS_JOB job, uint8_t *out, uint32_t cap,
                                     uint32_t *needed);

/*
 * A DWORD value under HKEY_CURRENT_USER (RegGetValueW). subkey and name are
 * input strings as above. *present receives 1 and *value the data when the
 * value exists; when the key or the value does not exist the call returns
 * S_FALSE with *present = 0 and *value = 0. A value of another type gives
 * HRESULT_FROM_WIN32(ERROR_UNSUPPORTED_TYPE). Never touches HKLM.
 */
BITS_SHIM_API int32_t bits_hkcu_get_dword(const uint16_t *subkey,
                                          uint32_t subkey_len,
                                          const uint16_t *name,
                                          uint32_t name_len, uint32_t *value,
                                          uint32_t *present);

/* Writes a DWORD value under HKEY_CURRENT_USER, creating the key if needed
 * (RegCreateKeyExW + RegSetValueExW). */
BITS_SHIM_API int32_t bits_hkcu_set_dword(const uint16_t *subkey,
                                          uint32_t subkey_len,
                                          const uint16_t *name,
                                          uint32_t name_len, uint32_t value);

/* ------------------------------------------------------------------------
 * Notifications: a COM object implementing IBackgroundCopyCallback,
 * IBackgroundCopyCallback2 and IBackgroundCopyCallback3 (BITS 10.1),
 * registered per job with SetNotifyInterface.
 *
 * A callback from BITS does no COM call and never waits: it AddRefs the job
 * (and file or error) pointers BITS passes, appends an entry to a bounded,
 * lock-protected queue, signals an event and returns S_OK. A full queue
 * drops the notification (its pointers are released) and counts it.
 * bits_watcher_drain, run on a pool thread, turns entries into records,
 * reading the job's id, state, progress and error through COM.
 * Implemented in bits_watcher.c.
 */
typedef void *BITS_WATCHER; /* the callback object (IUnknown*) */

/* Notification kinds in event records. */
#define BITS_EVENT_JOB_TRANSFERRED 1u
#define BITS_EVENT_JOB_ERROR 2u
#define BITS_EVENT_JOB_MODIFICATION 3u
#define BITS_EVENT_FILE_TRANSFERRED 4u
#define BITS_EVENT_FILE_RANGES_TRANSFERRED 5u

/* Notify flags the watcher registers: TRANSFERRED | ERROR | MODIFICATION |
 * FILE_TRANSFERRED. */
#define BITS_WATCHER_NOTIFY_FLAGS 0x1Bu
/* The flags the watcher asks for first: BITS_WATCHER_NOTIFY_FLAGS |
 * FILE_RANGES_TRANSFERRED (0x20, BITS 10.1, IBackgroundCopyCallback3). */
#define BITS_WATCHER_NOTIFY_FLAGS_RANGES 0x3Bu

/* Creates a watcher whose queue holds up to capacity entries (1..65536). */
BITS_SHIM_API int32_t bits_watcher_create(uint32_t capacity,
                                          BITS_WATCHER *watcher);

/* Registers the watcher on a job, unless the job already notifies another
 * interface (another watcher, in this process or another): then nothing is
 * changed and the result is S_FALSE, because taking the job over would
 * leave that client restoring flags it no longer owns. Otherwise saves the
 * job's notify flags in *previous_flags, sets
 * BITS_WATCHER_NOTIFY_FLAGS_RANGES, or BITS_WATCHER_NOTIFY_FLAGS when
 * SetNotifyFlags refuses that with E_NOTIMPL or E_INVALIDARG (BITS before
 * 10.1 and Wine refuse FILE_RANGES_TRANSFERRED), then SetNotifyInterface,
 * and keeps the registration: its own reference on the job, the job's id
 * and the previous flags, so that detach and close work after the caller
 * released the job. S_OK when registered (or already registered here). Any
 * other failure of SetNotifyFlags is returned. If SetNotifyInterface fails
 * the flags are restored. E_ILLEGAL_METHOD_CALL after bits_watcher_close. */
BITS_SHIM_API int32_t bits_watcher_attach(BITS_WATCHER watcher, BITS_JOB job,
                                          uint32_t *previous_flags);

/* Ends the registration on the job with this GUID (16 bytes), through the
 * registration's own job reference: if the job still notifies this watcher,
 * SetNotifyInterface(NULL) and SetNotifyFlags(previous flags), S_OK.
 * S_FALSE when the watcher is not registered on that job or another
 * client's interface (or none) is registered now: nothing is changed. The
 * registration is forgotten and its reference released either way. */
BITS_SHIM_API int32_t bits_watcher_detach(BITS_WATCHER watcher,
                                          const uint8_t *guid);

/* Closes the watcher for good: later callbacks are dropped, every
 * registration is undone as bits_watcher_detach does (the first failure is
 * returned, the others are still undone), CoDisconnectObject cuts BITS'
 * remaining connections to it, queued entries are released, and every
 * pending or later drain returns S_FALSE at once. Idempotent. Safe on any
 * thread, an STA included (the work then runs on a thread of its own in the
 * MTA). Release the watcher with bits_release afterwards. */
BITS_SHIM_API int32_t bits_watcher_close(BITS_WATCHER watcher);

/*
 * Waits up to timeout_ms for at least one queued entry (0: do not wait),
 * then moves up to cap entries, oldest first, into out as event records.
 * *count receives the number of records; *dropped the number of
 * notifications dropped on a full queue since the previous drain. Returns
 * S_OK with records, S_FALSE on timeout or wake-up without records.
 *
 * Event record layout (little-endian, BITS_EVENT_RECORD_BYTES each):
 *    0 u32 kind              BITS_EVENT_*
 *    4 u32 sequence          1, 2, 3 ... in order of arrival (per watcher)
 *    8 u8[16] job_id         GetId
 *   24 i32 state             GetState, -1 when it failed
 *   28 i32 read_hr           first failure reading the job, else S_OK
 *   32 u64 bytes_total       GetProgress, (UINT64)-1 while unknown
 *   40 u64 bytes_transferred
 *   48 u32 files_total
 *   52 u32 files_transferred
 *   56 i32 error_context     JobError: IBackgroundCopyError::GetError
 *   60 i32 error_code
 *   64 u64 received_at       FILETIME (100 ns since 1601 UTC) taken in the
 *                            callback
 *   72 u32 file_name_len     FileTransferred, FileRangesTransferred: the
 *                            file's local name length in code units (at
 *                            most 260), else 0
 *   76 u32 range_count       FileRangesTransferred: the rangeCount BITS
 *                            passed, else 0
 *   80 u16[260] file_name    not NUL-terminated
 */
#define BITS_EVENT_RECORD_BYTES 600u
#define BITS_EVENT_FILE_NAME_UNITS 260u
BITS_SHIM_API int32_t bits_watcher_drain(BITS_WATCHER watcher, uint8_t *out,
                                         uint32_t cap, uint32_t timeout_ms,
                                         uint32_t *count, uint32_t *dropped);

/* Ends a pending bits_watcher_drain at once (it returns S_FALSE with no
 * records unless entries are queued). Never blocks. */
BITS_SHIM_API int32_t bits_watcher_wake(BITS_WATCHER watcher);

#ifdef __cplusplus
}
#endif

/* The rest of the ABI, one header per area. */
#include "bits_properties.h"
#include "bits_files.h"
#include "bits_inspection.h"

#endif /* BITS_SHIM_H */

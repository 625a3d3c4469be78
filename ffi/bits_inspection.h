/*
 * bits_inspection.h: part of the bits_shim.h ABI (the rules at the top of
 * bits_shim.h hold here too). Implemented in bits_inspection.c.
 *
 * Inspection of a job beyond its snapshot (times, owner, error count, owner
 * integrity and elevation, the error in full), error texts from BITS and
 * from system message tables, capability probes (versioned manager CLSIDs,
 * QueryInterface, notify flags) and two process facts for diagnostics.
 * Which CLSIDs, IIDs and flags to probe, and what the answers mean, is
 * decided by the caller (src/capabilities.ts): the shim only asks.
 */
#ifndef BITS_INSPECTION_H
#define BITS_INSPECTION_H

#include "bits_shim.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Everything about a job that is not in its snapshot, in one call:
 * GetState, GetTimes, GetOwner (+ LookupAccountSidW for the account name),
 * GetErrorCount, IBackgroundCopyJob4 GetOwnerIntegrityLevel and
 * GetOwnerElevationState, and, in the ERROR and TRANSIENT_ERROR states only,
 * GetError -> IBackgroundCopyError GetError, GetFile (-> GetRemoteName,
 * GetLocalName), GetProtocol, GetErrorDescription and
 * GetErrorContextDescription.
 *
 * langid: the language of the two descriptions (a LANGID, MAKELANGID); 0
 * means the user's UI language (GetUserDefaultUILanguage). The language
 * actually asked for is written back at offset 136.
 *
 * Every read has its own result field, so a getter this BITS stubs (Wine:
 * GetTimes, GetOwner, GetErrorCount, the Job4 getters and the error texts)
 * fails alone; its values are then 0 and its strings empty. A field is
 * S_FALSE when it was not attempted: the account when GetOwner failed, the
 * error fields outside the error states, the file names when GetFile failed,
 * integrity and elevation when QueryInterface for IBackgroundCopyJob4 failed
 * (its failure is then in job4_hr).
 *
 * Layout written to out (little-endian, offsets in bytes):
 *    0 u32 abi_version                BITS_SHIM_ABI_VERSION
 *    4 u32 total_bytes                header + all strings
 *    8 i32 state                      BG_JOB_STATE
 *   12 i32 times_hr                   GetTimes
 *   16 i32 owner_hr                   GetOwner
 *   20 i32 account_hr                 LookupAccountSidW (S_FALSE: not tried)
 *   24 i32 error_count_hr             GetErrorCount
 *   28 i32 job4_hr                    QueryInterface(IBackgroundCopyJob4)
 *   32 i32 integrity_hr               GetOwnerIntegrityLevel
 *   36 i32 elevation_hr               GetOwnerElevationState
 *   40 u64 creation_time              FILETIME (100 ns since 1601 UTC)
 *   48 u64 modification_time          FILETIME
 *   56 u64 transfer_completion_time   FILETIME, 0 until transferred
 *   64 u32 error_count
 *   68 u32 integrity_level            a SECURITY_MANDATORY_*_RID
 *   72 u32 elevated                   BOOL
 *   76 i32 error_hr                   GetError chain (S_FALSE: no error state)
 *   80 i32 error_context              BG_ERROR_CONTEXT
 *   84 i32 error_code                 the job's error HRESULT
 *   88 i32 file_hr                    IBackgroundCopyError::GetFile
 *   92 i32 remote_hr                  the failing file's GetRemoteName
 *   96 i32 local_hr                   the failing file's GetLocalName
 *  100 i32 protocol_hr                GetProtocol
 *  104 i32 description_hr             GetErrorDescription
 *  108 i32 context_description_hr     GetErrorContextDescription
 *  112 u32 owner_sid_len              code units, NUL excluded, 0 on failure
 *  116 u32 account_len                "DOMAIN\user"
 *  120 u32 remote_len
 *  124 u32 local_len
 *  128 u32 protocol_len
 *  132 u32 description_len
 *  136 u32 langid                     the LANGID used for the descriptions
 *  140 u32 context_description_len
 *  144 u16[] owner SID, account, remote name, local name, protocol,
 *      description, context description; none NUL-terminated
 *
 * Fails only for bad arguments, when GetState fails (the job is gone), or
 * when the buffer is too small: then *needed holds the bytes required and
 * BITS_SHIM_E_INSUFFICIENT_BUFFER is returned (BITS texts may change between
 * calls, so callers retry until it fits).
 */
#define BITS_DETAILS_HEADER_BYTES 144u
BITS_SHIM_API int32_t bits_job_details(BITS_JOB job, uint32_t langid,
                                       uint8_t *out, uint32_t cap,
                                       uint32_t *needed);

/* IBackgroundCopyManager::GetErrorDescription(hr, langid): BITS' own text
 * for an HRESULT (0 langid: the user's UI language). *len receives the length
 * in code units (NUL excluded); buf receives the text NUL-terminated when
 * cap > *len, else BITS_SHIM_E_INSUFFICIENT_BUFFER. Wine returns E_NOTIMPL. */
BITS_SHIM_API int32_t bits_manager_error_description(BITS_MANAGER manager,
                                                     int32_t hr,
                                                     uint32_t langid,
                                                     uint16_t *buf,
                                                     uint32_t cap,
                                                     uint32_t *len);

/* Message table sources for bits_format_message. */
#define BITS_MESSAGE_SOURCE_SYSTEM 0u  /* FORMAT_MESSAGE_FROM_SYSTEM */
#define BITS_MESSAGE_SOURCE_WINHTTP 1u /* winhttp.dll from System32, loaded as
                                          a data file */

/* FormatMessageW(FORMAT_MESSAGE_IGNORE_INSERTS) of message_id from the given
 * source (langid 0: FormatMessage's own language search). The text is
 * returned as the table holds it (usually ending in CR LF). Same buffer
 * contract as bits_manager_error_description; a message the table lacks gives
 * HRESULT_FROM_WIN32(GetLastError()), e.g. ERROR_MR_MID_NOT_FOUND
 * (0x8007013D); an unknown source gives E_INVALIDARG. Needs no COM. */
BITS_SHIM_API int32_t bits_format_message(uint32_t source, uint32_t message_id,
                                          uint32_t langid, uint16_t *buf,
                                          uint32_t cap, uint32_t *len);

/* CoCreateInstance(clsid, CLSCTX_LOCAL_SERVER, IID_IBackgroundCopyManager)
 * and, on success, Release: returns CoCreateInstance's result unchanged
 * (REGDB_E_CLASSNOTREG when that BITS version is absent). clsid: 16 bytes. */
BITS_SHIM_API int32_t bits_probe_manager_clsid(const uint8_t *clsid);

/* QueryInterface(iid) on any handle of this API and, on success, Release:
 * returns the QueryInterface result unchanged. iid: 16 bytes. */
BITS_SHIM_API int32_t bits_query_interface(void *handle, const uint8_t *iid);

/* QueryInterface(iid) on the job's first file (EnumFiles, Next) and, on
 * success, Release. BG_E_EMPTY when the job has no file. */
BITS_SHIM_API int32_t bits_job_query_file_interface(BITS_JOB job,
                                                    const uint8_t *iid);

/* Whether the job accepts these notify flags: GetNotifyFlags (saved),
 * SetNotifyFlags(flags), then SetNotifyFlags(saved) when that succeeded.
 * Returns SetNotifyFlags(flags)'s result (E_NOTIMPL or E_INVALIDARG when
 * refused), or the restore's failure if only that failed. */
BITS_SHIM_API int32_t bits_job_probe_notify_flags(BITS_JOB job,
                                                  uint32_t flags);

/* GetTempPathW: this process's temporary directory, with its trailing
 * backslash. Same buffer contract as bits_manager_error_description. */
BITS_SHIM_API int32_t bits_temp_path(uint16_t *buf, uint32_t cap,
                                     uint32_t *len);

/* GetProcessHandleCount(GetCurrentProcess()): the open kernel handles of
 * this process, for leak checks. Where that reports 0 (Wine's is a stub; a
 * live process always has handles), counts this process's entries of
 * NtQuerySystemInformation(SystemExtendedHandleInformation) instead, looked
 * up at run time from ntdll. */
BITS_SHIM_API int32_t bits_process_handle_count(uint32_t *count);

#ifdef __cplusplus
}
#endif

#endif /* BITS_INSPECTION_H */

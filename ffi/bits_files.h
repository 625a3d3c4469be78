/*
 * bits_files.h: part of the bits_shim.h ABI (the rules at the top of
 * bits_shim.h hold here too). Implemented in bits_files.c.
 *
 * Files of a job: many files in one AddFileSet, files with byte ranges
 * (IBackgroundCopyJob3), per-file handles (IBackgroundCopyFile .. File6), and
 * the upload-reply methods of IBackgroundCopyJob2.
 *
 * Byte ranges cross the boundary as arrays of uint64_t pairs
 * (initial offset, length), BG_FILE_RANGE's own field order; a length of
 * BITS_LENGTH_TO_EOF ((uint64_t)-1) means "to the end of the file".
 *
 * Interfaces a running BITS lacks come back as E_NOINTERFACE (from
 * QueryInterface) and stubs as E_NOTIMPL, unchanged, so the caller can name
 * what is missing.
 */
#ifndef BITS_FILES_H
#define BITS_FILES_H

#include "bits_shim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void *BITS_FILE; /* IBackgroundCopyFile* */

/* BG_LENGTH_TO_EOF. */
#define BITS_LENGTH_TO_EOF ((uint64_t)-1)

/*
 * IBackgroundCopyJob::AddFileSet with `count` files in ONE call.
 * names: 2 * count input strings back to back, each NUL-terminated, in the
 * order remote 0, local 0, remote 1, local 1, ...; names_units: the total
 * number of code units in names, NULs included (the shim never reads past
 * it); lengths: 2 * count lengths in code units (NUL excluded), same order.
 * Every string is checked against the input-string contract before the COM
 * call (E_INVALIDARG when one does not match, or when the lengths do not add
 * up to names_units). count 0 is E_INVALIDARG. BITS' own refusals (such as
 * BG_E_TOO_MANY_FILES_IN_JOB) are returned unchanged.
 */
BITS_SHIM_API int32_t bits_job_add_file_set(BITS_JOB job, uint32_t count,
                                            const uint16_t *names,
                                            uint32_t names_units,
                                            const uint32_t *lengths);

/*
 * IBackgroundCopyJob3::AddFileWithRanges(remote, local, range_count, ranges).
 * ranges: range_count pairs of uint64_t (offset, length), copied into
 * BG_FILE_RANGEs before the call (range_count 1 .. 500 is the caller's
 * policy; 0 or more than 0x00FFFFFF is E_INVALIDARG here). E_NOINTERFACE when
 * the job has no IBackgroundCopyJob3 (BITS before 2.0).
 */
BITS_SHIM_API int32_t bits_job_add_file_with_ranges(
    BITS_JOB job, const uint16_t *remote, uint32_t remote_len,
    const uint16_t *local, uint32_t local_len, const uint64_t *ranges,
    uint32_t range_count);

/* IBackgroundCopyJob3::ReplaceRemotePrefix(old_prefix, new_prefix). */
BITS_SHIM_API int32_t bits_job_replace_remote_prefix(BITS_JOB job,
                                                     const uint16_t *old_prefix,
                                                     uint32_t old_len,
                                                     const uint16_t *new_prefix,
                                                     uint32_t new_len);

/*
 * A handle on every file of a job, in BITS' enumeration order (EnumFiles):
 * up to cap IBackgroundCopyFile pointers written to files, *count the number
 * of files. When cap < *count nothing is written, no handle is returned and
 * BITS_SHIM_E_INSUFFICIENT_BUFFER comes back. Release each handle with
 * bits_release.
 */
BITS_SHIM_API int32_t bits_job_file_handles(BITS_JOB job, BITS_FILE *files,
                                            uint32_t cap, uint32_t *count);

/*
 * The file at `index` in BITS' enumeration order. *count receives the
 * number of files enumerated. S_FALSE with *file = NULL when index >= *count.
 */
BITS_SHIM_API int32_t bits_job_file_handle(BITS_JOB job, uint32_t index,
                                           BITS_FILE *file, uint32_t *count);

/* Parts bits_file_read can read (combine them). */
#define BITS_FILE_PART_BASIC 0x01u      /* names and progress (File) */
#define BITS_FILE_PART_RANGES 0x02u     /* GetFileRanges (File2) */
#define BITS_FILE_PART_FILE3 0x04u      /* temporary name, validation, peer */
#define BITS_FILE_PART_PEER_STATS 0x08u /* GetPeerDownloadStats (File4) */
#define BITS_FILE_PART_HEADERS 0x10u    /* HTTP response headers (File5) */
#define BITS_FILE_PART_FILLED 0x20u     /* GetFilledFileRanges (File6) */
#define BITS_FILE_PART_ALL 0x3Fu

/*
 * Reads the requested parts of one file in one call. Each part's result is
 * reported in its *_hr field: S_FALSE when the part was not requested, the
 * QueryInterface failure (E_NOINTERFACE) when the interface is missing, else
 * the getter's HRESULT; values of a failed part are 0 / empty.
 *
 * Layout written to out (little-endian, offsets in bytes):
 *    0 u32 abi_version           BITS_SHIM_ABI_VERSION
 *    4 u32 total_bytes           header, ranges and strings
 *    8 u32 parts                 the parts requested
 *   12 i32 progress_hr           GetProgress
 *   16 u64 bytes_total           (UINT64)-1 while unknown
 *   24 u64 bytes_transferred
 *   32 u32 completed             BOOL
 *   36 i32 remote_hr             GetRemoteName
 *   40 i32 local_hr              GetLocalName
 *   44 i32 ranges_hr             File2 GetFileRanges
 *   48 i32 temporary_hr          File3 GetTemporaryName
 *   52 i32 validation_hr         File3 GetValidationState
 *   56 i32 from_peer_hr          File3 IsDownloadedFromPeer
 *   60 i32 peer_stats_hr         File4 GetPeerDownloadStats
 *   64 i32 headers_hr            File5 GetProperty(HTTP_RESPONSE_HEADERS)
 *   68 i32 filled_hr             File6 GetFilledFileRanges
 *   72 u32 validation_state      BOOL
 *   76 u32 downloaded_from_peer  BOOL
 *   80 u64 from_origin           bytes from the origin server
 *   88 u64 from_peers            bytes from peers
 *   96 u32 remote_len            code units, NUL excluded
 *  100 u32 local_len
 *  104 u32 temporary_len
 *  108 u32 headers_len
 *  112 u32 range_count           File2 ranges
 *  116 u32 filled_count          File6 filled ranges
 *  120 range_count x {u64 offset, u64 length}, then
 *      filled_count x {u64 offset, u64 length}, then the strings as u16:
 *      remote, local, temporary name, headers (none NUL-terminated)
 *
 * Fails only for bad arguments, an out-of-memory, or a buffer too small
 * (then *needed holds the bytes required and BITS_SHIM_E_INSUFFICIENT_BUFFER
 * is returned; a retry reads everything again).
 */
#define BITS_FILE_DETAILS_HEADER_BYTES 120u
#define BITS_FILE_RANGE_BYTES 16u
BITS_SHIM_API int32_t bits_file_read(BITS_FILE file, uint32_t parts,
                                     uint8_t *out, uint32_t cap,
                                     uint32_t *needed);

/* IBackgroundCopyFile2::SetRemoteName(url). */
BITS_SHIM_API int32_t bits_file_set_remote_name(BITS_FILE file,
                                                const uint16_t *url,
                                                uint32_t url_len);

/* IBackgroundCopyFile3::SetValidationState(valid != 0). */
BITS_SHIM_API int32_t bits_file_set_validation_state(BITS_FILE file,
                                                     uint32_t valid);

/*
 * IBackgroundCopyFile6::RequestFileRanges(range_count, ranges); ranges as in
 * bits_job_add_file_with_ranges.
 */
BITS_SHIM_API int32_t bits_file_request_ranges(BITS_FILE file,
                                               const uint64_t *ranges,
                                               uint32_t range_count);

/* IBackgroundCopyJob2::SetReplyFileName(path). */
BITS_SHIM_API int32_t bits_job_set_reply_file_name(BITS_JOB job,
                                                   const uint16_t *path,
                                                   uint32_t path_len);

/*
 * IBackgroundCopyJob2::GetReplyFileName. *len receives the length in code
 * units (NUL excluded); buf receives the name NUL-terminated when
 * cap > *len, else BITS_SHIM_E_INSUFFICIENT_BUFFER. An empty name (S_OK,
 * *len = 0) means BITS chooses the reply file itself.
 */
BITS_SHIM_API int32_t bits_job_reply_file_name(BITS_JOB job, uint16_t *buf,
                                               uint32_t cap, uint32_t *len);

/*
 * IBackgroundCopyJob2::GetReplyProgress: progress[0] = BytesTotal
 * ((UINT64)-1 while unknown), progress[1] = BytesTransferred.
 */
BITS_SHIM_API int32_t bits_job_reply_progress(BITS_JOB job,
                                              uint64_t *progress);

/*
 * IBackgroundCopyJob2::GetReplyData: *length receives the reply's size in
 * bytes; out receives the bytes when cap >= *length, else
 * BITS_SHIM_E_INSUFFICIENT_BUFFER (call again with a larger buffer). The
 * CoTaskMem buffer BITS returns is freed here.
 */
BITS_SHIM_API int32_t bits_job_reply_data(BITS_JOB job, uint8_t *out,
                                          uint32_t cap, uint64_t *length);

#ifdef __cplusplus
}
#endif

#endif /* BITS_FILES_H */

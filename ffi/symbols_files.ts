/**
 * Symbols of `bits_files.h`, merged into the one table of {@link ./symbols.ts}.
 * Same conventions: every function returns an HRESULT; calls that reach the
 * BITS service are `nonblocking`.
 *
 * @module
 */

// The same three names as ./symbols.ts, defined here because importing them would be circular.
const HRESULT = "i32";
const HANDLE = "pointer";
const BUFFER = "buffer";

/** Symbols of `bits_files.h`. */
export const filesSymbols = {
  /** bits_job_add_file_set(job, uint32_t count, const uint16_t* names, uint32_t names_units, const uint32_t* lengths) */
  bits_job_add_file_set: { parameters: [HANDLE, "u32", BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /**
   * bits_job_add_file_with_ranges(job, remote, remote_len, local, local_len, const uint64_t* ranges,
   * uint32_t range_count)
   */
  bits_job_add_file_with_ranges: {
    parameters: [HANDLE, BUFFER, "u32", BUFFER, "u32", BUFFER, "u32"],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_job_replace_remote_prefix(job, old_prefix, old_len, new_prefix, new_len) */
  bits_job_replace_remote_prefix: {
    parameters: [HANDLE, BUFFER, "u32", BUFFER, "u32"],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_job_file_handles(job, BITS_FILE* files, uint32_t cap, uint32_t* count) */
  bits_job_file_handles: { parameters: [HANDLE, BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_job_file_handle(job, uint32_t index, BITS_FILE* file, uint32_t* count): S_FALSE when out of range */
  bits_job_file_handle: { parameters: [HANDLE, "u32", BUFFER, BUFFER], result: HRESULT, nonblocking: true },
  /** bits_file_read(file, uint32_t parts, uint8_t* out, uint32_t cap, uint32_t* needed) */
  bits_file_read: { parameters: [HANDLE, "u32", BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_file_set_remote_name(file, url, url_len) */
  bits_file_set_remote_name: { parameters: [HANDLE, BUFFER, "u32"], result: HRESULT, nonblocking: true },
  /** bits_file_set_validation_state(file, uint32_t valid) */
  bits_file_set_validation_state: { parameters: [HANDLE, "u32"], result: HRESULT, nonblocking: true },
  /** bits_file_request_ranges(file, const uint64_t* ranges, uint32_t range_count) */
  bits_file_request_ranges: { parameters: [HANDLE, BUFFER, "u32"], result: HRESULT, nonblocking: true },
  /** bits_job_set_reply_file_name(job, path, path_len) */
  bits_job_set_reply_file_name: { parameters: [HANDLE, BUFFER, "u32"], result: HRESULT, nonblocking: true },
  /** bits_job_reply_file_name(job, uint16_t* buf, uint32_t cap, uint32_t* len) */
  bits_job_reply_file_name: { parameters: [HANDLE, BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_job_reply_progress(job, uint64_t* progress): [BytesTotal, BytesTransferred] */
  bits_job_reply_progress: { parameters: [HANDLE, BUFFER], result: HRESULT, nonblocking: true },
  /** bits_job_reply_data(job, uint8_t* out, uint32_t cap, uint64_t* length) */
  bits_job_reply_data: { parameters: [HANDLE, BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** Fixed part of a `bits_file_read` record (`BITS_FILE_DETAILS_HEADER_BYTES`). */
export const FILE_DETAILS_HEADER_BYTES = 120;
/** One byte range in a record: u64 offset, u64 length (`BITS_FILE_RANGE_BYTES`). */
export const FILE_RANGE_BYTES = 16;

/** Parts `bits_file_read` can read (`BITS_FILE_PART_*`). */
export const FILE_PART = {
  /** Names and progress (IBackgroundCopyFile). */
  BASIC: 0x01,
  /** GetFileRanges (IBackgroundCopyFile2). */
  RANGES: 0x02,
  /** Temporary name, validation state, downloaded from peer (IBackgroundCopyFile3). */
  FILE3: 0x04,
  /** GetPeerDownloadStats (IBackgroundCopyFile4). */
  PEER_STATS: 0x08,
  /** HTTP response headers (IBackgroundCopyFile5). */
  HEADERS: 0x10,
  /** GetFilledFileRanges (IBackgroundCopyFile6). */
  FILLED: 0x20,
  /** Everything. */
  ALL: 0x3f,
} as const;

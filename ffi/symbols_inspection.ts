/**
 * Symbols of `bits_inspection.h`, merged into the one table of {@link ./symbols.ts}.
 * Same conventions: every function returns an HRESULT; calls that reach the
 * BITS service are `nonblocking`.
 *
 * @module
 */

// The same three type names as ./symbols.ts, defined here because that module imports this one.
const HRESULT = "i32";
const HANDLE = "pointer";
const BUFFER = "buffer";

/** Symbols of `bits_inspection.h`. */
export const inspectionSymbols = {
  /** bits_job_details(job, uint32_t langid, uint8_t* out, uint32_t cap, uint32_t* needed) */
  bits_job_details: { parameters: [HANDLE, "u32", BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_manager_error_description(manager, int32_t hr, uint32_t langid, uint16_t* buf, uint32_t cap, uint32_t* len) */
  bits_manager_error_description: {
    parameters: [HANDLE, "i32", "u32", BUFFER, "u32", BUFFER],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_format_message(uint32_t source, uint32_t message_id, uint32_t langid, uint16_t* buf, uint32_t cap, uint32_t* len): no COM */
  bits_format_message: { parameters: ["u32", "u32", "u32", BUFFER, "u32", BUFFER], result: HRESULT },
  /** bits_probe_manager_clsid(const uint8_t* clsid) */
  bits_probe_manager_clsid: { parameters: [BUFFER], result: HRESULT, nonblocking: true },
  /** bits_query_interface(void* handle, const uint8_t* iid) */
  bits_query_interface: { parameters: [HANDLE, BUFFER], result: HRESULT, nonblocking: true },
  /** bits_job_query_file_interface(job, const uint8_t* iid) */
  bits_job_query_file_interface: { parameters: [HANDLE, BUFFER], result: HRESULT, nonblocking: true },
  /** bits_job_probe_notify_flags(job, uint32_t flags) */
  bits_job_probe_notify_flags: { parameters: [HANDLE, "u32"], result: HRESULT, nonblocking: true },
  /** bits_temp_path(uint16_t* buf, uint32_t cap, uint32_t* len): no COM */
  bits_temp_path: { parameters: [BUFFER, "u32", BUFFER], result: HRESULT },
  /** bits_process_handle_count(uint32_t* count): no COM */
  bits_process_handle_count: { parameters: [BUFFER], result: HRESULT },
} as const satisfies Deno.ForeignLibraryInterface;

/** Size of the fixed part of a details record (`BITS_DETAILS_HEADER_BYTES`). */
export const DETAILS_HEADER_BYTES = 144;
/** `BITS_MESSAGE_SOURCE_SYSTEM`: FormatMessage from the system's tables. */
export const MESSAGE_SOURCE_SYSTEM = 0;
/** `BITS_MESSAGE_SOURCE_WINHTTP`: FormatMessage from winhttp.dll's message table. */
export const MESSAGE_SOURCE_WINHTTP = 1;

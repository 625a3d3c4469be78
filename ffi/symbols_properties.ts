/**
 * Symbols of `bits_properties.h`, merged into the one table of {@link ./symbols.ts}.
 * Same conventions: every function returns an HRESULT; calls that reach the
 * BITS service are `nonblocking`.
 *
 * @module
 */

// The same three aliases as ./symbols.ts, which imports this module (importing them back would be circular).
const HRESULT = "i32";
const HANDLE = "pointer";
const BUFFER = "buffer";

/** Shim ids of numeric, flag and boolean properties (`BITS_PROP_*`). */
export const PROP = {
  PRIORITY: 1,
  NOTIFY_FLAGS: 2,
  MINIMUM_RETRY_DELAY: 3,
  NO_PROGRESS_TIMEOUT: 4,
  FILE_ACL_FLAGS: 5,
  PEER_CACHING_FLAGS: 6,
  MAXIMUM_DOWNLOAD_TIME: 7,
  SECURITY_FLAGS: 8,
  COST_FLAGS: 9,
  DYNAMIC_CONTENT: 10,
  HIGH_PERFORMANCE: 11,
  MAX_DOWNLOAD_SIZE: 12,
  USE_STORED_CREDENTIALS: 13,
  MINIMUM_NOTIFICATION_INTERVAL_MS: 14,
  ON_DEMAND_MODE: 15,
} as const;

/** Shim ids of string properties (`BITS_STRPROP_*`). */
export const STRPROP = {
  DISPLAY_NAME: 1,
  DESCRIPTION: 2,
  CUSTOM_HEADERS: 3,
  HTTP_METHOD: 4,
} as const;

/** Size of a client certificate's SHA-1 hash (`BITS_CERT_HASH_BYTES`). */
export const CERT_HASH_BYTES = 20;

/** Symbols of `bits_properties.h`. */
export const propertiesSymbols = {
  /** bits_job_set_u64(job, uint32_t prop, uint64_t value) */
  bits_job_set_u64: { parameters: [HANDLE, "u32", "u64"], result: HRESULT, nonblocking: true },
  /** bits_job_get_u64(job, uint32_t prop, uint64_t* value) */
  bits_job_get_u64: { parameters: [HANDLE, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_job_set_string(job, uint32_t prop, const uint16_t* value, uint32_t len) */
  bits_job_set_string: { parameters: [HANDLE, "u32", BUFFER, "u32"], result: HRESULT, nonblocking: true },
  /** bits_job_get_string(job, uint32_t prop, uint16_t* buf, uint32_t cap, uint32_t* len): S_FALSE when none */
  bits_job_get_string: { parameters: [HANDLE, "u32", BUFFER, "u32", BUFFER], result: HRESULT, nonblocking: true },
  /** bits_job_set_notify_cmdline(job, program, program_len, parameters, parameters_len): length 0 passes NULL */
  bits_job_set_notify_cmdline: {
    parameters: [HANDLE, BUFFER, "u32", BUFFER, "u32"],
    result: HRESULT,
    nonblocking: true,
  },
  /**
   * bits_job_get_notify_cmdline(job, uint16_t* program, uint32_t program_cap, uint32_t* program_len,
   * uint16_t* parameters, uint32_t parameters_cap, uint32_t* parameters_len)
   */
  bits_job_get_notify_cmdline: {
    parameters: [HANDLE, BUFFER, "u32", BUFFER, BUFFER, "u32", BUFFER],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_job_set_proxy(job, uint32_t usage, list, list_len, bypass, bypass_len): length 0 passes NULL */
  bits_job_set_proxy: {
    parameters: [HANDLE, "u32", BUFFER, "u32", BUFFER, "u32"],
    result: HRESULT,
    nonblocking: true,
  },
  /**
   * bits_job_get_proxy(job, uint32_t* usage, uint16_t* list, uint32_t list_cap, uint32_t* list_len,
   * uint16_t* bypass, uint32_t bypass_cap, uint32_t* bypass_len)
   */
  bits_job_get_proxy: {
    parameters: [HANDLE, BUFFER, BUFFER, "u32", BUFFER, BUFFER, "u32", BUFFER],
    result: HRESULT,
    nonblocking: true,
  },
  /**
   * bits_job_set_credentials(job, uint32_t target, uint32_t scheme, uint16_t* user_name, uint32_t user_name_len,
   * uint16_t* password, uint32_t password_len): zeroes both buffers before returning
   */
  bits_job_set_credentials: {
    parameters: [HANDLE, "u32", "u32", BUFFER, "u32", BUFFER, "u32"],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_job_remove_credentials(job, uint32_t target, uint32_t scheme) */
  bits_job_remove_credentials: { parameters: [HANDLE, "u32", "u32"], result: HRESULT, nonblocking: true },
  /** bits_job_set_client_cert_by_id(job, uint32_t location, store_name, store_name_len, const uint8_t hash[20]) */
  bits_job_set_client_cert_by_id: {
    parameters: [HANDLE, "u32", BUFFER, "u32", BUFFER],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_job_set_client_cert_by_name(job, uint32_t location, store_name, store_name_len, subject, subject_len) */
  bits_job_set_client_cert_by_name: {
    parameters: [HANDLE, "u32", BUFFER, "u32", BUFFER, "u32"],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_job_remove_client_cert(job) */
  bits_job_remove_client_cert: { parameters: [HANDLE], result: HRESULT, nonblocking: true },
  /**
   * bits_job_get_client_cert(job, uint32_t* location, uint16_t* store_name, uint32_t store_name_cap,
   * uint32_t* store_name_len, uint8_t hash[20], uint16_t* subject, uint32_t subject_cap, uint32_t* subject_len)
   */
  bits_job_get_client_cert: {
    parameters: [HANDLE, BUFFER, BUFFER, "u32", BUFFER, BUFFER, BUFFER, "u32", BUFFER],
    result: HRESULT,
    nonblocking: true,
  },
  /** bits_job_set_notification_clsid(job, const uint8_t clsid[16]) */
  bits_job_set_notification_clsid: { parameters: [HANDLE, BUFFER], result: HRESULT, nonblocking: true },
  /** bits_job_get_notification_clsid(job, uint8_t clsid[16]) */
  bits_job_get_notification_clsid: { parameters: [HANDLE, BUFFER], result: HRESULT, nonblocking: true },
  /** bits_job_make_custom_headers_write_only(job) */
  bits_job_make_custom_headers_write_only: { parameters: [HANDLE], result: HRESULT, nonblocking: true },
} as const satisfies Deno.ForeignLibraryInterface;

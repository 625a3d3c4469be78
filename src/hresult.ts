/**
 * HRESULT names and descriptions: every BG_E_* / BG_S_* code BITS defines,
 * HTTP statuses (0x8019xxxx), and the COM, RPC, Win32 and WinHTTP codes a BITS
 * client meets. Names are what people search for; descriptions say what to do.
 *
 * @module
 */

/** True when `hr` is a failure: negative as a signed 32-bit value, nothing else. */
export function failed(hr: number): boolean {
  return (hr | 0) < 0;
}

/** Formats an HRESULT as `0x8020000F` (eight upper-case hex digits). */
export function formatHresult(hr: number): string {
  return `0x${(hr >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}

type Entry = readonly [name: string, description: string];

// BG_E_* codes are 0x80200000 + n; the table is keyed by n to stay readable.
const BG_E: Record<number, Entry> = {
  0x01: ["NOT_FOUND", "the requested job was not found"],
  0x02: ["INVALID_STATE", "the requested action is not allowed in the job's current state"],
  0x03: ["EMPTY", "the job has no files, or all of its files are already transferred"],
  0x04: ["FILE_NOT_AVAILABLE", "no file is available because no URL generated an error"],
  0x05: ["PROTOCOL_NOT_AVAILABLE", "no protocol is available because no URL generated an error"],
  0x06: ["ERROR_CONTEXT_NONE", "no error context"],
  0x07: ["ERROR_CONTEXT_UNKNOWN", "the error occurred in an unknown location"],
  0x08: ["ERROR_CONTEXT_GENERAL_QUEUE_MANAGER", "the error occurred in the BITS queue manager"],
  0x09: ["ERROR_CONTEXT_LOCAL_FILE", "the error occurred while processing the local file"],
  0x0A: ["ERROR_CONTEXT_REMOTE_FILE", "the error occurred while processing the remote file"],
  0x0B: ["ERROR_CONTEXT_GENERAL_TRANSPORT", "the error occurred in the transport layer"],
  0x0C: ["ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION", "the error occurred while notifying the client"],
  0x0D: ["DESTINATION_LOCKED", "the destination file is locked by another process"],
  0x0E: ["VOLUME_CHANGED", "the destination volume changed"],
  0x0F: ["ERROR_INFORMATION_UNAVAILABLE", "no error information is available"],
  0x10: ["NETWORK_DISCONNECTED", "no network connection is active"],
  0x11: ["MISSING_FILE_SIZE", "the server did not return the file size; the URL may point to dynamic content"],
  0x12: ["INSUFFICIENT_HTTP_SUPPORT", "the server does not support HTTP 1.1"],
  0x13: ["INSUFFICIENT_RANGE_SUPPORT", "the server does not support the HTTP Range header"],
  0x14: ["REMOTE_NOT_SUPPORTED", "remote use of BITS is not supported"],
  0x15: ["NEW_OWNER_DIFF_MAPPING", "the drive mapping differs for the new job owner"],
  0x16: ["NEW_OWNER_NO_FILE_ACCESS", "the new job owner cannot access the job's files"],
  0x18: ["PROXY_LIST_TOO_LARGE", "the proxy list is longer than 32 KB"],
  0x19: ["PROXY_BYPASS_LIST_TOO_LARGE", "the proxy bypass list is longer than 32 KB"],
  0x1B: ["INVALID_SERVER_RESPONSE", "the server's response was not valid"],
  0x1C: ["TOO_MANY_FILES", "the job has too many files"],
  0x1D: ["LOCAL_FILE_CHANGED", "the local file changed during the transfer"],
  0x1E: ["ERROR_CONTEXT_REMOTE_APPLICATION", "the error was reported by the server application"],
  0x1F: ["SESSION_NOT_FOUND", "the session was not found"],
  0x20: ["TOO_LARGE", "the upload file is larger than the server accepts"],
  0x21: ["STRING_TOO_LONG", "the string is longer than BITS allows"],
  0x22: ["CLIENT_SERVER_PROTOCOL_MISMATCH", "the client and server upload protocols do not match"],
  0x23: ["SERVER_EXECUTE_ENABLE", "scripting or execute permission is enabled on the upload virtual directory"],
  0x24: ["NO_PROGRESS", "the job made no progress"],
  0x25: ["USERNAME_TOO_LARGE", "the user name is longer than 300 characters"],
  0x26: ["PASSWORD_TOO_LARGE", "the password is longer than BITS allows"],
  0x27: ["INVALID_AUTH_TARGET", "the authentication target is not valid"],
  0x28: ["INVALID_AUTH_SCHEME", "the authentication scheme is not valid"],
  0x29: ["FILE_NOT_FOUND", "the file was not found"],
  0x2B: ["INVALID_RANGE", "a byte range is not valid"],
  0x2C: ["OVERLAPPING_RANGES", "byte ranges overlap"],
  0x2D: ["CONNECT_FAILURE", "the connection to the server failed"],
  0x2E: ["CONNECTION_CLOSED", "the connection was closed"],
  0x2F: ["KEEP_ALIVE_FAILURE", "the keep-alive connection failed"],
  0x30: ["MESSAGE_LENGTH_LIMIT_EXCEEDED", "the message exceeds the length limit"],
  0x31: ["NAME_RESOLUTION_FAILURE", "the server name could not be resolved"],
  0x32: ["PENDING", "the operation is pending"],
  0x33: ["PIPELINE_FAILURE", "the request pipeline failed"],
  0x34: ["PROTOCOL_ERROR", "a protocol error occurred"],
  0x35: ["PROXY_NAME_RESOLUTION_FAILURE", "the proxy name could not be resolved"],
  0x36: ["RECEIVE_FAILURE", "receiving from the server failed"],
  0x37: ["REQUEST_CANCELED", "the request was cancelled"],
  0x38: ["SECURE_CHANNEL_FAILURE", "the secure channel failed"],
  0x39: ["SEND_FAILURE", "sending to the server failed"],
  0x3A: ["SERVER_PROTOCOL_VIOLATION", "the server violated the protocol"],
  0x3B: ["TIMEOUT", "the operation timed out"],
  0x3C: ["TRUST_FAILURE", "the server's certificate is not trusted"],
  0x3D: ["UNKNOWN_ERROR", "an unknown transport error occurred"],
  0x3E: ["BLOCKED_BY_POLICY", "Group Policy blocks this transfer"],
  0x3F: ["INVALID_PROXY_INFO", "the proxy settings are not valid"],
  0x40: ["INVALID_CREDENTIALS", "the credentials are not valid"],
  0x41: ["INVALID_HASH_ALGORITHM", "the hash algorithm is not valid"],
  0x42: ["RECORD_DELETED", "the cache record was deleted"],
  0x43: ["COMMIT_IN_PROGRESS", "a commit is in progress"],
  0x44: ["DISCOVERY_IN_PROGRESS", "peer discovery is in progress"],
  0x45: ["UPNP_ERROR", "a UPnP error occurred"],
  0x46: ["TEST_OPTION_BLOCKED_DOWNLOAD", "a test option blocked the download"],
  0x47: ["PEERCACHING_DISABLED", "peer caching is disabled"],
  0x48: ["BUSYCACHERECORD", "the cache record is in use"],
  0x49: ["TOO_MANY_JOBS_PER_USER", "the user has too many jobs (MaxJobsPerUser, 60 by default)"],
  0x50: ["TOO_MANY_JOBS_PER_MACHINE", "the machine has too many jobs (MaxJobsPerMachine, 300 by default)"],
  0x51: ["TOO_MANY_FILES_IN_JOB", "the job has too many files (MaxFilesPerJob, 200 by default)"],
  0x52: ["TOO_MANY_RANGES_IN_FILE", "the file has too many byte ranges (MaxRangesPerFile)"],
  0x53: ["VALIDATION_FAILED", "the file failed content validation"],
  0x54: ["MAXDOWNLOAD_TIMEOUT", "the job exceeded its maximum download time"],
  0x56: ["TOKEN_REQUIRED", "a helper token is required"],
  0x57: ["UNKNOWN_PROPERTY_ID", "the property id is unknown"],
  0x58: ["READ_ONLY_PROPERTY", "the property is read-only"],
  0x59: ["BLOCKED_BY_COST_TRANSFER_POLICY", "the job's cost transfer policy blocks it on this network"],
  0x60: ["PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY", "the property applies to download jobs only"],
  0x61: ["READ_ONLY_PROPERTY_AFTER_ADDFILE", "the property cannot change after files were added"],
  0x62: ["READ_ONLY_PROPERTY_AFTER_RESUME", "the property cannot change after the job was resumed"],
  0x63: ["MAX_DOWNLOAD_SIZE_INVALID_VALUE", "the maximum download size is not valid"],
  0x64: ["MAX_DOWNLOAD_SIZE_LIMIT_REACHED", "the file exceeds the job's maximum download size"],
  0x65: ["STANDBY_MODE", "the machine is in standby mode"],
  0x66: ["USE_STORED_CREDENTIALS_NOT_SUPPORTED", "stored credentials are not supported for this job"],
  0x67: ["BLOCKED_BY_BATTERY_POLICY", "the battery policy blocks the transfer"],
  0x68: ["BLOCKED_BY_BATTERY_SAVER", "battery saver blocks the transfer"],
  0x69: ["WATCHDOG_TIMEOUT", "the BITS watchdog timed out"],
  0x6A: ["APP_PACKAGE_NOT_FOUND", "the app package was not found"],
  0x6B: ["APP_PACKAGE_SCENARIO_NOT_SUPPORTED", "the app package scenario is not supported"],
  0x6C: ["DATABASE_CORRUPT", "the BITS job database is corrupt"],
  0x6D: ["RANDOM_ACCESS_NOT_SUPPORTED", "the server does not support random access"],
  0x6E: ["BLOCKED_BY_BACKGROUND_ACCESS_POLICY", "the background access policy blocks the transfer"],
  0x6F: ["BLOCKED_BY_GAME_MODE", "game mode blocks the transfer"],
  0x70: ["BLOCKED_BY_SYSTEM_POLICY", "a system policy blocks the transfer"],
  0x71: ["NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD", "not supported with a custom HTTP method"],
  0x72: ["UNSUPPORTED_JOB_CONFIGURATION", "the job configuration is not supported"],
  0x73: ["REMOTE_FILE_CHANGED", "the remote file changed during the transfer"],
  0x74: ["SERVER_CERT_VALIDATION_INTERFACE_REQUIRED", "a server certificate validation interface is required"],
  0x75: ["READ_ONLY_WHEN_JOB_ACTIVE", "the property cannot change while the job is active"],
  0x76: ["ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK", "the error occurred in the server certificate callback"],
};

// BG_S_* codes are 0x00200000 + n.
const BG_S: Record<number, Entry> = {
  0x06: ["ERROR_CONTEXT_NONE", "no error context"],
  0x17: ["PARTIAL_COMPLETE", "some files were not completed; only the finished files were kept"],
  0x1A: ["UNABLE_TO_DELETE_FILES", "BITS could not delete some temporary or destination files"],
  0x2A: ["PROXY_CHANGED", "the proxy settings changed"],
  0x55: ["OVERRIDDEN_BY_POLICY", "the setting was overridden by Group Policy"],
};

const OTHER: Record<number, Entry> = {
  0x00000000: ["S_OK", "success"],
  0x00000001: ["S_FALSE", "success (S_FALSE)"],
  0x80004001: ["E_NOTIMPL", "not implemented by this BITS"],
  0x80004002: ["E_NOINTERFACE", "the interface is not supported by this BITS"],
  0x80004003: ["E_POINTER", "a required pointer was NULL"],
  0x80004004: ["E_ABORT", "the operation was aborted"],
  0x80004005: ["E_FAIL", "unspecified failure"],
  0x8000FFFF: ["E_UNEXPECTED", "catastrophic failure"],
  0x80070005: ["E_ACCESSDENIED", "access denied (another user's job, elevation mismatch, or impersonation too low)"],
  0x8007000E: ["E_OUTOFMEMORY", "out of memory"],
  0x80070057: ["E_INVALIDARG", "an argument is not valid"],
  0x80040154: ["REGDB_E_CLASSNOTREG", "the class is not registered (this BITS version is absent)"],
  0x800401F0: ["CO_E_NOTINITIALIZED", "COM is not initialised on this thread"],
  0x80010106: ["RPC_E_CHANGED_MODE", "the thread is already a single-threaded COM apartment"],
  0x80010108: ["RPC_E_DISCONNECTED", "the BITS service disconnected; reconnect"],
  0x800706BA: ["RPC_S_SERVER_UNAVAILABLE", "the BITS service is unavailable"],
  0x800706BE: ["RPC_S_CALL_FAILED", "the call to the BITS service failed"],
  0x800706F4: ["RPC_X_NULL_REF_POINTER", "a NULL reference crossed the RPC boundary (a stubbed method under Wine)"],
  0x800704DD: ["ERROR_NOT_LOGGED_ON", "the job owner is not logged on interactively"],
  0x8007007A: ["ERROR_INSUFFICIENT_BUFFER", "the buffer is too small"],
  0x80070002: ["ERROR_FILE_NOT_FOUND", "the file was not found"],
  0x80070003: ["ERROR_PATH_NOT_FOUND", "the path was not found"],
  0x80070020: ["ERROR_SHARING_VIOLATION", "the file is in use by another process"],
  0x80070050: ["ERROR_FILE_EXISTS", "the file already exists"],
  0x80070070: ["ERROR_DISK_FULL", "the disk is full"],
  0x8007007B: ["ERROR_INVALID_NAME", "the file name is not valid"],
  0x800703E6: ["ERROR_NOACCESS", "invalid access to memory (a never-set description under Wine)"],
  0x80072EE2: ["ERROR_WINHTTP_TIMEOUT", "the request timed out"],
  0x80072EE7: ["ERROR_WINHTTP_NAME_NOT_RESOLVED", "the server name could not be resolved"],
  0x80072EFD: ["ERROR_WINHTTP_CANNOT_CONNECT", "could not connect to the server"],
  0x80072EFE: ["ERROR_WINHTTP_CONNECTION_ERROR", "the connection to the server was terminated"],
  0x80072F06: ["ERROR_WINHTTP_SECURE_CERT_CN_INVALID", "the certificate's name does not match the host"],
  0x80072F8F: ["ERROR_WINHTTP_SECURE_FAILURE", "the TLS connection failed"],
};

// HTTP reason phrases for the statuses BITS reports as BG_E_HTTP_ERROR_nnn.
const HTTP_REASON: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  410: "Gone",
  414: "URI Too Long",
  416: "Range Not Satisfiable",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

/** What is known about an HRESULT. */
export interface HresultInfo {
  /** Symbolic name, e.g. `BG_E_NOT_FOUND`, `BG_E_HTTP_ERROR_404`, `E_NOTIMPL`. */
  readonly name: string;
  /** Short lower-case description, suitable after a colon. */
  readonly description: string;
  /** The HTTP status for 0x8019xxxx codes. */
  readonly httpStatus?: number;
}

/**
 * Names and describes an HRESULT. Unknown codes get a generic name:
 * `HRESULT_FROM_WIN32(n)` for 0x8007xxxx, otherwise the hex value.
 */
export function describeHresult(hr: number): HresultInfo {
  const u = hr >>> 0;
  // `&` yields a signed result; `>>> 0` makes it comparable with unsigned literals.
  const high = (u & 0xFFFF0000) >>> 0;
  const low = u & 0xFFFF;
  let entry: Entry | undefined;
  if (high === 0x80200000) entry = BG_E[low] && [`BG_E_${BG_E[low][0]}`, BG_E[low][1]];
  else if (high === 0x00200000) entry = BG_S[low] && [`BG_S_${BG_S[low][0]}`, BG_S[low][1]];
  else if (high === 0x80190000) {
    const reason = HTTP_REASON[low];
    return {
      name: `BG_E_HTTP_ERROR_${low}`,
      description: `the server returned HTTP ${low}${reason ? ` ${reason}` : ""}`,
      httpStatus: low,
    };
  } else entry = OTHER[u];
  if (entry) return { name: entry[0], description: entry[1] };
  if (high === 0x80070000) {
    return { name: `HRESULT_FROM_WIN32(${low})`, description: `Windows error ${low}` };
  }
  return { name: formatHresult(u), description: failed(u) ? "unknown failure" : "success" };
}

/** The symbolic name of an HRESULT (see {@linkcode describeHresult}). */
export function hresultName(hr: number): string {
  return describeHresult(hr).name;
}

/** Well-known HRESULT values, as signed 32-bit numbers (the FFI's `i32`). */
export const HR = {
  S_OK: 0,
  S_FALSE: 1,
  BG_S_PARTIAL_COMPLETE: 0x00200017,
  BG_S_UNABLE_TO_DELETE_FILES: 0x0020001A,
  BG_E_NOT_FOUND: 0x80200001 | 0,
  BG_E_INVALID_STATE: 0x80200002 | 0,
  BG_E_EMPTY: 0x80200003 | 0,
  BG_E_ERROR_INFORMATION_UNAVAILABLE: 0x8020000F | 0,
  BG_E_STRING_TOO_LONG: 0x80200021 | 0,
  E_NOTIMPL: 0x80004001 | 0,
  E_NOINTERFACE: 0x80004002 | 0,
  E_INVALIDARG: 0x80070057 | 0,
  ERROR_INSUFFICIENT_BUFFER: 0x8007007A | 0,
  RPC_X_NULL_REF_POINTER: 0x800706F4 | 0,
} as const;

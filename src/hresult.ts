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
  0x80092004: ["CRYPT_E_NOT_FOUND", "the certificate was not found in the store"],
  0x80070070: ["ERROR_DISK_FULL", "the disk is full"],
  0x8007007B: ["ERROR_INVALID_NAME", "the file name is not valid"],
  0x800703E6: ["ERROR_NOACCESS", "invalid access to memory (a never-set description under Wine)"],
  0x80070008: ["ERROR_NOT_ENOUGH_MEMORY", "not enough memory"],
  0x80070013: ["ERROR_WRITE_PROTECT", "the medium is write-protected"],
  0x80070021: ["ERROR_LOCK_VIOLATION", "another process has locked a portion of the file"],
  0x8007013D: ["ERROR_MR_MID_NOT_FOUND", "the message table has no text for this code"],
  0x80070715: ["ERROR_RESOURCE_TYPE_NOT_FOUND", "the module has no resource of this type (no message table)"],
  0x80070716: ["ERROR_RESOURCE_NAME_NOT_FOUND", "the module has no resource of this name"],
  0x80070717: ["ERROR_RESOURCE_LANG_NOT_FOUND", "the resource has no text in this language"],
};

// WinHTTP errors are Win32 codes 12001-12190 (WINHTTP_ERROR_BASE 12000), seen as
// HRESULT_FROM_WIN32: 0x80072EE1-0x80072F9E. Names as in winhttp.h.
const WINHTTP: Record<number, Entry> = {
  12001: ["OUT_OF_HANDLES", "no more WinHTTP handles could be generated"],
  12002: ["TIMEOUT", "the request timed out"],
  12004: ["INTERNAL_ERROR", "an internal WinHTTP error occurred"],
  12005: ["INVALID_URL", "the URL is not valid"],
  12006: ["UNRECOGNIZED_SCHEME", "the URL scheme is not http or https"],
  12007: ["NAME_NOT_RESOLVED", "the server name could not be resolved"],
  12009: ["INVALID_OPTION", "a WinHTTP option is not valid"],
  12011: ["OPTION_NOT_SETTABLE", "a WinHTTP option cannot be set"],
  12012: ["SHUTDOWN", "WinHTTP was shut down"],
  12015: ["LOGIN_FAILURE", "the login attempt failed"],
  12017: ["OPERATION_CANCELLED", "the operation was cancelled"],
  12018: ["INCORRECT_HANDLE_TYPE", "the handle is of the wrong type"],
  12019: ["INCORRECT_HANDLE_STATE", "the handle is in the wrong state"],
  12029: ["CANNOT_CONNECT", "could not connect to the server"],
  12030: ["CONNECTION_ERROR", "the connection to the server was reset or terminated"],
  12032: ["RESEND_REQUEST", "the request must be sent again"],
  12037: ["SECURE_CERT_DATE_INVALID", "the server's certificate has expired or is not yet valid"],
  12038: ["SECURE_CERT_CN_INVALID", "the certificate's name does not match the host"],
  12044: ["CLIENT_AUTH_CERT_NEEDED", "the server requires a client certificate"],
  12045: ["SECURE_INVALID_CA", "the certificate chains to a root that is not trusted"],
  12057: ["SECURE_CERT_REV_FAILED", "the certificate's revocation could not be checked"],
  12100: ["CANNOT_CALL_BEFORE_OPEN", "the call is not allowed before open"],
  12101: ["CANNOT_CALL_BEFORE_SEND", "the call is not allowed before send"],
  12102: ["CANNOT_CALL_AFTER_SEND", "the call is not allowed after send"],
  12103: ["CANNOT_CALL_AFTER_OPEN", "the call is not allowed after open"],
  12150: ["HEADER_NOT_FOUND", "the requested header was not found"],
  12152: ["INVALID_SERVER_RESPONSE", "the server's response could not be parsed"],
  12153: ["INVALID_HEADER", "a header is not valid"],
  12154: ["INVALID_QUERY_REQUEST", "the header query is not valid"],
  12155: ["HEADER_ALREADY_EXISTS", "the header already exists"],
  12156: ["REDIRECT_FAILED", "the redirect failed (scheme change, or too many redirects)"],
  12157: ["SECURE_CHANNEL_ERROR", "an error occurred in the secure channel (TLS)"],
  12166: ["BAD_AUTO_PROXY_SCRIPT", "the proxy auto-configuration script has an error"],
  12167: ["UNABLE_TO_DOWNLOAD_SCRIPT", "the proxy auto-configuration script could not be downloaded"],
  12169: ["SECURE_INVALID_CERT", "the server's certificate is not valid"],
  12170: ["SECURE_CERT_REVOKED", "the server's certificate was revoked"],
  12172: ["NOT_INITIALIZED", "WinHTTP is not initialised"],
  12175: ["SECURE_FAILURE", "the TLS connection failed (one or more certificate errors)"],
  12176: ["UNHANDLED_SCRIPT_TYPE", "the proxy script type is not supported"],
  12177: ["SCRIPT_EXECUTION_ERROR", "the proxy script failed to run"],
  12178: ["AUTO_PROXY_SERVICE_ERROR", "the proxy auto-discovery service failed"],
  12179: ["SECURE_CERT_WRONG_USAGE", "the server's certificate is not meant for server authentication"],
  12180: ["AUTODETECTION_FAILED", "proxy auto-detection failed"],
  12181: ["HEADER_COUNT_EXCEEDED", "the response has too many headers"],
  12182: ["HEADER_SIZE_OVERFLOW", "the response headers are too large"],
  12183: ["CHUNKED_ENCODING_HEADER_SIZE_OVERFLOW", "a chunk header of the response is too large"],
  12184: ["RESPONSE_DRAIN_OVERFLOW", "the response body is too large to drain"],
  12185: ["CLIENT_CERT_NO_PRIVATE_KEY", "the client certificate has no private key"],
  12186: ["CLIENT_CERT_NO_ACCESS_PRIVATE_KEY", "the client certificate's private key cannot be accessed"],
  12187: ["CLIENT_AUTH_CERT_NEEDED_PROXY", "the proxy requires a client certificate"],
  12188: ["SECURE_FAILURE_PROXY", "the TLS connection to the proxy failed"],
  12190: ["HTTP_PROTOCOL_MISMATCH", "the server's HTTP version is not supported"],
};

/** First and last Win32 codes of the WinHTTP range (WINHTTP_ERROR_BASE + 1 … WINHTTP_ERROR_LAST). */
const WINHTTP_FIRST = 12001;
const WINHTTP_LAST = 12190;

/** True when `hr` is a WinHTTP (or WinINet, same numbering) code carried as HRESULT_FROM_WIN32: 0x80072EE1–0x80072F9E. */
export function isWinHttpError(hr: number): boolean {
  const u = hr >>> 0;
  const code = u & 0xFFFF;
  return ((u & 0xFFFF0000) >>> 0) === 0x80070000 && code >= WINHTTP_FIRST && code <= WINHTTP_LAST;
}

// HTTP reason phrases: every status the BITS headers define a BG_E_HTTP_ERROR_nnn for, and a few more.
const HTTP_REASON: Record<number, string> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  429: "Too Many Requests",
  449: "Retry With",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

// What to do about the common failures; keyed by unsigned HRESULT. Hints say what
// a person can change, so they name settings, policies and commands, never internals.
const SERVER_REQUIREMENTS_HINT = "the server does not meet BITS' HTTP requirements (the size from HEAD, Range " +
  "requests): for dynamic content set the job's DYNAMIC_CONTENT property (BITS 5.0) with FOREGROUND priority, or " +
  "fix the server or proxy that drops Content-Length or Range";
const UNREACHABLE_HINT = "the server is unreachable: check the host and port, the firewall and the proxy " +
  "settings (service accounts do not see the user's proxy)";
const NAME_HINT = "the host name could not be resolved: check the URL's host, DNS and the proxy settings";
const CERTIFICATE_HINT = "the server's TLS certificate was rejected: fix the certificate (host name, dates, " +
  "trusted CA) or, where acceptable, relax the job's security flags (BG_SSL_IGNORE_CERT_CN_INVALID, " +
  "_CERT_DATE_INVALID, _UNKNOWN_CA, _CERT_WRONG_USAGE; IBackgroundCopyJobHttpOptions, BITS 2.5)";
const TOO_MANY_JOBS_HINT = "complete or cancel finished jobs ('bits list' shows them): TRANSFERRED and ERROR jobs " +
  "stay queued, and count against the limit, until you do";
const UNSUPPORTED_HINT = "this BITS lacks the feature (Wine's BITS stubs many): 'bits doctor' lists what it supports";
const SERVICE_HINT = "the BITS service stopped or is unreachable: start it ('sc start BITS' or Start-Service BITS) " +
  "and connect again";

const HINTS: Record<number, string> = {
  0x80200011: SERVER_REQUIREMENTS_HINT,
  0x80200012: SERVER_REQUIREMENTS_HINT,
  0x80200013: SERVER_REQUIREMENTS_HINT,
  0x8020006D: SERVER_REQUIREMENTS_HINT,
  0x800704DD: "BITS transfers only while the job's owner is logged on interactively: a scheduled task must be set " +
    'to "Run only when user is logged on", or run the transfer under a service account (LocalSystem, ' +
    "NetworkService); RunAs and other non-interactive logons fail this way",
  0x80070005: "access denied: a job created elevated can only be changed from an elevated process, another user's " +
    "job needs administrator rights (and taking ownership), and listing all users' jobs needs elevation",
  0x80092004: "no certificate with that hash or subject name is in the given store (CURRENT_USER, LOCAL_MACHINE …): " +
    "import it there first, or name the store it is in ('certutil -user -store MY' lists the current user's)",
  0x80200049: TOO_MANY_JOBS_HINT,
  0x80200050: TOO_MANY_JOBS_HINT,
  0x80200051: "split the transfer into several jobs (the MaxFilesPerJob policy allows 200 files by default)",
  0x80200052: "request fewer ranges per file (the MaxRangesPerFile policy allows 500 by default)",
  0x80190191: "the server wants credentials: set server credentials on the job (Basic, NTLM, Negotiate …)",
  0x80190193: "the server refuses the request; presigned S3 or Azure SAS URLs signed for GET refuse BITS' HEAD " +
    "request: use the DYNAMIC_CONTENT property or a URL that also allows HEAD",
  0x80190194: "the URL is wrong or the file is gone: fix the remote name and resume the job, or cancel it",
  0x80190197: "the proxy wants credentials: set proxy credentials on the job (target PROXY), or use a proxy " +
    "that does not need them",
  0x8020000F: "BITS did not record why the transfer failed (under Wine every network, TLS and local-file error " +
    "looks like this): check the URL, the server, the certificate and the destination directory",
  0x80200001: "the job left the queue (completed or cancelled) or belongs to another user",
  0x80200002: "the job's state does not allow this: only a TRANSFERRED job can be completed, and nothing can be " +
    "done to a cancelled or acknowledged one",
  0x80200003: "add a file before resuming; a job whose files are all transferred needs Complete, not Resume",
  0x80200010: "BITS waits for a network connection and resumes the job by itself",
  0x8020000D: "another program holds the destination file: close it, then resume the job",
  0x80200014: "BITS from a remote session (PowerShell remoting, SSH) works only on Windows 10 1607 and later and " +
    "only while the session is open: create the job from an interactive session or a scheduled task",
  0x8020003E: "Group Policy blocks this transfer: ask the administrator (BITS policies under " +
    "Computer Configuration\\Administrative Templates\\Network\\Background Intelligent Transfer Service)",
  0x80200059: "the job's cost flags forbid this network (metered or roaming): change its COST_FLAGS property " +
    "(BITS 5.0)",
  0x80200054: "the job ran out of time: raise its maximum download time (IBackgroundCopyJob4, 90 days by default)",
  0x80200031: NAME_HINT,
  0x80200035: NAME_HINT,
  0x8020002D: UNREACHABLE_HINT,
  0x8020003B: UNREACHABLE_HINT,
  0x8020003C: CERTIFICATE_HINT,
  0x80200038: CERTIFICATE_HINT,
  0x80072EE2: UNREACHABLE_HINT,
  0x80072EE7: NAME_HINT,
  0x80072EFD: UNREACHABLE_HINT,
  0x80072EFE: UNREACHABLE_HINT,
  0x80072F05: CERTIFICATE_HINT,
  0x80072F06: CERTIFICATE_HINT,
  0x80072F0D: CERTIFICATE_HINT,
  0x80072F19: CERTIFICATE_HINT,
  0x80072F7D: CERTIFICATE_HINT,
  0x80072F89: CERTIFICATE_HINT,
  0x80072F8A: CERTIFICATE_HINT,
  0x80072F8F: CERTIFICATE_HINT,
  0x80072F93: CERTIFICATE_HINT,
  0x80072EE6: "the URL must start with http:// or https://",
  0x80072F78: "the server's response is not valid HTTP: check that the URL points to an HTTP server",
  0x80072F7C: "the redirect failed (too many redirects, or a change of scheme the job's redirect policy forbids)",
  0x80004001: UNSUPPORTED_HINT,
  0x80004002: UNSUPPORTED_HINT,
  0x800706F4: UNSUPPORTED_HINT,
  0x80040154: "this BITS version is not installed (expected while probing versions; see 'bits doctor')",
  0x800706BA: SERVICE_HINT,
  0x800706BE: SERVICE_HINT,
  0x80010108: SERVICE_HINT,
  0x80070003: "the destination directory does not exist: create it first",
  0x80070070: "the destination disk is full: free space, then resume the job",
  0x80200021: "the string is longer than BITS allows (display name 256, description 1,024 characters)",
};

/** What is known about an HRESULT. */
export interface HresultInfo {
  /** Symbolic name, e.g. `BG_E_NOT_FOUND`, `BG_E_HTTP_ERROR_404`, `E_NOTIMPL`. */
  readonly name: string;
  /** Short lower-case description, suitable after a colon. */
  readonly description: string;
  /** The HTTP status for 0x8019xxxx codes. */
  readonly httpStatus?: number;
  /** What to do about it, for the common failures (lower case, suitable after `hint: `). */
  readonly hint?: string;
}

/** What to do about `hr`, for the common failures; `undefined` when there is nothing useful to say. */
export function hintFor(hr: number): string | undefined {
  const u = hr >>> 0;
  const hint = HINTS[u];
  if (hint !== undefined) return hint;
  if (((u & 0xFFFF0000) >>> 0) === 0x80190000) {
    const status = u & 0xFFFF;
    if (status >= 500) return "the server failed; BITS retries after the job's retry delay, or resume the job later";
  }
  return undefined;
}

function withHint(info: HresultInfo, hr: number): HresultInfo {
  const hint = hintFor(hr);
  return hint === undefined ? info : { ...info, hint };
}

/**
 * Names and describes an HRESULT, with a hint for the common failures.
 * Unknown codes get a generic name: `HRESULT_FROM_WIN32(n)` for 0x8007xxxx,
 * otherwise the hex value. HTTP statuses (0x8019xxxx) are decoded
 * arithmetically as `BG_E_HTTP_ERROR_nnn`.
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
    return withHint({
      name: `BG_E_HTTP_ERROR_${low}`,
      description: `the server returned HTTP ${low}${reason ? ` ${reason}` : ""}`,
      httpStatus: low,
    }, u);
  } else if (isWinHttpError(u)) {
    entry = WINHTTP[low] ? [`ERROR_WINHTTP_${WINHTTP[low][0]}`, WINHTTP[low][1]] : undefined;
    if (!entry) return { name: `HRESULT_FROM_WIN32(${low})`, description: `WinHTTP or WinINet error ${low}` };
  } else entry = OTHER[u];
  if (entry) return withHint({ name: entry[0], description: entry[1] }, u);
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

/**
 * deno-bits: drive the Windows Background Intelligent Transfer Service (BITS)
 * from TypeScript, through a thin C shim over the BITS COM API.
 *
 * Importing works on every OS; the first call that needs BITS loads the shim
 * (`deno task build` builds it) and throws {@linkcode BitsUnavailableError}
 * off Windows. Needs `--allow-ffi`, `--allow-read` (destination checks) and,
 * for the `BITS_SHIM_PATH` override, `--allow-env=BITS_SHIM_PATH`.
 *
 * @example Download a file and wait for it
 * ```ts ignore
 * import { connect } from "@deno-bits/bits";
 *
 * using bits = await connect();
 * using job = await bits.download([
 *   { url: "https://example.com/file.zip", path: "C:\\Downloads\\file.zip" },
 * ], { displayName: "file.zip" });
 * await job.wait({ onSnapshot: (s) => console.log(s.state, s.progress.bytesTransferred) });
 * console.log(await job.complete()); // "completed"
 * ```
 *
 * @module
 */

export { BitsManager, connect } from "./src/manager.ts";
export { DEFAULT_JOB_DESCRIPTION } from "./src/create_job.ts";
export type { CreateJobOptions, DownloadOptions } from "./src/create_job.ts";
export type { ListOptions } from "./src/queue.ts";
export { BitsJob } from "./src/job.ts";
export type { FileSpec } from "./src/files.ts";
export type { CompleteOptions, FinishOptions } from "./src/finish.ts";
export type { WaitOptions } from "./src/wait.ts";
export {
  BitsError,
  BitsUnavailableError,
  BitsUnsupportedError,
  InvalidArgumentError,
  unwrap,
  WmpJobOwnedError,
} from "./src/errors.ts";
export type { BitsErrorDetails, Requirement, UnavailableReason } from "./src/errors.ts";
export { REQUIRES } from "./src/features.ts";
export { describeHresult, failed, formatHresult, hresultName } from "./src/hresult.ts";
export type { HresultInfo } from "./src/hresult.ts";
export { ERROR_CONTEXTS, FINAL_STATES, JOB_STATES, JOB_TYPES, SETTLED_STATES } from "./src/types.ts";
export type {
  CancelOutcome,
  CompleteOutcome,
  DatedJobSnapshot,
  ErrorContext,
  JobErrorInfo,
  JobFile,
  JobProgress,
  JobSnapshot,
  JobState,
  JobTimes,
  JobType,
} from "./src/types.ts";
export { formatGuid, isGuid, normalizeGuid, parseGuid } from "./src/guid.ts";
export { AmbiguousJobError, matchJobReference, MIN_ID_PREFIX, resolveJob } from "./src/resolve.ts";
export type { JobMatch } from "./src/resolve.ts";
export { checkExpectation, IntegrityError, verifyFile } from "./src/integrity.ts";
export type { FileExpectation, FileFacts, VerifyOptions } from "./src/integrity.ts";
export { checkExpectedFiles } from "./src/verified_complete.ts";
export type { ExpectedFile, Verification, VerificationStage } from "./src/verified_complete.ts";
export { decodeUtf16, encodeUtf16 } from "./src/utf16.ts";
export type { Utf16String } from "./src/utf16.ts";
export { MAX_DESCRIPTION, MAX_DISPLAY_NAME, MAX_LOCAL_PATH, MAX_URL } from "./src/validate.ts";
export { SHIM_PATH_ENV } from "./ffi/library.ts";
export { wineVersion } from "./src/platform.ts";
export {
  formatWmpDescription,
  hasWmpMediaExtension,
  isWmpDescription,
  MAX_WMP_DESCRIPTION,
  newServiceId,
  parseWmpDescription,
  ratingToStars,
  starsToRating,
  WMP_MEDIA_EXTENSIONS,
  WMP_RATINGS,
  WmpConventionError,
  wmpKindOf,
} from "./src/wmp/codec.ts";
export type { FormatWmpOptions, WmpKind, WmpMetadata, WmpSanitizeChange } from "./src/wmp/codec.ts";
export { finishWmpStatusJob, submitWmpJob } from "./src/wmp/submit.ts";
export type { WmpFinished, WmpSubmission } from "./src/wmp/submit.ts";
export {
  downloadCollection,
  WMP_DOWNLOAD_STATE_NAMES,
  WMP_ITEM_INFO_NAMES,
  wmpDownloadState,
} from "./src/wmp/collection.ts";
export type { WmpDownloadItem, WmpDownloadState, WmpItemInfoName } from "./src/wmp/collection.ts";
export {
  getRefreshDownload,
  REFRESH_DOWNLOAD_KEY,
  REFRESH_DOWNLOAD_VALUE,
  setRefreshDownload,
} from "./src/wmp/refresh.ts";
export type { RefreshDownloadState } from "./src/wmp/refresh.ts";
export { fileIntoLibrary, LibraryFileExistsError, libraryPath, sanitizePathComponent } from "./src/wmp/library.ts";
export type { FileIntoLibraryOptions, MediaMetadata } from "./src/wmp/library.ts";
export { watch } from "./src/watch/watch.ts";
export type { WatchTarget } from "./src/watch/watch.ts";
export type { WatchOptions } from "./src/watch/session.ts";
export { Coalescer } from "./src/watch/events.ts";
export type { EventSource, Observation, WatchEvent, WatchEventKind } from "./src/watch/events.ts";

// Job properties (src/properties.ts).
export {
  ACL_FLAGS,
  AUTH_SCHEMES,
  AUTH_TARGETS,
  CERT_STORE_LOCATIONS,
  COST_IGNORE_CONGESTION,
  COST_STATES,
  JOB_PRIORITIES,
  NOTIFY_FLAGS,
  PEER_CACHING_FLAGS,
  PROXY_USAGES,
  READABLE_PROPERTIES,
  REDIRECT_POLICIES,
  REDIRECT_POLICY_MASK,
  SecretCredentials,
  SECURITY_FLAGS,
  TRANSFER_POLICIES,
} from "./src/properties.ts";
export type {
  AclFlag,
  AuthScheme,
  AuthTarget,
  CertStoreLocation,
  ClientCertificate,
  ClientCertificateInfo,
  CostFlags,
  CostFlagsValue,
  CostState,
  Credentials,
  JobPriority,
  JobProperties,
  JobPropertiesSnapshot,
  JobPropertyValues,
  NotifyCommandLine,
  NotifyFlag,
  PeerCachingFlag,
  PropertyName,
  ProxySettings,
  ProxyUsage,
  ReadablePropertyName,
  RedirectPolicy,
  SecurityFlag,
  SecurityOptions,
  TransferPolicy,
} from "./src/properties.ts";
export {
  MAX_CUSTOM_HEADERS,
  MAX_NOTIFY_PARAMETERS,
  MAX_PASSWORD,
  MAX_PROXY_LIST,
  MAX_USER_NAME,
} from "./src/validate.ts";

// Files, ranges, upload replies and transfer-and-wait (src/files.ts, src/transfer.ts).
export { BitsFile, checkRanges, MAX_RANGES } from "./src/files.ts";
export type {
  FailedFileField,
  FileDetailField,
  FileDetails,
  FileRange,
  PeerDownloadStats,
  UnsupportedFileField,
} from "./src/files.ts";
export { FAILURE_POLICIES, TransferInterruptedError } from "./src/transfer.ts";
export type { FailurePolicy, TransferDisposition, TransferOptions, TransferResult } from "./src/transfer.ts";
export type { UploadOptions } from "./src/upload.ts";
export type { ReplyProgress } from "./src/reply.ts";

// Inspection, capabilities and error texts (src/inspection.ts, src/capabilities.ts).
export { decodeDetails, INTEGRITY_LEVELS, integrityLevelName } from "./src/inspection.ts";
export { dateFromFiletime } from "./src/filetime.ts";
export type {
  DetailsField,
  DetailsOptions,
  ErrorDescriptionOptions,
  ErrorFile,
  ErrorText,
  ErrorTextSource,
  IntegrityLevel,
  JobDetails,
  JobErrorDetails,
} from "./src/inspection.ts";
export { FEATURES, MANAGER_CLSIDS, PROBE_JOB_NAME } from "./src/capabilities.ts";
export type { Capabilities, Feature, ManagerVersion } from "./src/capabilities.ts";
export { hintFor, isWinHttpError } from "./src/hresult.ts";

// HTTP preflight for downloads (src/probe.ts): what a server offers BITS, and the settings it needs.
export { assessProbe, BITS_USER_AGENT, probeUrl, redactUrl } from "./src/probe.ts";
export type {
  ProbeExchange,
  ProbeOptions,
  ProbeRecommendation,
  ProbeRedirect,
  ProbeReport,
  ProbeVerdict,
} from "./src/probe.ts";

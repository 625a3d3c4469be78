/**
 * deno-bits: drive the Windows Background Intelligent Transfer Service (BITS)
 * from TypeScript, through a thin C shim over the BITS COM API.
 *
 * Importing works on every OS; the first call that needs BITS loads the shim
 * (`deno task build` builds it) and throws {@linkcode BitsUnavailableError}
 * off Windows. Needs `--allow-ffi`, `--allow-read` (destination checks) and,
 * for the `BITS_SHIM_PATH` override, `--allow-env=BITS_SHIM_PATH`.
 *
 * Secondary areas have their own entry points: `@deno-bits/bits/errors` (every
 * error class, HRESULT names, descriptions and hints), `@deno-bits/bits/wmp`
 * (the Windows Media Player convention), `@deno-bits/bits/probe` (HTTP
 * preflight of a download URL), `@deno-bits/bits/dashboard` and
 * `@deno-bits/bits/cli`.
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

// The client: connect, the manager and its jobs and files.
export { BitsManager, connect } from "./src/manager.ts";
export type { CreateJobOptions, DownloadOptions } from "./src/create_job.ts";
export type { ListOptions } from "./src/queue.ts";
export { BitsJob } from "./src/job.ts";
export type { CompleteOptions, FinishOptions } from "./src/finish.ts";
export type { FileSpec } from "./src/files.ts";
export type { WaitOptions } from "./src/wait.ts";
export { BitsFile } from "./src/files.ts";
export type {
  FailedFileField,
  FileDetailField,
  FileDetails,
  FileRange,
  PeerDownloadStats,
  UnsupportedFileField,
} from "./src/files.ts";

// What calls throw. HRESULT names and descriptions: "@deno-bits/bits/errors".
export {
  BitsError,
  BitsUnavailableError,
  BitsUnsupportedError,
  InvalidArgumentError,
  WmpJobOwnedError,
} from "./src/errors.ts";
export type { UnavailableReason } from "./src/errors.ts";

// Job states and snapshots.
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

// Finding a job by GUID, prefix or display name; checking what arrived.
export { AmbiguousJobError, resolveJob } from "./src/resolve.ts";
export { IntegrityError, verifyFile } from "./src/integrity.ts";
export type { FileExpectation, FileFacts, VerifyOptions } from "./src/integrity.ts";
export type { ExpectedFile } from "./src/verified_complete.ts";

// Transfer-and-wait and uploads.
export { TransferInterruptedError } from "./src/transfer.ts";
export type { FailurePolicy, TransferDisposition, TransferOptions, TransferResult } from "./src/transfer.ts";
export type { ReplyProgress } from "./src/reply.ts";
export type { UploadOptions } from "./src/upload.ts";

// Monitoring.
export { watch } from "./src/watch/watch.ts";
export type { WatchOptions } from "./src/watch/session.ts";
export type { WatchTarget } from "./src/watch/watch.ts";
export type { EventSource, WatchEvent, WatchEventKind } from "./src/watch/events.ts";

// Job properties: the values setProperties takes and getProperty returns. Each
// name table (e.g. NOTIFY_FLAGS) lists the values its type (NotifyFlag) allows.
export {
  ACL_FLAGS,
  AUTH_SCHEMES,
  AUTH_TARGETS,
  CERT_STORE_LOCATIONS,
  COST_STATES,
  JOB_PRIORITIES,
  NOTIFY_FLAGS,
  PEER_CACHING_FLAGS,
  PROXY_USAGES,
  REDIRECT_POLICIES,
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

// Inspection and capabilities.
export { INTEGRITY_LEVELS } from "./src/inspection/details.ts";
export type { DetailsField, ErrorFile, IntegrityLevel, JobDetails, JobErrorDetails } from "./src/inspection/details.ts";
export type { DetailsOptions, ErrorDescriptionOptions, ErrorText, ErrorTextSource } from "./src/inspection.ts";
export type { Capabilities, Feature, ManagerVersion } from "./src/capabilities.ts";
export { wineVersion } from "./src/platform.ts";

/**
 * The typed shape of a job's properties: what {@linkcode JobProperties}
 * accepts when setting and what {@linkcode JobPropertyValues} holds when
 * reading back.
 *
 * @module
 */

import type { Credentials, SecretCredentials } from "../credentials.ts";
import type {
  AclFlag,
  AuthTarget,
  CertStoreLocation,
  CostState,
  JobPriority,
  NotifyFlag,
  PeerCachingFlag,
  ProxyUsage,
  RedirectPolicy,
  SecurityFlag,
  TransferPolicy,
} from "./names.ts";

/** The program BITS starts when the job finishes or fails (IBackgroundCopyJob2 notify command line). */
export interface NotifyCommandLine {
  /** Absolute path of the program (at most MAX_PATH). */
  readonly program: string;
  /**
   * The program's whole command line, at most 4,000 characters. BITS' rule:
   * it begins with the program path again (quoted if it has spaces), then
   * the arguments, e.g. `"C:\\Tools\\done.exe" --job {id}`. Omit for none.
   */
  readonly parameters?: string;
}

/** Proxy settings of a job. */
export interface ProxySettings {
  /** How the proxy is found. */
  readonly usage: ProxyUsage;
  /** Proxies (`[protocol=][protocol://]host[:port]`), only with `"OVERRIDE"`, where at least one is needed. */
  readonly proxies?: readonly string[];
  /** Hosts that bypass the proxy (`<local>` for local names), only with `"OVERRIDE"`. */
  readonly bypass?: readonly string[];
}

/** TLS and redirect options of a job (IBackgroundCopyJobHttpOptions security flags). */
export interface SecurityOptions {
  /** CRL checking and the certificate errors to ignore, plus ALLOW_HTTPS_TO_HTTP. */
  readonly flags?: readonly SecurityFlag[];
  /** Redirect policy; default `"ALLOW_SILENT"`. */
  readonly redirectPolicy?: RedirectPolicy;
}

/** Network cost states a job may transfer in, as set by hand. */
export interface CostFlags {
  /** Cost states in which the job transfers. */
  readonly states: readonly CostState[];
  /** Transfer even when the network is congested (BITS_COST_OPTION_IGNORE_CONGESTION). */
  readonly ignoreCongestion?: boolean;
}

/** Cost flags as read back; `policy` names a predefined transfer policy when the flags are exactly one. */
export interface CostFlagsValue {
  /** Cost states in which the job transfers. */
  readonly states: readonly CostState[];
  /** BITS_COST_OPTION_IGNORE_CONGESTION is set. */
  readonly ignoreCongestion: boolean;
  /** The predefined policy these flags equal, or null. */
  readonly policy: TransferPolicy | null;
}

/** A client certificate, chosen by SHA-1 hash or by subject name, in a store. */
export type ClientCertificate =
  & {
    /** Where the store is. */
    readonly storeLocation: CertStoreLocation;
    /** The store's name: `"MY"`, `"ROOT"`, `"SPC"`, `"CA"` … */
    readonly storeName: string;
  }
  & (
    /** The certificate's SHA-1 hash (thumbprint): 40 hex digits (spaces and colons ignored) or 20 bytes. */
    | { readonly hash: string | Uint8Array; readonly subjectName?: never }
    /** The certificate's subject name. */
    | { readonly subjectName: string; readonly hash?: never }
  );

/** The client certificate of a job as read back. */
export interface ClientCertificateInfo {
  /** Where the store is. */
  readonly storeLocation: CertStoreLocation;
  /** The store's name. */
  readonly storeName: string;
  /** SHA-1 hash, 40 upper-case hex digits. */
  readonly hash: string;
  /** Subject name, `""` when BITS has none. */
  readonly subjectName: string;
}

/**
 * Every property of a job, as `BitsJob.setProperties` takes them.
 * All optional; `setProperties` validates every given value before it
 * changes anything. Times are in seconds (as BITS takes them) except
 * `minimumNotificationInterval` (milliseconds).
 */
export interface JobProperties {
  /** Display name, 1 to 256 characters (Wine: E_NOTIMPL; give the name at creation instead). */
  readonly displayName?: string;
  /** Description, up to 1,024 characters. */
  readonly description?: string;
  /** Priority (Wine accepts and ignores it). */
  readonly priority?: JobPriority;
  /** Which events BITS notifies. */
  readonly notifyFlags?: readonly NotifyFlag[];
  /** Program BITS runs when the job finishes or fails; `null` removes it (IBackgroundCopyJob2). */
  readonly notifyCommandLine?: NotifyCommandLine | null;
  /** Seconds BITS waits before retrying after a transient error (BITS' default 600). */
  readonly minimumRetryDelay?: number;
  /** Seconds without progress after which a transient error becomes an error (default 1,209,600; 0 = at once). */
  readonly noProgressTimeout?: number;
  /** Seconds the job may take in all before it fails (IBackgroundCopyJob4; default 7,776,000 = 90 days). */
  readonly maximumDownloadTime?: number;
  /** Proxy settings. */
  readonly proxy?: ProxySettings;
  /** Credentials to set, each for one target and scheme (IBackgroundCopyJob2). Write-only. */
  readonly credentials?: readonly (Credentials | SecretCredentials)[];
  /** Extra request headers, one `Name: value` per element; `[]` removes them (IBackgroundCopyJobHttpOptions). */
  readonly customHeaders?: readonly string[];
  /** TLS and redirect options (IBackgroundCopyJobHttpOptions). */
  readonly security?: SecurityOptions;
  /** Client certificate to present; `null` removes it (IBackgroundCopyJobHttpOptions). */
  readonly clientCertificate?: ClientCertificate | null;
  /** HTTP method instead of GET (IBackgroundCopyJobHttpOptions2, BITS 10.2; locks FOREGROUND priority). */
  readonly httpMethod?: string;
  /** What of the server file's security descriptor BITS copies (IBackgroundCopyJob3). */
  readonly fileAclFlags?: readonly AclFlag[];
  /** Peer-caching flags (IBackgroundCopyJob4). */
  readonly peerCachingFlags?: readonly PeerCachingFlag[];
  /** When the job may transfer, by network cost: a predefined policy or explicit states (IBackgroundCopyJob5). */
  readonly costFlags?: TransferPolicy | CostFlags;
  /** CLSID of a COM server BITS notifies (IBackgroundCopyJob5); `null` removes it. */
  readonly notificationClsid?: string | null;
  /** Download dynamic content: no size or ranges needed (IBackgroundCopyJob5; before the first resume). */
  readonly dynamicContent?: boolean;
  /** Optimise for speed over background-friendliness (IBackgroundCopyJob5; before adding files). */
  readonly highPerformance?: boolean;
  /** Largest download in bytes, 0 for no limit (IBackgroundCopyJob5). */
  readonly maxDownloadSize?: number;
  /** Targets for which BITS may use credentials stored in Credential Manager (IBackgroundCopyJob5). */
  readonly useStoredCredentials?: readonly AuthTarget[];
  /** Minimum milliseconds between notifications (IBackgroundCopyJob5; BITS' default 500). */
  readonly minimumNotificationInterval?: number;
  /** On-demand mode: ranges are requested with IBackgroundCopyFile6 (IBackgroundCopyJob5). */
  readonly onDemandMode?: boolean;
}

/** Every readable property with the type it reads back as. */
export interface JobPropertyValues {
  /** Display name. */
  readonly displayName: string;
  /** Description. */
  readonly description: string;
  /** Priority. */
  readonly priority: JobPriority;
  /** Notify flags. */
  readonly notifyFlags: readonly NotifyFlag[];
  /** Notify command line, or null when none is set. */
  readonly notifyCommandLine: Required<NotifyCommandLine> | null;
  /** Minimum retry delay, seconds. */
  readonly minimumRetryDelay: number;
  /** No-progress timeout, seconds. */
  readonly noProgressTimeout: number;
  /** Maximum download time, seconds. */
  readonly maximumDownloadTime: number;
  /** Proxy settings. */
  readonly proxy: Required<ProxySettings>;
  /** Custom headers, one per element; `[]` when none (or when they are write-only). */
  readonly customHeaders: readonly string[];
  /** Security flags and redirect policy. */
  readonly security: Required<SecurityOptions>;
  /** The client certificate, or null when none is set. */
  readonly clientCertificate: ClientCertificateInfo | null;
  /** HTTP method (`"GET"` unless changed). */
  readonly httpMethod: string;
  /** File ACL flags. */
  readonly fileAclFlags: readonly AclFlag[];
  /** Peer-caching flags. */
  readonly peerCachingFlags: readonly PeerCachingFlag[];
  /** Cost flags. */
  readonly costFlags: CostFlagsValue;
  /** Notification CLSID (braced upper case), or null when none. */
  readonly notificationClsid: string | null;
  /** Dynamic content. */
  readonly dynamicContent: boolean;
  /** High performance. */
  readonly highPerformance: boolean;
  /** Maximum download size in bytes (0: none). */
  readonly maxDownloadSize: number;
  /** Targets allowed to use stored credentials. */
  readonly useStoredCredentials: readonly AuthTarget[];
  /** Minimum notification interval, ms. */
  readonly minimumNotificationInterval: number;
  /** On-demand mode. */
  readonly onDemandMode: boolean;
}

/** The name of a readable property. */
export type ReadablePropertyName = keyof JobPropertyValues;
/** The name of a settable property. */
export type PropertyName = keyof JobProperties;

/** What `BitsJob.properties` returns: every property this BITS could read, and the names it could not. */
export interface JobPropertiesSnapshot {
  /** The values read. */
  readonly values: Partial<JobPropertyValues>;
  /** Properties this BITS lacks (the read failed with E_NOTIMPL, E_NOINTERFACE or a stub's NULL), in table order. */
  readonly unsupported: readonly ReadablePropertyName[];
}

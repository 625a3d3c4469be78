/**
 * BITS enumerations and flag sets of job properties, by their upper-case
 * BITS names without prefix, with their numeric values, and the encoding of
 * flag sets both ways.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";

/** BG_JOB_PRIORITY names in numeric order (the index is the value). */
export const JOB_PRIORITIES = ["FOREGROUND", "HIGH", "NORMAL", "LOW"] as const;
/** A job's priority (BG_JOB_PRIORITY). */
export type JobPriority = typeof JOB_PRIORITIES[number];

/** BG_JOB_PROXY_USAGE names in numeric order. */
export const PROXY_USAGES = ["PRECONFIG", "NO_PROXY", "OVERRIDE", "AUTODETECT"] as const;
/** How a job finds its proxy (BG_JOB_PROXY_USAGE). */
export type ProxyUsage = typeof PROXY_USAGES[number];

/** BG_CERT_STORE_LOCATION names in numeric order. */
export const CERT_STORE_LOCATIONS = [
  "CURRENT_USER",
  "LOCAL_MACHINE",
  "CURRENT_SERVICE",
  "SERVICES",
  "USERS",
  "CURRENT_USER_GROUP_POLICY",
  "LOCAL_MACHINE_GROUP_POLICY",
  "LOCAL_MACHINE_ENTERPRISE",
] as const;
/** Where a client certificate's store is (BG_CERT_STORE_LOCATION). */
export type CertStoreLocation = typeof CERT_STORE_LOCATIONS[number];

/** BG_AUTH_TARGET values. */
export const AUTH_TARGETS = { SERVER: 1, PROXY: 2 } as const;
/** Who credentials are for (BG_AUTH_TARGET). */
export type AuthTarget = keyof typeof AUTH_TARGETS;

/** BG_AUTH_SCHEME values. */
export const AUTH_SCHEMES = { BASIC: 1, DIGEST: 2, NTLM: 3, NEGOTIATE: 4, PASSPORT: 5 } as const;
/** An authentication scheme (BG_AUTH_SCHEME). */
export type AuthScheme = keyof typeof AUTH_SCHEMES;

/** BG_NOTIFY_* flags. */
export const NOTIFY_FLAGS = {
  JOB_TRANSFERRED: 0x1,
  JOB_ERROR: 0x2,
  DISABLE: 0x4,
  JOB_MODIFICATION: 0x8,
  FILE_TRANSFERRED: 0x10,
  FILE_RANGES_TRANSFERRED: 0x20,
} as const;
/** One notify flag (BG_NOTIFY_*). */
export type NotifyFlag = keyof typeof NOTIFY_FLAGS;

/** Security flags of IBackgroundCopyJobHttpOptions (BG_SSL_*, and BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP). */
export const SECURITY_FLAGS = {
  ENABLE_CRL_CHECK: 0x1,
  IGNORE_CERT_CN_INVALID: 0x2,
  IGNORE_CERT_DATE_INVALID: 0x4,
  IGNORE_UNKNOWN_CA: 0x8,
  IGNORE_CERT_WRONG_USAGE: 0x10,
  ALLOW_HTTPS_TO_HTTP: 0x800,
} as const;
/** One security flag. */
export type SecurityFlag = keyof typeof SECURITY_FLAGS;

/** BG_HTTP_REDIRECT_POLICY_* values, inside {@linkcode REDIRECT_POLICY_MASK}. */
export const REDIRECT_POLICIES = { ALLOW_SILENT: 0x0, ALLOW_REPORT: 0x100, DISALLOW: 0x200 } as const;
/** What BITS does with HTTP redirects. */
export type RedirectPolicy = keyof typeof REDIRECT_POLICIES;
/** The bits of the security flags that hold the redirect policy. */
export const REDIRECT_POLICY_MASK = 0x700;

/** BG_COPY_FILE_* flags (IBackgroundCopyJob3 file ACL flags). */
export const ACL_FLAGS = { OWNER: 0x1, GROUP: 0x2, DACL: 0x4, SACL: 0x8 } as const;
/** What of a file's security descriptor BITS copies (BG_COPY_FILE_*). */
export type AclFlag = keyof typeof ACL_FLAGS;

/** Peer-caching flags (IBackgroundCopyJob4; BG_JOB_ prefix removed). */
export const PEER_CACHING_FLAGS = {
  ENABLE_PEERCACHING_CLIENT: 0x1,
  ENABLE_PEERCACHING_SERVER: 0x2,
  DISABLE_BRANCH_CACHE: 0x4,
} as const;
/** One peer-caching flag. */
export type PeerCachingFlag = keyof typeof PEER_CACHING_FLAGS;

/** Network cost states a job may transfer in (BITS_COST_STATE_*). */
export const COST_STATES = {
  UNRESTRICTED: 0x1,
  CAPPED_USAGE_UNKNOWN: 0x2,
  BELOW_CAP: 0x4,
  NEAR_CAP: 0x8,
  OVERCAP_CHARGED: 0x10,
  OVERCAP_THROTTLED: 0x20,
  USAGE_BASED: 0x40,
  ROAMING: 0x80,
} as const;
/** One network cost state. */
export type CostState = keyof typeof COST_STATES;
/** BITS_COST_OPTION_IGNORE_CONGESTION. */
export const COST_IGNORE_CONGESTION = 0x80000000;

/** The predefined transfer policies (BITS_COST_STATE_TRANSFER_*). */
export const TRANSFER_POLICIES = {
  ALWAYS: 0x800000ff,
  NOT_ROAMING: 0x8000007f,
  NO_SURCHARGE: 0x8000006f,
  STANDARD: 0x80000067,
  UNRESTRICTED: 0x80000021,
} as const;
/** A predefined transfer policy. */
export type TransferPolicy = keyof typeof TRANSFER_POLICIES;

/** A name of a BITS enumeration value, checked; `argument` names the property in the error. */
export function encodeEnum<T extends string>(names: readonly T[], value: unknown, argument: string): number {
  const index = names.indexOf(value as T);
  if (typeof value !== "string" || index < 0) {
    throw new InvalidArgumentError(argument, `${argument} must be one of ${names.join(", ")}, got ${show(value)}`);
  }
  return index;
}

/** The name of an enumeration value, or `UNKNOWN(n)` for values newer than this module. */
export function decodeEnum<T extends string>(names: readonly T[], value: number): T {
  return (names[value] ?? `UNKNOWN(${value})`) as T;
}

/** A value of a name-to-number table, checked. */
export function encodeKey<T extends Record<string, number>>(table: T, value: unknown, argument: string): T[keyof T] {
  if (typeof value !== "string" || !Object.hasOwn(table, value)) {
    throw new InvalidArgumentError(
      argument,
      `${argument} must be one of ${Object.keys(table).join(", ")}, got ${show(value)}`,
    );
  }
  return table[value as keyof T];
}

/** A flag set as a number; each name must be in `table` (duplicates are harmless). */
export function encodeFlags<T extends Record<string, number>>(
  table: T,
  names: unknown,
  argument: string,
): number {
  if (!Array.isArray(names)) {
    throw new InvalidArgumentError(argument, `${argument} must be an array of ${Object.keys(table).join(", ")}`);
  }
  let value = 0;
  for (const [index, name] of names.entries()) value |= encodeKey(table, name, `${argument}[${index}]`);
  return value >>> 0;
}

/**
 * A number as a flag set, in the table's order; bits without a name (from a
 * newer BITS) come last as `UNKNOWN(0x…)` so no information is lost.
 */
export function decodeFlags<T extends Record<string, number>>(table: T, value: number): (keyof T & string)[] {
  const names: string[] = [];
  let rest = value >>> 0;
  for (const [name, bit] of Object.entries(table)) {
    if ((rest & bit) >>> 0 === bit) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  for (let bit = 1; rest !== 0; bit = (bit << 1) >>> 0) {
    if (rest & bit) {
      names.push(`UNKNOWN(0x${bit.toString(16)})`);
      rest = (rest & ~bit) >>> 0;
    }
  }
  return names as (keyof T & string)[];
}

/** A value for an error message: short, and never the content of a long string. */
export function show(value: unknown): string {
  if (typeof value === "string") {
    return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) {
    return String(value);
  }
  return Array.isArray(value) ? "an array" : typeof value;
}

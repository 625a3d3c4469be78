/**
 * The pure encodings of job property values: the native calls a planned
 * property becomes ({@linkcode PropertyOp}), and the conversions of the
 * composite values (proxy, security, cost flags, certificates, CLSIDs)
 * to and from BITS' words. No FFI here.
 *
 * @module
 */

import { SecretCredentials } from "../credentials.ts";
import { InvalidArgumentError } from "../errors.ts";
import { formatGuid, isGuid, parseGuid } from "../guid.ts";
import { checkBoolean, checkName, checkNotifyCommandLine, checkProxyList } from "../validate.ts";
import { CERT_HASH_BYTES } from "../../ffi/symbols_properties.ts";
import {
  CERT_STORE_LOCATIONS,
  COST_IGNORE_CONGESTION,
  COST_STATES,
  decodeFlags,
  encodeEnum,
  encodeFlags,
  encodeKey,
  PROXY_USAGES,
  REDIRECT_POLICIES,
  REDIRECT_POLICY_MASK,
  type RedirectPolicy,
  SECURITY_FLAGS,
  show,
  TRANSFER_POLICIES,
  type TransferPolicy,
} from "./names.ts";
import type {
  ClientCertificate,
  ClientCertificateInfo,
  CostFlagsValue,
  PropertyName,
  SecurityOptions,
} from "./types.ts";

/** A client certificate ready for the shim. */
export interface EncodedCertificate {
  /** BG_CERT_STORE_LOCATION. */
  readonly location: number;
  /** Store name. */
  readonly storeName: string;
  /** SHA-1 hash (20 bytes), when chosen by hash. */
  readonly hash?: Uint8Array;
  /** Subject name, when chosen by name. */
  readonly subjectName?: string;
}

/** One native call that sets one property. */
export type PropertyOp =
  | { readonly property: PropertyName; readonly kind: "u64"; readonly id: number; readonly value: number }
  | { readonly property: PropertyName; readonly kind: "string"; readonly id: number; readonly value: string }
  | {
    readonly property: PropertyName;
    readonly kind: "notifyCommandLine";
    readonly program: string;
    readonly parameters: string;
  }
  | {
    readonly property: PropertyName;
    readonly kind: "proxy";
    readonly usage: number;
    readonly list: string;
    readonly bypass: string;
  }
  | { readonly property: PropertyName; readonly kind: "credentials"; readonly credentials: SecretCredentials }
  | {
    readonly property: PropertyName;
    readonly kind: "clientCertificate";
    readonly certificate: EncodedCertificate | null;
  }
  | { readonly property: PropertyName; readonly kind: "clsid"; readonly clsid: Uint8Array };

/** `value` as a plain object, or an `InvalidArgumentError` naming `argument`. */
export function objectOf(value: unknown, argument: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, `${argument} must be an object, got ${show(value)}`);
  }
  return value as Record<string, unknown>;
}

/** The notify command line's one call; `null` removes it (two empty strings). */
export function planNotifyCommandLine(value: unknown, property: PropertyName): PropertyOp[] {
  if (value === null) return [{ property, kind: "notifyCommandLine", program: "", parameters: "" }];
  const line = objectOf(value, property);
  const parameters = checkNotifyCommandLine(line.program, line.parameters, property);
  return [{ property, kind: "notifyCommandLine", program: line.program as string, parameters }];
}

/** One call per credentials entry, each wrapped in a `SecretCredentials`. */
export function planCredentials(value: unknown, property: PropertyName): PropertyOp[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(property, `${property} must be an array`);
  return value.map((c, i) => ({
    property,
    kind: "credentials" as const,
    credentials: SecretCredentials.from(c, `${property}[${i}]`),
  }));
}

/** The client certificate's one call; `null` removes it. */
export function planClientCertificate(value: unknown, property: PropertyName): PropertyOp[] {
  return [{ property, kind: "clientCertificate", certificate: value === null ? null : encodeCertificate(value) }];
}

/** The notification CLSID's one call; `null` removes it (GUID_NULL). */
export function planClsid(value: unknown, property: PropertyName): PropertyOp[] {
  return [{ property, kind: "clsid", clsid: value === null ? new Uint8Array(16) : encodeClsid(value) }];
}

/** Validates proxy settings (lists only with OVERRIDE, which needs one) into their one call. */
export function planProxy(value: unknown): PropertyOp {
  const proxy = objectOf(value, "proxy");
  const usage = encodeEnum(PROXY_USAGES, proxy.usage, "proxy.usage");
  const list = checkProxyList(proxy.proxies ?? [], "proxy.proxies");
  const bypass = checkProxyList(proxy.bypass ?? [], "proxy.bypass");
  if (PROXY_USAGES[usage] === "OVERRIDE" && list === "") {
    throw new InvalidArgumentError("proxy.proxies", 'proxy.proxies needs at least one proxy with usage "OVERRIDE"');
  }
  if (PROXY_USAGES[usage] !== "OVERRIDE" && (list !== "" || bypass !== "")) {
    throw new InvalidArgumentError(
      "proxy.usage",
      `proxy lists are only allowed with usage "OVERRIDE", not ${JSON.stringify(PROXY_USAGES[usage])}`,
    );
  }
  return { property: "proxy", kind: "proxy", usage, list, bypass };
}

/** Security options as BITS' flag word. */
export function encodeSecurity(options: SecurityOptions): number {
  const flags = encodeFlags(SECURITY_FLAGS, options.flags ?? [], "security.flags");
  return (flags | encodeKey(REDIRECT_POLICIES, options.redirectPolicy ?? "ALLOW_SILENT", "security.redirectPolicy")) >>>
    0;
}

/** BITS' security flag word as options; unknown bits come back as `UNKNOWN(0x…)` flags. */
export function decodeSecurity(value: number): Required<SecurityOptions> {
  const policyBits = value & REDIRECT_POLICY_MASK;
  const policy = Object.entries(REDIRECT_POLICIES).find(([, bits]) => bits === policyBits)?.[0];
  // The policy bits are the policy's, named or not; they never show as flags.
  const flags = decodeFlags(SECURITY_FLAGS, (value & ~REDIRECT_POLICY_MASK) >>> 0);
  return { flags, redirectPolicy: (policy ?? `UNKNOWN(0x${policyBits.toString(16)})`) as RedirectPolicy };
}

/** A transfer policy name or explicit cost states as BITS' cost flag word. */
export function encodeCostFlags(value: unknown): number {
  if (typeof value === "string") return encodeKey(TRANSFER_POLICIES, value, "costFlags") >>> 0;
  const flags = objectOf(value, "costFlags");
  const states = encodeFlags(COST_STATES, flags.states, "costFlags.states");
  const ignore = flags.ignoreCongestion === undefined
    ? false
    : checkBoolean("costFlags.ignoreCongestion", flags.ignoreCongestion);
  return (states | (ignore ? COST_IGNORE_CONGESTION : 0)) >>> 0;
}

/** BITS' cost flag word as states, the congestion option and the matching predefined policy. */
export function decodeCostFlags(value: number): CostFlagsValue {
  const word = value >>> 0;
  const policy = (Object.entries(TRANSFER_POLICIES).find(([, bits]) => bits === word)?.[0] ?? null) as
    | TransferPolicy
    | null;
  return {
    states: decodeFlags(COST_STATES, (word & ~COST_IGNORE_CONGESTION) >>> 0),
    ignoreCongestion: (word & COST_IGNORE_CONGESTION) !== 0,
    policy,
  };
}

/**
 * A certificate hash as 20 bytes: 40 hex digits (spaces and colons, as
 * certificate viewers print thumbprints, are ignored) or a 20-byte array.
 */
export function parseCertHash(value: unknown, argument = "clientCertificate.hash"): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== CERT_HASH_BYTES) {
      throw new InvalidArgumentError(argument, `${argument} must be ${CERT_HASH_BYTES} bytes, got ${value.length}`);
    }
    return new Uint8Array(value);
  }
  const hex = typeof value === "string" ? value.replace(/[\s:]/g, "") : "";
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) {
    throw new InvalidArgumentError(argument, `${argument} must be a SHA-1 hash: 40 hex digits or 20 bytes`);
  }
  return Uint8Array.from({ length: CERT_HASH_BYTES }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/** A certificate hash as 40 upper-case hex digits. */
export function formatCertHash(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/** Validates a client certificate choice. */
export function encodeCertificate(value: unknown): EncodedCertificate {
  const cert = objectOf(value, "clientCertificate") as Partial<ClientCertificate>;
  const location = encodeEnum(CERT_STORE_LOCATIONS, cert.storeLocation, "clientCertificate.storeLocation");
  const storeName = checkName(cert.storeName, "clientCertificate.storeName");
  if ((cert.hash === undefined) === (cert.subjectName === undefined)) {
    throw new InvalidArgumentError("clientCertificate", "clientCertificate needs either hash or subjectName, not both");
  }
  if (cert.hash !== undefined) return { location, storeName, hash: parseCertHash(cert.hash) };
  return { location, storeName, subjectName: checkName(cert.subjectName, "clientCertificate.subjectName") };
}

/** A CLSID as 16 bytes; refuses anything but a GUID. */
export function encodeClsid(value: unknown, argument = "notificationClsid"): Uint8Array {
  if (typeof value !== "string" || !isGuid(value)) {
    throw new InvalidArgumentError(argument, `${argument} must be a GUID like {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`);
  }
  return parseGuid(value);
}

/** 16 bytes as a CLSID, or null for GUID_NULL (no CLSID). */
export function decodeClsid(bytes: Uint8Array): string | null {
  return bytes.every((b) => b === 0) ? null : formatGuid(bytes);
}

/** BITS' CRLF-separated header text as one header per element (empty lines dropped). */
export function splitHeaders(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line !== "");
}

/** A space-separated BITS list as its entries. */
export function splitList(text: string): string[] {
  return text.split(/\s+/).filter((entry) => entry !== "");
}

/** A certificate as read back, or null when BITS reports none (no store, no hash, no subject). */
export function decodeCertificateInfo(
  storeLocation: ClientCertificateInfo["storeLocation"],
  storeName: string,
  hash: string,
  subjectName: string,
): ClientCertificateInfo | null {
  if (storeName === "" && subjectName === "" && /^0+$/.test(hash)) return null;
  return { storeLocation, storeName, hash, subjectName };
}

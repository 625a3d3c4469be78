/**
 * One descriptor per job property: how its value is validated and encoded,
 * where it comes in the apply order, the shim ids that set and read it, the
 * BITS interface it needs, its `set` options and the JSON Schema of the
 * value `properties --json` prints. Everything else is derived from this
 * table: {@linkcode APPLY_ORDER} and `planProperties` (`encode.ts`), the
 * readers (`native.ts`), the feature requirements (`features.ts`), the
 * command-line options (`cli/property_options.ts`); a test checks the JSON
 * Schemas in `docs/cli-json/` against it.
 *
 * A new job property is: its type in `types.ts` (`JobProperties`, and
 * `JobPropertyValues` if BITS can read it back), one entry here (the table's
 * type refuses a property without one, a readable one without a reader or
 * schema, a write-only one with either), its C getter and setter in the
 * shim with their ids in `ffi/symbols_properties.ts`, and its value's schema
 * in `docs/cli-json/properties.schema.json` plus a `$ref` to it in
 * `info.schema.json` (`tests/unit/property_descriptors_test.ts` prints the
 * schema to paste). Only a property beyond one number or one string needs
 * more: its own shim calls (a `PropertyOp` kind in `codecs.ts`, run by
 * `applyOp`, and a reader in `native.ts`), and, if several options make its
 * value, their parser in `cli/property_options.ts` under its `parse` name.
 *
 * The table is in reading order (the order of `properties`' output); the
 * apply order is the same but for the entries marked `appliedLast`.
 *
 * @module
 */

import type { REQUIRES } from "../features.ts";
import { PROP, STRPROP } from "../../ffi/symbols_properties.ts";
import {
  checkBoolean,
  checkCustomHeaders,
  checkDescription,
  checkDisplayName,
  checkHttpMethod,
  checkUint,
} from "../validate.ts";
import {
  decodeCostFlags,
  decodeSecurity,
  encodeCostFlags,
  encodeSecurity,
  objectOf,
  planClientCertificate,
  planClsid,
  planCredentials,
  planNotifyCommandLine,
  planProxy,
  type PropertyOp,
  splitHeaders,
} from "./codecs.ts";
import {
  ACL_FLAGS,
  AUTH_SCHEMES,
  AUTH_TARGETS,
  CERT_STORE_LOCATIONS,
  COST_STATES,
  decodeEnum,
  decodeFlags,
  encodeEnum,
  encodeFlags,
  JOB_PRIORITIES,
  NOTIFY_FLAGS,
  PEER_CACHING_FLAGS,
  PROXY_USAGES,
  REDIRECT_POLICIES,
  SECURITY_FLAGS,
  TRANSFER_POLICIES,
} from "./names.ts";
import type { JobPropertyValues, PropertyName, ReadablePropertyName, SecurityOptions } from "./types.ts";

// ---- The descriptor's shape ----

/** What provides a property: a key of `REQUIRES` (`features.ts`). */
export type Requirement = keyof typeof REQUIRES;

/** A JSON Schema (draft-07) fragment. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** A value's validation and encoding to one native word, and its decoding back. */
export interface Codec<Raw, T> {
  /** Validates `value` (an `InvalidArgumentError` names `argument`) and encodes it for the shim. */
  readonly encode: (value: unknown, argument: string) => Raw;
  /** Decodes what the shim read back. */
  readonly decode: (raw: Raw) => T;
}

/** The shim's own calls for a composite property, by the reader's name (`native.ts` holds one reader per name). */
export type NativeReader = "notifyCommandLine" | "proxy" | "clientCertificate" | "clsid";

/** How a property is set and read through the shim. */
export type NativeSpec<T> =
  /** A number, flag set or boolean: `bits_job_set_u64`/`bits_job_get_u64` with a `PROP` id. */
  | { readonly kind: "u64"; readonly id: number; readonly codec: Codec<number, T> }
  /** A string: `bits_job_set_string`/`bits_job_get_string` with a `STRPROP` id; `units` is the first read's buffer. */
  | { readonly kind: "string"; readonly id: number; readonly units: number; readonly codec: Codec<string, T> }
  /** Its own shim calls: `plan` validates and makes the calls' `PropertyOp`s; `reader` null: write-only. */
  | {
    readonly kind: "calls";
    readonly plan: (value: unknown, property: PropertyName) => PropertyOp[];
    readonly reader: IfReadable<T, NativeReader, null>;
  };

/** `Yes` for a property read back as `T`, `No` for a write-only one (`T` is `never`). */
export type IfReadable<T, Yes, No> = [T] extends [never] ? No : Yes;

/** One more option of a property's `set` row. */
export interface CliOption {
  /** A switch (`--clear-headers`), not an option with a value. */
  readonly switch?: true;
  /** Its value's placeholder in help (`HOSTS`). */
  readonly value?: string;
  /** Help text. */
  readonly help: string;
  /** May be repeated; the values come as a list. */
  readonly multiple?: true;
}

/** How one option's text becomes the value. */
export type TextParse =
  /** The text as it is. */
  | "text"
  /** `on` or `off`. */
  | "onOff"
  /** A property duration (a bare number is seconds), in whole seconds. */
  | "seconds"
  /** A property duration, in milliseconds. */
  | "milliseconds"
  /** A byte count, with or without a unit. */
  | "bytes"
  /** A program (quoted if it has spaces), then its arguments. */
  | "commandLine"
  /** One of these names. */
  | { readonly enum: readonly string[] }
  /** A comma-separated list of these names, or NONE. */
  | { readonly flags: readonly string[] };

/** Values read from several options, or from a repeated or switch option: each has its parser in the CLI. */
export type CompositeParse =
  | "proxy"
  | "credentials"
  | "headers"
  | "security"
  | "clientCertificate"
  | "costFlags"
  /** `--clear-credentials SCHEME[/TARGET]`, repeatable. */
  | "credentialsKeys"
  /** A switch that asks for the action. */
  | "switch";

/**
 * How the options become the value: one option's text, or a composite
 * whose parser lives in `cli/property_options.ts` under this name.
 */
export type CliParse = TextParse | CompositeParse;

/** A property's (or action's) options of `set` and the job-creating commands. */
export interface PropertyCliSpec {
  /** The main option (`priority` for `--priority`); `properties` shows it as the way to set the property. */
  readonly option: string;
  /**
   * The main option's value placeholder in help; the parse gives it for
   * durations (`DURATION`), `on|off` and flags (`FLAGS`). None for a switch.
   */
  readonly value?: string;
  /**
   * Help text. For an enumeration the choices are appended (`Priority:
   * FOREGROUND, …`); for flags the list's form. `{duration}` stands for the
   * command line's description of a duration.
   */
  readonly help?: string;
  /** The main option is the command line's shared option of that name (e.g. `--description`). */
  readonly shared?: true;
  /** The main option may be repeated. */
  readonly multiple?: true;
  /**
   * `false`: not offered by the commands that create a job (`download`,
   * `create` …), which have their own option for it or for which it makes
   * no sense (an action on an existing job).
   */
  readonly atCreation?: false;
  /** How the options become the value. */
  readonly parse: CliParse;
  /** A `--clear-…` switch that sets the property to `null` (removes it). */
  readonly clear?: { readonly option: string; readonly help: string };
  /** The composite's other options, in help order. */
  readonly more?: Readonly<Record<string, CliOption>>;
  /** Which option an API argument inside the value (`proxy.bypass`) comes from, for messages. */
  readonly fields?: Readonly<Record<string, string>>;
}

/** Everything about one property; `T` is the value it reads back as (`never`: write-only). */
export interface PropertyDescriptor<T> {
  /** The feature, named for people (`"job priority"`), for `BitsUnsupportedError`. */
  readonly feature: string;
  /** What provides it. */
  readonly requires: Requirement;
  /** How it is set and read. */
  readonly native: NativeSpec<T>;
  /** Applied after every other property (BITS locks the priority once an HTTP method is set). */
  readonly appliedLast?: true;
  /** The read-back value's JSON Schema in `properties --json`; null for a write-only property. */
  readonly schema: IfReadable<T, JsonSchema, null>;
  /** Its command-line options. */
  readonly cli: PropertyCliSpec;
}

/** The value a property reads back as; `never` for a write-only one. */
export type ReadValue<K extends PropertyName> = K extends ReadablePropertyName ? JobPropertyValues[K] : never;

/** The table's type: one descriptor for every property of `JobProperties`. */
export type PropertyDescriptors = { readonly [K in PropertyName]: PropertyDescriptor<ReadValue<K>> };

/** A change `set` makes that is no property: it has a feature and options, and a place among the properties. */
export interface ActionDescriptor {
  /** The feature, named for people. */
  readonly feature: string;
  /** What provides it. */
  readonly requires: Requirement;
  /** The property it follows in `set`'s options; absent: after all of them. */
  readonly after?: PropertyName;
  /** Its command-line options. */
  readonly cli: PropertyCliSpec;
}

// ---- Building blocks ----

function u64<T>(id: number, codec: Codec<number, T>): NativeSpec<T> {
  return { kind: "u64", id, codec };
}

function text<T>(id: number, units: number, codec: Codec<string, T>): NativeSpec<T> {
  return { kind: "string", id, units, codec };
}

function calls<T>(
  plan: (value: unknown, property: PropertyName) => PropertyOp[],
  reader: IfReadable<T, NativeReader, null>,
): NativeSpec<T> {
  return { kind: "calls", plan, reader };
}

function enumCodec<T extends string>(names: readonly T[]): Codec<number, T> {
  return { encode: (value, argument) => encodeEnum(names, value, argument), decode: (raw) => decodeEnum(names, raw) };
}

function flagsCodec<T extends Record<string, number>>(table: T): Codec<number, (keyof T & string)[]> {
  return { encode: (value, argument) => encodeFlags(table, value, argument), decode: (raw) => decodeFlags(table, raw) };
}

function uintCodec(max?: number): Codec<number, number> {
  return { encode: (value, argument) => checkUint(argument, value, max), decode: (raw) => raw };
}

const BOOLEAN_CODEC: Codec<number, boolean> = {
  encode: (value, argument) => Number(checkBoolean(argument, value)),
  decode: (raw) => raw !== 0,
};

function textCodec(check: (value: unknown, argument: string) => string): Codec<string, string> {
  return { encode: check, decode: (raw) => raw };
}

/** Names for people: `A or B`, `A, B or C`. */
export function choices(names: readonly string[]): string {
  return names.length <= 2 ? names.join(" or ") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

function keys<T extends string>(table: Readonly<Record<T, number>>): T[] {
  return Object.keys(table) as T[];
}

const STRING: JsonSchema = { type: "string" };
const BOOLEAN: JsonSchema = { type: "boolean" };
const UINT32: JsonSchema = { type: "integer", minimum: 0, maximum: 4294967295 };
const UNKNOWN_ENUM: JsonSchema = { $ref: "common.schema.json#/definitions/unknownEnum" };
const UNKNOWN_FLAG: JsonSchema = { type: "string", pattern: "^UNKNOWN\\(0x[0-9a-f]+\\)$" };
const NON_EMPTY_STRINGS: JsonSchema = { type: "array", items: { type: "string", minLength: 1 } };

function enumSchema(names: readonly string[]): JsonSchema {
  return { anyOf: [{ enum: [...names] }, UNKNOWN_ENUM] };
}

function flagsSchema(table: Readonly<Record<string, number>>): JsonSchema {
  return { type: "array", items: { anyOf: [{ enum: Object.keys(table) }, UNKNOWN_FLAG] } };
}

function nullable(schema: JsonSchema): JsonSchema {
  return { anyOf: [{ type: "null" }, schema] };
}

/** A closed object schema: every member required. */
function object(properties: Readonly<Record<string, JsonSchema>>): JsonSchema {
  return { type: "object", required: Object.keys(properties), additionalProperties: false, properties };
}

// ---- The table ----

/** Every job property, in reading order. */
export const PROPERTY_DESCRIPTORS: PropertyDescriptors = {
  displayName: {
    feature: "changing a job's display name",
    requires: "job",
    native: text(STRPROP.DISPLAY_NAME, 257, textCodec(checkDisplayName)),
    schema: STRING,
    cli: {
      option: "display-name",
      value: "NAME",
      help: "Display name, 1 to 256 characters",
      atCreation: false,
      parse: "text",
    },
  },
  description: {
    feature: "job description",
    requires: "job",
    native: text(STRPROP.DESCRIPTION, 1025, textCodec(checkDescription)),
    schema: STRING,
    cli: { option: "description", shared: true, atCreation: false, parse: "text" },
  },
  priority: {
    feature: "job priority",
    requires: "job",
    native: u64(PROP.PRIORITY, enumCodec(JOB_PRIORITIES)),
    schema: enumSchema(JOB_PRIORITIES),
    cli: { option: "priority", value: "LEVEL", help: "Priority", parse: { enum: JOB_PRIORITIES } },
  },
  notifyFlags: {
    feature: "job notify flags",
    requires: "job",
    native: u64(PROP.NOTIFY_FLAGS, flagsCodec(NOTIFY_FLAGS)),
    schema: flagsSchema(NOTIFY_FLAGS),
    cli: { option: "notify-flags", help: "Events BITS notifies", parse: { flags: keys(NOTIFY_FLAGS) } },
  },
  notifyCommandLine: {
    feature: "notify command line",
    requires: "job2",
    native: calls(planNotifyCommandLine, "notifyCommandLine"),
    schema: nullable(object({ program: STRING, parameters: STRING })),
    cli: {
      option: "notify-cmd",
      value: "CMDLINE",
      help: 'Program BITS runs when the job ends: "C:\\full\\path.exe" then arguments (Job2)',
      parse: "commandLine",
      clear: { option: "clear-notify-cmd", help: "Remove the notify command line" },
    },
  },
  minimumRetryDelay: {
    feature: "minimum retry delay",
    requires: "job",
    native: u64(PROP.MINIMUM_RETRY_DELAY, uintCodec()),
    schema: UINT32,
    cli: {
      option: "min-retry-delay",
      help: "Wait before retrying after a transient error ({duration})",
      parse: "seconds",
    },
  },
  noProgressTimeout: {
    feature: "no-progress timeout",
    requires: "job",
    native: u64(PROP.NO_PROGRESS_TIMEOUT, uintCodec()),
    schema: UINT32,
    cli: {
      option: "no-progress-timeout",
      help: "Time without progress before a transient error fails the job; 0: at once ({duration})",
      parse: "seconds",
    },
  },
  maximumDownloadTime: {
    feature: "maximum download time",
    requires: "job4",
    native: u64(PROP.MAXIMUM_DOWNLOAD_TIME, uintCodec()),
    schema: UINT32,
    cli: { option: "max-download-time", help: "Time the whole job may take ({duration}; Job4)", parse: "seconds" },
  },
  proxy: {
    feature: "job proxy settings",
    requires: "job",
    native: calls((value) => [planProxy(value)], "proxy"),
    schema: object({ usage: enumSchema(PROXY_USAGES), proxies: NON_EMPTY_STRINGS, bypass: NON_EMPTY_STRINGS }),
    cli: {
      option: "proxy-usage",
      value: "USAGE",
      help: `How to find the proxy: ${choices(PROXY_USAGES)}`,
      parse: "proxy",
      more: {
        "proxy-list": {
          value: "PROXIES",
          multiple: true,
          help: "With OVERRIDE: [scheme=][scheme://]host[:port], comma-separated or repeated",
        },
        "proxy-bypass": {
          value: "HOSTS",
          multiple: true,
          help: "With OVERRIDE: hosts that bypass the proxy (<local>: local names), comma-separated or repeated",
        },
      },
      fields: { "proxy.usage": "proxy-usage", "proxy.proxies": "proxy-list", "proxy.bypass": "proxy-bypass" },
    },
  },
  credentials: {
    feature: "job credentials",
    requires: "job2",
    native: calls(planCredentials, null),
    schema: null,
    cli: {
      option: "credentials-scheme",
      value: "SCHEME",
      help: `Set credentials for ${choices(keys(AUTH_SCHEMES))} (Job2)`,
      parse: "credentials",
      more: {
        "credentials-target": { value: "TARGET", help: "Who asks for them: SERVER (default) or PROXY" },
        username: { value: "USER", help: "User name; omit with NTLM or NEGOTIATE for the logged-on user" },
        "password-env": { value: "NAME", help: "Read the password from environment variable NAME" },
        "password-stdin": { switch: true, help: "Read the password from the first line of standard input" },
        "password-prompt": {
          switch: true,
          help: "Type the password at the terminal, not echoed (the default with --username on a terminal)",
        },
        password: {
          help:
            "Not accepted (argv is visible to all users): use --password-env, --password-stdin or --password-prompt",
        },
      },
      fields: { "credentials.userName": "username" },
    },
  },
  customHeaders: {
    feature: "custom HTTP headers",
    requires: "httpOptions",
    native: text(STRPROP.CUSTOM_HEADERS, 4096, { encode: checkCustomHeaders, decode: splitHeaders }),
    schema: NON_EMPTY_STRINGS,
    cli: {
      option: "header",
      value: '"NAME: VALUE"',
      multiple: true,
      help: "Request header, repeatable; replaces all of the job's custom headers",
      parse: "headers",
      more: { "clear-headers": { switch: true, help: "Remove all custom headers" } },
    },
  },
  security: {
    feature: "HTTP security flags",
    requires: "httpOptions",
    native: u64(PROP.SECURITY_FLAGS, {
      encode: (value, argument) => encodeSecurity(objectOf(value, argument) as SecurityOptions),
      decode: decodeSecurity,
    }),
    schema: object({
      flags: flagsSchema(SECURITY_FLAGS),
      redirectPolicy: { anyOf: [{ enum: keys(REDIRECT_POLICIES) }, UNKNOWN_FLAG] },
    }),
    cli: {
      option: "security-flags",
      value: "FLAGS",
      help: `TLS checks: comma list of ${keys(SECURITY_FLAGS).join(", ")}; or NONE`,
      parse: "security",
      more: {
        "redirect-policy": {
          value: "POLICY",
          help: `Redirects: ${choices(keys(REDIRECT_POLICIES))} (either option alone keeps the other's setting)`,
        },
      },
      fields: { "security.flags": "security-flags", "security.redirectPolicy": "redirect-policy" },
    },
  },
  clientCertificate: {
    feature: "client certificates",
    requires: "httpOptions",
    native: calls(planClientCertificate, "clientCertificate"),
    schema: nullable(object({
      storeLocation: enumSchema(CERT_STORE_LOCATIONS),
      storeName: STRING,
      hash: { type: "string", pattern: "^[0-9A-F]{40}$" },
      subjectName: STRING,
    })),
    cli: {
      option: "client-cert-hash",
      value: "HEX",
      help: "Client certificate by SHA-1 thumbprint (40 hex digits; spaces, colons ignored)",
      parse: "clientCertificate",
      more: {
        "client-cert-subject": { value: "NAME", help: "Client certificate by subject name" },
        "client-cert-store": { value: "STORE", help: "Its store: MY (default), CA, ROOT …" },
        "client-cert-location": {
          value: "LOCATION",
          help: `Store location: ${CERT_STORE_LOCATIONS.join(", ")} (default CURRENT_USER)`,
        },
        "clear-client-cert": { switch: true, help: "Remove the client certificate" },
      },
      fields: {
        "clientCertificate.hash": "client-cert-hash",
        "clientCertificate.subjectName": "client-cert-subject",
        "clientCertificate.storeName": "client-cert-store",
        "clientCertificate.storeLocation": "client-cert-location",
      },
    },
  },
  httpMethod: {
    feature: "custom HTTP method",
    requires: "httpOptions2",
    native: text(STRPROP.HTTP_METHOD, 64, textCodec(checkHttpMethod)),
    appliedLast: true,
    schema: STRING,
    cli: {
      option: "http-method",
      value: "METHOD",
      help: "HTTP method instead of GET (HttpOptions2, BITS 10.2; locks the priority at FOREGROUND)",
      parse: "text",
    },
  },
  fileAclFlags: {
    feature: "file ACL flags",
    requires: "job3",
    native: u64(PROP.FILE_ACL_FLAGS, flagsCodec(ACL_FLAGS)),
    schema: flagsSchema(ACL_FLAGS),
    cli: {
      option: "file-acl-flags",
      help: "What of the file's security BITS copies (Job3)",
      parse: { flags: keys(ACL_FLAGS) },
    },
  },
  peerCachingFlags: {
    feature: "peer caching flags",
    requires: "job4",
    native: u64(PROP.PEER_CACHING_FLAGS, flagsCodec(PEER_CACHING_FLAGS)),
    schema: flagsSchema(PEER_CACHING_FLAGS),
    cli: { option: "peer-caching-flags", help: "Peer caching (Job4)", parse: { flags: keys(PEER_CACHING_FLAGS) } },
  },
  costFlags: {
    feature: "IBackgroundCopyJob5 cost flags",
    requires: "job5",
    native: u64(PROP.COST_FLAGS, { encode: (value) => encodeCostFlags(value), decode: decodeCostFlags }),
    schema: object({
      states: flagsSchema(COST_STATES),
      ignoreCongestion: BOOLEAN,
      policy: { anyOf: [{ enum: keys(TRANSFER_POLICIES) }, { type: "null" }] },
    }),
    cli: {
      option: "transfer-policy",
      value: "POLICY",
      help: `Networks to transfer on by cost: ${choices(keys(TRANSFER_POLICIES))} (Job5)`,
      parse: "costFlags",
      more: {
        "cost-states": {
          value: "STATES",
          help: `Or the cost states themselves: comma list of ${keys(COST_STATES).join(", ")} (Job5)`,
        },
        "ignore-congestion": { value: "on|off", help: "With --cost-states: ignore congestion" },
      },
      fields: { "costFlags.states": "cost-states", "costFlags.ignoreCongestion": "ignore-congestion" },
    },
  },
  notificationClsid: {
    feature: "IBackgroundCopyJob5 notification CLSID",
    requires: "job5",
    native: calls(planClsid, "clsid"),
    schema: nullable({ $ref: "common.schema.json#/definitions/guid" }),
    cli: {
      option: "notification-clsid",
      value: "GUID",
      help: "CLSID of a COM server BITS notifies (Job5)",
      parse: "text",
      clear: { option: "clear-notification-clsid", help: "Remove the notification CLSID (Job5)" },
    },
  },
  dynamicContent: {
    feature: "IBackgroundCopyJob5 dynamic content",
    requires: "job5",
    native: u64(PROP.DYNAMIC_CONTENT, BOOLEAN_CODEC),
    schema: BOOLEAN,
    cli: {
      option: "dynamic-content",
      help: "Download without a known size or ranges (Job5; before the first resume)",
      parse: "onOff",
    },
  },
  highPerformance: {
    feature: "IBackgroundCopyJob5 high performance",
    requires: "job5",
    native: u64(PROP.HIGH_PERFORMANCE, BOOLEAN_CODEC),
    schema: BOOLEAN,
    cli: {
      option: "high-performance",
      help: "Speed over background-friendliness (Job5; before adding files)",
      parse: "onOff",
    },
  },
  maxDownloadSize: {
    feature: "IBackgroundCopyJob5 maximum download size",
    requires: "job5",
    native: u64(PROP.MAX_DOWNLOAD_SIZE, uintCodec(Number.MAX_SAFE_INTEGER)),
    schema: { type: "integer", minimum: 0 },
    cli: {
      option: "max-download-size",
      value: "BYTES",
      help: "Largest download: bytes, or 500MB, 2GiB; 0: no limit (Job5)",
      parse: "bytes",
    },
  },
  useStoredCredentials: {
    feature: "IBackgroundCopyJob5 use of stored credentials",
    requires: "job5",
    native: u64(PROP.USE_STORED_CREDENTIALS, flagsCodec(AUTH_TARGETS)),
    schema: flagsSchema(AUTH_TARGETS),
    cli: {
      option: "use-stored-credentials",
      help: "Targets that may use Credential Manager's stored credentials (Job5)",
      parse: { flags: keys(AUTH_TARGETS) },
    },
  },
  minimumNotificationInterval: {
    feature: "IBackgroundCopyJob5 minimum notification interval",
    requires: "job5",
    native: u64(PROP.MINIMUM_NOTIFICATION_INTERVAL_MS, uintCodec()),
    schema: UINT32,
    cli: {
      option: "min-notification-interval",
      help: "Least time between notifications: seconds (0.5) or 500ms (Job5)",
      parse: "milliseconds",
    },
  },
  onDemandMode: {
    feature: "IBackgroundCopyJob5 on-demand mode",
    requires: "job5",
    native: u64(PROP.ON_DEMAND_MODE, BOOLEAN_CODEC),
    schema: BOOLEAN,
    cli: { option: "on-demand", help: "On-demand mode: ranges requested as needed (Job5)", parse: "onOff" },
  },
};

/** What `set` does besides setting properties: removing credentials (first) and making headers write-only (last). */
export const ACTION_DESCRIPTORS = {
  removeCredentials: {
    feature: PROPERTY_DESCRIPTORS.credentials.feature,
    requires: PROPERTY_DESCRIPTORS.credentials.requires,
    after: "credentials",
    cli: {
      option: "clear-credentials",
      value: "SCHEME[/TARGET]",
      multiple: true,
      help: "Remove credentials, e.g. BASIC/SERVER (target SERVER by default); done first; repeatable",
      atCreation: false,
      parse: "credentialsKeys",
    },
  },
  makeCustomHeadersWriteOnly: {
    feature: "write-only custom headers",
    requires: "httpOptions3",
    cli: {
      option: "headers-write-only",
      help: "Make the custom headers write-only, irreversibly (HttpOptions3, BITS 10.3); done last",
      atCreation: false,
      parse: "switch",
    },
  },
} as const satisfies Readonly<Record<string, ActionDescriptor>>;

/** The name of an action of {@linkcode ACTION_DESCRIPTORS}. */
export type ActionName = keyof typeof ACTION_DESCRIPTORS;

// ---- Derived ----

const NAMES = Object.keys(PROPERTY_DESCRIPTORS) as PropertyName[];

/**
 * The order properties are applied in: the table's, but the entries marked
 * `appliedLast` (the HTTP method, because BITS locks the priority once it
 * is set) after all the others.
 */
export const APPLY_ORDER: readonly PropertyName[] = [
  ...NAMES.filter((name) => !PROPERTY_DESCRIPTORS[name].appliedLast),
  ...NAMES.filter((name) => PROPERTY_DESCRIPTORS[name].appliedLast),
];

/** Whether BITS can read a property back (a u64 or string property, or composite calls with a reader). */
export function isReadable(name: PropertyName): name is ReadablePropertyName {
  const native = PROPERTY_DESCRIPTORS[name].native;
  return native.kind !== "calls" || native.reader !== null;
}

/** Names of every readable property, in reading order. */
export const READABLE_PROPERTIES: ReadablePropertyName[] = NAMES.filter(isReadable);

// The property descriptors (src/properties/descriptors.ts) against what is derived from them and what is
// written by hand: the apply order, the readers, the feature requirements and `set`'s options cover every
// descriptor, and the JSON Schemas of the CLI's property output (properties.schema.json, and info.schema.json's
// properties) hold exactly the readable properties, each with its descriptor's shape.
//
// Permissions: --allow-read (the schemas).

import assert from "node:assert/strict";
import { CREATION_OPTIONS, CREATION_TARGETS } from "../../src/cli/creation_options.ts";
import {
  mainOption,
  PROPERTY_CLI,
  propertyOptionSpecs,
  SET_TARGETS,
  type SetTarget,
} from "../../src/cli/property_options.ts";
import { REQUIRES } from "../../src/features.ts";
import {
  ACTION_DESCRIPTORS,
  type ActionDescriptor,
  APPLY_ORDER,
  type JsonSchema,
  PROPERTY_DESCRIPTORS,
  type PropertyCliSpec,
  READABLE_PROPERTIES,
} from "../../src/properties/descriptors.ts";
import { planProperties } from "../../src/properties/encode.ts";
import { PROPERTY_FEATURES } from "../../src/properties/features.ts";
import { READERS } from "../../src/properties/native.ts";
import type { PropertyName } from "../../src/properties/types.ts";
import { PROP, STRPROP } from "../../ffi/symbols_properties.ts";
import { SCHEMA_DIR } from "../support/cli_schema.ts";

const NAMES = Object.keys(PROPERTY_DESCRIPTORS) as PropertyName[];
const ACTIONS = Object.entries(ACTION_DESCRIPTORS) as [SetTarget, ActionDescriptor][];

/** Every option a descriptor's command-line spec names. */
function optionsOf(cli: PropertyCliSpec): string[] {
  return [cli.option, ...(cli.clear ? [cli.clear.option] : []), ...Object.keys(cli.more ?? {})];
}

// ---- What is derived covers every descriptor ----

Deno.test("descriptors: the apply order holds every property once, those marked appliedLast (the HTTP method) at the end", () => {
  assert.deepEqual([...APPLY_ORDER].sort(), [...NAMES].sort());
  const last = NAMES.filter((name) => PROPERTY_DESCRIPTORS[name].appliedLast);
  assert.deepEqual(APPLY_ORDER.slice(APPLY_ORDER.length - last.length), last);
  assert.equal(APPLY_ORDER.at(-1), "httpMethod");
  // Otherwise the table's order: planning every property at once follows it.
  assert.deepEqual(APPLY_ORDER.filter((name) => !last.includes(name)), NAMES.filter((name) => !last.includes(name)));
});

Deno.test("descriptors: a reader for every readable property (and only for them), in the table's order", () => {
  assert.deepEqual(Object.keys(READERS), [...READABLE_PROPERTIES]);
  assert.deepEqual(READABLE_PROPERTIES, NAMES.filter((name) => PROPERTY_DESCRIPTORS[name].schema !== null));
  for (const name of READABLE_PROPERTIES) assert.equal(typeof READERS[name], "function", name);
  // Write-only: credentials (BITS never returns them).
  assert.deepEqual(NAMES.filter((name) => !READABLE_PROPERTIES.includes(name as never)), ["credentials"]);
});

Deno.test("descriptors: the shim ids are BITS_PROP_*/BITS_STRPROP_* ids, each used by one property", () => {
  const seen = new Map<string, PropertyName>();
  for (const name of NAMES) {
    const native = PROPERTY_DESCRIPTORS[name].native;
    if (native.kind === "calls") continue;
    const table: Readonly<Record<string, number>> = native.kind === "u64" ? PROP : STRPROP;
    assert.ok(Object.values(table).includes(native.id), `${name}: ${native.kind} id ${native.id} is not in the table`);
    const key = `${native.kind}:${native.id}`;
    assert.equal(seen.get(key), undefined, `${name} shares ${key} with ${seen.get(key)}`);
    seen.set(key, name);
  }
});

Deno.test("descriptors: every property and action names its feature and what provides it", () => {
  const entries: [string, { feature: string; requires: keyof typeof REQUIRES }][] = [
    ...NAMES.map((name) => [name, PROPERTY_DESCRIPTORS[name]] as [string, (typeof PROPERTY_DESCRIPTORS)[PropertyName]]),
    ...ACTIONS,
  ];
  assert.deepEqual(Object.keys(PROPERTY_FEATURES).sort(), entries.map(([name]) => name).sort());
  for (const [name, descriptor] of entries) {
    assert.ok(descriptor.feature, name);
    assert.ok(Object.hasOwn(REQUIRES, descriptor.requires), `${name}: ${descriptor.requires}`);
    assert.deepEqual(PROPERTY_FEATURES[name as PropertyName], {
      feature: descriptor.feature,
      requires: REQUIRES[descriptor.requires],
    });
  }
});

Deno.test("descriptors: `set` has a row per property (apply order) and action, with exactly the options each names", () => {
  const rows: [SetTarget, PropertyCliSpec][] = [
    ...NAMES.map((name): [SetTarget, PropertyCliSpec] => [name, PROPERTY_DESCRIPTORS[name].cli]),
    ...ACTIONS.map(([name, descriptor]): [SetTarget, PropertyCliSpec] => [name, descriptor.cli]),
  ];
  assert.deepEqual([...SET_TARGETS].sort(), rows.map(([name]) => name).sort());
  assert.deepEqual(SET_TARGETS.filter((t) => Object.hasOwn(PROPERTY_DESCRIPTORS, t)), [...APPLY_ORDER]);
  for (const [name, descriptor] of ACTIONS) {
    const at = SET_TARGETS.indexOf(name);
    if (descriptor.after) assert.equal(SET_TARGETS[at - 1], descriptor.after, name);
    else assert.equal(at, SET_TARGETS.length - 1, name);
  }
  const specs = propertyOptionSpecs();
  const cliOf = new Map(rows);
  const all: string[] = [];
  for (const name of SET_TARGETS) {
    const cli = cliOf.get(name)!;
    const options = optionsOf(cli);
    assert.deepEqual(Object.keys(PROPERTY_CLI[name].options), options, name);
    assert.equal(mainOption(name), cli.option, name);
    for (const option of options) {
      const spec = specs[option];
      assert.ok(spec, `--${option} (${name}) is not an option of set`);
      assert.ok(spec.description && !spec.description.includes("{"), `--${option}: help ${spec.description}`);
      assert.equal(spec.type === "string", spec.value !== undefined || option === "password", `--${option}: value`);
    }
    all.push(...options);
  }
  assert.deepEqual(Object.keys(specs), all);
});

Deno.test("descriptors: the creating commands offer every row but those marked atCreation: false, less --clear-…", () => {
  const rows: [SetTarget, PropertyCliSpec][] = [
    ...NAMES.map((name): [SetTarget, PropertyCliSpec] => [name, PROPERTY_DESCRIPTORS[name].cli]),
    ...ACTIONS.map(([name, descriptor]): [SetTarget, PropertyCliSpec] => [name, descriptor.cli]),
  ];
  const excluded = rows.filter(([, cli]) => cli.atCreation === false).map(([name]) => name);
  assert.deepEqual(excluded.sort(), ["description", "displayName", "makeCustomHeadersWriteOnly", "removeCredentials"]);
  assert.deepEqual(CREATION_TARGETS, SET_TARGETS.filter((t) => !excluded.includes(t)));
  for (const name of SET_TARGETS) {
    for (const option of Object.keys(PROPERTY_CLI[name].options)) {
      const offered: boolean = CREATION_TARGETS.includes(name) && !option.startsWith("clear-");
      assert.equal(Object.hasOwn(CREATION_OPTIONS, option), offered, `--${option}`);
    }
  }
});

Deno.test("descriptors: every value each property's codec encodes plans into calls naming the property", () => {
  const samples: { readonly [K in PropertyName]: unknown } = {
    displayName: "n",
    description: "d",
    priority: "LOW",
    notifyFlags: ["JOB_ERROR"],
    notifyCommandLine: null,
    minimumRetryDelay: 60,
    noProgressTimeout: 0,
    maximumDownloadTime: 60,
    proxy: { usage: "NO_PROXY" },
    credentials: [{ scheme: "NTLM", target: "SERVER" }],
    customHeaders: ["A: b"],
    security: { flags: [] },
    clientCertificate: null,
    httpMethod: "PUT",
    fileAclFlags: ["OWNER"],
    peerCachingFlags: [],
    costFlags: "STANDARD",
    notificationClsid: null,
    dynamicContent: false,
    highPerformance: true,
    maxDownloadSize: 0,
    useStoredCredentials: ["PROXY"],
    minimumNotificationInterval: 500,
    onDemandMode: false,
  };
  for (const name of NAMES) {
    const ops = planProperties({ [name]: samples[name] });
    assert.ok(ops.length > 0, name);
    for (const op of ops) assert.equal(op.property, name);
  }
});

// ---- The JSON Schemas against the descriptors ----

type Json = unknown;

const FILES = new Map<string, Json>(
  [...Deno.readDirSync(SCHEMA_DIR)].filter((e) => e.name.endsWith(".schema.json")).map((e) => [
    e.name,
    JSON.parse(Deno.readTextFileSync(new URL(e.name, SCHEMA_DIR))),
  ]),
);

/** The node at `pointer` (`/definitions/guid`) of schema file `file`. */
function at(file: string, pointer: string): Json {
  let node = FILES.get(file);
  assert.ok(node !== undefined, `no schema ${file}`);
  for (const part of pointer.split("/").filter(Boolean)) {
    node = (node as Record<string, Json>)[part.replaceAll("~1", "/").replaceAll("~0", "~")];
    assert.ok(node !== undefined, `${file}#${pointer} does not exist`);
  }
  return node;
}

/**
 * A schema with every `$ref` replaced by what it points at, `description`s
 * dropped, and `anyOf` members in a canonical order: two schemas that
 * accept the same documents the same way compare equal.
 */
function canonical(node: Json, file: string): Json {
  if (Array.isArray(node)) return node.map((item) => canonical(item, file));
  if (typeof node !== "object" || node === null) return node;
  const schema = node as Record<string, Json>;
  if (typeof schema.$ref === "string") {
    const [target, pointer] = schema.$ref.split("#");
    const targetFile = target === "" ? file : target;
    return canonical(at(targetFile, pointer ?? ""), targetFile);
  }
  const result: Record<string, Json> = {};
  for (const key of Object.keys(schema).sort()) {
    if (key === "description") continue;
    const value = canonical(schema[key], file);
    result[key] = key === "anyOf"
      ? (value as Json[]).map((v) => [JSON.stringify(v), v] as const).sort(([a], [b]) => a < b ? -1 : 1).map(([, v]) =>
        v
      )
      : value;
  }
  return result;
}

/** The descriptor's schema as it reads inside properties.schema.json (its refs are relative to that file). */
function expected(name: PropertyName): Json {
  return canonical(PROPERTY_DESCRIPTORS[name].schema as JsonSchema, "properties.schema.json");
}

/** Each readable property's schema in `values`, checked against its descriptor, with the one to paste on failure. */
function assertValues(file: string, pointer: string, skip: readonly string[] = []): void {
  const values = at(file, pointer) as Record<string, Json>;
  const missing = READABLE_PROPERTIES.filter((name) => !Object.hasOwn(values, name));
  assert.deepEqual(
    Object.keys(values),
    [...READABLE_PROPERTIES],
    `${file}#${pointer}: the readable properties, in the table's order, and nothing else` +
      missing.map((name) => `\nmissing ${name}: ${JSON.stringify(PROPERTY_DESCRIPTORS[name].schema)}`).join(""),
  );
  for (const name of READABLE_PROPERTIES) {
    if (skip.includes(name)) continue;
    assert.deepEqual(
      canonical(values[name], file),
      expected(name),
      `${file}#${pointer}/${name} does not match its descriptor, whose schema is\n` +
        JSON.stringify(PROPERTY_DESCRIPTORS[name].schema, null, 2),
    );
  }
}

Deno.test("schemas: properties.schema.json holds exactly the readable properties, each as its descriptor says", () => {
  assertValues("properties.schema.json", "/properties/values/properties");
  assert.deepEqual(at("properties.schema.json", "/definitions/readableName/enum"), [...READABLE_PROPERTIES]);
  // Write-only properties are in no output.
  for (const name of NAMES.filter((n) => PROPERTY_DESCRIPTORS[n].schema === null)) {
    assert.ok(!JSON.stringify(FILES.get("properties.schema.json")).includes(`"${name}"`), name);
  }
});

Deno.test("schemas: info.schema.json's properties are the same, but for the custom headers' hidden values", () => {
  assertValues("info.schema.json", "/definitions/properties/properties/values/properties", ["customHeaders"]);
  assert.deepEqual(
    canonical(
      at("info.schema.json", "/definitions/properties/properties/values/properties/customHeaders"),
      "info.schema.json",
    ),
    { type: "array", items: { type: "string", pattern: "^[^:]*: \\(hidden\\)$" } },
  );
  assert.deepEqual(
    canonical(at("info.schema.json", "/definitions/properties/properties/unsupported/items"), "info.schema.json"),
    { enum: [...READABLE_PROPERTIES] },
  );
});

Deno.test("schemas: set.schema.json names exactly the settable properties, in apply order", () => {
  assert.deepEqual(at("set.schema.json", "/definitions/propertyName/enum"), [...APPLY_ORDER]);
});

Deno.test("schemas: the comparison follows $refs and can fail (a changed enum or pattern)", () => {
  const shape = expected("priority") as Record<string, Json>;
  const changed = JSON.parse(JSON.stringify(shape).replace('"LOW"', '"LOWEST"'));
  assert.notDeepEqual(changed, shape);
  const cert = expected("clientCertificate");
  const looser = JSON.parse(JSON.stringify(cert).replace("^[0-9A-F]{40}$", "^[0-9A-Fa-f]{40}$"));
  assert.notDeepEqual(looser, cert);
  // $refs are followed: common.schema.json's unknownEnum is inlined.
  assert.ok(JSON.stringify(shape).includes("UNKNOWN\\\\([0-9]+\\\\)"), JSON.stringify(shape));
});

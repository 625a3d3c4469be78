// The CLI's JSON Schemas (docs/cli-json/): each compiles strictly and is strict itself, every command
// has one and a section in docs/cli-json.md, the documents the CLI prints on Linux match them, and a
// wrong document is rejected (so the checks can fail). Wine tests check the real commands' output.
//
// Permissions: --allow-read, --allow-net=127.0.0.1 (probe documents from the fault server).

import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { COMMANDS } from "../../src/cli/registry.ts";
import { eventJson } from "../../src/cli/watch_view.ts";
import { planClean } from "../../src/cli/clean.ts";
import { redactProperties } from "../../src/cli/info.ts";
import { BitsError } from "../../src/errors.ts";
import { DEFAULT_JOB_DESCRIPTION } from "../../src/create_job.ts";
import type { JobSnapshot } from "../../src/types.ts";
import { assertCliJson, SCHEMA_DIR, schemaFile, validator } from "../support/cli_schema.ts";
import { startFaultServer } from "../support/faults.ts";
import { runMain } from "../support/cli_capture.ts";

const SHARED = ["common.schema.json", "error.schema.json"];

const run = runMain;

function schemaFiles(): string[] {
  return [...Deno.readDirSync(SCHEMA_DIR)].map((e) => e.name).filter((n) => n.endsWith(".schema.json")).sort();
}

/** Every object schema in `node` (with `properties`) must forbid other properties. */
function assertClosed(node: unknown, where: string): void {
  if (Array.isArray(node)) return node.forEach((n, i) => assertClosed(n, `${where}/${i}`));
  if (typeof node !== "object" || node === null) return;
  const schema = node as Record<string, unknown>;
  if ("properties" in schema && typeof schema.properties === "object") {
    assert.equal(schema.additionalProperties, false, `${where}: an object schema must set additionalProperties: false`);
    for (const [name, sub] of Object.entries(schema.properties as Record<string, unknown>)) {
      assertClosed(sub, `${where}/properties/${name}`);
    }
  }
  for (const key of ["items", "anyOf", "oneOf", "allOf", "definitions"]) {
    const child = schema[key];
    if (child === undefined) continue;
    if (key === "definitions") {
      for (const [name, sub] of Object.entries(child as Record<string, unknown>)) {
        assertClosed(sub, `${where}/definitions/${name}`);
      }
    } else assertClosed(child, `${where}/${key}`);
  }
}

Deno.test("schemas: every file compiles under ajv's strict mode, names itself, and closes every object", () => {
  const strict = new Ajv({ strict: true, strictTypes: true, allowUnionTypes: true, allErrors: true });
  for (const name of schemaFiles()) {
    const schema = JSON.parse(Deno.readTextFileSync(new URL(name, SCHEMA_DIR)));
    assert.equal(schema.$id, name);
    assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#", name);
    assertClosed(schema, name);
    strict.addSchema(schema);
  }
  for (const name of schemaFiles()) assert.ok(strict.getSchema(name), `${name} compiles`);
  // Strict mode is on: an unknown keyword is an error, not silently ignored.
  assert.throws(() =>
    new Ajv({ strict: true }).compile({ type: "object", additionalProperties: false, propertys: {} })
  );
});

Deno.test("schemas: every command has a schema file and a ### section in docs/cli-json.md", () => {
  const doc = Deno.readTextFileSync(new URL("../../docs/cli-json.md", import.meta.url));
  // A section may cover several commands: `### suspend, resume, take-ownership`.
  const sections = new Set([...doc.matchAll(/^### (.+)$/gm)].flatMap((m) => m[1].split(",").map((n) => n.trim())));
  const files = new Set(schemaFiles());
  const missing: string[] = [];
  for (const name of Object.keys(COMMANDS)) {
    if (!files.has(schemaFile(name))) missing.push(`${name}: no docs/cli-json/${schemaFile(name)}`);
    if (!sections.has(name)) missing.push(`${name}: no "### ${name}" section in docs/cli-json.md`);
    if (!doc.includes(`(cli-json/${schemaFile(name)})`)) missing.push(`${name}: docs/cli-json.md does not link it`);
  }
  assert.deepEqual(missing, []);
  // Every schema belongs to a command (or is shared).
  for (const file of files) {
    if (SHARED.includes(file)) continue;
    assert.ok(Object.keys(COMMANDS).some((name) => schemaFile(name) === file), `${file} names no command`);
  }
});

Deno.test("schemas: documents the CLI prints without BITS match (version, usage, invalid argument, BITS unavailable)", async () => {
  const version = await run("version", "--json");
  assert.equal(version.code, 0);
  assertCliJson("version", JSON.parse(version.stdout));
  for (
    const [argv, code] of [
      [["info", "--json"], 2],
      [["list", "--json"], 1],
      [["probe", "ftp://example.com/a", "--json"], 2],
      [["clean", "--older-than", "soon", "--json"], 2],
      [["wmp", "list", "--service-id", "x", "--json"], 2],
    ] as const
  ) {
    const result = await run(...argv);
    assert.equal(result.code, code, `${argv.join(" ")}: ${result.stderr}`);
    const document = JSON.parse(result.stdout);
    assert.ok("error" in document, argv.join(" "));
    assertCliJson(argv[0], document);
  }
});

Deno.test("schemas: probe documents from the fault server match probe.schema.json", async () => {
  await using server = startFaultServer();
  for (const path of ["/ok/100", "/redirect/1/meta/10/a.iso", "/nohead/10", "/status/404", "/auth/a/b/1"]) {
    const result = await run("probe", server.url(path), "--json");
    assertCliJson("probe", JSON.parse(result.stdout));
  }
});

const SNAPSHOT: JobSnapshot = {
  id: "{0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}",
  type: "DOWNLOAD",
  state: "ERROR",
  displayName: "nightly",
  description: DEFAULT_JOB_DESCRIPTION,
  progress: { bytesTotal: null, bytesTransferred: 10, filesTotal: 1, filesTransferred: 0 },
  error: { context: "REMOTE_FILE", hresult: 0x80190194, code: "BG_E_HTTP_ERROR_404", description: "not found" },
};

/** A document as the CLI would print it: through JSON, so Dates become strings. */
const printed = (document: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(JSON.stringify({ version: 1, ...document }));

Deno.test("schemas: watch event lines (NDJSON), clean, list and info --verbose documents built from the real code", () => {
  const at = Date.parse("2025-06-01T12:00:00Z");
  const events = [
    eventJson({ kind: "state", source: "poll", jobId: SNAPSHOT.id, at, state: "QUEUED", progress: SNAPSHOT.progress }),
    eventJson({ kind: "state", source: "callback", jobId: SNAPSHOT.id, at, state: "ERROR", previousState: "QUEUED" }),
    eventJson({
      kind: "error",
      source: "poll",
      jobId: SNAPSHOT.id,
      at,
      state: "ERROR",
      error: BitsError.fromJobError(SNAPSHOT.error!, SNAPSHOT.id),
    }),
    eventJson({ kind: "file-transferred", source: "callback", jobId: SNAPSHOT.id, at, file: "C:\\a.bin" }),
    eventJson({ kind: "removed", source: "poll", jobId: SNAPSHOT.id, at }),
  ];
  // assertCliJson would take an event with an `error` member for an error document: validate directly.
  const watch = validator("watch.schema.json");
  for (const line of events) assert.ok(watch(JSON.parse(line)), `${line}\n${JSON.stringify(watch.errors)}`);

  const plans = planClean([{ snapshot: SNAPSHOT, lastChange: null }, {
    snapshot: { ...SNAPSHOT, id: "{0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F11}", state: "TRANSFERRED" },
    lastChange: new Date(at - 10 * 86_400_000),
  }], { all: false, cancel: false, complete: false, now: at, olderThan: 86_400_000 });
  assert.equal(plans.length, 2);
  assertCliJson("clean", printed({ dryRun: true, actions: plans.map((p) => ({ ...p, outcome: "dry-run" })) }));
  assertCliJson("clean", printed({ dryRun: false, actions: [{ ...plans[0], outcome: "failed", message: "x" }] }));

  assertCliJson("list", printed({ jobs: [{ ...SNAPSHOT, creationTime: new Date(at), modificationTime: null }] }));

  const details = {
    id: SNAPSHOT.id,
    state: "ERROR",
    creationTime: null,
    modificationTime: null,
    transferCompletionTime: null,
    ownerSid: null,
    ownerAccount: null,
    ownerIntegrityLevel: null,
    ownerElevated: null,
    errorCount: null,
    error: {
      ...SNAPSHOT.error!,
      httpStatus: 404,
      file: null,
      protocol: null,
      localizedDescription: null,
      contextDescription: null,
    },
    langId: 1033,
    unsupported: ["times", "owner", "errorCount"],
    readErrors: { times: "E_NOTIMPL", owner: "E_NOTIMPL", errorCount: "E_NOTIMPL" },
  };
  const properties = redactProperties({
    values: {
      description: DEFAULT_JOB_DESCRIPTION,
      priority: "NORMAL",
      notifyFlags: ["JOB_TRANSFERRED", "JOB_ERROR"],
      customHeaders: ["Authorization: Bearer x"],
      security: { flags: [], redirectPolicy: "ALLOW_SILENT" },
      costFlags: { states: ["UNRESTRICTED"], ignoreCongestion: true, policy: "UNRESTRICTED" },
    },
    unsupported: ["dynamicContent", "highPerformance"],
  });
  assertCliJson("info", printed({ job: SNAPSHOT, files: [], details, properties }));
  assertCliJson("info", printed({ job: SNAPSHOT, files: [] }));
});

Deno.test("schemas: wrong documents are rejected (the checks can fail)", () => {
  const wrong: [string, Record<string, unknown>][] = [
    ["version", { version: 1, module: "0.1.0", deno: "2.9.5", shim: { unavailable: "x" }, extra: true }],
    ["version", { version: 2, module: "0.1.0", deno: "2.9.5", shim: { unavailable: "x" } }],
    ["list", { version: 1, jobs: [{ ...SNAPSHOT }] }],
    ["list", { version: 1, jobs: [{ ...SNAPSHOT, id: "0f3c", creationTime: null, modificationTime: null }] }],
    ["probe", { version: 1, verdict: "maybe" }],
    ["clean", { version: 1, dryRun: true, actions: [{ jobId: SNAPSHOT.id, outcome: "vaporised" }] }],
    ["complete", { version: 1, id: SNAPSHOT.id, outcome: "cancelled" }],
    ["wait", { version: 1 }],
    ["doctor", { version: 1, reachable: true }],
    // A custom header value in info's properties: the schema insists on (hidden).
    ["info", {
      version: 1,
      job: SNAPSHOT,
      files: [],
      properties: { values: { customHeaders: ["Authorization: Bearer x"] }, unsupported: [] },
    }],
    ["info", { version: 1, job: SNAPSHOT, files: [], details: { id: SNAPSHOT.id } }],
    ["watch", { version: 1, kind: "exploded", source: "poll", jobId: SNAPSHOT.id, at: "2025-06-01T12:00:00.000Z" }],
    ["info", { version: 1, error: { message: "no name" } }],
  ];
  for (const [command, document] of wrong) {
    assert.throws(() => assertCliJson(command, document), /does not match/, `${command}: ${JSON.stringify(document)}`);
  }
});

/**
 * Checks the CLI's `--json` documents against the JSON Schemas in
 * `docs/cli-json/` (one per command, plus `error` and the shared `common`).
 * Unit tests check the schemas themselves; the Wine tests check what the
 * real commands print.
 *
 * Permissions: --allow-read (the schema files).
 *
 * @module
 */

import assert from "node:assert/strict";
import { Ajv, type ValidateFunction } from "ajv";

/** Where the schemas live. */
export const SCHEMA_DIR: URL = new URL("../../docs/cli-json/", import.meta.url);

/** The schema file of a command: `wmp finish` → `wmp-finish.schema.json`. */
export function schemaFile(command: string): string {
  return `${command.replaceAll(" ", "-")}.schema.json`;
}

let ajv: Ajv | undefined;

/** Every schema, loaded and compiled once (strict: a typo in a schema is an error). */
export function schemas(): Ajv {
  if (ajv) return ajv;
  const loaded = new Ajv({ strict: true, allErrors: true });
  for (const entry of Deno.readDirSync(SCHEMA_DIR)) {
    if (!entry.name.endsWith(".schema.json")) continue;
    const schema = JSON.parse(Deno.readTextFileSync(new URL(entry.name, SCHEMA_DIR)));
    assert.equal(schema.$id, entry.name, `${entry.name}: $id must be the file name`);
    loaded.addSchema(schema);
  }
  return ajv = loaded;
}

/** The compiled validator of one schema file. */
export function validator(file: string): ValidateFunction {
  const validate = schemas().getSchema(file);
  assert.ok(validate, `no schema ${file} in docs/cli-json/`);
  return validate;
}

/**
 * Asserts that `document` (a parsed `--json` output of `command`) matches the
 * command's schema, or the error schema when it reports an error.
 */
export function assertCliJson(command: string, document: unknown): void {
  // An error document is `{ version, error }` only: a watch event of kind "error" and doctor's
  // unreachable report also carry an `error` member, beside their own fields.
  const failed = typeof document === "object" && document !== null && "error" in document &&
    Object.keys(document).every((key) => key === "version" || key === "error");
  const file = failed ? "error.schema.json" : schemaFile(command);
  const validate = validator(file);
  if (!validate(document)) {
    assert.fail(
      `${command} --json does not match ${file}:\n${JSON.stringify(validate.errors, null, 2)}\n` +
        `document: ${JSON.stringify(document, null, 2)}`,
    );
  }
}

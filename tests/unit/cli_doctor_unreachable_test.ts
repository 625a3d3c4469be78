// `doctor` where BITS cannot be reached (here: Linux): the reason is printed once (stderr), not again in
// the report, and the JSON report carries the reason as an `error` object, valid against its schema.
//
// Permissions: --allow-read, --allow-env=BITS_SHIM_PATH, --allow-ffi.

import assert from "node:assert/strict";
import { assertCliJson } from "../support/cli_schema.ts";
import { runMain } from "../support/cli_capture.ts";

const onWindows = Deno.build.os === "windows";

Deno.test({
  name: "doctor unreachable: the reason once, on stderr; the report says 'not reachable' without repeating it",
  ignore: onWindows,
  fn: async () => {
    const result = await runMain("doctor");
    assert.equal(result.code, 1);
    const reason = /^error: BITS is not reachable: (.+)$/m.exec(result.stderr)?.[1];
    assert.ok(reason, result.stderr);
    const everything = result.stdout + result.stderr;
    assert.equal(everything.split(reason).length - 1, 1, `the reason appears once:\n${everything}`);
    assert.match(result.stdout, /^BITS: not reachable$/m);
  },
});

Deno.test({
  name: "doctor unreachable --json: an `error` object (name, message) beside `reason`, valid against the schema",
  ignore: onWindows,
  fn: async () => {
    const result = await runMain("doctor", "--json");
    assert.equal(result.code, 1);
    const document = JSON.parse(result.stdout);
    assertCliJson("doctor", document);
    assert.equal(document.reachable, false);
    assert.equal(document.error.name, "BitsUnavailableError");
    assert.equal(document.error.message, document.reason);
    assert.equal(result.stderr.split(document.reason).length - 1, 1, "stderr says it once");
    const { error: _, ...withoutError } = document;
    assert.throws(() => assertCliJson("doctor", withoutError), "the schema requires the error object");
  },
});

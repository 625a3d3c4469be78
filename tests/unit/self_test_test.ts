// The self-test's verdict and its `doctor --self-test --json` document, without BITS (the checks themselves run
// against real BITS in tests/wine/self_test_test.ts).

import assert from "node:assert/strict";
import { selfTestVerdict } from "../../src/self_test.ts";
import { parseCommandLine } from "../../src/cli/args.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import { assertCliJson } from "../support/cli_schema.ts";

Deno.test("self-test verdict: full only when every check passed, failed as soon as one failed", () => {
  assert.equal(selfTestVerdict(["pass", "pass"]), "full");
  assert.equal(selfTestVerdict(["pass", "unsupported", "pass"]), "partial");
  assert.equal(selfTestVerdict(["unsupported", "fail", "pass"]), "failed");
  assert.equal(selfTestVerdict(["fail"]), "failed");
});

Deno.test("doctor --self-test parses, and its JSON shape is one of doctor.schema.json's", () => {
  const parsed = parseCommandLine(["doctor", "--self-test", "--json"], COMMANDS);
  assert.equal(parsed.command, "doctor");
  assert.equal(parsed.options["self-test"], true);
  const document = {
    version: 1,
    selfTest: true,
    wine: "10.0",
    checks: [{ name: "download", description: "d", result: "pass", detail: "262144 bytes" }],
    verdict: "partial",
    jobsLeft: 0,
    module: "0.1.0",
    deno: "2.9.5",
  };
  assertCliJson("doctor", document);
  assert.throws(() => assertCliJson("doctor", { ...document, verdict: "fine" }));
  assert.throws(() => assertCliJson("doctor", { ...document, checks: [{ ...document.checks[0], result: "ok" }] }));
});

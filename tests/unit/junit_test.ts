import assert from "node:assert/strict";
import { countJunit } from "../../scripts/test.ts";

// A report Deno 2.9.5 wrote for one passing, one ignored, one failing test and a test with a step.
const report = await Deno.readTextFile(new URL("../fixtures/deno_junit.xml", import.meta.url));

Deno.test("junit: every test case of a Deno report is counted as passed, failed or skipped", () => {
  assert.deepEqual(countJunit(report), { passed: 3, failed: 1, skipped: 1 });
});

Deno.test("junit: self-closing test cases count as passed, errors as failed", () => {
  const xml = `<testsuites><testsuite>
    <testcase name="a"/>
    <testcase name="b"><error message="x">boom</error></testcase>
    <testcase name="c"></testcase>
  </testsuite></testsuites>`;
  assert.deepEqual(countJunit(xml), { passed: 2, failed: 1, skipped: 0 });
});

Deno.test("junit: a report without test cases counts nothing", () => {
  assert.deepEqual(countJunit('<testsuites name="deno test" tests="0"></testsuites>'), {
    passed: 0,
    failed: 0,
    skipped: 0,
  });
});

// The notify command line's security rules (issue 7): an absolute program
// path, the program path again at the head of the parameters (quoted when it
// has spaces), and no %NAME% references, which BITS never expands.

import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import { checkNotifyCommandLine } from "../../src/validate.ts";

const TOOL = "C:\\Tools\\notify.exe";
const SPACED = "C:\\Program Files\\Tool\\notify.exe";

const ACCEPTED: readonly [string, string | undefined][] = [
  [TOOL, undefined],
  [TOOL, ""],
  [TOOL, `${TOOL} --done`],
  [TOOL, `"${TOOL}" --done`],
  [TOOL, `${TOOL.toUpperCase()} --done`],
  [SPACED, `"${SPACED}" --job {id}`],
  [SPACED, `"${SPACED}"`],
  // A lone percent sign is not a reference.
  [TOOL, `${TOOL} --progress 50%`],
  ["C:\\Tools\\100% done.exe", `"C:\\Tools\\100% done.exe" x`],
];

const REFUSED: readonly [string, unknown, string | undefined, string][] = [
  ["relative program", "notify.exe", undefined, "program"],
  ["drive-relative program", "C:notify.exe", undefined, "program"],
  ["program with ..", "C:\\Tools\\..\\notify.exe", undefined, "program"],
  ["program naming a stream", "C:\\Tools\\notify.exe:evil", undefined, "program"],
  ["environment variable in the program", "C:\\%TOOLS%\\notify.exe", undefined, "program"],
  ["%SystemRoot% program (not even a full path)", "%SystemRoot%\\notify.exe", undefined, "program"],
  ["unquoted program path with spaces", SPACED, `${SPACED} --done`, "parameters"],
  ["program path with spaces, cut at the space", SPACED, "C:\\Program --done", "parameters"],
  ["environment variable in the parameters", TOOL, `${TOOL} --out %USERPROFILE%\\x`, "parameters"],
  [
    "cmd.exe expanding a variable",
    "C:\\Windows\\System32\\cmd.exe",
    "C:\\Windows\\System32\\cmd.exe /c echo %PATH%",
    "parameters",
  ],
  ["parameters not starting with the program", TOOL, "--done", "parameters"],
];

Deno.test("notify command line: accepted forms pass unchanged", () => {
  for (const [program, parameters] of ACCEPTED) {
    assert.equal(checkNotifyCommandLine(program, parameters), parameters ?? "", `${program} | ${parameters}`);
  }
});

for (const [name, program, parameters, field] of REFUSED) {
  Deno.test(`notify command line: ${name} is refused (${field})`, () => {
    assert.throws(
      () => checkNotifyCommandLine(program, parameters),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === `notifyCommandLine.${field}`,
    );
  });
}

Deno.test("notify command line: the refusal says why, naming the reference or the quoting", () => {
  assert.throws(
    () => checkNotifyCommandLine(TOOL, `${TOOL} %TEMP%`),
    (e: unknown) => e instanceof InvalidArgumentError && e.message.includes("%TEMP%"),
  );
  assert.throws(
    () => checkNotifyCommandLine(SPACED, `${SPACED} x`),
    (e: unknown) => e instanceof InvalidArgumentError && e.message.includes("double quotes"),
  );
});

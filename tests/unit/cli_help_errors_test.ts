// Help and errors in the CLI's own words: group help (`wmp --help`, `help wmp`), `help <unknown>` as a
// usage error, "did you mean" for commands and options, parse errors without class names or Node's
// texts, help wrapped to the terminal's width (80 columns off a terminal), `--version` listed.
//
// Permissions: none.

import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import { didYouMean, editDistance, suggestions } from "../../src/cli/suggest.ts";
import { displayWidth } from "../../src/cli/display_width.ts";
import { runMain } from "../support/cli_capture.ts";

/** Runs the CLI with a terminal of `columns` columns. */
async function runWide(columns: number, ...argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: () => {},
    stderrIsTerminal: false,
    columns,
  });
  return { code, stdout };
}

Deno.test("help: `wmp --help`, `wmp -h` and `help wmp` show the group's help, exit 0", async () => {
  for (const argv of [["wmp", "--help"], ["wmp", "-h"], ["help", "wmp"]]) {
    const result = await runMain(...argv);
    assert.equal(result.code, 0, `${argv.join(" ")}: ${result.stderr}`);
    assert.equal(result.stderr, "");
    assert.match(result.stdout, /^Usage: bits wmp <subcommand> \[options\]$/m);
    for (const name of ["wmp finish", "wmp list", "wmp refresh"]) {
      assert.match(result.stdout, new RegExp(`^  ${name} `, "m"), `${argv.join(" ")} lists ${name}`);
    }
  }
});

Deno.test("help: `help <unknown>` is a usage error (exit 2) with a suggestion; `help` alone is the overview", async () => {
  const unknown = await runMain("help", "nonsense");
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, "");
  assert.match(unknown.stderr, /^error: help: unknown command 'nonsense'\n/);
  const close = await runMain("help", "dowload");
  assert.equal(close.code, 2);
  assert.match(close.stderr, /did you mean download\?/);
  const overview = await runMain("help");
  assert.equal(overview.code, 0);
  assert.match(overview.stdout, /^Usage: bits <command> \[options\]$/m);
  assert.equal((await runMain("help", "wmp", "finish")).code, 0);
});

Deno.test("errors: did you mean, for commands, subcommands and options; no class names, no Node texts", async () => {
  const cases: [string[], RegExp][] = [
    [["lst"], /^error: unknown command 'lst'; did you mean list\?\nhint: see 'bits --help'\n$/],
    [["list", "--stat", "error"], /^error: list: unknown option --stat; did you mean --state\?\n/],
    [["wmp", "lsit"], /did you mean wmp list\?/],
    [["download", "--wiat"], /did you mean --wait\?/],
    [["download", "https://e.com/a", "a.bin", "--user", "x"], /unknown option --user; did you mean --username\?/],
    [["download", "https://e.com/a", "a.bin", "--name"], /download: --name needs a value \(--name NAME\)/],
    [["download", "https://e.com/a", "a.bin", "--name", "--wait"], /--name needs a value, but --wait follows/],
    [["download", "https://e.com/a", "a.bin", "--wait=yes"], /--wait is a switch and takes no value/],
  ];
  for (const [argv, pattern] of cases) {
    const result = await runMain(...argv);
    assert.equal(result.code, 2, argv.join(" "));
    assert.match(result.stderr, pattern, argv.join(" "));
    assert.doesNotMatch(
      result.stderr,
      /UsageError|TypeError|ERR_PARSE_ARGS|positional argument starting/,
      argv.join(" "),
    );
  }
});

Deno.test("suggest: edit distance counts swaps as one; far names are not suggested", () => {
  assert.equal(editDistance("lsit", "list"), 1);
  assert.equal(editDistance("lst", "list"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.deepEqual(suggestions("stat", ["state", "name", "all-users"]), ["state"]);
  assert.deepEqual(suggestions("frobnicate", Object.keys(COMMANDS)), []);
  assert.equal(didYouMean("frobnicate", ["list"]), "");
});

Deno.test("help: wrapped and aligned to 80 columns off a terminal, to the terminal's width on one", async () => {
  for (
    const [columns, argv] of [[undefined, ["--help"]], [undefined, ["set", "--help"]], [60, [
      "download",
      "--help",
    ]]] as const
  ) {
    const result = columns === undefined ? await runMain(...argv) : await runWide(columns, ...argv);
    assert.equal(result.code, 0);
    const width = columns ?? 80;
    const lines = result.stdout.trimEnd().split("\n");
    const examples = lines.indexOf("Examples:");
    // Examples are command lines to copy, never wrapped.
    for (const line of examples < 0 ? lines : lines.slice(0, examples)) {
      assert.ok(displayWidth(line) <= width, `${argv.join(" ")}: a line wider than ${width}: ${JSON.stringify(line)}`);
    }
    // Descriptions start in one column: after a flag (and two spaces or more), and on continuation lines.
    const options = lines.slice(lines.indexOf("Options:") + 1, examples < 0 ? undefined : examples - 1);
    const starts = new Set<number>();
    for (const line of options) {
      const flag = /^ {2}(?:-\w, | {4})--\S+(?: \S+)? {2,}/.exec(line);
      if (flag) starts.add(flag[0].length);
      else if (/^ {7,}\S/.test(line)) starts.add(line.length - line.trimStart().length);
    }
    assert.equal(starts.size, 1, `${argv.join(" ")}: descriptions in one column (${[...starts]})`);
  }
  const narrow = await runWide(60, "download", "--help");
  const wide = await runWide(200, "download", "--help");
  assert.ok(narrow.stdout.split("\n").length > wide.stdout.split("\n").length, "a wider terminal takes fewer lines");
});

Deno.test("help: the overview lists --version", async () => {
  const overview = await runMain("--help");
  assert.match(overview.stdout, /^ {6}--version +Print the version/m);
});

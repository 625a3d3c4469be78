// Unit tests of src/cli/args.ts: command-line parsing and help text.
//
// Permissions: none.

import assert from "node:assert/strict";
import { GLOBAL_OPTIONS, helpText, parseCommandLine, UsageError } from "../../src/cli/args.ts";
import {
  DESCRIPTION_OPTION,
  FROM_FILE_OPTION,
  NAME_PATTERN_OPTION,
  OVERWRITE_OPTION,
  TIMEOUT_OPTION,
} from "../../src/cli/command.ts";
import { COMMANDS } from "../../src/cli/registry.ts";

const ID = "{0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}";

/** Asserts that parsing `argv` throws a UsageError for `command` (undefined: none) matching `message`. */
function assertUsageError(argv: string[], command: string | undefined, message?: RegExp): void {
  assert.throws(() => parseCommandLine(argv, COMMANDS), (error: unknown) => {
    assert.ok(error instanceof UsageError, `${JSON.stringify(argv)}: expected UsageError, got ${error}`);
    assert.equal(error.name, "UsageError");
    assert.equal(error.command, command, JSON.stringify(argv));
    if (message) assert.match(error.message, message);
    return true;
  });
}

Deno.test("args: download takes url and dest pairs and every option", () => {
  const parsed = parseCommandLine([
    "download",
    "https://example.com/a.iso",
    "C:\\Downloads\\a.iso",
    "--name",
    "My ISO",
    "--description",
    "the nightly",
    "--overwrite",
    "-w",
    "--timeout",
    "3600",
    "--json",
    "-q",
  ], COMMANDS);
  assert.equal(parsed.command, "download");
  assert.deepEqual(parsed.rest, ["https://example.com/a.iso", "C:\\Downloads\\a.iso"]);
  assert.equal(parsed.options.name, "My ISO");
  assert.equal(parsed.options.description, "the nightly");
  assert.equal(parsed.options.overwrite, true);
  assert.equal(parsed.options.wait, true);
  assert.equal(parsed.options.timeout, "3600");
  assert.equal(parsed.options.json, true);
  assert.equal(parsed.options.quiet, true);
  assert.equal(parsed.options.verbose, undefined);
});

Deno.test("args: options may come before the command and between positionals", () => {
  const parsed = parseCommandLine(["--json", "download", "https://e.com/a", "--wait", "a.bin"], COMMANDS);
  assert.equal(parsed.command, "download");
  assert.deepEqual(parsed.rest, ["https://e.com/a", "a.bin"]);
  assert.equal(parsed.options.json, true);
  assert.equal(parsed.options.wait, true);
  const dashed = parseCommandLine(["download", "--", "https://e.com/a", "-odd-name.bin"], COMMANDS);
  assert.deepEqual(dashed.rest, ["https://e.com/a", "-odd-name.bin"], "`--` ends options");
});

Deno.test("args: list, with and without --all-users", () => {
  assert.deepEqual(parseCommandLine(["list"], COMMANDS).args, {});
  assert.equal(parseCommandLine(["list"], COMMANDS).command, "list");
  assert.equal(parseCommandLine(["list"], COMMANDS).options["all-users"], undefined);
  assert.equal(parseCommandLine(["list", "--all-users"], COMMANDS).options["all-users"], true);
  assert.equal(parseCommandLine(["list", "--json"], COMMANDS).options.json, true);
});

Deno.test("args: info, complete and cancel take a job id", () => {
  for (const command of ["info", "complete", "cancel"]) {
    const parsed = parseCommandLine([command, ID], COMMANDS);
    assert.equal(parsed.command, command);
    assert.deepEqual(parsed.args, { id: ID });
  }
  assert.equal(parseCommandLine(["info", ID, "--json"], COMMANDS).options.json, true);
});

Deno.test("args: version and --version", () => {
  assert.equal(parseCommandLine(["version"], COMMANDS).command, "version");
  assert.equal(parseCommandLine(["version", "--json"], COMMANDS).options.json, true);
  assert.equal(parseCommandLine(["--version"], COMMANDS).command, "version");
  assert.equal(parseCommandLine(["--version", "--json"], COMMANDS).options.json, true);
});

Deno.test("args: no arguments, --help and -h show the overview", () => {
  for (const argv of [[], ["--help"], ["-h"]]) {
    const parsed = parseCommandLine(argv, COMMANDS);
    assert.equal(parsed.command, "help", JSON.stringify(argv));
    assert.deepEqual(parsed.args, {}, JSON.stringify(argv));
  }
});

Deno.test("args: `help download`, `download --help` and `download -h` show the help for download", () => {
  for (const argv of [["help", "download"], ["download", "--help"], ["download", "-h"], ["download", "x", "--help"]]) {
    const parsed = parseCommandLine(argv, COMMANDS);
    assert.equal(parsed.command, "help", JSON.stringify(argv));
    assert.deepEqual(parsed.args, { command: "download" }, JSON.stringify(argv));
  }
  assert.deepEqual(parseCommandLine(["info", "--help"], COMMANDS).args, { command: "info" });
});

Deno.test("args: an unknown command is a UsageError without a command", () => {
  assertUsageError(["bogus"], undefined, /^unknown command 'bogus'$/);
  assertUsageError(["Download", "a", "b"], undefined, /unknown command 'Download'; did you mean download\?/);
  assertUsageError(["lst"], undefined, /did you mean list\?/);
});

Deno.test("args: an unknown option is a UsageError for the command concerned", () => {
  assertUsageError(["list", "--bogus"], "list");
  assertUsageError(["download", "https://e.com/a", "a.bin", "--all-users"], "download");
  assertUsageError(["info", ID, "-x"], "info");
  assertUsageError(["--bogus"], undefined);
  assertUsageError(["download", "https://e.com/a", "a.bin", "--timeout"], "download");
});

Deno.test("args: a missing positional is a UsageError naming it", () => {
  assertUsageError(["upload"], "upload", /missing <url>/);
  assertUsageError(["upload", "https://e.com/a"], "upload", /missing <file>/);
  assertUsageError(["info"], "info", /missing <id>/);
  assertUsageError(["complete"], "complete", /missing <id>/);
  assertUsageError(["cancel", "--json"], "cancel", /missing <id>/);
});

Deno.test("args: an extra positional is a UsageError quoting it", () => {
  assertUsageError(["upload", "https://e.com/a", "a.bin", "extra"], "upload", /unexpected argument "extra"/);
  assertUsageError(["info", ID, ID], "info", /unexpected argument/);
  assertUsageError(["list", "mine"], "list", /unexpected argument "mine"/);
  assertUsageError(["version", "2"], "version", /unexpected argument "2"/);
});

Deno.test("args: the overview lists every command, the global options and the exit codes", () => {
  const text = helpText("bits", COMMANDS);
  assert.match(text, /Usage: bits <command> \[options\]/);
  for (const [name, spec] of Object.entries(COMMANDS)) {
    // Wrapped to 80 columns: the summary's words follow the name, whatever the line breaks.
    const words = spec.summary.split(" ").map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+");
    assert.match(text, new RegExp(`^  ${name} +${words}$`, "m"), name);
  }
  for (const name of Object.keys(GLOBAL_OPTIONS)) assert.ok(text.includes(`--${name}`), name);
  assert.match(
    text,
    /^Exit codes: 0 ok, 1 job or BITS error, 2 usage, 3 timeout, 4 not found or\ncancelled, 141 output closed\.$/m,
  );
  assert.equal(helpText("bits", COMMANDS, "no-such-command"), text, "an unknown command gets the overview");
});

Deno.test("args: each command's help shows its usage, options and examples", () => {
  for (const [name, spec] of Object.entries(COMMANDS)) {
    const text = helpText("bits", COMMANDS, name);
    assert.ok(text.replace(/\s+/g, " ").startsWith(spec.summary), name);
    const rest = spec.rest ? ` [${spec.rest}...]` : "";
    assert.ok(
      text.includes(`Usage: bits ${name}${spec.positionals.map((p) => ` <${p}>`).join("")}${rest} [options]`),
      name,
    );
    assert.ok(spec.examples.length > 0, `${name} has examples`);
    for (const example of spec.examples) assert.ok(text.includes(`  bits ${example}`), `${name}: ${example}`);
    for (const option of [...Object.keys(spec.options), ...Object.keys(GLOBAL_OPTIONS)]) {
      assert.ok(text.includes(`--${option}`), `${name}: --${option}`);
    }
  }
  const download = helpText("bits", COMMANDS, "download");
  assert.match(download, /-w, --wait/);
  assert.match(download, /--timeout DURATION/);
  assert.match(download, /--name NAME/);
  assert.match(helpText("bits", COMMANDS, "list"), /--all-users/);
});

/** Splits an example command line like a shell: on spaces, with double quotes grouping words. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

Deno.test("args: every help example parses as its command", () => {
  for (const [name, spec] of Object.entries(COMMANDS)) {
    for (const example of spec.examples) {
      const argv = shellWords(example);
      assert.equal(parseCommandLine(argv, COMMANDS).command, name, example);
    }
  }
});

Deno.test("args: two-word commands parse, and a bare group names its subcommands", () => {
  const finish = parseCommandLine(["wmp", "finish", ID, "--library", "C:\\Music", "--wait"], COMMANDS);
  assert.deepEqual([finish.command, finish.args.id, finish.options.library, finish.options.wait], [
    "wmp finish",
    ID,
    "C:\\Music",
    true,
  ]);
  assert.equal(parseCommandLine(["wmp", "list", "--service-id", "5"], COMMANDS).options["service-id"], "5");
  assert.equal(parseCommandLine(["--json", "wmp", "refresh", "--enable"], COMMANDS).command, "wmp refresh");
  assertUsageError(["wmp"], "wmp", /^wmp needs a subcommand: finish, list, refresh$/);
  assertUsageError(["wmp", "bogus"], "wmp", /wmp needs a subcommand/);
  assertUsageError(["wmp", "fnish"], "wmp", /'wmp fnish' is not one; did you mean wmp finish\?/);
  assert.deepEqual(parseCommandLine(["help", "wmp", "finish"], COMMANDS).args, { command: "wmp finish" });
  assert.deepEqual(parseCommandLine(["wmp", "finish", "--help"], COMMANDS).args, { command: "wmp finish" });
});

Deno.test("args: complete and cancel take --force", () => {
  assert.equal(parseCommandLine(["complete", ID, "--force"], COMMANDS).options.force, true);
  assert.equal(parseCommandLine(["cancel", ID], COMMANDS).options.force, undefined);
});

Deno.test("args: watch takes any number of ids", () => {
  const parsed = parseCommandLine(["watch", ID, "{00000000-0000-0000-0000-000000000001}", "--json"], COMMANDS);
  assert.deepEqual([parsed.command, parsed.rest, parsed.options.json], [
    "watch",
    [ID, "{00000000-0000-0000-0000-000000000001}"],
    true,
  ]);
  assert.deepEqual(parseCommandLine(["watch", "--all"], COMMANDS).rest, []);
  assert.equal(parseCommandLine(["wait", ID, "--complete", "--timeout", "5"], COMMANDS).options.complete, true);
});

Deno.test("args: --overwrite, --description, --timeout, --from-file and --name PATTERN are each one spec, shared by every command that has it", () => {
  const uses = (name: string) => Object.entries(COMMANDS).filter(([, c]) => Object.hasOwn(c.options, name));
  const overwrite = uses("overwrite");
  assert.deepEqual(overwrite.map(([n]) => n).sort(), ["add-file", "download", "submit"]);
  for (const [name, c] of overwrite) assert.equal(c.options.overwrite, OVERWRITE_OPTION, name);
  const description = uses("description");
  assert.deepEqual(description.map(([n]) => n).sort(), ["create", "download", "set", "upload"]);
  for (const [name, c] of description) {
    // `set` builds its spec from the property table, with the same fields.
    assert.deepEqual(c.options.description, DESCRIPTION_OPTION, name);
  }
  const timeout = uses("timeout");
  assert.deepEqual(timeout.map(([n]) => n).sort(), ["download", "probe", "wait", "wmp finish"]);
  for (const [name, c] of timeout) {
    // Only the help line may differ (`download` and `wmp finish` need --wait; `probe`'s is per request).
    const { description: _, ...spec } = c.options.timeout;
    const { description: __, ...shared } = TIMEOUT_OPTION;
    assert.deepEqual(spec, shared, name);
  }
  assert.equal(COMMANDS.wait.options.timeout, TIMEOUT_OPTION);
  const fromFile = uses("from-file");
  assert.deepEqual(fromFile.map(([n]) => n).sort(), ["add-file", "download"]);
  for (const [name, c] of fromFile) assert.equal(c.options["from-file"], FROM_FILE_OPTION, name);
  // `--name` filters by display name where its value is a PATTERN; elsewhere it names the new job.
  const pattern = uses("name").filter(([, c]) => c.options.name.value === "PATTERN");
  assert.deepEqual(pattern.map(([n]) => n).sort(), ["clean", "list"]);
  for (const [name, c] of pattern) assert.equal(c.options.name, NAME_PATTERN_OPTION, name);
});

// The CLI's one duration grammar (src/cli/duration.ts), and every duration option of every command
// reading through it: the list comes from the command specs, not from a copy here.
//
// Permissions: none.

import assert from "node:assert/strict";
import { parseCommandLine } from "../../src/cli/args.ts";
import { type DurationRule, type OptionSpec, UsageError } from "../../src/cli/command.ts";
import { durationOption, parseDuration } from "../../src/cli/duration.ts";
import { COMMANDS } from "../../src/cli/registry.ts";

const SECONDS: DurationRule = { bare: "s" };
const UNIT_REQUIRED: DurationRule = { bare: null };

Deno.test("duration: every unit, any case, decimals, spaces around", () => {
  const cases: [string, number][] = [
    ["250ms", 250],
    ["45s", 45_000],
    ["10m", 600_000],
    ["1.5h", 5_400_000],
    ["7d", 604_800_000],
    ["2w", 1_209_600_000],
    ["10M", 600_000],
    ["2W", 1_209_600_000],
    ["500MS", 500],
    ["0.5s", 500],
    ["10 m", 600_000],
    [" 30s ", 30_000],
    ["007s", 7000],
  ];
  for (const [text, ms] of cases) {
    assert.equal(parseDuration(text, "timeout", SECONDS), ms, text);
    assert.equal(parseDuration(text, "older-than", UNIT_REQUIRED), ms, text);
  }
});

Deno.test("duration: a bare number is what the option documents: seconds, or refused where a unit is required", () => {
  assert.equal(parseDuration("600", "timeout", SECONDS), 600_000);
  assert.equal(parseDuration("0.25", "timeout", SECONDS), 250);
  assert.throws(() => parseDuration("7", "older-than", UNIT_REQUIRED, "clean"), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.command, "clean");
    assert.match(error.message, /^clean: --older-than: takes a duration.*a bare number needs a unit, got "7"$/);
    return true;
  });
});

Deno.test("duration: zero only where the option allows it", () => {
  for (const zero of ["0", "0s", "0.0h", "0ms"]) {
    assert.throws(() => parseDuration(zero, "timeout", SECONDS), UsageError, zero);
    assert.equal(parseDuration(zero, "no-progress-timeout", { bare: "s", zero: true }), 0, zero);
  }
});

Deno.test("duration: anything else is a usage error naming the option, the command and the value", () => {
  const bad = [
    "",
    "soon",
    "-1s",
    "+5s",
    "1e3",
    "5.",
    ".5",
    "1y",
    "10 minutes",
    "7 days",
    "1h30m",
    "Infinity",
    "NaN",
    "0x10",
  ];
  for (const text of bad) {
    assert.throws(() => parseDuration(text, "timeout", SECONDS, "wait"), (error: unknown) => {
      assert.ok(error instanceof UsageError, JSON.stringify(text));
      assert.equal(error.command, "wait");
      assert.ok(error.message.startsWith("wait: --timeout: takes a duration"), error.message);
      assert.ok(error.message.endsWith(`got ${JSON.stringify(text)}`), error.message);
      return true;
    });
  }
  assert.throws(() => parseDuration("0.0001", "timeout", SECONDS), /finer than a millisecond/);
  assert.throws(() => parseDuration("99999999999999w", "timeout", SECONDS), /is too long/);
});

Deno.test("duration: durationOption reads an option's value by its spec's rule", () => {
  const spec: OptionSpec = { type: "string", duration: SECONDS, description: "" };
  assert.equal(durationOption(undefined, "timeout", spec), undefined);
  assert.equal(durationOption("10m", "timeout", spec), 600_000);
  assert.equal(durationOption("90", "timeout", spec), 90_000);
  assert.throws(() => durationOption(["1s", "2s"], "timeout", spec, "wait"), /wait: --timeout takes one duration/);
  assert.throws(() => durationOption("1s", "name", { type: "string", description: "" }), /not a duration option/);
});

/** Every duration option of every command, from the specs. */
function durationOptions(): { command: string; name: string; spec: OptionSpec }[] {
  return Object.entries(COMMANDS).flatMap(([command, c]) =>
    Object.entries(c.options).filter(([, spec]) => spec.duration).map(([name, spec]) => ({ command, name, spec }))
  );
}

/** A command line for `command` with its positionals filled in and `--name value`. */
function argv(command: string, name: string, value: string): string[] {
  const positionals = COMMANDS[command].positionals.map(() => "x");
  return [...command.split(" "), ...positionals, `--${name}`, value];
}

Deno.test("duration: every duration option of every command accepts 10m and refuses 10x, at parse time", () => {
  const options = durationOptions();
  const names = new Set(options.map((o) => o.name));
  // The options the grammar was made for are all among them.
  for (
    const name of [
      "timeout",
      "interval",
      "idle-interval",
      "older-than",
      "min-retry-delay",
      "no-progress-timeout",
      "max-download-time",
      "min-notification-interval",
      "duration",
    ]
  ) assert.ok(names.has(name), `--${name} is a duration option`);
  for (const command of ["download", "wait", "probe", "wmp finish"]) {
    assert.ok(options.some((o) => o.command === command && o.name === "timeout"), `${command} --timeout`);
  }
  for (const { command, name, spec } of options) {
    const where = `${command} --${name}`;
    assert.equal(spec.value, "DURATION", `${where}: help shows DURATION`);
    const parsed = parseCommandLine(argv(command, name, "10m"), COMMANDS);
    assert.equal(parsed.options[name], "10m", where);
    assert.equal(durationOption(parsed.options[name], name, spec, command), 600_000, where);
    assert.throws(() => parseCommandLine(argv(command, name, "10x"), COMMANDS), (error: unknown) => {
      assert.ok(error instanceof UsageError, where);
      assert.equal(error.command, command, where);
      assert.match(error.message, new RegExp(`--${name}: takes a duration`), where);
      return true;
    });
  }
});

Deno.test("duration: no option that takes a time slips past the grammar", () => {
  // An option named like a time, or shown with a time placeholder, must carry a duration rule.
  const looksTimed = /timeout|interval|delay|time|older|duration|seconds/i;
  for (const [command, c] of Object.entries(COMMANDS)) {
    for (const [name, spec] of Object.entries(c.options)) {
      if (spec.type !== "string" || !(looksTimed.test(name) || looksTimed.test(spec.value ?? ""))) continue;
      assert.ok(spec.duration, `${command} --${name} takes a time but has no duration rule`);
    }
  }
});

// Every command's help: at least two examples, each of which parses (so examples never rot), and
// `bits <cmd> --help` prints them. And no colours: none when not on a terminal, none with NO_COLOR.
//
// Permissions: --allow-read, --allow-run (a real `cli.ts` process, under a pseudo-terminal when
// `script` is there), --allow-net=127.0.0.1 (a probe against the fault server).

import assert from "node:assert/strict";
import { parseCommandLine } from "../../src/cli/args.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import { startFaultServer } from "../support/faults.ts";
import { runMain } from "../support/cli_capture.ts";

/** Splits an example as a shell would: spaces separate, double quotes group (backslashes stay, as in cmd). */
export function splitExample(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]);
  return words;
}

const run = runMain;

// Any escape sequence, and the colour ones (SGR: ESC [ … m).
const ESC = String.fromCharCode(0x1b);
const ESCAPE = new RegExp(ESC);
const COLOUR = new RegExp(`${ESC}\\[[0-9;]*m`);

Deno.test("help: splitExample keeps quoted words together and backslashes as they are", () => {
  assert.deepEqual(splitExample('info "nightly backup" --json'), ["info", "nightly backup", "--json"]);
  assert.deepEqual(splitExample("download https://x/a C:\\Downloads\\a.iso"), [
    "download",
    "https://x/a",
    "C:\\Downloads\\a.iso",
  ]);
});

Deno.test("help: every command has at least two examples, and each one parses as that command", () => {
  assert.ok(Object.keys(COMMANDS).length >= 14, "the registry lists the commands");
  for (const [name, command] of Object.entries(COMMANDS)) {
    assert.ok(command.examples.length >= 2, `${name} has ${command.examples.length} example(s); at least 2 needed`);
    for (const example of command.examples) {
      let parsed;
      try {
        parsed = parseCommandLine(splitExample(example), COMMANDS);
      } catch (error) {
        assert.fail(`${name}: example ${JSON.stringify(example)} does not parse: ${(error as Error).message}`);
      }
      assert.equal(parsed.command, name, `example ${JSON.stringify(example)} runs ${parsed.command}`);
    }
  }
});

Deno.test("help: `bits <command> --help` prints the summary, usage and every example, without escapes", async () => {
  for (const [name, command] of Object.entries(COMMANDS)) {
    const result = await run(...name.split(" "), "--help");
    assert.equal(result.code, 0, name);
    assert.equal(result.stderr, "", name);
    assert.ok(result.stdout.replace(/\s+/g, " ").startsWith(command.summary), name);
    assert.match(result.stdout, new RegExp(`^Usage: bits ${name}`, "m"), name);
    for (const example of command.examples) {
      assert.ok(
        result.stdout.includes(`\n  bits ${example}\n`) || result.stdout.endsWith(`\n  bits ${example}\n`),
        example,
      );
    }
    assert.doesNotMatch(result.stdout, ESCAPE, `${name} --help`);
  }
  const overview = await run("--help");
  for (const name of Object.keys(COMMANDS)) assert.match(overview.stdout, new RegExp(`^  ${name} `, "m"));
});

Deno.test("help: an example that would not parse is caught (the check can fail)", () => {
  assert.throws(
    () => parseCommandLine(splitExample("list --no-such-option"), COMMANDS),
    /unknown option --no-such-option/,
  );
  assert.throws(() => parseCommandLine(splitExample("info"), COMMANDS), /missing <id>/);
});

const CLI = new URL("../../cli.ts", import.meta.url);
const PERMISSIONS = [
  "--allow-ffi",
  "--allow-read",
  "--allow-write",
  "--allow-env=BITS_SHIM_PATH",
  "--allow-net=127.0.0.1",
];

async function spawnCli(args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-check", ...PERMISSIONS, CLI.href, ...args],
    env,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

Deno.test("colours: none when the output is not a terminal, with or without NO_COLOR", async () => {
  await using server = startFaultServer();
  for (const env of [{}, { NO_COLOR: "1" }] as Record<string, string>[]) {
    for (
      const args of [
        ["--help"],
        ["probe", server.url("/nohead/100")],
        ["probe", server.url("/status/404")],
        ["list"],
        ["frobnicate"],
        ["clean", "--older-than", "soon"],
      ]
    ) {
      const result = await spawnCli(args, env);
      assert.doesNotMatch(result.stdout + result.stderr, ESCAPE, `${args.join(" ")} ${JSON.stringify(env)}`);
    }
  }
});

function hasScript(): boolean {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "colours: none with NO_COLOR even on a terminal (a pseudo-terminal through `script`)",
  ignore: Deno.build.os !== "linux" || !hasScript(),
  async fn(): Promise<void> {
    await using server = startFaultServer();
    for (const args of [["--help"], ["probe", server.url("/norange/100")], ["list"], ["clean", "--older-than", "x"]]) {
      const command = [Deno.execPath(), "run", "--no-check", ...PERMISSIONS, CLI.href, ...args]
        .map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ");
      const output = await new Deno.Command("script", {
        args: ["-qec", command, "/dev/null"],
        env: { NO_COLOR: "1" },
        stdin: "null",
      }).output();
      const text = new TextDecoder().decode(output.stdout);
      assert.ok(text.length > 0, `${args.join(" ")} printed something through the terminal`);
      assert.doesNotMatch(text, COLOUR, args.join(" "));
    }
  },
});

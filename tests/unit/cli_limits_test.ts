// `--all-users` on list, watch and clean (one shared spec) and `--max-transient-errors N` on wait and
// download --wait (the API's transientErrorLimit): parsed and refused before BITS is touched.
//
// Permissions: none.

import assert from "node:assert/strict";
import { ALL_USERS_OPTION, MAX_TRANSIENT_ERRORS_OPTION } from "../../src/cli/command.ts";
import { transientErrorLimit } from "../../src/cli/option_values.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import { runMain } from "../support/cli_capture.ts";

Deno.test("--all-users: list, watch and clean take it (one spec); watch only with --all", async () => {
  assert.equal(COMMANDS.list.options["all-users"], ALL_USERS_OPTION);
  assert.equal(COMMANDS.clean.options["all-users"], ALL_USERS_OPTION);
  assert.equal(COMMANDS.watch.options["all-users"].type, "boolean");
  for (const command of ["list", "watch", "clean"]) {
    assert.match((await runMain(command, "--help")).stdout, /--all-users/, command);
  }
  const alone = await runMain("watch", "0f3c1c2e", "--all-users");
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--all-users goes with --all/);
});

Deno.test("--max-transient-errors: a whole number of 1 or more, on wait and download --wait only", async () => {
  assert.equal(transientErrorLimit(undefined), undefined);
  assert.equal(transientErrorLimit("3"), 3);
  assert.throws(() => transientErrorLimit("0"), /takes 1 or more/);
  assert.throws(() => transientErrorLimit("-1"), /takes a whole number/);
  assert.throws(() => transientErrorLimit("two"), /takes a whole number/);
  assert.equal(COMMANDS.wait.options["max-transient-errors"], MAX_TRANSIENT_ERRORS_OPTION);
  assert.match((await runMain("download", "--help")).stdout, /--max-transient-errors N/);
  for (
    const [argv, pattern] of [
      [["wait", "0f3c1c2e", "--max-transient-errors", "0"], /takes 1 or more/],
      [["wait", "0f3c1c2e", "--max-transient-errors", "x"], /takes a whole number/],
      [["download", "https://e.com/a", "/tmp/a", "--max-transient-errors", "2"], /--max-transient-errors needs --wait/],
    ] as const
  ) {
    const result = await runMain(...argv);
    assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
  }
});

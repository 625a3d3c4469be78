// A closed stdout or stderr (a reader that stops at once, `bits … | head -1`) ends the CLI quietly with
// 141, never a stack trace or "BrokenPipe"; a usage error whose report cannot be written keeps its own
// status. Real `cli.ts` processes with the Linux deno; the Wine twin runs deno.exe.
//
// Permissions: --allow-read, --allow-run, --allow-env.

import assert from "node:assert/strict";
import { ExitCode } from "../../src/cli/exit_codes.ts";
import { main } from "../../src/cli/main.ts";
import { isClosedPipe, OutputClosedError, streamWriter } from "../../src/cli/output.ts";
import { runWithClosed } from "../support/closed_output.ts";

const PERMISSIONS = ["--allow-read", "--allow-env=BITS_SHIM_PATH", "--allow-ffi"];

Deno.test("closed stdout: help, set --help and version --json end quietly with 141", async () => {
  for (const args of [["--help"], ["set", "--help"], ["version", "--json"], ["help", "wmp"]]) {
    const result = await runWithClosed("stdout", PERMISSIONS, args);
    assert.equal(result.code, ExitCode.OutputClosed, `${args.join(" ")}: ${result.other}`);
    assert.equal(result.other, "", `${args.join(" ")} writes nothing on stderr`);
  }
});

Deno.test("closed stderr: a usage error keeps its status (2) and nothing breaks", async () => {
  const result = await runWithClosed("stderr", PERMISSIONS, ["lst"]);
  assert.equal(result.code, ExitCode.Usage);
  assert.equal(result.other, "");
});

Deno.test("output: a closed pipe is recognised on Linux (EPIPE) and Windows (232, 233); other errors are not", () => {
  assert.ok(isClosedPipe(new Deno.errors.BrokenPipe("Broken pipe (os error 32)")));
  assert.ok(isClosedPipe(new Error("Pipe not connected. (os error 233)")));
  assert.ok(isClosedPipe(new Error("The pipe is being closed. (os error 232)")));
  assert.ok(!isClosedPipe(new Error("Access is denied. (os error 5)")));
  const closed = streamWriter({
    writeSync: () => {
      throw new Error("Pipe not connected. (os error 233)");
    },
  }, "stdout");
  assert.throws(() => closed("x"), (e) => e instanceof OutputClosedError && e.stream === "stdout");
  const other = streamWriter({
    writeSync: () => {
      throw new Deno.errors.PermissionDenied("no");
    },
  }, "stderr");
  assert.throws(() => other("x"), Deno.errors.PermissionDenied);
});

Deno.test("output: a short write is completed, not truncated", () => {
  const chunks: number[] = [];
  const write = streamWriter({
    writeSync: (p) => {
      const n = Math.min(3, p.length);
      chunks.push(n);
      return n;
    },
  }, "stdout");
  write("0123456789");
  assert.deepEqual(chunks, [3, 3, 3, 1]);
});

Deno.test("main: a command whose stdout closes returns 141 and writes nothing to stderr", async () => {
  let stderr = "";
  const code = await main(["--help"], {
    stdout: () => {
      throw new OutputClosedError("stdout");
    },
    stderr: (t) => void (stderr += t),
    stderrIsTerminal: false,
  });
  assert.equal(code, 141);
  assert.equal(stderr, "");
});

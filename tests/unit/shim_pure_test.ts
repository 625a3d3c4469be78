// The shim's pure parts (ffi/bits_pure.c) on Linux, with the host's C
// compiler: they build without Windows headers, every function they declare
// is driven by a fuzz target, and every target's committed corpus replays
// clean under AddressSanitizer and UndefinedBehaviorSanitizer (a regression
// test of everything the fuzzing found, without libFuzzer).
//
// Permissions: --allow-read --allow-write --allow-run

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CC = "cc";
const SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"];
const STRICT = ["-std=c11", "-Wall", "-Wextra", "-Werror"];

async function compile(args: string[]): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(CC, { args, cwd: ROOT, stdin: "null", stdout: "piped", stderr: "piped" })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `${CC} not found: install a C compiler (apt-get install gcc); this test must not pass without it`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  assert.equal(output.code, 0, `${CC} ${args.join(" ")}:\n${new TextDecoder().decode(output.stderr)}`);
}

async function fuzzTargets(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, "fuzz"))) {
    const match = /^(\w+)_fuzz\.c$/.exec(entry.name);
    if (entry.isFile && match) names.push(match[1]);
  }
  return names.sort();
}

/** The functions bits_pure.h declares (prototypes at the start of a line). */
async function pureFunctions(): Promise<string[]> {
  const header = await Deno.readTextFile(join(ROOT, "ffi", "bits_pure.h"));
  return [...header.matchAll(/^(?:HRESULT|void|int|uint32_t) (shim_\w+)\(/gm)].map((m) => m[1]).sort();
}

Deno.test({
  name: "bits_pure.c builds on Linux with -Wall -Wextra -Werror -pedantic (no Windows or COM headers)",
  ignore: Deno.build.os === "windows",
  async fn(): Promise<void> {
    const dir = await Deno.makeTempDir({ prefix: "shim-pure-" });
    try {
      await compile([...STRICT, "-pedantic", "-c", "ffi/bits_pure.c", "-o", join(dir, "bits_pure.o")]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("every function of bits_pure.h is driven by a fuzz target, and every target has a corpus", async () => {
  const functions = await pureFunctions();
  assert.ok(functions.length >= 15, `only ${functions.length} functions found: ${functions.join(", ")}`);
  const targets = await fuzzTargets();
  assert.ok(targets.length >= 4, `fuzz targets: ${targets.join(", ")}`);
  const sources = await Promise.all(targets.map((t) => Deno.readTextFile(join(ROOT, "fuzz", `${t}_fuzz.c`))));
  const unfuzzed = functions.filter((f) => !sources.some((source) => new RegExp(`\\b${f}\\(`).test(source)));
  assert.deepEqual(unfuzzed, [], `not called by any fuzz/*_fuzz.c: ${unfuzzed.join(", ")}`);

  let total = 0;
  for (const target of targets) {
    const files = [...Deno.readDirSync(join(ROOT, "fuzz", "corpus", target))].filter((e) => e.isFile);
    assert.ok(files.length > 0, `fuzz/corpus/${target}/ is empty`);
    total += files.length;
  }
  const dirs = [...Deno.readDirSync(join(ROOT, "fuzz", "corpus"))].map((e) => e.name).sort();
  assert.deepEqual(dirs, targets, "one corpus directory per target");
  assert.ok(total <= 250, `the committed corpus should stay small (${total} files)`);
});

Deno.test({
  name: "every fuzz target replays its committed corpus clean under ASan and UBSan (gcc, no libFuzzer)",
  ignore: Deno.build.os === "windows",
  async fn(): Promise<void> {
    const dir = await Deno.makeTempDir({ prefix: "shim-replay-" });
    try {
      for (const target of await fuzzTargets()) {
        const bin = join(dir, target);
        await compile([
          ...STRICT,
          "-g",
          "-O1",
          ...SANITIZE,
          "-o",
          bin,
          `fuzz/${target}_fuzz.c`,
          "fuzz/replay_main.c",
          "ffi/bits_pure.c",
        ]);
        const run = await new Deno.Command(bin, {
          args: [join(ROOT, "fuzz", "corpus", target)],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        const out = new TextDecoder().decode(run.stdout);
        assert.equal(run.code, 0, `${target}: ${out}\n${new TextDecoder().decode(run.stderr)}`);
        const replayed = Number(/replayed (\d+) inputs/.exec(out)?.[1] ?? 0);
        assert.ok(replayed > 0, `${target}: nothing replayed`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the replay catches a broken invariant (the harness can fail)",
  ignore: Deno.build.os === "windows",
  async fn(): Promise<void> {
    // bits_pure.c with shim_copy_string's capacity check off by one: the NUL goes one unit past the buffer.
    const dir = await Deno.makeTempDir({ prefix: "shim-mutant-" });
    try {
      const source = await Deno.readTextFile(join(ROOT, "ffi", "bits_pure.c"));
      const guard = "if ((uint64_t)cap < (uint64_t)units + 1 || buf == NULL) {";
      assert.ok(source.includes(guard), "the capacity check this test breaks has moved; update the test");
      await Deno.writeTextFile(
        join(dir, "bits_pure_mutant.c"),
        `#include "${join(ROOT, "ffi", "bits_pure.h")}"\n` +
          source.replace('#include "bits_pure.h"', "").replace(
            guard,
            "if ((uint64_t)cap < (uint64_t)units || buf == NULL) {",
          ),
      );
      const bin = join(dir, "utf16");
      await compile([
        "-std=c11",
        "-g",
        "-O1",
        ...SANITIZE,
        "-o",
        bin,
        "fuzz/utf16_fuzz.c",
        "fuzz/replay_main.c",
        join(dir, "bits_pure_mutant.c"),
      ]);
      // "hi" with a capacity of exactly its length: the correct code refuses, the mutant overflows.
      const input = join(dir, "input");
      await Deno.writeFile(input, new Uint8Array([2, 0, 0, 0x68, 0, 0x69, 0]));
      const run = await new Deno.Command(bin, { args: [input], stdin: "null", stdout: "piped", stderr: "piped" })
        .output();
      assert.notEqual(run.code, 0, "the mutant passed the harness");
      assert.match(new TextDecoder().decode(run.stderr), /AddressSanitizer|invariant broken/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

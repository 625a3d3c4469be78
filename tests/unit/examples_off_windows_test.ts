// Off Windows every example says, in one line, that BITS needs Windows and nothing was done (exit 1), instead of a
// stack trace: what a user who tries one on Linux or macOS sees.
//
// Permissions: --allow-read --allow-run.

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/** Each example with arguments that get it past its own usage checks to the first BITS call. */
const RUNS: readonly (readonly string[])[] = [
  ["download_progress.ts", "http://127.0.0.1:9/x.bin", "C:\\Downloads\\x.bin"],
  ["wmp_store.ts", "http://127.0.0.1:9/x.mp3", "C:\\Incoming", "C:\\Music"],
  ["watch_queue.ts", "--until-settled"],
  ["upload_reply.ts", "http://127.0.0.1:9/upload", "C:\\data.bin", "C:\\reply.bin"],
  ["retry_policy.ts", "http://127.0.0.1:9/x.bin", "C:\\Downloads\\x.bin"],
];

Deno.test({
  name: "examples: off Windows each prints one line (BITS needs Windows, nothing was done) and exits 1",
  ignore: Deno.build.os === "windows",
  async fn(): Promise<void> {
    for (const [example, ...args] of RUNS) {
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-ffi", "--allow-read", "--allow-write", "--allow-env", `examples/${example}`, ...args],
        cwd: ROOT,
        env: { NO_COLOR: "1" },
        stdin: "null",
      }).output();
      const stderr = new TextDecoder().decode(output.stderr).trimEnd();
      assert.equal(output.code, 1, `${example}: ${stderr}`);
      assert.equal(stderr.split("\n").length, 1, `${example} printed more than one line:\n${stderr}`);
      assert.match(stderr, /only Windows has; this is \w+, so nothing was done/, example);
      assert.equal(new TextDecoder().decode(output.stdout), "", example);
    }
  },
});

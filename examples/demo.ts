/**
 * The main job, end to end: serve a generated file on 127.0.0.1, submit a
 * real BITS download for it, show live progress, complete the job, verify the
 * file's SHA-256 and print the result.
 *
 * Run it with `deno task demo` (on Linux it runs under Wine 10 in the test
 * bed), or on Windows directly:
 *
 * ```sh
 * deno run --allow-ffi --allow-read --allow-write --allow-net=127.0.0.1 --allow-env=BITS_SHIM_PATH examples/demo.ts
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { connect, wineVersion } from "../mod.ts";
import { formatBytes } from "../src/cli/format.ts";
import { ProgressReporter } from "../src/cli/progress.ts";
import { contentSha256, fileSha256 } from "../tests/support/content.ts";
import { startServer } from "../tests/support/server.ts";

const SIZE = 24 * 1024 * 1024;
const SEED = 2026;
// Trickled so the progress is visible even on loopback (about 3 seconds).
const RATE = 8 * 1024 * 1024;

const write = (text: string): void => void Deno.stderr.writeSync(new TextEncoder().encode(text));

await using server = startServer();
const dir = await Deno.makeTempDir({ prefix: "bits-demo-" });
const dest = join(dir, "demo-payload.bin");
const wine = wineVersion();
console.log(`BITS via deno-bits on ${wine ? `Wine ${wine}` : "Windows"}: ${formatBytes(SIZE)} from ${server.origin}`);

const started = Date.now();
using bits = await connect();
using job = await bits.download([{ url: server.contentUrl(SIZE, SEED, RATE), path: dest }], {
  displayName: "deno-bits demo",
  description: "Demo download from a local test server",
});
console.log(`Submitted job ${job.id}`);

const reporter = new ProgressReporter(write, Deno.stderr.isTerminal());
const total = SIZE; // BITS on Wine never reports a job total; the demo knows it.
try {
  await job.wait({
    interval: 100,
    timeout: 300_000,
    onSnapshot: (s) =>
      reporter.update({ ...s, progress: { ...s.progress, bytesTotal: s.progress.bytesTotal ?? total } }),
  });
} catch (error) {
  reporter.finish();
  await job.cancel().catch(() => {});
  throw error;
}
reporter.finish();

const outcome = await job.complete();
const seconds = (Date.now() - started) / 1000;
const [expected, actual] = [contentSha256(SIZE, SEED), await fileSha256(dest)];
const { size } = await Deno.stat(dest);
await Deno.remove(dir, { recursive: true });

const verified = outcome === "completed" && expected === actual && size === SIZE;
console.log(
  [
    `Job:      ${job.id} ${outcome} (${(await job.snapshot()).state})`,
    `File:     ${formatBytes(size)} in ${seconds.toFixed(1)} s`,
    `SHA-256:  ${actual}`,
    `Expected: ${expected}`,
    verified ? "Result:   VERIFIED, the file BITS delivered is byte-identical" : "Result:   MISMATCH",
  ].join("\n"),
);
if (!verified) {
  console.error(`demo failed: outcome ${outcome}, size ${size}, hash ${actual === expected ? "ok" : "differs"}`);
  Deno.exitCode = 1;
}

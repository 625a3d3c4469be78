/**
 * The main job, end to end, as an online store would run it: serve a
 * generated ".mp3" on 127.0.0.1, queue it in BITS as a Windows Media Player
 * convention job (`WMP_STATUS`, so we finish it ourselves), show live
 * progress, read the job back as the store page's download collection,
 * complete it and file the media into a library folder, then verify its
 * SHA-256 and print the result.
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
import { connect, wineVersion } from "@deno-bits/bits";
import { downloadCollection, finishWmpStatusJob, newServiceId, submitWmpJob } from "@deno-bits/bits/wmp";
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
const wine = wineVersion();
console.log(`BITS via deno-bits on ${wine ? `Wine ${wine}` : "Windows"}: ${formatBytes(SIZE)} from ${server.origin}`);

const metadata = {
  serviceId: newServiceId(),
  provider: "Proseware",
  albumArtist: "The Example Ensemble",
  albumTitle: "Background Transfers",
  trackNumber: 7,
  title: "Queued & Resumed",
  duration: 1234,
  rating: 99,
};
const started = Date.now();
using bits = await connect();
using job = await submitWmpJob(bits, {
  url: server.contentUrl(SIZE, SEED, RATE),
  path: join(dir, "incoming.mp3"),
  metadata,
  kind: "status",
});
console.log(`Submitted WMP_STATUS job ${job.id}\nDescription: ${(await job.snapshot()).description}`);

const reporter = new ProgressReporter(write, Deno.stderr.isTerminal());
try {
  await job.wait({
    interval: 100,
    timeout: 300_000,
    // BITS on Wine never reports a job total; the demo knows it.
    onSnapshot: (s) =>
      reporter.update({ ...s, progress: { ...s.progress, bytesTotal: s.progress.bytesTotal ?? SIZE } }),
  });
} finally {
  reporter.finish();
}

const [item] = await downloadCollection(bits, metadata.serviceId);
console.log(
  `Collection ${metadata.serviceId}: "${item.getItemInfo("Title")}" by ${item.getItemInfo("AlbumArtist")}, ` +
    `state ${item.downloadState} (processing), ${formatBytes(item.progress)} of ${formatBytes(item.size)}`,
);

const library = join(dir, "Music");
const { path } = await finishWmpStatusJob(job, library);
const seconds = (Date.now() - started) / 1000;
const [expected, actual] = [contentSha256(SIZE, SEED), await fileSha256(path)];
const { size } = await Deno.stat(path);
const state = (await job.snapshot()).state;
await Deno.remove(dir, { recursive: true });

const verified = state === "ACKNOWLEDGED" && expected === actual && size === SIZE;
console.log(
  [
    `Job:      ${job.id} ${state}`,
    `Filed:    ${path.slice(library.length + 1)} (${formatBytes(size)}) in ${seconds.toFixed(1)} s`,
    `SHA-256:  ${actual}`,
    `Expected: ${expected}`,
    verified ? "Result:   VERIFIED, the media BITS delivered is byte-identical" : "Result:   MISMATCH",
  ].join("\n"),
);
if (!verified) {
  console.error(`demo failed: state ${state}, size ${size}, hash ${actual === expected ? "ok" : "differs"}`);
  Deno.exitCode = 1;
}

/**
 * An online store's flow with the Windows Media Player BITS job convention:
 * submit a track as a `WMP_STATUS` job (`submitWmpJob`), watch it
 * (`watch`), read the store's download collection back by its serviceId
 * (`downloadCollection`, what the store page shows), and file the finished
 * track into a music library (`finishWmpStatusJob`).
 *
 * ```sh
 * deno run --allow-ffi --allow-read --allow-write --allow-env=LOCALAPPDATA,BITS_SHIM_PATH examples/wmp_store.ts URL INCOMING LIBRARY
 * ```
 *
 * URL is the track, INCOMING a full path ending in `.mp3`, `.wma`, `.wmv` or
 * `.asf` where BITS puts it, LIBRARY the library's root folder. The track's
 * metadata stands for the store's catalogue entry. Exit codes: 0 filed,
 * 1 the download failed (the job is cancelled), 2 usage.
 *
 * @module
 */

import { BitsError, BitsUnavailableError, connect, watch } from "@deno-bits/bits";
import {
  downloadCollection,
  finishWmpStatusJob,
  newServiceId,
  submitWmpJob,
  type WmpMetadata,
} from "@deno-bits/bits/wmp";

async function main([url, incoming, library]: string[]): Promise<number> {
  if (url === undefined || incoming === undefined || library === undefined) {
    console.error("usage: wmp_store.ts URL INCOMING LIBRARY");
    return 2;
  }
  const metadata: WmpMetadata = {
    serviceId: newServiceId(), // the store's collection id: keep it to find the downloads again
    provider: "Proseware",
    albumArtist: "The Example Ensemble",
    albumTitle: "Background Transfers",
    trackNumber: 3,
    title: "Queued & Resumed",
    duration: 245,
    rating: 75,
  };
  using bits = await connect();
  // "status": the store finishes the job itself; "job" would leave it to the Player.
  using job = await submitWmpJob(bits, { url, path: incoming, metadata, kind: "status" });
  console.log(`submitted ${job.id} in collection ${metadata.serviceId}`);

  for await (const event of watch([job], { untilSettled: true, pollInterval: 250 })) {
    if (event.kind === "state" || event.kind === "transferred" || event.kind === "error") {
      console.log(`event ${event.kind} ${event.state ?? ""} ${event.progress?.bytesTransferred ?? 0} bytes`);
    }
  }

  // What the store page shows: the collection, found again by serviceId alone.
  for (const item of await downloadCollection(bits, metadata.serviceId)) {
    console.log(
      `collection ${item.metadata.serviceId}: "${item.getItemInfo("Title")}" by ${item.getItemInfo("AlbumArtist")}` +
        ` (${item.getItemInfo("WM/Provider")}), job ${item.jobId}, ${item.progress} of ${item.size} bytes`,
    );
  }

  const { state, error } = await job.snapshot();
  if (state !== "TRANSFERRED") {
    const reason = error ? BitsError.fromJobError(error, job.id).message : state;
    console.error(`download failed: ${reason}`);
    if (state === "ERROR") await job.cancel(); // not transferring, so safe to cancel
    return 1;
  }
  const { path } = await finishWmpStatusJob(job, library);
  console.log(`filed ${path}`);
  return 0;
}

Deno.exitCode = await main(Deno.args).catch((error) => {
  // Off Windows, or without a permission the shim needs: one line that says why, nothing was done.
  if (!(error instanceof BitsUnavailableError)) throw error;
  console.error(error.message);
  return 1;
});

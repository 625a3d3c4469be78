/**
 * Upload a file and keep the server's reply: an UPLOAD_REPLY job
 * (`bits.upload({ reply })`), its progress, the reply's bytes
 * (`job.replyData()`) and the reply file BITS wrote.
 *
 * Windows only. BITS uploads need a BITS-enabled IIS server (the "BITS
 * Server Extensions" upload protocol), and Wine's BITS has no upload at all:
 * it would download URL over FILE instead. `bits.upload()` therefore refuses
 * to resume an upload under Wine before anything is created; this example
 * then explains and exits with code 3, and FILE and the queue stay as they
 * were.
 *
 * ```sh
 * deno run --allow-ffi --allow-read --allow-write --allow-env=LOCALAPPDATA,BITS_SHIM_PATH examples/upload_reply.ts URL FILE REPLY_FILE
 * ```
 *
 * FILE and REPLY_FILE are full Windows paths. Exit codes: 0 uploaded, 1 the
 * job failed (it is cancelled), 2 usage, 3 this BITS cannot upload (Wine).
 *
 * @module
 */

import { BitsError, type BitsJob, BitsUnavailableError, BitsUnsupportedError, connect } from "@deno-bits/bits";

/** Exit code when the running BITS cannot upload (documented above). */
const UNSUPPORTED = 3;

async function main([url, file, replyFile]: string[]): Promise<number> {
  if (url === undefined || file === undefined || replyFile === undefined) {
    console.error("usage: upload_reply.ts URL FILE REPLY_FILE");
    return 2;
  }
  using bits = await connect();
  let created: BitsJob;
  try {
    created = await bits.upload({
      url,
      path: file,
      reply: { fileName: replyFile },
      displayName: "upload_reply example",
    });
  } catch (error) {
    if (!(error instanceof BitsUnsupportedError)) throw error;
    console.error(
      `upload_reply: this BITS cannot upload: ${error.feature}.\n` +
        `It needs ${error.requires ?? "the BITS of Windows"}.\n` +
        `Nothing was created and ${file} was not touched. Run this example on Windows.`,
    );
    return UNSUPPORTED;
  }
  using job = created;
  console.log(`job ${job.id} (UPLOAD_REPLY)`);
  try {
    await job.wait({
      onSnapshot: (s) => console.error(`${s.state} ${s.progress.bytesTransferred} bytes uploaded`),
    });
  } catch (error) {
    if (!(error instanceof BitsError)) throw error;
    console.error(`failed: ${error.code}: ${error.message}`);
    await job.cancel(); // in ERROR, not transferring: safe
    return 1;
  }
  const reply = await job.replyData();
  const replyName = await job.replyFileName();
  console.log(`reply: ${reply.length} bytes`);
  console.log(`${await job.complete()}: reply written to ${replyName}`);
  return 0;
}

Deno.exitCode = await main(Deno.args).catch((error) => {
  // Off Windows, or without a permission the shim needs: one line that says why, nothing was done.
  if (!(error instanceof BitsUnavailableError)) throw error;
  console.error(error.message);
  return 1;
});

/**
 * The BITS service is a real Windows service: jobs are kept on disk and
 * survive a restart of it (Wine keeps them in memory only). Stopping BITS
 * needs an elevated process, as on the CI runner; the test says so when it
 * is not. Skipped under Wine.
 */

import assert from "node:assert/strict";
import { connect } from "../../../mod.ts";
import { eventually, windowsTest } from "../../support/wine.ts";

/** Runs `sc.exe` and returns its output (sc exits non-zero for a service already in the asked state). */
async function sc(...args: string[]): Promise<string> {
  const output = await new Deno.Command("sc.exe", { args, stdout: "piped", stderr: "piped" }).output();
  return new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
}

windowsTest("a job survives a restart of the BITS service, with its name and files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bits-restart-" });
  const name = `restart ${crypto.randomUUID().slice(0, 8)}`;
  let id: string;
  {
    using bits = await connect();
    using job = await bits.download([{ url: "http://127.0.0.1:9/never", path: `${dir}\\r.bin` }], {
      displayName: name,
      suspended: true,
    });
    id = job.id;
  }
  try {
    const stop = await sc("stop", "BITS");
    assert.doesNotMatch(stop, /Access is denied|FAILED 5:/, "stopping BITS needs an elevated test run");
    await eventually(() => sc("query", "BITS"), (out) => /STOPPED/.test(out), 60_000);
    await sc("start", "BITS");
    await eventually(() => sc("query", "BITS"), (out) => /RUNNING/.test(out), 60_000);
    using bits = await connect();
    using job = await bits.getJob(id);
    const snapshot = await job.snapshot();
    assert.equal(snapshot.displayName, name);
    assert.equal(snapshot.state, "SUSPENDED");
    assert.equal((await job.files())[0].localName.toLowerCase(), `${dir}\\r.bin`.toLowerCase());
    await job.cancel();
  } finally {
    await sc("start", "BITS");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

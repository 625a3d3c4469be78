/**
 * Suspend and TakeOwnership through the real call path: they work on
 * Windows; Wine's BITS stubs both, and the stub must surface as a typed
 * BitsUnsupportedError naming the feature, with the job left as it was.
 */

import assert from "node:assert/strict";
import { BitsUnsupportedError, wineVersion } from "../../mod.ts";
import { BitsSession } from "../support/wine.ts";

const onWine = wineVersion() !== null;

for (
  const [name, act, feature] of [
    ["suspend", (job: { suspend(): Promise<void> }) => job.suspend(), "suspending a job"],
    ["takeOwnership", (job: { takeOwnership(): Promise<void> }) => job.takeOwnership(), "taking ownership of a job"],
  ] as const
) {
  Deno.test(`${name}(): ${onWine ? "Wine's stub surfaces as BitsUnsupportedError" : "succeeds"}, job unchanged`, async () => {
    await using session = await BitsSession.open();
    const job = session.track(await session.bits.createJob(`${name} test`, { description: "kept" }));
    const result = await act(job).then(() => undefined, (e) => e);
    if (onWine) {
      assert.ok(result instanceof BitsUnsupportedError, String(result));
      assert.equal(result.code, "E_NOTIMPL");
      assert.equal(result.feature, feature);
      assert.equal(result.jobId, job.id);
    } else {
      assert.equal(result, undefined);
    }
    const after = await job.snapshot();
    assert.deepEqual([after.state, after.description], ["SUSPENDED", "kept"]);
  });
}

import assert from "node:assert/strict";
import {
  cancelCrashesWine,
  FINAL_STATES,
  FLOWING_STATES,
  JOB_STATES,
  type JobState,
  MOVING_STATES,
  RESTING_STATES,
  RUNNING_STATES,
  SETTLED_STATES,
  STALE_STATES,
} from "../../src/types.ts";

const sorted = (set: ReadonlySet<JobState>): JobState[] => [...set].sort();

Deno.test("job states: each group holds exactly the states its rules rely on", () => {
  assert.deepEqual(sorted(FINAL_STATES), ["ACKNOWLEDGED", "CANCELLED"]);
  assert.deepEqual(sorted(SETTLED_STATES), ["ACKNOWLEDGED", "CANCELLED", "ERROR", "TRANSFERRED"]);
  assert.deepEqual(sorted(RUNNING_STATES), ["CONNECTING", "QUEUED", "TRANSFERRING"]);
  assert.deepEqual(sorted(FLOWING_STATES), ["CONNECTING", "TRANSFERRING"]);
  assert.deepEqual(sorted(MOVING_STATES), ["CONNECTING", "TRANSFERRING", "TRANSIENT_ERROR"]);
  assert.deepEqual(sorted(RESTING_STATES), ["ACKNOWLEDGED", "CANCELLED", "ERROR", "SUSPENDED", "TRANSFERRED"]);
  assert.deepEqual(sorted(STALE_STATES), ["SUSPENDED", "TRANSFERRED", "TRANSIENT_ERROR"]);
});

Deno.test("job states: the groups relate as the rules assume", () => {
  for (const state of JOB_STATES) {
    // A final job is settled; a running job is neither settled nor resting, and never stale.
    if (FINAL_STATES.has(state)) assert.ok(SETTLED_STATES.has(state), state);
    if (RUNNING_STATES.has(state)) {
      assert.ok(!SETTLED_STATES.has(state) && !RESTING_STATES.has(state) && !STALE_STATES.has(state), state);
    }
    // Bytes flow only in a running, moving state.
    if (FLOWING_STATES.has(state)) assert.ok(RUNNING_STATES.has(state) && MOVING_STATES.has(state), state);
    // Every state is either moving, resting, or QUEUED (may start at any moment).
    assert.equal(MOVING_STATES.has(state) || RESTING_STATES.has(state) || state === "QUEUED", true, state);
  }
});

Deno.test("job states: under Wine a running or unread job is never cancelled; off Wine always may be", () => {
  for (const state of [...JOB_STATES, undefined]) {
    assert.equal(cancelCrashesWine(state, false), false, String(state));
    const running = state === undefined || RUNNING_STATES.has(state);
    assert.equal(cancelCrashesWine(state, true), running, String(state));
  }
  assert.equal(cancelCrashesWine("TRANSFERRING", true), true);
  assert.equal(cancelCrashesWine("SUSPENDED", true), false);
});

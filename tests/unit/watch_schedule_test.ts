import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { JobState } from "../../src/types.ts";
import { chooseRead, PollSchedule, type QueueTick } from "../../src/watch/schedule.ts";
import { watch } from "../../src/watch/watch.ts";

const A = "{00000000-0000-0000-0000-00000000000A}";
const B = "{00000000-0000-0000-0000-00000000000B}";

Deno.test("schedule: a job first seen resting is idle at once; one first seen QUEUED stays fast for an idle period", () => {
  const s = new PollSchedule(1000, 5000);
  s.polled(A, "SUSPENDED", true, 0);
  s.polled(B, "QUEUED", true, 0);
  assert.equal(s.tierOf(A, 0), "idle");
  assert.equal(s.nextPollOf(A), 5000);
  assert.equal(s.tierOf(B, 0), "active");
  assert.equal(s.nextPollOf(B), 1000);
  // B read unchanged every second: fast until 5 s after it was first seen, then idle.
  for (let t = 1000; t <= 4000; t += 1000) {
    assert.equal(s.nextPollOf(B), t);
    s.polled(B, "QUEUED", false, t);
  }
  assert.equal(s.tierOf(B, 5000), "idle");
  assert.equal(s.nextPollOf(B), 9000);
});

Deno.test("schedule: moving states are always on the fast tier, however long they last", () => {
  for (const state of ["CONNECTING", "TRANSFERRING", "TRANSIENT_ERROR"] as const) {
    const s = new PollSchedule(1000, 5000);
    s.polled(A, state, true, 0);
    for (let t = 1000; t <= 60_000; t += 1000) {
      assert.equal(s.nextPollOf(A), t, `${state} at ${t}`);
      s.polled(A, state, false, t);
    }
    assert.equal(s.tierOf(A, 60_000), "active");
  }
});

Deno.test("schedule: a change seen by a poll moves an idle job to the fast tier until an idle period passes", () => {
  const s = new PollSchedule(1000, 5000);
  s.polled(A, "SUSPENDED", true, 0);
  s.polled(A, "QUEUED", true, 5000); // resumed by someone: a change
  assert.equal(s.tierOf(A, 5000), "active");
  assert.equal(s.nextPollOf(A), 6000);
  s.polled(A, "QUEUED", false, 9000);
  assert.equal(s.nextPollOf(A), 14_000, "unchanged since 5000: idle after 10000");
});

Deno.test("schedule: a callback promotes an idle job at once, and a job the schedule has not seen is due now", () => {
  const s = new PollSchedule(1000, 5000);
  s.polled(A, "SUSPENDED", false, 0);
  assert.equal(s.nextPollOf(A), 5000);
  s.changed(A, "TRANSFERRED", 2500);
  assert.equal(s.tierOf(A, 2500), "active");
  assert.deepEqual(s.due(2500), [A], "its fast poll (1000) is already past");
  s.changed(B, undefined, 2600);
  assert.equal(s.nextPollOf(B), -Infinity);
  assert.deepEqual(s.due(2600), [A, B]);
  s.forget(A);
  assert.deepEqual(s.due(2600), [B]);
  assert.equal(s.size, 1);
});

Deno.test("schedule: due and nextDue follow each job's tier; unreadable state counts as active", () => {
  const s = new PollSchedule(1000, 5000);
  assert.equal(s.nextDue(), Infinity);
  s.polled(A, "ERROR", false, 0);
  s.polled(B, undefined, false, 0);
  assert.equal(s.nextDue(), 1000);
  assert.deepEqual(s.due(999), []);
  assert.deepEqual(s.due(1000), [B]);
  assert.deepEqual(s.due(5000), [A, B]);
});

Deno.test("schedule: idlePollInterval = pollInterval (or less) polls every job alike", () => {
  for (const idle of [1000, 200]) {
    const s = new PollSchedule(1000, idle);
    assert.ok(s.uniform);
    assert.equal(s.idleInterval, 1000);
    s.polled(A, "SUSPENDED", false, 0);
    s.polled(B, "TRANSFERRING", false, 0);
    assert.deepEqual([s.nextPollOf(A), s.nextPollOf(B)], [1000, 1000]);
  }
  assert.equal(new PollSchedule(1000, 5000).uniform, false);
});

/** States a simulated job goes through; each entry is [time of the change, new state]. */
function simulate(
  activeInterval: number,
  idleInterval: number,
  changes: readonly [number, JobState][],
  until: number,
): { polls: number[]; detected: number[] } {
  const s = new PollSchedule(activeInterval, idleInterval);
  let state: JobState = "SUSPENDED";
  let reported: JobState | undefined;
  let next = 0;
  const polls: number[] = [];
  const detected: number[] = [];
  const pending = [...changes];
  for (let now = 0; now <= until; now = Math.max(now + 1, next)) {
    while (pending.length && pending[0][0] <= now) state = pending.shift()![1];
    if (s.nextPollOf(A) > now) {
      next = s.nextPollOf(A);
      continue;
    }
    polls.push(now);
    const changed = state !== reported;
    if (changed) detected.push(now);
    reported = state;
    s.polled(A, state, changed, now);
    next = s.nextPollOf(A);
  }
  return { polls, detected };
}

Deno.test("schedule: every change is detected within the idle interval, and idle jobs cost one poll per idle interval", () => {
  // A deterministic spread of change times across the 5 s cycle of an idle job.
  const changes: [number, JobState][] = [];
  let t = 0;
  for (let i = 0; i < 40; i++) {
    t += 7_000 + ((i * 1_237) % 9_000);
    changes.push([t, i % 2 === 0 ? "QUEUED" : "SUSPENDED"]);
  }
  const { polls, detected } = simulate(1000, 5000, changes, t + 10_000);
  assert.equal(detected.length, changes.length + 1, "the first reading and every change");
  for (const [i, [at]] of changes.entries()) {
    const latency = detected[i + 1] - at;
    assert.ok(latency >= 0 && latency <= 5000, `change at ${at} seen after ${latency} ms`);
  }
  // Uniform polling would read the job every second.
  const uniform = simulate(1000, 1000, changes, t + 10_000);
  assert.ok(polls.length < uniform.polls.length / 2, `${polls.length} polls vs ${uniform.polls.length} uniform`);
  for (const [i, [at]] of changes.entries()) assert.ok(uniform.detected[i + 1] - at <= 1000);
  // With nothing changing, an idle job is read once per idle interval.
  const quiet = simulate(1000, 5000, [], 60_000);
  assert.deepEqual(quiet.polls, Array.from({ length: 13 }, (_, i) => i * 5000));
});

function tick(overrides: Partial<QueueTick>): QueueTick {
  return { now: 3000, lastFullRead: 0, idleInterval: 5000, count: 50, lastCount: 50, due: 0, known: 50, ...overrides };
}

Deno.test("chooseRead: the whole queue on the first tick, every idle interval, and when the count moves", () => {
  assert.equal(chooseRead(tick({ lastFullRead: -Infinity, lastCount: undefined, known: 0 })), "queue");
  assert.equal(chooseRead(tick({})), "jobs");
  assert.equal(chooseRead(tick({ now: 4999 })), "jobs");
  assert.equal(chooseRead(tick({ now: 5000 })), "queue");
  assert.equal(chooseRead(tick({ count: 51 })), "queue", "a job appeared");
  assert.equal(chooseRead(tick({ count: 49 })), "queue", "a job left");
  assert.equal(chooseRead(tick({ count: undefined })), "queue", "the count failed");
  assert.equal(chooseRead(tick({ count: false })), "jobs", "no counting: full reads on the idle interval only");
});

Deno.test("chooseRead: due jobs one by one, unless every known job is due", () => {
  assert.equal(chooseRead(tick({ due: 3 })), "jobs");
  assert.equal(chooseRead(tick({ due: 50 })), "queue");
  assert.equal(chooseRead(tick({ due: 0, known: 0 })), "jobs");
});

Deno.test("watch: intervals are checked before anything is opened", async () => {
  for (
    const [options, argument] of [
      [{ pollInterval: -1 }, "pollInterval"],
      [{ pollInterval: Number.NaN }, "pollInterval"],
      [{ idlePollInterval: Infinity }, "idlePollInterval"],
      [{ idlePollInterval: "5000" as unknown as number }, "idlePollInterval"],
    ] as const
  ) {
    await assert.rejects(watch([], options).next(), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.equal(error.argument, argument);
      return true;
    });
  }
});

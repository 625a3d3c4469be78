import assert from "node:assert/strict";
import { AmbiguousJobError, matchJobReference } from "../../src/resolve.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { JobSnapshot, JobState } from "../../src/types.ts";

function job(id: string, displayName: string, state: JobState = "SUSPENDED"): JobSnapshot {
  return {
    id,
    type: "DOWNLOAD",
    state,
    displayName,
    description: "",
    progress: { bytesTotal: null, bytesTransferred: 0, filesTotal: 0, filesTransferred: 0 },
    error: null,
  };
}

const A = "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}";
const B = "{3F25AAAA-0000-0000-0000-000000000000}";
const C = "{BEEF0000-1111-2222-3333-444455556666}";
const QUEUE = [
  job(A, "nightly"),
  job(B, "nightly"),
  job(C, "report.pdf"),
  job("{3F250000-DEAD-0000-0000-000000000000}", "old", "ACKNOWLEDGED"),
];

Deno.test("resolve: a full GUID matches by id without looking at the queue", () => {
  assert.deepEqual(matchJobReference("3f2504e0-4f89-11d3-9a0c-0305e82c3301", []), {
    kind: "id",
    id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  });
});

Deno.test("resolve: a unique prefix matches, with or without brace and hyphens, in any case", () => {
  for (const reference of ["3f2504", "{3F2504E0", "3F2504E0-4F", "3f2504e04f89", "beef"]) {
    const match = matchJobReference(reference, QUEUE);
    assert.equal(match.kind, "id", reference);
  }
  assert.deepEqual(matchJobReference("3f2504e0-4f", QUEUE), { kind: "id", id: A });
  assert.deepEqual(matchJobReference("BEEF", QUEUE), { kind: "id", id: C });
});

Deno.test("resolve: ambiguous prefixes and shared display names list every candidate", () => {
  const prefix = matchJobReference("3f25", QUEUE);
  assert.equal(prefix.kind, "ambiguous");
  assert.deepEqual(prefix.kind === "ambiguous" && prefix.candidates.map((c) => c.id), [A, B]);
  const name = matchJobReference("nightly", QUEUE);
  assert.equal(name.kind, "ambiguous");
  const error = new AmbiguousJobError("nightly", name.kind === "ambiguous" ? name.candidates : []);
  assert.ok(error instanceof InvalidArgumentError);
  assert.match(error.message, /"nightly" matches 2 jobs/);
  assert.ok(error.message.includes(A) && error.message.includes(B));
  assert.deepEqual(error.candidates.map((c) => c.state), ["SUSPENDED", "SUSPENDED"]);
});

Deno.test("resolve: a unique display name matches; short prefixes, finished jobs and strangers do not", () => {
  assert.deepEqual(matchJobReference("report.pdf", QUEUE), { kind: "id", id: C });
  assert.deepEqual(matchJobReference("3f2", QUEUE), { kind: "none" });
  assert.deepEqual(matchJobReference("old", QUEUE), { kind: "none" });
  assert.deepEqual(matchJobReference("3f250000-de", QUEUE), { kind: "none" });
  assert.deepEqual(matchJobReference("Report.pdf", QUEUE), { kind: "none" });
  assert.deepEqual(matchJobReference("zzzz", QUEUE), { kind: "none" });
});

/**
 * One user process of the concurrency test (tests/wine/process_test.ts): it
 * starts all its transfers at once, as an application downloading several
 * files would, each with `bits.transfer()` (create, add, resume, wait,
 * verify, complete), and prints one JSON document with each job's id and
 * outcome, or the failures.
 *
 * Usage: `deno run --allow-ffi --allow-read --allow-write concurrent_client.ts <spec.json>`, where the spec is
 * `{ "name": "display name prefix", "files": [{ "url", "path", "size", "sha256" }] }`.
 * Exit code 0 when every transfer completed, 1 otherwise.
 *
 * @module
 */

import { connect } from "../../mod.ts";

/** The spec file the test writes. */
export interface ClientSpec {
  /** Display-name prefix of this process's jobs (`<name> <index>`). */
  readonly name: string;
  /** One job per file. */
  readonly files: readonly { url: string; path: string; size: number; sha256: string }[];
}

/** What the process prints. */
export interface ClientReport {
  readonly version: 1;
  /** One per file, in the spec's order; `error` instead of `id` when the transfer failed. */
  readonly results: readonly { id?: string; outcome?: string; state?: string; error?: string }[];
}

async function main(spec: ClientSpec): Promise<number> {
  using bits = await connect();
  const settled = await Promise.allSettled(
    spec.files.map((file, index) =>
      bits.transfer([{ url: file.url, path: file.path, expect: { size: file.size, sha256: file.sha256 } }], {
        displayName: `${spec.name} ${index}`,
        onFailure: "keep",
        timeout: 120_000,
      })
    ),
  );
  const report: ClientReport = {
    version: 1,
    results: settled.map((s) =>
      s.status === "fulfilled"
        ? { id: s.value.jobId, outcome: s.value.outcome, state: s.value.snapshot.state }
        : { error: String(s.reason) }
    ),
  };
  console.log(JSON.stringify(report));
  return settled.every((s) => s.status === "fulfilled") ? 0 : 1;
}

if (import.meta.main) Deno.exitCode = await main(JSON.parse(await Deno.readTextFile(Deno.args[0])));

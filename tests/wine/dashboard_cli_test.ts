// `bits dashboard` as a user runs it, against real BITS: the command prints its URL (`--json`: the schema's
// document), serves the queue with the token and refuses a request without it; without --allow-net it fails
// with a clear error and serves nothing. The page itself is driven in Chromium by tests/browser/dashboard_test.ts.

import assert from "node:assert/strict";
import { assertCliJson } from "../support/cli_schema.ts";
import { startServer } from "../support/server.ts";
import { BitsSession, CLI_PERMISSIONS, eventually } from "../support/wine.ts";

const CLI = new URL("../../cli.ts", import.meta.url);

function spawnDashboard(permissions: readonly string[], ...args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--cached-only", "--no-check", ...permissions, CLI.href, "dashboard", ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** The JSON document the child prints first on stdout (indented over several lines, closed by a "}" line). */
async function firstDocument(child: Deno.ChildProcess): Promise<Record<string, unknown>> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/^\}$/m.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`dashboard ended before printing its document: ${text}`);
    text += value;
  }
  reader.releaseLock();
  return JSON.parse(text);
}

Deno.test("dashboard --json: prints { url, port }, serves the queue with the token, 403 without it", async () => {
  await using session = await BitsSession.open();
  await using content = startServer();
  const job = session.track(
    await session.bits.download([{ url: content.contentUrl(1024, 3), path: session.path("d.bin") }], {
      displayName: "dashboard cli job",
      suspended: true,
    }),
  );
  const child = spawnDashboard([...CLI_PERMISSIONS, "--allow-net=127.0.0.1"], "--json");
  try {
    const document = await firstDocument(child);
    assertCliJson("dashboard", document);
    const url = new URL(document.url as string);
    assert.equal(url.hostname, "127.0.0.1");
    assert.equal(Number(url.port), document.port);
    const listed = await eventually(
      async () => (await (await fetch(new URL(`/api/jobs${url.search}`, url))).json()).jobs as { id: string }[],
      (jobs) => jobs.some((j) => j.id === job.id),
      30_000,
    );
    assert.ok(listed.some((j) => j.id === job.id));
    const bare = await fetch(new URL("/api/jobs", url));
    assert.equal(bare.status, 403);
    await bare.body?.cancel();
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
  }
});

Deno.test("dashboard without --allow-net: a clear permission error, nothing served", async () => {
  const child = spawnDashboard(CLI_PERMISSIONS);
  const output = await child.output();
  assert.notEqual(output.code, 0);
  assert.equal(new TextDecoder().decode(output.stdout), "");
  assert.match(new TextDecoder().decode(output.stderr), /net/i);
});

// Start-up: `main` loads only the module of the command it runs, and what `version` needs at start-up
// (cli.ts's static imports plus version.ts's) holds no npm package (LogTape, its file sink) but the shim
// loader's hash, no Node compatibility module and not the BITS bindings' heavy half. Read from `deno info --json`'s module
// graph, following static imports only; the time itself is measured by bench/startup.ts, never here.
// The index of lazily loaded commands is checked against the eager registry.
//
// Permissions: --allow-read, --allow-run (deno info).

import assert from "node:assert/strict";
import { COMMAND_INDEX, loadCommand } from "../../src/cli/command_index.ts";
import { COMMANDS } from "../../src/cli/registry.ts";

interface GraphModule {
  readonly specifier: string;
  readonly dependencies?: readonly { readonly code?: { readonly specifier: string }; readonly isDynamic?: boolean }[];
}

/** Every module `root` loads before running: its static imports, transitively (dynamic ones are not followed). */
async function staticClosure(root: URL): Promise<Set<string>> {
  const output = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", root.href], stderr: "null" })
    .output();
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: GraphModule[];
    redirects: Record<string, string>;
  };
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string): void => {
    const resolved = graph.redirects[specifier] ?? specifier;
    if (seen.has(resolved)) return;
    seen.add(resolved);
    for (const dep of bySpecifier.get(resolved)?.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) visit(dep.code.specifier);
    }
  };
  visit(root.href);
  return seen;
}

// npm packages but the SHA-256 the shim loader checks the embedded DLL with (ffi/library.ts: `version` loads the shim).
const HEAVY = [
  /^npm:(?!\/@noble\/hashes@)/,
  /^node:/,
  /\/src\/manager\.ts$/,
  /\/src\/job\.ts$/,
  /\/src\/cli\/registry\.ts$/,
];

Deno.test("start-up: cli.ts and the version command load no npm package, no node: module, no job bindings", async () => {
  const loaded = new Set([
    ...await staticClosure(new URL("../../cli.ts", import.meta.url)),
    ...await staticClosure(new URL("../../src/cli/version.ts", import.meta.url)),
  ]);
  assert.ok(loaded.size > 10, `the graph was read (${loaded.size} modules)`);
  for (const pattern of HEAVY) {
    const found = [...loaded].filter((s) => pattern.test(s));
    assert.deepEqual(found, [], `loaded at start-up: ${found.join(", ")}`);
  }
});

Deno.test("start-up: the graph walk sees a heavy import (the check can fail)", async () => {
  const jobs = await staticClosure(new URL("../../src/cli/jobs.ts", import.meta.url));
  assert.ok([...jobs].some((s) => /^npm:/.test(s) || s.includes("@logtape")), "jobs.ts loads LogTape");
  assert.ok([...jobs].some((s) => s.endsWith("/src/manager.ts")));
});

Deno.test("command index: the same commands as the registry, in help order, each from its module", async () => {
  assert.deepEqual(Object.keys(COMMAND_INDEX), Object.keys(COMMANDS));
  for (const name of Object.keys(COMMANDS)) assert.equal(await loadCommand(name), COMMANDS[name], name);
});

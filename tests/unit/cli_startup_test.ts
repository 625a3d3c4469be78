// Start-up: `main` loads only the module of the command it runs, and what `version` needs at start-up
// (cli.ts's static imports plus version.ts's) holds no npm package (LogTape, its file sink) but the shim
// loader's hash, no Node compatibility module and not the BITS bindings' heavy half. Read from `deno info --json`'s module
// graph, following static imports only; the time itself is measured by bench/startup.ts, never here.
// The index of lazily loaded commands: one file per command, named after it, loading no other command's file;
// the eager registry is the same table.
//
// Permissions: --allow-read, --allow-run (deno info).

import assert from "node:assert/strict";
import { COMMAND_INDEX, loadCommand } from "../../src/cli/command_index.ts";
import { COMMANDS } from "../../src/cli/registry.ts";

interface GraphModule {
  readonly specifier: string;
  readonly dependencies?: readonly { readonly code?: { readonly specifier: string }; readonly isDynamic?: boolean }[];
}

interface ModuleGraph {
  readonly modules: GraphModule[];
  readonly redirects: Record<string, string>;
}

/** `deno info --json` of `root`: every module it may load, dynamic imports included. */
async function moduleGraph(root: URL): Promise<ModuleGraph> {
  const output = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", root.href], stderr: "null" })
    .output();
  return JSON.parse(new TextDecoder().decode(output.stdout)) as ModuleGraph;
}

/** Every module `root` loads before running: its static imports, transitively (dynamic ones are not followed). */
async function staticClosure(root: URL, graph?: ModuleGraph): Promise<Set<string>> {
  const { modules, redirects } = graph ?? await moduleGraph(root);
  const bySpecifier = new Map(modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string): void => {
    const resolved = redirects[specifier] ?? specifier;
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
  const download = await staticClosure(new URL("../../src/cli/download.ts", import.meta.url));
  assert.ok([...download].some((s) => /^npm:/.test(s) || s.includes("@logtape")), "download.ts loads LogTape");
  assert.ok([...download].some((s) => s.endsWith("/src/manager.ts")));
});

const CLI_DIR = new URL("../../src/cli/", import.meta.url);

/** The file of command `name`: `-` and the space of a `wmp …` command as `_` (`wmp finish` → `wmp_finish.ts`). */
function commandFile(name: string): URL {
  return new URL(`${name.replaceAll(/[- ]/g, "_")}.ts`, CLI_DIR);
}

Deno.test("command index: every command's loader loads the file named after it", async () => {
  for (const name of Object.keys(COMMAND_INDEX)) {
    // import() of one module gives one namespace object: the loader's module is that file.
    assert.equal(await COMMAND_INDEX[name](), await import(commandFile(name).href), name);
  }
});

Deno.test("command index: every file exporting a command is in the index", async () => {
  const exporting: string[] = [];
  for await (const entry of Deno.readDir(CLI_DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const source = await Deno.readTextFile(new URL(entry.name, CLI_DIR));
    if (/^export const command\b/m.test(source)) exporting.push(entry.name);
  }
  const indexed = Object.keys(COMMAND_INDEX).map((name) => commandFile(name).pathname.split("/").pop());
  assert.deepEqual(exporting.sort(), indexed.sort());
});

Deno.test("command index: a command's file loads no other command's file", async () => {
  const graph = await moduleGraph(new URL("command_index.ts", CLI_DIR));
  const files = new Map(Object.keys(COMMAND_INDEX).map((name) => [commandFile(name).href, name]));
  for (const [file, name] of files) {
    const others = [...await staticClosure(new URL(file), graph)].filter((s) => s !== file && files.has(s));
    assert.deepEqual(others.map((s) => files.get(s)), [], `${name} loads other commands' files`);
  }
});

Deno.test("registry: the index's commands, loaded, in help order", async () => {
  assert.deepEqual(Object.keys(COMMANDS), Object.keys(COMMAND_INDEX));
  for (const name of Object.keys(COMMANDS)) assert.equal(await loadCommand(name), COMMANDS[name], name);
});

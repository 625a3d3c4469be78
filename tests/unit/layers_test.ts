// The layers' import rules, read from the module graph Deno itself builds (`deno info --json`) for the two entry
// points: `ffi/` (the symbol table, the loader, the embedded shim) depends on nothing in `src/`.
//
// Permissions: --allow-read --allow-run (deno info).

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

interface GraphModule {
  readonly specifier: string;
  readonly dependencies?: readonly { readonly code?: { readonly specifier: string } }[];
}

/** Every edge (importer → imported) among the repository's own modules reachable from `entry`. */
async function edges(entry: string): Promise<[string, string][]> {
  const output = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", entry], cwd: ROOT }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const { modules } = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: GraphModule[] };
  const local = (specifier: string): string | undefined =>
    specifier.startsWith(ROOT.href) ? specifier.slice(ROOT.href.length) : undefined;
  const result: [string, string][] = [];
  for (const module of modules) {
    const from = local(module.specifier);
    if (from === undefined) continue;
    for (const dependency of module.dependencies ?? []) {
      const to = dependency.code && local(dependency.code.specifier);
      if (to !== undefined) result.push([from, to]);
    }
  }
  return result;
}

Deno.test("layers: nothing in ffi/ imports from src/ (mod.ts and cli.ts graphs)", async () => {
  for (const entry of ["mod.ts", "cli.ts"]) {
    const wrong = (await edges(entry)).filter(([from, to]) => from.startsWith("ffi/") && !to.startsWith("ffi/"));
    assert.deepEqual(wrong, [], `${entry}: ffi/ must depend only on ffi/`);
  }
});

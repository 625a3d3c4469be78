// The layers' import rules (docs/architecture.md), read from the module graph Deno itself builds
// (`deno info --json`) for every entry point the package exports (deno.json's "exports"): no import
// cycle, value or type; `ffi/` depends on nothing in `src/`; the modules below the public classes take a
// JobRef and never reach `BitsJob` or `BitsManager`; and the layer table of docs/architecture.md places
// every module, none importing from a layer above its own.
//
// Permissions: --allow-read --allow-run (deno info).

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

interface Dependency {
  readonly code?: { readonly specifier: string };
  readonly type?: { readonly specifier: string };
}

interface GraphModule {
  readonly specifier: string;
  readonly dependencies?: readonly Dependency[];
}

/** The package's entry points, from deno.json's "exports". */
async function entries(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  return Object.values(config.exports as Record<string, string>);
}

/** The repository's own modules reachable from `entry`, each with what it imports (values and types). */
async function graph(entry: string): Promise<Map<string, string[]>> {
  const output = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", entry], cwd: ROOT }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const { modules } = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: GraphModule[] };
  const local = (specifier: string | undefined): string | undefined =>
    specifier?.startsWith(ROOT.href) ? specifier.slice(ROOT.href.length) : undefined;
  const result = new Map<string, string[]>();
  for (const module of modules) {
    const from = local(module.specifier);
    if (from === undefined) continue;
    const imports = new Set<string>();
    for (const dependency of module.dependencies ?? []) {
      for (const to of [local(dependency.code?.specifier), local(dependency.type?.specifier)]) {
        if (to !== undefined) imports.add(to);
      }
    }
    result.set(from, [...imports]);
  }
  return result;
}

/** The strongly connected components of more than one module (Tarjan), each a cycle or knot of cycles. */
export function cycles(imports: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (module: string): void => {
    index.set(module, index.size);
    low.set(module, index.get(module)!);
    stack.push(module);
    onStack.add(module);
    for (const next of imports.get(module) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(module, Math.min(low.get(module)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(module, Math.min(low.get(module)!, index.get(next)!));
      }
    }
    if (low.get(module) !== index.get(module)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== module);
    if (component.length > 1) found.push(component.sort());
  };
  for (const module of imports.keys()) if (!index.has(module)) visit(module);
  return found;
}

/** Everything `module` imports, directly or not. */
function reachable(imports: ReadonlyMap<string, readonly string[]>, module: string): Set<string> {
  const seen = new Set<string>();
  const todo = [...imports.get(module) ?? []];
  while (todo.length) {
    const next = todo.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    todo.push(...imports.get(next) ?? []);
  }
  return seen;
}

Deno.test("layers: the cycle finder finds a cycle and a self-contained knot, and nothing in a tree", () => {
  const knot = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a", "d"]], ["d", []], ["e", ["d"]]]);
  assert.deepEqual(cycles(knot), [["a", "b", "c"]]);
  assert.deepEqual(cycles(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), []);
});

Deno.test("layers: no import cycle, value or type, from any exported entry point", async () => {
  for (const entry of await entries()) {
    const imports = await graph(entry);
    const found = cycles(imports).map((component) =>
      component.map((m) => `${m} -> ${imports.get(m)!.filter((to) => component.includes(to)).join(", ")}`)
    );
    assert.deepEqual(found, [], `${entry}: import cycles:\n${found.map((c) => c.join("\n")).join("\n\n")}`);
  }
});

Deno.test("layers: nothing in ffi/ imports from src/ (every exported entry point)", async () => {
  for (const entry of await entries()) {
    const wrong = [...await graph(entry)].flatMap(([from, imports]) =>
      from.startsWith("ffi/") ? imports.filter((to) => !to.startsWith("ffi/")).map((to) => `${from} -> ${to}`) : []
    );
    assert.deepEqual(wrong, [], `${entry}: ffi/ must depend only on ffi/`);
  }
});

/** The facades: they hold a JobRef (or the manager's handle) and delegate to the modules below. */
const FACADES = ["src/job.ts", "src/manager.ts"];

Deno.test("layers: what BitsJob and BitsManager delegate to never reaches either class", async () => {
  const imports = await graph("mod.ts");
  for (const facade of FACADES) {
    for (const below of reachable(imports, facade)) {
      const reached = FACADES.filter((f) => reachable(imports, below).has(f));
      assert.deepEqual(reached, [], `${below} (below ${facade}) imports ${reached.join(", ")}: take a JobRef instead`);
    }
  }
});

/** One row of docs/architecture.md's layer table: its name and the module patterns it lists. */
interface Layer {
  readonly name: string;
  readonly patterns: readonly string[];
}

/**
 * The layers, bottom first, read from docs/architecture.md: every backticked path in a row's "Modules" cell (a
 * `*` matches within one folder).
 */
async function documentedLayers(): Promise<Layer[]> {
  const text = await Deno.readTextFile(new URL("docs/architecture.md", ROOT));
  const section = text.slice(text.indexOf("## The layers"), text.indexOf("\n## ", text.indexOf("## The layers") + 1));
  const layers: Layer[] = [];
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const name = /^\*\*(.+)\*\*$/.exec(cells[1] ?? "")?.[1];
    if (name === undefined) continue;
    const patterns = [...(cells[2] ?? "").matchAll(/`([^`\s]+\.(?:ts|c|h))`/g)].map((match) => match[1]);
    layers.push({ name, patterns });
  }
  return layers;
}

/** The layer a module is in: the row whose pattern matches it most closely (an exact path beats a `*`). */
function layerOf(module: string, layers: readonly Layer[]): number | undefined {
  let best: { layer: number; exact: boolean } | undefined;
  layers.forEach((layer, index) => {
    for (const pattern of layer.patterns) {
      const exact = pattern === module;
      const glob = pattern.includes("*") &&
        new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*")}$`).test(module);
      if ((exact || glob) && (best === undefined || (exact && !best.exact))) best = { layer: index, exact };
    }
  });
  return best?.layer;
}

Deno.test("layers: the layer table in docs/architecture.md places every module, and no module imports upwards", async () => {
  const layers = await documentedLayers();
  assert.ok(layers.length >= 6, "docs/architecture.md lists the layers");
  const unplaced = new Set<string>();
  const upwards: string[] = [];
  for (const entry of await entries()) {
    for (const [module, imports] of await graph(entry)) {
      if (!module.endsWith(".ts")) continue;
      const from = layerOf(module, layers);
      if (from === undefined) {
        unplaced.add(module);
        continue;
      }
      for (const to of imports) {
        const target = layerOf(to, layers);
        if (target !== undefined && target > from) {
          upwards.push(`${module} (${layers[from].name}) -> ${to} (${layers[target].name})`);
        }
      }
    }
  }
  assert.deepEqual([...unplaced], [], "modules docs/architecture.md's layer table does not place");
  assert.deepEqual([...new Set(upwards)], [], "imports from a higher layer");
});

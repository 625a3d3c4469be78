// The public surface stays lean and coherent (issue 15, item 9): mod.ts exports what users need and no
// more; each subpath in deno.json's `exports` is a root-level entry file with a module doc and an
// import-map alias, so docs and examples read as users write them; the internals named below stay
// importable from their own files only.
//
// Permissions: --allow-read --allow-run (deno doc).

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const MANIFEST = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
  exports: Record<string, string>;
  imports: Record<string, string>;
  tasks: Record<string, string>;
};

/** The names an entry file exports, types included, as `deno doc` sees them. */
async function exportedNames(entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  const doc = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    nodes: Record<string, { symbols: { name: string }[] }>;
  };
  return Object.values(doc.nodes).flatMap((node) => node.symbols.map((symbol) => symbol.name));
}

Deno.test("public surface: mod.ts exports at most 120 names, none of them an internal", async () => {
  const names = await exportedNames("mod.ts");
  assert.ok(names.length <= 120, `mod.ts exports ${names.length} names`);
  for (
    const core of ["connect", "BitsManager", "BitsJob", "BitsError", "InvalidArgumentError", "watch", "JobSnapshot"]
  ) {
    assert.ok(names.includes(core), `${core} is missing`);
  }
  const internals = [
    "unwrap", // HRESULT plumbing
    "failed",
    "formatHresult", // in ./errors, not the root
    "encodeUtf16",
    "decodeUtf16",
    "decodeDetails",
    "assessProbe",
    "Coalescer",
    "formatGuid",
    "parseGuid",
    "MAX_URL",
    "MAX_RANGES",
    "checkRanges",
    "matchJobReference",
    "completeVerified",
    "SHIM_PATH_ENV",
    "dateFromFiletime",
    "MANAGER_CLSIDS",
    "formatWmpDescription", // in ./wmp
  ];
  assert.deepEqual(names.filter((name) => internals.includes(name)), []);
  assert.deepEqual(names.filter((name) => /^MAX_/.test(name)), [], "validation limits are internal");
});

Deno.test("public surface: every subpath is a root entry file with a module doc, an alias and a doc lint", async () => {
  const subpaths = Object.entries(MANIFEST.exports).filter(([key]) => key !== ".");
  for (const expected of ["./cli", "./dashboard", "./errors", "./probe", "./wmp"]) {
    assert.ok(MANIFEST.exports[expected] !== undefined, `${expected} is not exported`);
  }
  assert.equal(MANIFEST.imports["@deno-bits/bits"], MANIFEST.exports["."]);
  for (const [key, file] of subpaths) {
    assert.match(file, /^\.\/[a-z_]+\.ts$/, `${key} is not a root-level file`);
    assert.equal(MANIFEST.imports[`@deno-bits/bits${key.slice(1)}`], file, `no import-map alias for ${key}`);
    if (key === "./cli") continue; // the command, documented by its help
    assert.match(await Deno.readTextFile(new URL(file, ROOT)), /@module/, `${file} has no module doc`);
    assert.match(
      MANIFEST.tasks.check,
      new RegExp(`deno doc --lint [^&]*${file.slice(2)}`),
      `${file} is not doc-linted`,
    );
    assert.ok((await exportedNames(file)).length > 0, `${file} exports nothing`);
  }
});

Deno.test("public surface: the subpaths hold what the root leaves out", async () => {
  const errors = await exportedNames("errors.ts");
  for (const name of ["BitsError", "hresultName", "describeHresult", "hintFor", "REQUIRES", "WmpConventionError"]) {
    assert.ok(errors.includes(name), `errors.ts lacks ${name}`);
  }
  const wmp = await exportedNames("wmp.ts");
  for (const name of ["submitWmpJob", "formatWmpDescription", "downloadCollection", "fileIntoLibrary"]) {
    assert.ok(wmp.includes(name), `wmp.ts lacks ${name}`);
  }
  const probe = await exportedNames("probe.ts");
  assert.ok(probe.includes("probeUrl") && !probe.includes("assessProbe"), probe.join(", "));
});

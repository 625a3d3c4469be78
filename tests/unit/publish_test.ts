// The JSR package stays publishable and holds what it should: `deno publish --dry-run` (which works
// offline: it checks, type-checks mod.ts and cli.ts, looks for slow types and lists the files) runs
// on a copy of the repository, and the package's file list is checked against the decision in
// docs/building.md ("The package"): TypeScript, README and docs in; tests, benchmarks, scripts, the
// native sources and any built DLL or executable out.
//
// Permissions: --allow-read --allow-write (the copy) --allow-run (deno).

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageEntryPoints, parsePublishList, publishDryRun } from "../../scripts/package.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Not copied: installed or built output that is never part of the package anyway. */
const SKIP = new Set([".git", "node_modules", ".out"]);

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (SKIP.has(entry.name)) continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory) await copyTree(source, target);
    else if (entry.isFile) await Deno.copyFile(source, target);
  }
}

Deno.test("package: deno publish --dry-run is clean and ships the module without tests, scripts or native parts", async () => {
  const copy = await Deno.makeTempDir({ prefix: "deno-bits-publish-" });
  try {
    await copyTree(ROOT, copy);
    // Built artefacts the package must leave out even when present (.gitignore does it).
    await Deno.mkdir(join(copy, "ffi", "build"), { recursive: true });
    await Deno.writeTextFile(join(copy, "ffi", "build", "bits_shim.dll"), "not a real DLL");
    await Deno.mkdir(join(copy, "dist"), { recursive: true });
    await Deno.writeTextFile(join(copy, "dist", "bits.exe"), "not a real executable");
    const { code, text } = await publishDryRun(copy);
    assert.equal(code, 0, text);
    assert.match(text, /Dry run complete/);
    assert.doesNotMatch(text, /warning\[/, "deno publish warns");

    const files = parsePublishList(text, copy);
    const manifest = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))) as {
      exports: Record<string, string>;
    };
    const entryPoints = packageEntryPoints(manifest);
    for (const expected of ["errors.ts", "probe.ts", "wmp.ts", "dashboard.ts"]) {
      assert.ok(entryPoints.includes(expected));
    }
    for (const expected of [...entryPoints, "deno.json", "README.md", "ffi/library.ts", "ffi/symbols.ts"]) {
      assert.ok(files.includes(expected), `${expected} missing from the package: ${files.join(", ")}`);
    }
    assert.ok(files.includes("examples/download_progress.ts"), "the runnable examples ship");
    assert.ok(files.includes("ffi/shim_embedded.ts"), "the shim ships, as TypeScript");
    assert.ok(files.includes("docs/building.md") && files.includes("docs/compat.md"), "the docs README links ship");
    const banned =
      /^(tests|bench|scripts|fuzz|dist|\.ci|node_modules|\.out)\/|^ffi\/.*\.(c|h|dll)$|\.(dll|exe)$|^examples\/demo\.ts$/;
    assert.deepEqual(files.filter((f) => banned.test(f)), [], "files that must stay out of the package");
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});

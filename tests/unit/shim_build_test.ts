// Builds the shim DLL with mingw-w64 (or reuses an up-to-date build) and
// checks what it imports and exports with objdump.
//
// Permissions: --allow-read --allow-write --allow-run

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildShim } from "../../scripts/build_shim.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const OBJDUMP = "x86_64-w64-mingw32-objdump";

/** The only DLLs the shim may load: all ship with every Windows (and Wine). */
const ALLOWED_IMPORTS: ReadonlySet<string> = new Set([
  "advapi32.dll",
  "kernel32.dll",
  "msvcrt.dll",
  "ole32.dll",
]);

async function objdumpPrivateHeaders(dll: string): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(OBJDUMP, {
      args: ["-p", dll],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `${OBJDUMP} not found: install binutils-mingw-w64-x86-64 ` +
          "(pulled in by gcc-mingw-w64-x86-64); this test must not pass without it",
        { cause: error },
      );
    }
    throw error;
  }
  assert.equal(
    output.code,
    0,
    `${OBJDUMP} -p failed: ${new TextDecoder().decode(output.stderr)}`,
  );
  return new TextDecoder().decode(output.stdout);
}

/** Every `DLL Name:` line of the import tables. */
function parseImports(dump: string): string[] {
  return [...dump.matchAll(/^\s*DLL Name:\s*(\S+)\s*$/gm)].map((m) => m[1]);
}

/** The names listed under `[Ordinal/Name Pointer] Table`. */
function parseExports(dump: string): string[] {
  const lines = dump.split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith("[Ordinal/Name Pointer] Table"));
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^\s*\[\s*\d+\]\s+(\S+)\s*$/.exec(line);
    if (match === null) break;
    names.push(match[1]);
  }
  return names;
}

/** The functions bits_shim.h and the per-area headers it includes declare with BITS_SHIM_API. */
async function declaredFunctions(): Promise<string[]> {
  const header = await Deno.readTextFile(join(ROOT, "ffi", "bits_shim.h"));
  const parts = [...header.matchAll(/^#include "(bits_\w+\.h)"/gm)].map((m) => m[1]);
  const texts = [header, ...await Promise.all(parts.map((name) => Deno.readTextFile(join(ROOT, "ffi", name))))];
  return texts.flatMap((text) => [...text.matchAll(/BITS_SHIM_API int32_t (\w+)\(/g)].map((m) => m[1]));
}

Deno.test({
  name: "shim DLL imports only system DLLs and exports exactly the header's functions",
  ignore: Deno.build.os === "windows",
  async fn(): Promise<void> {
    const { dll } = await buildShim({ root: ROOT, log: (): void => {} });
    const dump = await objdumpPrivateHeaders(dll);

    const imports = parseImports(dump);
    assert.ok(imports.length > 0, "objdump listed no imported DLLs at all");
    const unexpected = imports.filter((name) => !ALLOWED_IMPORTS.has(name.toLowerCase()));
    assert.deepEqual(
      unexpected,
      [],
      `unexpected imports: ${unexpected.join(", ")}`,
    );

    const declared = await declaredFunctions();
    assert.ok(
      declared.length > 0,
      "no BITS_SHIM_API functions found in bits_shim.h",
    );
    assert.ok(declared.every((name) => name.startsWith("bits_")));
    const exported = parseExports(dump);
    assert.deepEqual([...exported].sort(), [...new Set(declared)].sort());
  },
});

Deno.test({
  name: "shim build is skipped while the DLL is newer than its sources",
  ignore: Deno.build.os === "windows",
  async fn(): Promise<void> {
    await buildShim({ root: ROOT, log: (): void => {} });
    const again = await buildShim({ root: ROOT, log: (): void => {} });
    assert.equal(again.built, false);
  },
});

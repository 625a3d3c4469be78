// The bench's own loader of the raw shim (bench/shim.ts) declares the few functions it calls itself, so that
// bench/ needs nothing of the library's internals; this keeps those declarations equal to the library's symbol
// table (ffi/symbols.ts), so a changed signature cannot leave the bench calling a function with the wrong types.
//
// Permissions: none.

import assert from "node:assert/strict";
import { RAW_SYMBOLS } from "../../bench/shim.ts";
import { symbols } from "../../ffi/symbols.ts";

type Declaration = { name?: string; parameters: readonly string[]; result: string; nonblocking?: boolean };

Deno.test("bench/shim.ts declares each raw shim function as ffi/symbols.ts does", () => {
  const library = Object.entries(symbols as unknown as Record<string, Declaration>);
  for (const [key, raw] of Object.entries(RAW_SYMBOLS as unknown as Record<string, Declaration>)) {
    const cName = raw.name ?? key;
    const same = library.filter(([name, declared]) => (declared.name ?? name) === cName);
    assert.ok(same.length > 0, `${cName} is not in the library's symbol table`);
    for (const [name, declared] of same) {
      assert.deepEqual(
        { parameters: raw.parameters, result: raw.result },
        { parameters: declared.parameters, result: declared.result },
        `${key} differs from the library's ${name}`,
      );
    }
  }
});

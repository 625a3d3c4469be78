// A process that installs the embedded shim into the folder given as its first argument and prints the path:
// two of these started at once are the concurrency test of ffi/shim_cache.ts (tests/unit/shim_cache_test.ts).
//
// Permissions: --allow-read and --allow-write on that folder.

import { installShim } from "../../ffi/shim_cache.ts";
import { SHIM_BASE64, SHIM_SHA256 } from "../../ffi/shim_embedded.ts";

const bytes = (): Uint8Array => Uint8Array.from(atob(SHIM_BASE64), (char) => char.charCodeAt(0));
console.log(installShim(Deno.args[0], SHIM_SHA256, bytes));

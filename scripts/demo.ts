/**
 * `deno task demo`: prepares the Windows side (on Linux, the Wine 10 bed) and
 * runs examples/demo.ts with the Windows Deno against the real BITS service.
 * Permissions: --allow-read --allow-write --allow-run --allow-env.
 *
 * @module
 */

import { prepare, runWindowsDeno } from "./windows_deno.ts";

/** Permissions the demo needs, and no more. */
export const DEMO_PERMISSIONS = [
  "--allow-ffi",
  "--allow-read",
  "--allow-write",
  "--allow-net=127.0.0.1",
  "--allow-env=BITS_SHIM_PATH",
];

if (import.meta.main) {
  await prepare();
  Deno.exit(await runWindowsDeno(["run", "--cached-only", "--no-check", ...DEMO_PERMISSIONS, "examples/demo.ts"]));
}

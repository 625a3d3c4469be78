/**
 * The `bits` command line: submit and monitor BITS jobs.
 *
 * ```sh
 * deno run --allow-ffi --allow-read --allow-env=BITS_SHIM_PATH cli.ts --help
 * ```
 *
 * @module
 */

import { main } from "./src/cli/main.ts";

export { main };

if (import.meta.main) {
  // exitCode rather than Deno.exit(), so pending disposals still run.
  Deno.exitCode = await main(Deno.args);
}

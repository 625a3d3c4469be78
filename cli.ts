/**
 * The `bits` command line: submit and monitor BITS jobs.
 *
 * ```sh
 * deno run --allow-ffi --allow-read --allow-env=BITS_SHIM_PATH cli.ts --help
 * ```
 *
 * `--allow-write` for `wmp finish` and `--log-file`, `--allow-net` for
 * `probe`, and `--allow-env=BITS_SHIM_PATH,NAME` to read a password from
 * the variable NAME (`set --password-env NAME`).
 *
 * ```sh
 * deno run --allow-ffi --allow-read --allow-write --allow-net --allow-env=BITS_SHIM_PATH cli.ts probe https://example.com/a.iso
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

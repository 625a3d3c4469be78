/**
 * The benchmark's HTTP server in its own process (tests/support/server.ts), so
 * the bytes BITS downloads are not served by the process that measures.
 * Prints its origin on stdout, then serves until its stdin closes.
 *
 * Usage: deno run --allow-net=127.0.0.1 bench/serve.ts
 *
 * @module
 */

import { startServer } from "../tests/support/server.ts";

if (import.meta.main) {
  const server = startServer();
  console.log(server.origin);
  // Serves until the parent closes our stdin (or ends).
  for await (const _ of Deno.stdin.readable) {
    // Nothing to read; waiting for EOF.
  }
  await server.close();
}

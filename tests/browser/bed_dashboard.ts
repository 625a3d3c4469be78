/**
 * The Windows side of the browser test (tests/browser/dashboard_test.ts):
 * run by deno.exe in the bed, it serves the dashboard for the real BITS
 * queue, and a small control server on 127.0.0.1 through which the Linux
 * side creates jobs (suspended) and reads the queue with the CLI
 * (`list --json`). Prints one JSON line, `{ url, control }`, then serves
 * until `POST /stop`; every job it created is removed at the end.
 *
 * Jobs must be created here, not by a second bed run: Wine keeps jobs only
 * while this prefix runs, and the bed admits one run at a time.
 *
 * @module
 */

import { serveDashboard } from "../../dashboard.ts";
import { BitsSession, parseJson, runCli } from "../support/wine.ts";

await using session = await BitsSession.open();
// Polls every 250 ms so a short trickled download shows several readings.
await using dashboard = await serveDashboard(session.bits, { pollInterval: 250 });
const stop = Promise.withResolvers<void>();

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (request.method === "POST" && url.pathname === "/download") {
    const { source, name, description } = await request.json();
    const job = session.track(
      await session.bits.download([{ url: source, path: session.path(name) }], {
        displayName: name,
        suspended: true,
        ...(description ? { description } : {}),
      }),
    );
    return Response.json({ id: job.id });
  }
  if (url.pathname === "/queue") return Response.json(parseJson(await runCli(["list", "--json"])));
  if (url.pathname === "/file") {
    const stat = await Deno.stat(session.path(url.searchParams.get("name") ?? "")).catch(() => null);
    return Response.json({ size: stat?.size ?? null });
  }
  if (request.method === "POST" && url.pathname === "/stop") {
    stop.resolve();
    return Response.json({ stopping: true });
  }
  return new Response("not found", { status: 404 });
}

const control = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
  try {
    return await handle(request);
  } catch (error) {
    return Response.json({ error: String(error) }, { status: 500 });
  }
});
console.log(JSON.stringify({ url: dashboard.url, control: `http://127.0.0.1:${control.addr.port}` }));
await stop.promise;
await control.shutdown();

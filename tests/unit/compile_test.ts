// Unit tests of scripts/compile.ts (`deno task compile`): the exact `deno compile` command, where
// denort comes from, and that a missing denort stops the task quickly with a message instead of a
// hang or a half-written executable. The executable itself cannot be built here (no denort), so
// the layout it runs in is covered by tests/unit/library_test.ts.
//
// Permissions: --allow-read --allow-write --allow-run --allow-net=127.0.0.1 (local probe targets).

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  BINARY_PERMISSIONS,
  COMPILE_OUTPUT,
  COMPILE_TARGET,
  compileArgs,
  denortArchive,
  denortUnavailableMessage,
  locateDenort,
  probeUrl,
} from "../../scripts/compile.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("compile: the command bakes in least-privilege permissions and includes no file", () => {
  assert.deepEqual(compileArgs(), [
    "compile",
    "--target",
    "x86_64-pc-windows-msvc",
    "--output",
    "dist/bits.exe",
    "--allow-ffi",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-net",
    "cli.ts",
  ]);
  assert.equal(COMPILE_TARGET, "x86_64-pc-windows-msvc");
  assert.equal(COMPILE_OUTPUT, "dist/bits.exe");
  for (const flag of BINARY_PERMISSIONS) assert.match(flag, /^--allow-(ffi|read|write|env|net)$/);
  assert.ok(!compileArgs().some((a) => a === "-A" || a === "--allow-all" || a.startsWith("--allow-run")));
});

Deno.test("compile: denort comes from DENORT_BIN, else the cache, else a download (deno compile's order)", () => {
  const dir = "/home/u/.cache/deno";
  const cached = join(dir, "dl", "release", "v2.9.5", "denort-x86_64-pc-windows-msvc.zip");
  assert.equal(denortArchive("2.9.5"), "release/v2.9.5/denort-x86_64-pc-windows-msvc.zip");
  const all = (): boolean => true;
  const none = (): boolean => false;
  assert.deepEqual(locateDenort({ denortBin: "C:\\rt\\denort.exe", denoDir: dir, version: "2.9.5", exists: all }), {
    kind: "env",
    path: "C:\\rt\\denort.exe",
  });
  assert.deepEqual(locateDenort({ denoDir: dir, version: "2.9.5", exists: (p) => p === cached }), {
    kind: "cache",
    path: cached,
  });
  assert.deepEqual(locateDenort({ denortBin: "", denoDir: dir, version: "2.9.5", exists: none }), {
    kind: "download",
    url: "https://dl.deno.land/release/v2.9.5/denort-x86_64-pc-windows-msvc.zip",
    cachePath: cached,
  });
  assert.throws(
    () => locateDenort({ denortBin: "/nowhere/denort.exe", denoDir: dir, version: "2.9.5", exists: none }),
    /DENORT_BIN is \/nowhere\/denort\.exe, which does not exist.*denort-x86_64-pc-windows-msvc\.zip/s,
  );
});

Deno.test("compile: the denort message names the cache path, the URL, the reason and both ways out", () => {
  const source = locateDenort({ denoDir: "/c", version: "2.9.5", exists: () => false });
  assert.equal(source.kind, "download");
  if (source.kind !== "download") return;
  const message = denortUnavailableMessage(source, "dns error");
  assert.ok(message.includes("/c/dl/release/v2.9.5/denort-x86_64-pc-windows-msvc.zip"), message);
  assert.ok(message.includes(`${source.url} is unreachable: dns error`), message);
  assert.ok(message.includes("set DENORT_BIN"), message);
  assert.ok(message.includes("x86_64-pc-windows-msvc"), message);
});

Deno.test("compile: probeUrl gives up on a host that accepts and never answers, within its timeout", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const started = Date.now();
    const reason = await probeUrl(`http://127.0.0.1:${listener.addr.port}/denort.zip`, 300);
    assert.equal(reason, "no answer within 300 ms");
    assert.ok(Date.now() - started < 5_000, "the probe must not hang");
  } finally {
    listener.close();
    for (const conn of held) conn.close();
    await accepting.catch(() => {});
  }
});

Deno.test("compile: probeUrl accepts an answer (redirects not followed) and refuses a 5xx or a closed port", async () => {
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/moved") return new Response(null, { status: 302, headers: { location: "https://elsewhere/" } });
    return new Response(null, { status: path === "/down" ? 503 : 200 });
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  assert.equal(await probeUrl(`${origin}/ok`, 5_000), undefined);
  assert.equal(await probeUrl(`${origin}/moved`, 5_000), undefined);
  assert.equal(await probeUrl(`${origin}/down`, 5_000), "HTTP 503");
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = closed.addr.port;
  closed.close();
  const reason = await probeUrl(`http://127.0.0.1:${port}/`, 5_000);
  assert.ok(reason !== undefined && reason.startsWith("fetch failed"), String(reason));
});

Deno.test("compile: the shim's bytes are in cli.ts's module graph, so the executable carries them", async () => {
  const output = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", "cli.ts"], cwd: ROOT }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: { specifier: string }[] };
  const embedded = new URL("ffi/shim_embedded.ts", ROOT).href;
  assert.ok(graph.modules.some((m) => m.specifier === embedded), `${embedded} is not reached from cli.ts`);
});

Deno.test("compile: the task with an unusable DENORT_BIN stops with exit 1 and no executable", async () => {
  const exe = new URL(COMPILE_OUTPUT, ROOT);
  const before = await Deno.stat(exe).then((s) => s.mtime?.getTime(), () => undefined);
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-env=DENORT_BIN",
      "--allow-net=dl.deno.land",
      "scripts/compile.ts",
    ],
    cwd: ROOT,
    env: { DENORT_BIN: "/nonexistent/denort.exe" },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 1, stderr);
  assert.match(stderr, /DENORT_BIN is \/nonexistent\/denort\.exe, which does not exist/);
  const after = await Deno.stat(exe).then((s) => s.mtime?.getTime(), () => undefined);
  assert.equal(after, before, "no executable was written");
});

/**
 * The package as users get it, against real BITS: no checkout, no `ffi/build`,
 * no C sources, no compiler. `deno task test` prepares the views first
 * (`scripts/package.ts`, under `.out/package/`):
 *
 * - the files `deno publish --dry-run` lists, imported from a fresh directory;
 * - the same files as a registry serves them, imported over HTTP from 127.0.0.1;
 * - `deno install -g` of that URL's `cli.ts`, then `bits list`.
 *
 * Every child gets an empty `LOCALAPPDATA`, so the shim the package carries is
 * installed from scratch, and the least-privilege flags the README documents.
 * No child reaches the npm registry: the Windows Deno under Wine cannot, so the
 * npm packages were installed beforehand, and the registry setting points at a
 * closed loopback port.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CACHED_SHIM_NAME, sha256Hex } from "../../ffi/shim_cache.ts";
import { SHIM_SHA256 } from "../../ffi/shim_embedded.ts";
import { packageEntryPoints, serveDirectory } from "../../scripts/package.ts";
import { PACKAGE_DIR } from "../../scripts/windows_deno.ts";
import { contentSha256, fileSha256 } from "../support/content.ts";
import { startServer } from "../support/server.ts";
import { parseJson } from "../support/wine.ts";

const PACKAGE = new URL(`../../${PACKAGE_DIR}/`, import.meta.url);
const FILES = new URL("files/", PACKAGE);
const REGISTRY = new URL("registry/", PACKAGE);
const USER = new URL("user/", PACKAGE);
const SIZE = 256 * 1024;

function path(url: URL): string {
  return decodeURIComponent(url.pathname.replace(/^\/([A-Za-z]:)/, "$1")).replaceAll("/", "\\");
}

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** A fresh LOCALAPPDATA and a download folder, removed afterwards. */
async function withUserDirs(fn: (appData: string, downloads: string) => Promise<void>): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "bits-package-" });
  const appData = join(base, "AppData");
  const downloads = join(base, "Downloads");
  await Deno.mkdir(appData);
  await Deno.mkdir(downloads);
  try {
    await fn(appData, downloads);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

/** The flags the README gives for a program that downloads into `downloads`. */
function userFlags(appData: string, downloads: string): string[] {
  const cache = join(appData, "deno-bits");
  return [
    "--no-prompt",
    "--allow-ffi",
    "--allow-env=LOCALAPPDATA",
    `--allow-read=${cache},${downloads}`,
    `--allow-write=${cache},${downloads}`,
  ];
}

/** A user's program: download one file through BITS, wait, complete. */
function downloadProgram(moduleSpecifier: string): string {
  return [
    `import { connect } from "${moduleSpecifier}";`,
    "const [url, path] = Deno.args;",
    "using bits = await connect();",
    'using job = await bits.download([{ url, path }], { displayName: "deno-bits package test" });',
    "await job.wait({ timeout: 120_000 });",
    "console.log(await job.complete());",
  ].join("\n");
}

/** A user's program that only talks to BITS once. */
function listProgram(moduleSpecifier: string): string {
  return [
    `import { connect } from "${moduleSpecifier}";`,
    "using bits = await connect();",
    "console.log((await bits.listJobs()).length);",
  ].join("\n");
}

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function runProgram(
  dir: string,
  program: string,
  flags: readonly string[],
  args: readonly string[],
  env: Record<string, string>,
): Promise<Outcome> {
  const script = join(dir, `program-${crypto.randomUUID()}.ts`);
  await Deno.writeTextFile(script, program);
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, script, ...args],
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      signal: AbortSignal.timeout(180_000),
    }).output();
    const decoder = new TextDecoder();
    return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
  } finally {
    await Deno.remove(script);
  }
}

function installedShim(appData: string): string {
  return join(appData, "deno-bits", SHIM_SHA256, CACHED_SHIM_NAME);
}

async function assertShimInstalled(appData: string): Promise<void> {
  const folder = join(appData, "deno-bits", SHIM_SHA256);
  assert.deepEqual([...Deno.readDirSync(folder)].map((e) => e.name), [CACHED_SHIM_NAME], "one DLL, no leftovers");
  assert.equal(sha256Hex(await Deno.readFile(installedShim(appData))), SHIM_SHA256);
}

/** Runs `programFor(specifier)` against the published files (the package's own deno.json and node_modules). */
function runFromFiles(
  appData: string,
  downloads: string,
  program: string,
  args: readonly string[] = [],
  flags: readonly string[] = userFlags(appData, downloads),
): Promise<Outcome> {
  return runProgram(
    downloads,
    program,
    ["--cached-only", "--config", path(new URL("deno.json", FILES)), ...flags],
    args,
    { LOCALAPPDATA: appData },
  );
}

const FILES_MOD = () => pathToFileURL(path(new URL("mod.ts", FILES))).href;

Deno.test("package: the published file set has no native sources and no built DLL", async () => {
  const found: string[] = [];
  const walk = async (dir: URL, prefix: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name === "node_modules") continue;
      const name = `${prefix}${entry.name}`;
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, dir), `${name}/`);
      else found.push(name);
    }
  };
  await walk(FILES, "");
  assert.ok(found.includes("mod.ts") && found.includes("ffi/shim_embedded.ts"), found.join(", "));
  assert.deepEqual(found.filter((f) => /\.(c|h|dll|exe)$/.test(f) || f.startsWith("ffi/build/")), []);
});

/** The subpath entry points (`errors.ts`, `wmp.ts`, …) as the published deno.json lists them; not mod.ts nor cli.ts. */
async function subpathEntryPoints(): Promise<string[]> {
  const manifest = JSON.parse(await Deno.readTextFile(new URL("deno.json", FILES))) as {
    exports: Record<string, string>;
  };
  return packageEntryPoints(manifest).filter((file) => file !== "mod.ts" && file !== "cli.ts");
}

/**
 * A user's program that imports every subpath from `base` and prints, per
 * file, how many names it exports, then one HRESULT name from the errors entry.
 */
function subpathProgram(base: string, files: readonly string[]): string {
  // Static imports, as a user writes them (a dynamic import of a local file would also need --allow-read).
  return [
    ...files.map((file, i) => `import * as m${i} from ${JSON.stringify(new URL(file, base).href)};`),
    `const files = ${JSON.stringify(files)};`,
    `const modules = [${files.map((_, i) => `m${i}`).join(", ")}];`,
    "console.log(JSON.stringify(Object.fromEntries(files.map((file, i) => [file, Object.keys(modules[i]).length]))));",
    // deno run does not type-check: the namespaces are read as they come.
    'console.log(modules[files.indexOf("errors.ts")].hresultName(0x80190194));',
  ].join("\n");
}

function assertSubpathsLoaded(result: Outcome, files: readonly string[]): void {
  assert.equal(result.code, 0, result.stderr);
  const [counts, name] = result.stdout.trim().split("\n");
  const exported = JSON.parse(counts) as Record<string, number>;
  assert.deepEqual(Object.keys(exported), files);
  for (const file of files) assert.ok(exported[file] > 0, `${file} exports nothing`);
  assert.equal(name, "BG_E_HTTP_ERROR_404");
}

Deno.test("package: every subpath export (errors, probe, wmp, dashboard) is published and imports", async () => {
  const files = await subpathEntryPoints();
  for (const expected of ["errors.ts", "probe.ts", "wmp.ts", "dashboard.ts"]) assert.ok(files.includes(expected));
  await withUserDirs(async (appData, downloads) => {
    // Resolved against mod.ts: the subpath files sit next to it.
    assertSubpathsLoaded(await runFromFiles(appData, downloads, subpathProgram(FILES_MOD(), files)), files);
  });
});

Deno.test("package: the published files alone download a file through BITS with the shim they carry", async () => {
  await using server = startServer();
  await withUserDirs(async (appData, downloads) => {
    const dest = join(downloads, "from-package.bin");
    const result = await runFromFiles(appData, downloads, downloadProgram(FILES_MOD()), [
      server.contentUrl(SIZE, 31),
      dest,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "completed");
    assert.equal(await fileSha256(dest), contentSha256(SIZE, 31));
    await assertShimInstalled(appData);
  });
});

Deno.test("package: two processes starting at once with an empty cache both load the shim", async () => {
  await withUserDirs(async (appData, downloads) => {
    const [first, second] = await Promise.all([
      runFromFiles(appData, downloads, listProgram(FILES_MOD())),
      runFromFiles(appData, downloads, listProgram(FILES_MOD())),
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    await assertShimInstalled(appData);
  });
});

Deno.test("package: a truncated or wrong cached DLL is replaced before it is loaded", async () => {
  await withUserDirs(async (appData, downloads) => {
    const shim = installedShim(appData);
    await Deno.mkdir(join(appData, "deno-bits", SHIM_SHA256), { recursive: true });
    for (const bad of [new Uint8Array(4096), new TextEncoder().encode("MZ")]) {
      await Deno.writeFile(shim, bad);
      const result = await runFromFiles(appData, downloads, listProgram(FILES_MOD()));
      assert.equal(result.code, 0, result.stderr);
      await assertShimInstalled(appData);
    }
  });
});

Deno.test("package: a missing permission is a BitsUnavailableError naming the flag, and nothing is written", async () => {
  await withUserDirs(async (appData, downloads) => {
    const cache = join(appData, "deno-bits");
    const cases: [string[], RegExp][] = [
      [["--no-prompt", "--allow-ffi", "--allow-env=LOCALAPPDATA", `--allow-read=${cache}`], /--allow-write=/],
      [["--no-prompt", "--allow-ffi", `--allow-read=${cache}`, `--allow-write=${cache}`], /--allow-env=LOCALAPPDATA/],
    ];
    for (const [flags, names] of cases) {
      const result = await runFromFiles(appData, downloads, listProgram(FILES_MOD()), [], flags);
      assert.notEqual(result.code, 0, result.stdout);
      assert.match(result.stderr, /BitsUnavailableError/);
      assert.match(result.stderr, names);
      assert.deepEqual([...Deno.readDirSync(appData)], [], "nothing was written");
    }
  });
});

Deno.test("package: imported over HTTP as a registry serves it, it downloads a file through BITS", async () => {
  await using server = startServer();
  const served: string[] = [];
  await using registry = serveDirectory(REGISTRY, 0, served);
  const origin = `http://127.0.0.1:${registry.addr.port}`;
  await withUserDirs(async (appData, downloads) => {
    const dest = join(downloads, "over-http.bin");
    const result = await runProgram(
      downloads,
      downloadProgram(`${origin}/mod.ts`),
      [
        `--allow-import=127.0.0.1:${registry.addr.port}`,
        "--config",
        path(new URL("deno.json", USER)),
        ...userFlags(
          appData,
          downloads,
        ),
      ],
      [server.contentUrl(SIZE, 32), dest],
      { LOCALAPPDATA: appData, NPM_CONFIG_REGISTRY: `http://127.0.0.1:${closedPort()}/` },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "completed");
    assert.equal(await fileSha256(dest), contentSha256(SIZE, 32));
    assert.ok(served.includes("/mod.ts") && served.includes("/ffi/shim_embedded.ts"), served.join(" "));
    await assertShimInstalled(appData);
  });
});

Deno.test("package: every subpath imports over HTTP as a registry serves it", async () => {
  const files = await subpathEntryPoints();
  const served: string[] = [];
  await using registry = serveDirectory(REGISTRY, 0, served);
  const origin = `http://127.0.0.1:${registry.addr.port}/`;
  await withUserDirs(async (appData, downloads) => {
    const result = await runProgram(
      downloads,
      subpathProgram(origin, files),
      [
        `--allow-import=127.0.0.1:${registry.addr.port}`,
        "--config",
        path(new URL("deno.json", USER)),
        ...userFlags(appData, downloads),
      ],
      [],
      { LOCALAPPDATA: appData, NPM_CONFIG_REGISTRY: `http://127.0.0.1:${closedPort()}/` },
    );
    assertSubpathsLoaded(result, files);
    for (const file of files) assert.ok(served.includes(`/${file}`), served.join(" "));
  });
});

Deno.test("package: deno install -g of cli.ts from that URL gives a `bits` command that lists the queue", async () => {
  const port = Number((await Deno.readTextFile(new URL("port", PACKAGE))).trim());
  await using _registry = serveDirectory(REGISTRY, port);
  await withUserDirs(async (appData, downloads) => {
    const root = join(downloads, "deno-install");
    const env = { LOCALAPPDATA: appData, DENO_DIR: path(new URL("deno_dir/", PACKAGE)), NO_COLOR: "1" };
    const install = await new Deno.Command(Deno.execPath(), {
      args: [
        "install",
        "-g",
        "-n",
        "bits",
        "--root",
        root,
        // The primed cache stands in for the npm registry, which Wine cannot reach.
        "--cached-only",
        `--allow-import=127.0.0.1:${port}`,
        "--allow-ffi",
        "--allow-read",
        "--allow-write",
        "--allow-env=LOCALAPPDATA,BITS_SHIM_PATH",
        `http://127.0.0.1:${port}/cli.ts`,
      ],
      cwd: downloads,
      env,
      stdin: "null",
    }).output();
    assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
    const deno = Deno.execPath();
    const list = await new Deno.Command("cmd.exe", {
      args: ["/c", "bits", "list", "--json"],
      cwd: downloads,
      env: { ...env, PATH: `${join(root, "bin")};${deno.slice(0, deno.lastIndexOf("\\"))};${Deno.env.get("PATH")}` },
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    const result = { code: list.code, stdout: decoder.decode(list.stdout), stderr: decoder.decode(list.stderr) };
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Array.isArray(parseJson({ ...result, command: "list" }).jobs));
    await assertShimInstalled(appData);
  });
});

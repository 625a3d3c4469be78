/**
 * The package as users get it, for the tests that prove it works without a
 * checkout (`tests/wine/package_test.ts`):
 *
 * - `files`: exactly the files `deno publish --dry-run` lists, copied into a
 *   fresh directory (no `ffi/build`, no C sources), with its npm dependencies
 *   installed as `deno add` would;
 * - `registry`: the same files as a registry serves them: `deno publish`
 *   rewrites each bare specifier of the package's import map (`@logtape/logtape`)
 *   into what it maps to (`npm:@logtape/logtape@2.4.2`), because an importer
 *   over HTTP does not read the package's `deno.json`. This view is served on
 *   127.0.0.1 for the HTTP import and `deno install` tests;
 * - `user`: a user's project whose `node_modules` holds the package's npm
 *   dependencies (the Windows Deno under Wine cannot reach the npm registry, so
 *   this Deno installs them first);
 * - `deno_dir`: a Deno cache primed with the registry view as served from
 *   `http://127.0.0.1:<port>/` (the port is in `port`) and its npm packages,
 *   for `deno install -g` of that URL under Wine, which must not fetch npm.
 *
 * Usage: `deno run --allow-read --allow-write --allow-run --allow-net=127.0.0.1 scripts/package.ts OUT_DIR`
 *
 * @module
 */

import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { REPO_ROOT } from "./windows_deno.ts";

/** The output of `deno publish --dry-run`, for {@linkcode parsePublishList}. */
export interface DryRun {
  /** Its exit code. */
  readonly code: number;
  /** Its stdout and stderr, colourless. */
  readonly text: string;
}

/** Runs `deno publish --dry-run --allow-dirty` in `root`. */
export async function publishDryRun(root: string): Promise<DryRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, text: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
}

/** The files a dry run lists, relative to `root`, sorted. */
export function parsePublishList(text: string, root: string): string[] {
  const prefix = pathToFileURL(join(root, "/")).href;
  return [...text.matchAll(/^\s+(file:\/\/\S+) \(/gm)]
    .map(([, url]) => decodeURIComponent(url.slice(prefix.length)))
    .sort();
}

/** The files `deno publish` would upload from `root`, relative to it. */
export async function publishedFiles(root: string): Promise<string[]> {
  const run = await publishDryRun(root);
  if (run.code !== 0) throw new Error(`deno publish --dry-run failed:\n${run.text}`);
  return parsePublishList(run.text, root);
}

/**
 * A module's source with every import-map bare specifier replaced by its
 * target, as a registry serves it. A key maps its subpaths too when its target
 * is an `npm:` or `jsr:` package (`@noble/hashes/sha2.js`), as in Deno. A
 * target inside the package (`./mod.ts`) becomes a path relative to `file`,
 * the module's own path in the package.
 */
export function rewriteSpecifiers(source: string, imports: Readonly<Record<string, string>>, file: string): string {
  const local = (target: string): string => {
    if (!/^\.\.?\//.test(target)) return target;
    const relative = posix.relative(posix.dirname(file), posix.normalize(target));
    return relative.startsWith(".") ? relative : `./${relative}`;
  };
  const resolve = (specifier: string): string => {
    if (Object.hasOwn(imports, specifier)) return local(imports[specifier]);
    for (const [key, target] of Object.entries(imports)) {
      if (/^(npm|jsr):/.test(target) && specifier.startsWith(`${key}/`)) {
        return `${target}${specifier.slice(key.length)}`;
      }
    }
    return specifier;
  };
  // Static imports and re-exports (`from "x"`), side-effect imports and dynamic `import("x")`.
  return source.replace(
    /(\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)\2/g,
    (_, lead: string, quote: string, specifier: string) => `${lead}${quote}${resolve(specifier)}${quote}`,
  );
}

async function copyFiles(
  root: string,
  files: readonly string[],
  to: string,
  transform?: (text: string, file: string) => string,
): Promise<void> {
  for (const file of files) {
    const target = join(to, file);
    await Deno.mkdir(dirname(target), { recursive: true });
    if (transform && file.endsWith(".ts")) {
      await Deno.writeTextFile(target, transform(await Deno.readTextFile(join(root, file)), file));
    } else {
      await Deno.copyFile(join(root, file), target);
    }
  }
}

/** Installs the npm dependencies of the project in `dir` into its `node_modules`. */
async function denoInstall(dir: string, args: readonly string[]): Promise<void> {
  const install = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--quiet", ...args],
    cwd: dir,
    stdin: "null",
  }).output();
  if (!install.success) throw new Error(`deno install in ${dir} failed: ${new TextDecoder().decode(install.stderr)}`);
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".ts": "application/typescript; charset=utf-8",
  ".json": "application/json",
  ".md": "text/markdown; charset=utf-8",
};

/**
 * Serves the files below the directory `root` (a file URL ending in `/`) on
 * 127.0.0.1, as a registry serves a package: GET only, nothing outside `root`.
 * Each requested path is appended to `log`, when given.
 */
export function serveDirectory(root: URL, port = 0, log?: string[]): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (request) => {
    const pathname = new URL(request.url).pathname;
    log?.push(pathname);
    const target = new URL(`.${pathname}`, root);
    if (request.method !== "GET" || !target.href.startsWith(root.href)) {
      return new Response("not found\n", { status: 404 });
    }
    try {
      const body = await Deno.readFile(target);
      const type = CONTENT_TYPES[target.pathname.slice(target.pathname.lastIndexOf("."))] ??
        "application/octet-stream";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("not found\n", { status: 404 });
    }
  });
}

/**
 * Caches every entry point (`mod.ts`, `cli.ts`, the subpaths) as served from
 * the registry view into the Deno cache `denoDir`, with their npm packages,
 * and returns the port they were served from: the same URLs resolve from that
 * cache later.
 */
async function primeDenoDir(registry: string, denoDir: string, entryPoints: readonly string[]): Promise<number> {
  await Deno.mkdir(denoDir, { recursive: true });
  await using server = serveDirectory(pathToFileURL(join(registry, "/")));
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const output = await new Deno.Command(Deno.execPath(), {
    // --no-config: the repository's deno.json (found from any folder below it) would put npm into its node_modules.
    args: [
      "cache",
      "--quiet",
      "--no-config",
      `--allow-import=127.0.0.1:${server.addr.port}`,
      ...entryPoints.map((file) => `${origin}/${file}`),
    ],
    cwd: denoDir,
    env: { DENO_DIR: denoDir },
    stdin: "null",
  }).output();
  if (!output.success) throw new Error(`deno cache failed: ${new TextDecoder().decode(output.stderr)}`);
  return server.addr.port;
}

/** The parts of `deno.json` the views need. */
export interface PackageManifest {
  /** The import map: bare specifiers a registry rewrites. */
  readonly imports: Record<string, string>;
  /** The package's entry points: `"."` and the subpaths, each to a file (`"./mod.ts"`). */
  readonly exports: Record<string, string>;
}

/** The files the package's `exports` name (`mod.ts`, `cli.ts`, `wmp.ts`, …), without the leading `./`. */
export function packageEntryPoints(manifest: Pick<PackageManifest, "exports">): string[] {
  return Object.values(manifest.exports).map((target) => target.replace(/^\.\//, ""));
}

/** What {@linkcode buildPackageViews} wrote. */
export interface PackageViews {
  /** The published files, as listed by the dry run. */
  readonly files: readonly string[];
  /** The port `deno_dir` was primed from. */
  readonly port: number;
}

/**
 * Writes the views under `out` (emptied first): `files/`, `registry/`,
 * `user/`, `deno_dir/` and `port` (see the module documentation).
 */
export async function buildPackageViews(
  outDir: string,
  root: string = fileURLToPath(REPO_ROOT),
): Promise<PackageViews> {
  // Absolute: the children below run in other directories (and a relative DENO_DIR is read from their cwd).
  const out = resolve(outDir);
  await Deno.remove(out, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  const files = await publishedFiles(root);
  const manifest = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))) as PackageManifest;
  const { imports } = manifest;
  const entryPoints = packageEntryPoints(manifest);
  await copyFiles(root, files, join(out, "files"));
  await denoInstall(join(out, "files"), []);
  await copyFiles(root, files, join(out, "registry"), (text, file) => rewriteSpecifiers(text, imports, file));
  // A user's project: its own deno.json and node_modules; it imports the registry view, so `deno install`
  // brings exactly the npm packages (at the package's pinned versions) that the served modules name.
  const user = join(out, "user");
  await Deno.mkdir(user, { recursive: true });
  await Deno.writeTextFile(join(user, "deno.json"), JSON.stringify({ nodeModulesDir: "auto" }, null, 2) + "\n");
  await Deno.writeTextFile(
    join(user, "deps.ts"),
    entryPoints.map((file) => `import "../registry/${file}";\n`).join(""),
  );
  await denoInstall(user, ["--entrypoint", "deps.ts"]);
  const port = await primeDenoDir(join(out, "registry"), join(out, "deno_dir"), entryPoints);
  await Deno.writeTextFile(join(out, "port"), `${port}\n`);
  return { files, port };
}

if (import.meta.main) {
  const [out] = Deno.args;
  if (out === undefined) {
    console.error("usage: package.ts OUT_DIR");
    Deno.exit(2);
  }
  const { files } = await buildPackageViews(out);
  console.error(`package: ${files.length} files in ${out}/files, ${out}/registry; npm dependencies in ${out}/user`);
}

/**
 * Finding and loading the shim DLL, lazily: importing the module never loads
 * anything, so it works on every OS; the first BITS call loads the library.
 *
 * Where it is looked for depends on how this module runs ({@linkcode shimLayout}):
 * - `BITS_SHIM_PATH` (a file) always wins, and is then the only candidate;
 * - from a checkout (`deno run`, a `file:` module): `ffi/build/bits_shim.dll`
 *   (a local build, `deno task build`) → `ffi/bits_shim.dll` (shipped next to
 *   the module);
 * - inside a `deno compile` binary: the DLL embedded with
 *   `--include ffi/build/bits_shim.dll`, at the same module-relative path in
 *   the binary's virtual file system (Deno extracts it to a real file when it
 *   is opened) → `bits_shim.dll` next to the executable;
 * - from a remote module (e.g. a JSR package): only the override, because a
 *   DLL cannot be loaded from an `https:` URL.
 *
 * @module
 */

import { BitsUnavailableError } from "../src/errors.ts";
import { SHIM_ABI_VERSION, type ShimSymbols, symbols } from "./symbols.ts";

/** Environment variable naming the shim DLL explicitly. */
export const SHIM_PATH_ENV = "BITS_SHIM_PATH";

/** File name of the shim. */
export const SHIM_FILE_NAME = "bits_shim.dll";

/**
 * Where `deno task build` puts the shim, relative to the repository root.
 * `deno task compile` embeds this file (`--include`), and both layouts find it
 * at this path relative to the root, i.e. at `./build/` next to this module.
 */
export const SHIM_BUILD_PATH = "ffi/build/bits_shim.dll";

/** Where a candidate location came from. */
export type ShimSource = "env" | "build" | "bundled" | "embedded" | "beside-exe";

/**
 * How this module is running:
 * - `"checkout"`: a local `file:` module under `deno run` (or `deno test`);
 * - `"compiled"`: inside a `deno compile` executable (`Deno.build.standalone`);
 * - `"remote"`: loaded from an `https:` URL, e.g. a JSR package.
 */
export type ShimLayout = "checkout" | "compiled" | "remote";

/** One place the shim may be. */
export interface ShimCandidate {
  /** A file URL (module-relative) or an OS path (from the environment or the executable's directory). */
  readonly location: string | URL;
  /** How this candidate was found. */
  readonly source: ShimSource;
}

/** Facts about the running program that decide where to look; see {@linkcode shimCandidates}. */
export interface ShimRuntime {
  /** `Deno.build.standalone`: true inside a `deno compile` executable. */
  readonly standalone: boolean;
  /** `Deno.execPath()`: in a compiled program, the executable itself; absent when it cannot be read. */
  readonly execPath?: string;
}

/** The layout for a module URL (this module's `import.meta.url`) and the `standalone` flag. */
export function shimLayout(moduleUrl: string | URL, standalone: boolean): ShimLayout {
  const url = typeof moduleUrl === "string" ? new URL(moduleUrl) : moduleUrl;
  if (url.protocol !== "file:") return "remote";
  return standalone ? "compiled" : "checkout";
}

/**
 * `bits_shim.dll` in the directory of `execPath`, with the path's own
 * separator (a Windows path keeps its backslashes), or `undefined` when
 * `execPath` has no directory part.
 */
export function besideExecutable(execPath: string): string | undefined {
  const cut = Math.max(execPath.lastIndexOf("\\"), execPath.lastIndexOf("/"));
  if (cut < 0) return undefined;
  return `${execPath.slice(0, cut + 1)}${SHIM_FILE_NAME}`;
}

/**
 * The places to look for the shim, in order. An explicit `envPath` is the only
 * candidate when given: a wrong override must fail, not fall back silently.
 *
 * Inside a compiled executable, `import.meta.url` of this module is a `file:`
 * URL under the binary's virtual root, `%TEMP%\deno-compile-<exe name>\`
 * (denoland/deno `cli/rt/binary.rs`, `extract_standalone`), and the embedded
 * DLL sits at the same relative path as in the checkout. Opening that path
 * makes Deno (2.3 and later) write the embedded bytes to
 * `%TEMP%\deno-native-addons\` and load them from there (denoland/deno
 * `ext/rt_helper/lib.rs`). `bits_shim.dll` next to the executable comes
 * second: a way out when that extraction is impossible (a read-only
 * temporary directory, or denoland/deno#31218).
 *
 * @param envPath `BITS_SHIM_PATH`, if set and readable.
 * @param moduleUrl This module's `import.meta.url`.
 * @param runtime Whether this is a compiled program, and its executable; default: not compiled.
 */
export function shimCandidates(
  envPath: string | undefined,
  moduleUrl: string | URL,
  runtime: ShimRuntime = { standalone: false },
): ShimCandidate[] {
  if (envPath !== undefined && envPath !== "") return [{ location: envPath, source: "env" }];
  const besideExe = runtime.standalone && runtime.execPath !== undefined
    ? besideExecutable(runtime.execPath)
    : undefined;
  const beside: ShimCandidate[] = besideExe === undefined ? [] : [{ location: besideExe, source: "beside-exe" }];
  switch (shimLayout(moduleUrl, runtime.standalone)) {
    case "remote":
      return beside;
    case "compiled":
      return [{ location: new URL("./build/bits_shim.dll", moduleUrl), source: "embedded" }, ...beside];
    case "checkout":
      return [
        { location: new URL("./build/bits_shim.dll", moduleUrl), source: "build" },
        { location: new URL("./bits_shim.dll", moduleUrl), source: "bundled" },
      ];
  }
}

/** Reads an environment variable without prompting and without needing `--allow-env`. */
export function tryGetEnv(name: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Shows a candidate the way a user would type it. */
export function displayLocation(location: string | URL): string {
  if (typeof location === "string") return location;
  try {
    return decodeURIComponent(location.pathname.replace(/^\/([A-Za-z]:)/, "$1"));
  } catch {
    return location.href;
  }
}

/** Text of the error for a platform without BITS. */
export function platformMessage(os: string): string {
  return `BITS is a Windows service and this is ${os}. On Linux, the real path runs in the Wine 10 test bed: ` +
    '`deno task test` or `bash scripts/bed/run.sh -- /opt/deno/deno run ...` (see README.md, "Testing").';
}

/** What to do, per layout, when no candidate loads. */
const REMEDIES: Record<ShimLayout, readonly string[]> = {
  checkout: [
    "Build it with `deno task build` (mingw-w64 on Linux; MSVC `cl` or clang on Windows, see docs/building.md),",
    `or set ${SHIM_PATH_ENV} to the path of ${SHIM_FILE_NAME}.`,
  ],
  compiled: [
    `This executable embeds ${SHIM_FILE_NAME}; Deno writes it to %TEMP%\\deno-native-addons\\ when it is first`,
    "loaded, which needs a writable temporary directory.",
    `Otherwise put the ${SHIM_FILE_NAME} of the same build next to the executable, or set ${SHIM_PATH_ENV} to its path.`,
  ],
  remote: [
    "This module was loaded from a remote URL (e.g. a JSR package), and a DLL cannot be loaded from one:",
    `set ${SHIM_PATH_ENV} to the path of ${SHIM_FILE_NAME} (build it from the repository with \`deno task build\`,`,
    "see docs/building.md).",
  ],
};

/** Text of the error when no candidate could be loaded, with the remedy for the `layout`. */
export function notFoundMessage(
  tried: readonly { candidate: ShimCandidate; error: string }[],
  layout: ShimLayout = "checkout",
): string {
  const lines = tried.map(({ candidate, error }) =>
    `  - ${displayLocation(candidate.location)} (${candidate.source}): ${error}`
  );
  return [
    tried.length > 0 ? "Cannot load the BITS shim DLL. Tried:" : "Cannot load the BITS shim DLL.",
    ...lines,
    ...REMEDIES[layout],
    `Loading needs --allow-ffi (and --allow-env=${SHIM_PATH_ENV} for the override).`,
  ].join("\n");
}

/** The running program, for {@linkcode shimCandidates}; the executable only when it may be read. */
export function currentRuntime(): ShimRuntime {
  const standalone = Deno.build.standalone === true;
  if (!standalone) return { standalone };
  try {
    return { standalone, execPath: Deno.execPath() };
  } catch {
    // Deno.execPath() needs --allow-read; without it there is no beside-the-executable candidate.
    return { standalone };
  }
}

/** A loaded shim and where it came from. */
export interface LoadedShim {
  /** The shim's functions. */
  readonly symbols: ShimSymbols;
  /** Where it was loaded from. */
  readonly candidate: ShimCandidate;
  /** Closes the library; every symbol is invalid afterwards. */
  close(): void;
}

let loaded: LoadedShim | undefined;

/**
 * Loads the shim once per process and checks its ABI version.
 *
 * @throws {BitsUnavailableError} off Windows, when no candidate loads, or on an ABI mismatch.
 */
export function loadShim(): LoadedShim {
  if (loaded) return loaded;
  if (Deno.build.os !== "windows") throw new BitsUnavailableError("platform", platformMessage(Deno.build.os));
  const tried: { candidate: ShimCandidate; error: string }[] = [];
  const runtime = currentRuntime();
  for (const candidate of shimCandidates(tryGetEnv(SHIM_PATH_ENV), import.meta.url, runtime)) {
    let library: Deno.DynamicLibrary<typeof symbols>;
    try {
      library = Deno.dlopen(candidate.location, symbols);
    } catch (error) {
      tried.push({ candidate, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const version = new Uint32Array(1);
    library.symbols.bits_shim_abi_version(version);
    if (version[0] !== SHIM_ABI_VERSION) {
      library.close();
      throw new BitsUnavailableError(
        "abi",
        `The shim at ${displayLocation(candidate.location)} has ABI version ${version[0]}, ` +
          `this module needs ${SHIM_ABI_VERSION}: rebuild it with \`deno task build --force\``,
      );
    }
    loaded = { symbols: library.symbols, candidate, close: () => library.close() };
    return loaded;
  }
  throw new BitsUnavailableError("library", notFoundMessage(tried, shimLayout(import.meta.url, runtime.standalone)));
}

/**
 * Finding and loading the shim DLL, lazily: importing the module never loads
 * anything, so it works on every OS; the first BITS call loads the library.
 *
 * Where it comes from, in order ({@linkcode shimPlan}):
 * 1. `BITS_SHIM_PATH` (a file), when set: then it is the only candidate, so a
 *    wrong override fails instead of falling back silently;
 * 2. in a checkout (a local `file:` module under `deno run` or `deno test`), a
 *    local build, `ffi/build/bits_shim.dll` (`deno task build`);
 * 3. the DLL the package carries (`ffi/shim_embedded.ts`, built from `ffi/*.c`
 *    with a pinned toolchain), installed on first use in
 *    `%LOCALAPPDATA%\deno-bits\<sha256>\bits_shim.dll` and checked against its
 *    SHA-256 before every `dlopen` (`ffi/shim_cache.ts`). This is the path of a
 *    package from a registry, a module imported over HTTP and a `deno compile`
 *    binary alike: no compiler and no download.
 *
 * @module
 */

import { CACHE_FOLDER, cacheDirectories, childPath, installShim } from "./shim_cache.ts";
import { SHIM_BASE64, SHIM_SHA256 } from "./shim_embedded.ts";
import { SHIM_ABI_VERSION, type ShimSymbols, symbols } from "./symbols.ts";
import { BitsUnavailableError } from "./unavailable.ts";

/** Environment variable naming the shim DLL explicitly. */
export const SHIM_PATH_ENV = "BITS_SHIM_PATH";

/** File name of the shim. */
export const SHIM_FILE_NAME = "bits_shim.dll";

/** Where `deno task build` puts the shim, relative to the repository root. */
export const SHIM_BUILD_PATH = "ffi/build/bits_shim.dll";

/** Where a loaded shim came from: the override, a checkout's local build, or the bytes the package carries. */
export type ShimSource = "env" | "build" | "embedded";

/**
 * How this module is running:
 * - `"checkout"`: a local `file:` module under `deno run` (or `deno test`);
 * - `"compiled"`: inside a `deno compile` executable (`Deno.build.standalone`);
 * - `"remote"`: loaded from an `https:` or `http:` URL, e.g. a JSR package.
 */
export type ShimLayout = "checkout" | "compiled" | "remote";

/** One DLL file to try. */
export interface ShimCandidate {
  /** A file URL (module-relative) or an OS path. */
  readonly location: string | URL;
  /** How this candidate was found. */
  readonly source: ShimSource;
}

/** Where to look, in order: files first, then (when `embedded`) the bytes the package carries. */
export interface ShimPlan {
  /** Files to try with `Deno.dlopen`, in order. */
  readonly files: readonly ShimCandidate[];
  /** Whether the embedded DLL is installed and loaded when no file loads. */
  readonly embedded: boolean;
}

/** Facts about the running program that decide where to look; see {@linkcode shimPlan}. */
export interface ShimRuntime {
  /** `Deno.build.standalone`: true inside a `deno compile` executable. */
  readonly standalone: boolean;
}

/** The layout for a module URL (this module's `import.meta.url`) and the `standalone` flag. */
export function shimLayout(moduleUrl: string | URL, standalone: boolean): ShimLayout {
  const url = typeof moduleUrl === "string" ? new URL(moduleUrl) : moduleUrl;
  if (url.protocol !== "file:") return "remote";
  return standalone ? "compiled" : "checkout";
}

/**
 * Where to look for the shim. An explicit `envPath` is the only candidate
 * when given. A checkout tries its local build first; every layout then falls
 * back to the embedded DLL (a compiled program's virtual file system holds no
 * local build: the embedded module is part of its module graph).
 *
 * @param envPath `BITS_SHIM_PATH`, if set and readable.
 * @param moduleUrl This module's `import.meta.url`.
 * @param runtime Whether this is a compiled program; default: not compiled.
 */
export function shimPlan(
  envPath: string | undefined,
  moduleUrl: string | URL,
  runtime: ShimRuntime = { standalone: false },
): ShimPlan {
  if (envPath !== undefined && envPath !== "") {
    return { files: [{ location: envPath, source: "env" }], embedded: false };
  }
  if (shimLayout(moduleUrl, runtime.standalone) !== "checkout") return { files: [], embedded: true };
  return { files: [{ location: new URL("./build/bits_shim.dll", moduleUrl), source: "build" }], embedded: true };
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

/**
 * Whether this module sits in a clone of the repository, which has the Wine
 * test bed (the package does not carry it).
 */
export function inRepository(moduleUrl: string | URL): boolean {
  try {
    return Deno.statSync(new URL("../scripts/bed/run.sh", moduleUrl)).isFile;
  } catch {
    return false;
  }
}

/**
 * Text of the error on an OS without BITS. The test bed is named only in a
 * clone of the repository, the one place it exists.
 */
export function platformMessage(os: string, repository = false): string {
  const message = "deno-bits drives the Background Intelligent Transfer Service (BITS), which only Windows has; " +
    `this is ${os}, so nothing was done.`;
  if (!repository) return message;
  return `${message} In this repository the Windows path runs under Wine 10 on Linux: \`deno task demo\`, ` +
    '`deno task test`, or `bash scripts/bed/run.sh -- /opt/deno/deno run ...` (README.md, "Development").';
}

/** The flags that let the package install and load its embedded shim, for the folder `cacheRoot`. */
export function embeddedPermissions(cacheRoot: string): string {
  return `--allow-ffi --allow-env=LOCALAPPDATA --allow-read=${cacheRoot} --allow-write=${cacheRoot}`;
}

/** Text of the error when no candidate could be loaded. */
export function notFoundMessage(
  tried: readonly { candidate: ShimCandidate; error: string }[],
  plan: ShimPlan,
): string {
  const lines = tried.map(({ candidate, error }) =>
    `  - ${displayLocation(candidate.location)} (${candidate.source}): ${error}`
  );
  const remedy = plan.embedded
    ? [
      `The shim this package carries could not be installed below %LOCALAPPDATA%\\${CACHE_FOLDER} or the`,
      "temporary directory. Check that one of them is writable, or set",
      `${SHIM_PATH_ENV} to a ${SHIM_FILE_NAME} built from the repository (docs/building.md).`,
    ]
    : [
      `${SHIM_PATH_ENV} names a file that does not load: correct it, or unset it to use the shim the package carries.`,
    ];
  return [
    tried.length > 0 ? "Cannot load the BITS shim DLL. Tried:" : "Cannot load the BITS shim DLL.",
    ...lines,
    ...remedy,
  ].join("\n");
}

/** A loaded shim and where it came from. */
export interface LoadedShim {
  /** The shim's functions. */
  readonly symbols: ShimSymbols;
  /** The file that was loaded, and how it was found. */
  readonly candidate: ShimCandidate;
  /** Closes the library; every symbol is invalid afterwards. */
  close(): void;
}

let loaded: LoadedShim | undefined;

/** Turns a missing permission into an error that names the flag to add. */
function permissionError(error: Deno.errors.NotCapable, what: string, flags: string): BitsUnavailableError {
  return new BitsUnavailableError(
    "permission",
    `deno-bits needs permission to ${what}: run with ${flags}. (${error.message})`,
    { cause: error },
  );
}

function decodeEmbedded(): Uint8Array {
  return Uint8Array.from(atob(SHIM_BASE64), (char) => char.charCodeAt(0));
}

/**
 * Installs the embedded shim in the first cache folder that takes it and
 * returns its path; `undefined` with the reasons in `tried` when none does.
 */
function installEmbedded(tried: { candidate: ShimCandidate; error: string }[]): string | undefined {
  let localAppData: string | undefined;
  try {
    localAppData = Deno.env.get("LOCALAPPDATA");
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      throw permissionError(
        error,
        "find its per-user folder",
        embeddedPermissions(`%LOCALAPPDATA%\\${CACHE_FOLDER}`),
      );
    }
    throw error;
  }
  const env = (name: string): string | undefined => name === "LOCALAPPDATA" ? localAppData : tryGetEnv(name);
  for (const dir of cacheDirectories(SHIM_SHA256, env)) {
    try {
      return installShim(dir, SHIM_SHA256, decodeEmbedded);
    } catch (error) {
      const root = dir.slice(0, dir.length - SHIM_SHA256.length - 1);
      if (error instanceof Deno.errors.NotCapable) {
        throw permissionError(error, `install its shim DLL in ${root}`, embeddedPermissions(root));
      }
      tried.push({
        candidate: { location: childPath(dir, SHIM_FILE_NAME), source: "embedded" },
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return undefined;
}

/** Opens one DLL; `undefined` with the reason in `tried` when it does not load. */
function open(
  candidate: ShimCandidate,
  tried: { candidate: ShimCandidate; error: string }[],
): Deno.DynamicLibrary<typeof symbols> | undefined {
  try {
    return Deno.dlopen(candidate.location, symbols);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) throw permissionError(error, "load its shim DLL", "--allow-ffi");
    tried.push({ candidate, error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

/**
 * Loads the shim once per process and checks its ABI version.
 *
 * @throws {BitsUnavailableError} off Windows (`platform`), when a permission is
 *   missing (`permission`, naming the flag), when nothing loads (`library`), or
 *   on an ABI mismatch (`abi`).
 */
export function loadShim(): LoadedShim {
  if (loaded) return loaded;
  if (Deno.build.os !== "windows") {
    throw new BitsUnavailableError("platform", platformMessage(Deno.build.os, inRepository(import.meta.url)));
  }
  const tried: { candidate: ShimCandidate; error: string }[] = [];
  const plan = shimPlan(tryGetEnv(SHIM_PATH_ENV), import.meta.url, { standalone: Deno.build.standalone === true });
  const candidates = function* (): Generator<ShimCandidate> {
    yield* plan.files;
    if (!plan.embedded) return;
    const path = installEmbedded(tried);
    if (path !== undefined) yield { location: path, source: "embedded" };
  };
  for (const candidate of candidates()) {
    const library = open(candidate, tried);
    if (library === undefined) continue;
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
  throw new BitsUnavailableError("library", notFoundMessage(tried, plan));
}

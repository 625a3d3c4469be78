/**
 * Finding and loading the shim DLL, lazily: importing the module never loads
 * anything, so it works on every OS; the first BITS call loads the library.
 *
 * Search order: `BITS_SHIM_PATH` (a file) → `ffi/build/bits_shim.dll` (a local
 * build, `deno task build`) → `ffi/bits_shim.dll` (shipped next to the module,
 * or embedded by `deno compile --include`).
 *
 * @module
 */

import { BitsUnavailableError } from "../src/errors.ts";
import { SHIM_ABI_VERSION, type ShimSymbols, symbols } from "./symbols.ts";

/** Environment variable naming the shim DLL explicitly. */
export const SHIM_PATH_ENV = "BITS_SHIM_PATH";

/** Where a candidate location came from. */
export type ShimSource = "env" | "build" | "bundled";

/** One place the shim may be. */
export interface ShimCandidate {
  /** A file URL (module-relative) or an OS path (from the environment). */
  readonly location: string | URL;
  /** How this candidate was found. */
  readonly source: ShimSource;
}

/**
 * The places to look for the shim, in order. An explicit `envPath` is the only
 * candidate when given: a wrong override must fail, not fall back silently.
 */
export function shimCandidates(envPath: string | undefined, moduleUrl: string | URL): ShimCandidate[] {
  if (envPath !== undefined && envPath !== "") return [{ location: envPath, source: "env" }];
  return [
    { location: new URL("./build/bits_shim.dll", moduleUrl), source: "build" },
    { location: new URL("./bits_shim.dll", moduleUrl), source: "bundled" },
  ];
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

/** Text of the error when no candidate could be loaded. */
export function notFoundMessage(tried: readonly { candidate: ShimCandidate; error: string }[]): string {
  const lines = tried.map(({ candidate, error }) =>
    `  - ${displayLocation(candidate.location)} (${candidate.source}): ${error}`
  );
  return [
    "Cannot load the BITS shim DLL. Tried:",
    ...lines,
    "Build it with `deno task build` (mingw-w64 on Linux; MSVC `cl` or clang on Windows, see docs/building.md),",
    `or set ${SHIM_PATH_ENV} to the path of bits_shim.dll. Loading needs --allow-ffi` +
    ` (and --allow-env=${SHIM_PATH_ENV} for the override).`,
  ].join("\n");
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
  for (const candidate of shimCandidates(tryGetEnv(SHIM_PATH_ENV), import.meta.url)) {
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
  throw new BitsUnavailableError("library", notFoundMessage(tried));
}

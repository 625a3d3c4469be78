/**
 * `deno task compile`: the CLI as one Windows executable, `dist/bits.exe`,
 * with least-privilege permissions baked in. The shim DLL needs no
 * `--include`: its bytes are part of the module graph (`ffi/shim_embedded.ts`),
 * and the executable installs them in the user's cache on first use, as the
 * package does.
 *
 * 1. finds Deno's `denort` runtime for `x86_64-pc-windows-msvc`, which
 *    `deno compile` wraps around the program: `DENORT_BIN`, else Deno's cache
 *    (`<DENO_DIR>/dl/release/v<version>/denort-<target>.zip`), else
 *    `https://dl.deno.land` must answer within 10 s; otherwise it stops with
 *    exit code 1 and says what to do, instead of letting `deno compile` try;
 * 2. runs `deno compile` (stopped after 15 minutes).
 *
 * Permissions: --allow-read --allow-write --allow-run --allow-env=DENORT_BIN
 * --allow-net=dl.deno.land (the reachability probe only).
 *
 * @module
 */

import { join } from "node:path";
import { REPO_ROOT, run } from "./windows_deno.ts";

/** The target triple of the executable. */
export const COMPILE_TARGET = "x86_64-pc-windows-msvc";

/** Where the executable goes, relative to the repository root. */
export const COMPILE_OUTPUT = "dist/bits.exe";

/**
 * What the executable may do, fixed at compile time: load the shim, read
 * destinations and files to check, write `--log-file` and `wmp finish`
 * output, read the shim override and the password variable `set --password-env`
 * names (any name: the user chooses it, and a compiled binary cannot be granted
 * more at run time), and fetch for `probe <url>`.
 */
export const BINARY_PERMISSIONS: readonly string[] = [
  "--allow-ffi",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-net",
];

/** Where Deno downloads `denort` from. */
export const DENORT_HOST = "https://dl.deno.land";

/** How long the download host has to answer before it counts as unreachable. */
export const PROBE_TIMEOUT_MS = 10_000;

/** How long `deno compile` may run (it downloads denort when not cached). */
const COMPILE_TIMEOUT_MS = 15 * 60_000;

/** The `deno` arguments that build the executable, run from the repository root. */
export function compileArgs(): string[] {
  return [
    "compile",
    "--target",
    COMPILE_TARGET,
    "--output",
    COMPILE_OUTPUT,
    ...BINARY_PERMISSIONS,
    "cli.ts",
  ];
}

/** The archive's path below Deno's download cache and below {@linkcode DENORT_HOST}. */
export function denortArchive(version: string, target: string = COMPILE_TARGET): string {
  return `release/v${version}/denort-${target}.zip`;
}

/** Where `deno compile` would take `denort` from. */
export type DenortSource =
  | { readonly kind: "env"; readonly path: string }
  | { readonly kind: "cache"; readonly path: string }
  | { readonly kind: "download"; readonly url: string; readonly cachePath: string };

/** Inputs of {@linkcode locateDenort}. */
export interface DenortLookup {
  /** The `DENORT_BIN` variable, if set. */
  readonly denortBin?: string;
  /** Deno's cache directory (`deno info --json` → `denoDir`). */
  readonly denoDir: string;
  /** The version of the Deno that compiles (`Deno.version.deno`). */
  readonly version: string;
  /** Whether a file exists. */
  readonly exists: (path: string) => boolean;
}

/**
 * Mirrors `deno compile`'s own order (denoland/deno `cli/standalone/binary.rs`,
 * `get_base_binary`): `DENORT_BIN`, then the cached archive, then a download.
 *
 * @throws {Error} when `DENORT_BIN` names a file that does not exist.
 */
export function locateDenort(lookup: DenortLookup): DenortSource {
  if (lookup.denortBin !== undefined && lookup.denortBin !== "") {
    if (!lookup.exists(lookup.denortBin)) {
      throw new Error(
        `DENORT_BIN is ${lookup.denortBin}, which does not exist. Point it at denort.exe from ` +
          `${DENORT_HOST}/${denortArchive(lookup.version)} (the same Deno version, ${lookup.version}), or unset it.`,
      );
    }
    return { kind: "env", path: lookup.denortBin };
  }
  const archive = denortArchive(lookup.version);
  const cachePath = join(lookup.denoDir, "dl", ...archive.split("/"));
  if (lookup.exists(cachePath)) return { kind: "cache", path: cachePath };
  return { kind: "download", url: `${DENORT_HOST}/${archive}`, cachePath };
}

/** The message when `denort` is neither given, cached nor downloadable. */
export function denortUnavailableMessage(source: DenortSource & { kind: "download" }, reason: string): string {
  return [
    `Cannot compile: deno compile needs Deno's runtime for ${COMPILE_TARGET} (denort), and it is not available here.`,
    `  - not cached at ${source.cachePath}`,
    "  - DENORT_BIN is not set",
    `  - ${source.url} is unreachable: ${reason}`,
    "Run `deno task compile` on a machine that can reach dl.deno.land (the archive is cached afterwards), copy the",
    `archive to ${source.cachePath}, or set DENORT_BIN to denort.exe unpacked from it.`,
    "Nothing was written.",
  ].join("\n");
}

/**
 * Whether `url` answers an HTTP HEAD within `timeoutMs` (any status below 500,
 * redirects not followed). Returns the reason when it does not.
 */
export async function probeUrl(url: string, timeoutMs: number = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  try {
    const response = await fetch(url, { method: "HEAD", redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status < 500 ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
    // fetch says only "fetch failed"; the cause says why (DNS, refused, TLS …).
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return error instanceof Error ? `${error.message}${cause}` : String(error);
  }
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function readDenortBin(): string | undefined {
  try {
    return Deno.env.get("DENORT_BIN");
  } catch {
    return undefined;
  }
}

async function denoDir(): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdin: "null" }).output();
  if (!output.success) throw new Error(`deno info --json failed: ${new TextDecoder().decode(output.stderr)}`);
  return (JSON.parse(new TextDecoder().decode(output.stdout)) as { denoDir: string }).denoDir;
}

async function main(): Promise<number> {
  let source: DenortSource;
  try {
    source = locateDenort({
      denortBin: readDenortBin(),
      denoDir: await denoDir(),
      version: Deno.version.deno,
      exists: fileExists,
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  if (source.kind === "download") {
    const unreachable = await probeUrl(source.url);
    if (unreachable !== undefined) {
      console.error(denortUnavailableMessage(source, unreachable));
      return 1;
    }
  }
  console.error(`denort: ${source.kind === "download" ? `downloading ${source.url}` : source.path}`);
  await Deno.mkdir(new URL("dist/", REPO_ROOT), { recursive: true });
  return await run(Deno.execPath(), compileArgs(), undefined, COMPILE_TIMEOUT_MS);
}

if (import.meta.main) Deno.exit(await main());

/**
 * `deno task shim:embed`: builds the shim DLL from `ffi/*.c` with the pinned
 * mingw-w64 toolchain and writes its bytes and SHA-256 into
 * `ffi/shim_embedded.ts`, the module the package loads the shim from. With
 * `--check` it writes nothing and exits 1 when the committed module is not
 * exactly what the sources build to (CI runs that check through
 * `tests/unit/shim_embed_test.ts`), so the shipped binary is always the sources.
 *
 * Linux only: the pins are Debian package versions (`MINGW_PACKAGES` in
 * `scripts/versions.env`), checked with `dpkg-query` before building.
 *
 * Permissions: --allow-read --allow-write --allow-run (the compiler, dpkg-query).
 *
 * @module
 */

import { join } from "node:path";
import { sha256Hex } from "../ffi/shim_cache.ts";
import { buildShim, ShimBuildError } from "./build_shim.ts";
import { REPO_ROOT } from "./windows_deno.ts";

/** The generated module, relative to the repository root. */
export const EMBEDDED_MODULE = "ffi/shim_embedded.ts";

/** One pinned Debian package. */
export interface PinnedPackage {
  readonly name: string;
  readonly version: string;
}

/** The `MINGW_PACKAGES` pins of a `versions.env` text. */
export function parsePins(versionsEnv: string): PinnedPackage[] {
  const line = versionsEnv.match(/^MINGW_PACKAGES="([^"]*)"$/m);
  if (!line) throw new ShimBuildError("scripts/versions.env has no MINGW_PACKAGES line");
  return line[1].split(/\s+/).filter((pin) => pin !== "").map((pin) => {
    const cut = pin.indexOf("=");
    if (cut <= 0) throw new ShimBuildError(`MINGW_PACKAGES: "${pin}" is not package=version`);
    return { name: pin.slice(0, cut), version: pin.slice(cut + 1) };
  });
}

/** The pins from the repository's `scripts/versions.env`. */
export async function readPins(root: URL = REPO_ROOT): Promise<PinnedPackage[]> {
  return parsePins(await Deno.readTextFile(new URL("scripts/versions.env", root)));
}

/** The installed version of a Debian package, or `undefined` when it is not installed. */
async function installedVersion(name: string): Promise<string | undefined> {
  const { code, stdout } = await new Deno.Command("dpkg-query", {
    args: ["-W", "-f=${Version}", name],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const version = new TextDecoder().decode(stdout).trim();
  return code === 0 && version !== "" ? version : undefined;
}

/**
 * Refuses to build when the installed toolchain is not the pinned one: the bytes
 * would differ, and the difference would be the toolchain's, not the sources'.
 *
 * @throws {ShimBuildError} naming every package whose version differs.
 */
export async function checkToolchain(pins: readonly PinnedPackage[]): Promise<void> {
  if (Deno.build.os !== "linux") {
    throw new ShimBuildError(
      "the embedded shim is built on Linux with Debian's mingw-w64 (scripts/versions.env); run this there",
    );
  }
  const wrong: string[] = [];
  for (const pin of pins) {
    const installed = await installedVersion(pin.name);
    if (installed !== pin.version) wrong.push(`${pin.name} is ${installed ?? "not installed"}, pinned ${pin.version}`);
  }
  if (wrong.length > 0) {
    throw new ShimBuildError(
      `the mingw-w64 toolchain is not the pinned one (${wrong.join("; ")}). ` +
        "Install it with `bash scripts/bed/setup.sh`, or `apt-get install` the pinned package=version pairs.",
    );
  }
}

/** Base64 of `bytes`, without Node's Buffer (the module graph stays free of Node compatibility). */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The text of `ffi/shim_embedded.ts` for a DLL built with `pins`. */
export function renderEmbeddedModule(dll: Uint8Array, pins: readonly PinnedPackage[]): string {
  const toolchain = pins.map((pin) => `${pin.name}=${pin.version}`).join(" ");
  return [
    "/**",
    " * The shim DLL, as built from `ffi/*.c` by `deno task shim:embed` with the pinned",
    " * mingw-w64 toolchain. Generated: do not edit. CI rebuilds it from the sources",
    " * and fails when these bytes differ (`tests/unit/shim_embed_test.ts`).",
    " *",
    ` * Toolchain: ${toolchain}`,
    " *",
    " * @module",
    " */",
    "",
    "/** Lowercase hex SHA-256 of the DLL; the loader checks it before every `dlopen`. */",
    `export const SHIM_SHA256 = "${sha256Hex(dll)}";`,
    "",
    "/** Size of the DLL in bytes. */",
    `export const SHIM_SIZE = ${dll.length};`,
    "",
    "/** The DLL, base64. */",
    // deno fmt's layout for a literal longer than the line.
    "export const SHIM_BASE64 =",
    `  "${toBase64(dll)}";`,
    "",
  ].join("\n");
}

/** Builds the shim with the pinned toolchain into a scratch directory and renders the module. */
export async function generateEmbeddedModule(log: (line: string) => void = () => {}): Promise<string> {
  const pins = await readPins();
  await checkToolchain(pins);
  const scratch = await Deno.makeTempDir({ prefix: "deno-bits-embed-" });
  try {
    const { dll } = await buildShim({ force: true, out: join(scratch, "bits_shim.dll"), log });
    return renderEmbeddedModule(await Deno.readFile(dll), pins);
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== "--check");
  if (unknown.length > 0) {
    console.error(`usage: embed_shim.ts [--check] (unknown: ${unknown.join(" ")})`);
    return 2;
  }
  const target = new URL(EMBEDDED_MODULE, REPO_ROOT);
  let text: string;
  try {
    text = await generateEmbeddedModule((line) => console.error(line));
  } catch (error) {
    if (error instanceof ShimBuildError) {
      console.error(`shim:embed: ${error.message}`);
      return 1;
    }
    throw error;
  }
  if (args.includes("--check")) {
    const committed = await Deno.readTextFile(target).catch(() => "");
    if (committed !== text) {
      console.error(`shim:embed: ${EMBEDDED_MODULE} is not what ffi/*.c builds to; run \`deno task shim:embed\``);
      return 1;
    }
    console.error(`${EMBEDDED_MODULE} matches the sources`);
    return 0;
  }
  await Deno.writeTextFile(target, text);
  console.error(`wrote ${EMBEDDED_MODULE}`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}

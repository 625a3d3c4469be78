// Builds ffi/build/bits_shim.dll from ffi/*.c.
//
// Permissions: --allow-read --allow-write --allow-run
//   read:  ffi/*.c, ffi/*.h and the existing DLL (up-to-date check)
//   write: creates ffi/build/ (the compiler writes the DLL itself)
//   run:   the C compiler (x86_64-w64-mingw32-gcc on Linux; cl, clang or gcc on Windows)
// No --allow-env or --allow-net: compilers are found by trying to start them,
// not by reading PATH.
//
// Usage: deno task build [--force]

import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Options for {@linkcode buildShim}. */
export interface BuildShimOptions {
  /** Rebuild even when the DLL is newer than its sources. */
  force?: boolean;
  /** Repository root; defaults to the parent of this script's directory. */
  root?: string;
  /** Receives progress lines, including the exact compiler command. Defaults to `console.log`. */
  log?: (line: string) => void;
  /**
   * Where the DLL goes, relative to `root` or absolute; default `ffi/build/bits_shim.dll`.
   * Its file name must be `bits_shim.dll`: the name is part of the DLL's export table.
   */
  out?: string;
}

/** What {@linkcode buildShim} did. */
export interface BuildShimResult {
  /** Absolute path of the DLL. */
  dll: string;
  /** `false` when the DLL was up to date and nothing ran. */
  built: boolean;
  /** The command that ran (program first), relative to `root`; absent when skipped. */
  command?: string[];
}

/** A build failure with a message meant for the person running the build. */
export class ShimBuildError extends Error {
  /** Creates the error; `cause` carries the underlying exception, if any. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ShimBuildError";
  }
}

/** Flags shared by every GCC-compatible driver (gcc and clang, any target). */
const GNU_FLAGS: readonly string[] = [
  "-std=c11",
  "-O2",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-DBITS_SHIM_BUILD",
  "-shared",
];

/**
 * The image base of a mingw build. GNU ld otherwise derives it from the output
 * file's name (`--enable-auto-image-base`), so the same sources linked to two
 * paths gave two different DLLs. A fixed base keeps the bytes a function of the
 * sources and the toolchain alone; Windows still relocates the DLL (ASLR).
 * 0x180000000 is MSVC's default for 64-bit DLLs.
 */
export const MINGW_IMAGE_BASE = "0x180000000";

/** Flags for drivers targeting mingw-w64: static libgcc, no timestamp, a fixed image base (reproducible bytes). */
const MINGW_FLAGS: readonly string[] = [
  ...GNU_FLAGS,
  "-s",
  "-static-libgcc",
  "-Wl,--no-insert-timestamp",
  `-Wl,--image-base=${MINGW_IMAGE_BASE}`,
];

interface Toolchain {
  /** Shown in messages. */
  name: string;
  program: string;
  args: string[];
}

const FFI_DIR = "ffi";
const SHIM_FILE = "bits_shim.dll";
const DLL = `ffi/build/${SHIM_FILE}`;

function defaultRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..");
}

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).mtime?.getTime();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** The shim's C sources and headers (`ffi/*.c`, `ffi/*.h`), sorted so the command is reproducible. */
async function shimFiles(root: string): Promise<{ sources: string[]; headers: string[] }> {
  const sources: string[] = [];
  const headers: string[] = [];
  for await (const entry of Deno.readDir(join(root, FFI_DIR))) {
    if (!entry.isFile) continue;
    if (entry.name.endsWith(".c")) sources.push(`${FFI_DIR}/${entry.name}`);
    else if (entry.name.endsWith(".h")) headers.push(`${FFI_DIR}/${entry.name}`);
  }
  if (!sources.includes(`${FFI_DIR}/bits_shim.c`)) {
    throw new ShimBuildError(`missing source file ${join(root, FFI_DIR, "bits_shim.c")}`);
  }
  return { sources: sources.sort(), headers: headers.sort() };
}

async function upToDate(dllPath: string, root: string, files: readonly string[]): Promise<boolean> {
  const dll = await mtime(dllPath);
  if (dll === undefined) return false;
  for (const source of files) {
    const time = await mtime(join(root, source));
    if (time === undefined) {
      throw new ShimBuildError(`missing source file ${join(root, source)}`);
    }
    if (time >= dll) return false;
  }
  return true;
}

/** Runs `program args`, discarding output; `undefined` when it cannot start. */
async function probe(
  program: string,
  args: string[],
): Promise<{ code: number; stdout: string } | undefined> {
  try {
    const { code, stdout } = await new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return { code, stdout: new TextDecoder().decode(stdout) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function mingwToolchain(program: string, sources: readonly string[], out: string): Toolchain {
  return {
    name: program,
    program,
    args: [...MINGW_FLAGS, "-o", out, ...sources, "-lole32", "-ladvapi32"],
  };
}

/**
 * The cross compiler on Linux. The win32-threads driver comes first: it is the
 * one the pinned Debian package provides (scripts/versions.env), whatever the
 * `x86_64-w64-mingw32-gcc` alternative points at, so a local build has the
 * bytes of the embedded shim.
 */
export const LINUX_COMPILERS: readonly string[] = ["x86_64-w64-mingw32-gcc-win32", "x86_64-w64-mingw32-gcc"];

async function linuxToolchain(sources: readonly string[], out: string): Promise<Toolchain> {
  for (const program of LINUX_COMPILERS) {
    if (await probe(program, ["--version"]) !== undefined) return mingwToolchain(program, sources, out);
  }
  throw new ShimBuildError(
    `${LINUX_COMPILERS.join(" and ")} not found: install the mingw-w64 cross compiler ` +
      "(Debian/Ubuntu package gcc-mingw-w64-x86-64: " +
      "`apt-get install gcc-mingw-w64-x86-64`).",
  );
}

async function windowsToolchain(sources: readonly string[], out: string): Promise<Toolchain> {
  const outDir = dirname(out).replaceAll("/", "\\");
  // `cl` without arguments prints its banner and usage; it is on PATH only
  // inside a Developer Command Prompt, which also sets INCLUDE and LIB.
  if (await probe("cl", []) !== undefined) {
    return {
      name: "cl (MSVC)",
      program: "cl",
      args: [
        "/nologo",
        "/std:c11",
        "/O2",
        "/W4",
        "/WX",
        // Static CRT: the DLL then imports only system DLLs, no vcruntime.
        "/MT",
        "/LD",
        "/DBITS_SHIM_BUILD",
        `/Fo:${outDir}\\`,
        `/Fe:${out.replaceAll("/", "\\")}`,
        ...sources.map((source) => source.replaceAll("/", "\\")),
        "ole32.lib",
        "advapi32.lib",
      ],
    };
  }
  const clang = await probe("clang", ["-dumpmachine"]);
  if (clang !== undefined && clang.code === 0) {
    if (/mingw|windows-gnu/.test(clang.stdout)) {
      return { ...mingwToolchain("clang", sources, out), name: "clang (mingw target)" };
    }
    return {
      name: "clang (MSVC target)",
      program: "clang",
      args: [
        ...GNU_FLAGS,
        // The MSVC-target equivalent of /MT.
        "-fms-runtime-lib=static",
        "-o",
        out,
        ...sources,
        "-lole32",
        "-ladvapi32",
      ],
    };
  }
  if (await probe("gcc", ["--version"]) !== undefined) {
    return { ...mingwToolchain("gcc", sources, out), name: "gcc (mingw-w64)" };
  }
  throw new ShimBuildError(
    "no C compiler found. Either run `deno task build` from a " +
      '"Developer Command Prompt for VS" (x64) so that `cl` is on PATH, ' +
      "or install LLVM (`winget install LLVM.LLVM`) or a mingw-w64 gcc " +
      "and put clang or gcc on PATH. See docs/building.md.",
  );
}

function quote(arg: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(arg) ? arg : `"${arg.replaceAll('"', '\\"')}"`;
}

/**
 * Builds `ffi/build/bits_shim.dll` from every `ffi/*.c`, unless it is newer
 * than every `ffi/*.c` and `ffi/*.h` and `force` is not set.
 *
 * On Linux (and other non-Windows hosts) it cross-compiles with
 * `x86_64-w64-mingw32-gcc`; on Windows it uses the first of `cl`, `clang`
 * and `gcc` that can be started. The command is logged before it runs.
 *
 * @throws {ShimBuildError} when no compiler is found or the compiler fails.
 */
export async function buildShim(
  options: BuildShimOptions = {},
): Promise<BuildShimResult> {
  const root = options.root ?? defaultRoot();
  const log = options.log ?? ((line: string): void => console.log(line));
  const out = options.out ?? DLL;
  const dll = resolve(root, out);
  if (basename(dll) !== SHIM_FILE) {
    throw new ShimBuildError(`the DLL must be named ${SHIM_FILE} (its export table carries the name), not ${dll}`);
  }

  const { sources, headers } = await shimFiles(root);
  if (!options.force && await upToDate(dll, root, [...sources, ...headers])) {
    log(`${out} is up to date (use --force to rebuild)`);
    return { dll, built: false };
  }

  const toolchain = Deno.build.os === "windows"
    ? await windowsToolchain(sources, out)
    : await linuxToolchain(sources, out);
  await Deno.mkdir(dirname(dll), { recursive: true });

  const command = [toolchain.program, ...toolchain.args];
  log(`$ ${command.map(quote).join(" ")}`);
  let code: number;
  try {
    ({ code } = await new Deno.Command(toolchain.program, {
      args: toolchain.args,
      cwd: root,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output());
  } catch (error) {
    throw new ShimBuildError(
      `could not run ${toolchain.name}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (code !== 0) {
    throw new ShimBuildError(`${toolchain.name} failed with exit code ${code}`);
  }
  log(`built ${out}`);
  return { dll, built: true, command };
}

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== "--force");
  if (unknown.length > 0) {
    console.error(
      `usage: build_shim.ts [--force] (unknown: ${unknown.join(" ")})`,
    );
    return 2;
  }
  try {
    await buildShim({ force: args.includes("--force") });
    return 0;
  } catch (error) {
    if (error instanceof ShimBuildError) {
      console.error(`build_shim: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}

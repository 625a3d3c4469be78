/**
 * Runs the Windows Deno: natively on Windows, and on Linux inside the Wine 10
 * test bed (scripts/bed), after preparing it. Used by the test and demo tasks.
 *
 * @module
 */

/** Where the repository is, as an OS path. */
export const REPO_ROOT = new URL("..", import.meta.url);

/**
 * Runs a command, inheriting stdio, and returns its exit code. With
 * `timeoutMs`, a command still running then gets SIGTERM (the bed stops Wine
 * on it) and counts as failed, so a hang cannot eat a CI run.
 */
export async function run(
  command: string,
  args: readonly string[],
  env?: Record<string, string>,
  timeoutMs?: number,
): Promise<number> {
  console.error(`$ ${[command, ...args].join(" ")}`);
  const child = new Deno.Command(command, { args: [...args], env, cwd: REPO_ROOT, stdin: "null" }).spawn();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    console.error(`${command} still running after ${timeoutMs / 1000} s: stopping it`);
    child.kill("SIGTERM");
  }, timeoutMs);
  try {
    return (await child.status).code;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a command and fails with its exit code when it fails. */
export async function mustRun(command: string, args: readonly string[], env?: Record<string, string>): Promise<void> {
  const code = await run(command, args, env);
  if (code !== 0) throw new Error(`${command} exited with ${code}`);
}

/**
 * Prepares everything the Windows Deno needs: on Linux the bed (Debian
 * packages, the trixie tree with Wine 10, deno.exe, the prefix); everywhere the
 * shim build and the npm packages in node_modules (deno.exe runs --cached-only),
 * and the package as users get it, for `tests/wine/package_test.ts`
 * ({@linkcode PACKAGE_DIR}, `scripts/package.ts`).
 */
export async function prepare(): Promise<void> {
  if (Deno.build.os !== "windows") await mustRun("bash", ["scripts/bed/setup.sh"]);
  await mustRun(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-run",
    "scripts/build_shim.ts",
  ]);
  // The test variant (-DBITS_SHIM_TEST, ffi/build/test/): the Wine tests' hooks, kept out of the release DLL.
  await mustRun(Deno.execPath(), ["run", "--allow-read", "--allow-write", "--allow-run", "tests/support/test_shim.ts"]);
  await mustRun(Deno.execPath(), ["install", "--quiet"]);
  await mustRun(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-run",
    "--allow-net=127.0.0.1",
    "scripts/package.ts",
    PACKAGE_DIR,
  ]);
}

/** Where `prepare` writes the package views, relative to the repository root. */
export const PACKAGE_DIR = ".out/package";

/**
 * Runs the Windows Deno with `args` (paths relative to the repository root)
 * and returns its exit code. `passEnv` names variables to hand through.
 */
export function runWindowsDeno(
  args: readonly string[],
  passEnv: Record<string, string> = {},
  timeoutMs?: number,
): Promise<number> {
  if (Deno.build.os === "windows") return run(Deno.execPath(), args, passEnv, timeoutMs);
  return run("bash", ["scripts/bed/run.sh", "--", "/opt/deno/deno", ...args], {
    ...passEnv,
    BED_PASS_ENV: Object.keys(passEnv).join(" "),
  }, timeoutMs);
}

/**
 * Counts the FFI calls deno-bits makes, at the one boundary every call
 * crosses: `Deno.dlopen`. Importing this module wraps `Deno.dlopen` so that
 * the library's own load of the shim (on its first BITS call, never at
 * import) gets back a table whose functions report each call to the
 * listeners here, then call through unchanged. The library is used exactly
 * as users get it, through its public API; nothing of its internals is
 * touched. Other libraries (kernel32, the C micro-benchmarks) are not tapped.
 *
 * Import this module before the first BITS call of the process.
 *
 * @module
 */

import { connect } from "@deno-bits/bits";

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/**
 * Called with each tapped function's symbol name and arguments, before the
 * call; what it returns, when a function, is called with the call's result
 * once the call has returned (for a nonblocking call: once its promise has
 * settled; `undefined` when it threw or rejected).
 */
export type CallListener = (name: string, args: readonly unknown[]) => void | ((result: unknown) => void);

const listeners = new Set<CallListener>();
let shimPath: string | URL | undefined;

/** Whether `path` is the deno-bits shim (`bits_shim.dll` or its cached copy). */
function isShim(path: string | URL): boolean {
  return /bits_shim[^\\/]*\.dll$/i.test(typeof path === "string" ? path : path.pathname);
}

/** `Deno.dlopen` as it was before this module wrapped it: for the bench's own loads, which are not counted. */
export const untappedDlopen: typeof Deno.dlopen = Deno.dlopen;
const dlopen = untappedDlopen;
Deno.dlopen = (<S extends Deno.ForeignLibraryInterface>(
  path: string | URL,
  symbols: S,
): Deno.DynamicLibrary<S> => {
  const library = dlopen(path, symbols);
  // Only a full load of the shim; a one-symbol probe (the library's ABI check) is left alone.
  if (!isShim(path) || Object.keys(symbols).length < 2) return library;
  shimPath = path;
  const original = library.symbols as Record<string, AnyFn>;
  const tapped: Record<string, AnyFn> = {};
  for (const name of Object.keys(original)) {
    const fn = original[name];
    tapped[name] = typeof fn !== "function" ? fn : (...args: unknown[]): unknown => {
      const after: ((result: unknown) => void)[] = [];
      for (const listener of listeners) {
        const done = listener(name, args);
        if (typeof done === "function") after.push(done);
      }
      if (after.length === 0) return fn(...args);
      const settle = (result: unknown): void => after.forEach((done) => done(result));
      let result: unknown;
      try {
        result = fn(...args);
      } catch (error) {
        settle(undefined);
        throw error;
      }
      if (!(result instanceof Promise)) {
        settle(result);
        return result;
      }
      return result.then((value) => {
        settle(value);
        return value;
      }, (error) => {
        settle(undefined);
        throw error;
      });
    };
  }
  return { symbols: tapped, close: () => library.close() } as unknown as Deno.DynamicLibrary<S>;
}) as typeof Deno.dlopen;

/** Calls `listener` for every tapped FFI call until the returned function is called. */
export function onShimCall(listener: CallListener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** The FFI calls deno-bits makes during `op`, by symbol name. */
export async function countShimCalls(op: () => Promise<void>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const stop = onShimCall((name) => void (counts[name] = (counts[name] ?? 0) + 1));
  try {
    await op();
  } finally {
    stop();
  }
  return counts;
}

/** The shim file deno-bits loaded, or `undefined` before its first BITS call. */
export function tappedShimPath(): string | URL | undefined {
  return shimPath;
}

/**
 * The shim file deno-bits loaded; when it has not loaded it yet, a
 * `connect()` (closed at once) makes it.
 */
export async function loadedShimPath(): Promise<string | URL> {
  if (shimPath === undefined) (await connect()).close();
  if (shimPath === undefined) throw new Error("deno-bits loaded no shim through Deno.dlopen (was this imported late?)");
  return shimPath;
}

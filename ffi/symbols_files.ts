/**
 * Symbols of `bits_files.h`, merged into the one table of {@link ./symbols.ts}.
 * Same conventions: every function returns an HRESULT; calls that reach the
 * BITS service are `nonblocking`.
 *
 * @module
 */

/** Symbols of `bits_files.h`. */
export const filesSymbols = {} as const satisfies Deno.ForeignLibraryInterface;

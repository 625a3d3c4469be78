/**
 * Symbols of `bits_inspection.h`, merged into the one table of {@link ./symbols.ts}.
 * Same conventions: every function returns an HRESULT; calls that reach the
 * BITS service are `nonblocking`.
 *
 * @module
 */

/** Symbols of `bits_inspection.h`. */
export const inspectionSymbols = {} as const satisfies Deno.ForeignLibraryInterface;

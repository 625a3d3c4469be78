/**
 * BITS' times: FILETIMEs, 100 ns intervals since 1601-01-01 UTC.
 *
 * @module
 */

// The Unix epoch in FILETIME units.
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;

/** A FILETIME as a `Date`; `null` for 0 (BITS' "never"). */
export function dateFromFiletime(filetime: bigint): Date | null {
  if (filetime === 0n) return null;
  return new Date(Number((filetime - FILETIME_UNIX_EPOCH) / 10_000n));
}

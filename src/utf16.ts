/**
 * UTF-16LE encoding and decoding for strings that cross into Windows APIs.
 *
 * JavaScript strings already are sequences of UTF-16 code units, so encoding
 * copies code units one for one: surrogate pairs (non-BMP characters) and even
 * unpaired surrogates survive unchanged, which TextEncoder-based tricks do not.
 *
 * @module
 */

/** An encoded string: code units plus a terminating NUL, and its length. */
export interface Utf16String {
  /** The code units followed by one NUL; pass it as an FFI `buffer`. */
  readonly buffer: Uint16Array;
  /** Length in code units, NUL excluded. */
  readonly length: number;
}

/**
 * Encodes `text` as NUL-terminated UTF-16LE.
 *
 * @throws {TypeError} when `text` contains a NUL character, which Windows
 * would silently treat as the end of the string.
 */
export function encodeUtf16(text: string): Utf16String {
  const buffer = new Uint16Array(text.length + 1);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) {
      throw new TypeError(
        `String contains a NUL character at index ${i}: ${JSON.stringify(text.slice(0, 40))}`,
      );
    }
    buffer[i] = unit;
  }
  return { buffer, length: text.length };
}

// String.fromCharCode.apply takes its arguments on the stack; chunking keeps
// long strings well below any engine's argument limit.
const DECODE_CHUNK = 8192;

/**
 * Decodes `length` UTF-16LE code units starting at `byteOffset` of `bytes`.
 *
 * Exact: unpaired surrogates are kept as they are (TextDecoder would replace
 * them with U+FFFD), so odd Windows file names round-trip.
 */
export function decodeUtf16(
  bytes: Uint8Array,
  byteOffset: number,
  length: number,
): string {
  if (length === 0) return "";
  const start = bytes.byteOffset + byteOffset;
  if (byteOffset < 0 || byteOffset + length * 2 > bytes.byteLength) {
    throw new RangeError(
      `UTF-16 string of ${length} units at byte ${byteOffset} overruns a ${bytes.byteLength}-byte buffer`,
    );
  }
  // Uint16Array needs 2-byte alignment; copy when the data is not aligned.
  const units = start % 2 === 0
    ? new Uint16Array(bytes.buffer, start, length)
    : new Uint16Array(bytes.slice(byteOffset, byteOffset + length * 2).buffer);
  let out = "";
  for (let i = 0; i < length; i += DECODE_CHUNK) {
    out += String.fromCharCode.apply(
      null,
      units.subarray(i, Math.min(length, i + DECODE_CHUNK)) as unknown as number[],
    );
  }
  return out;
}

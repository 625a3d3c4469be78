/**
 * GUIDs in Windows' in-memory layout (Data1 u32 LE, Data2 u16 LE, Data3 u16 LE,
 * Data4 8 bytes) and their canonical text form, as BITS names jobs with them.
 *
 * @module
 */

// Both braces or neither.
const GUID_PATTERN =
  /^(?=\{.*\}$|[^{].*[^}]$)\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/** True when `text` is a GUID, with or without braces. */
export function isGuid(text: string): boolean {
  return GUID_PATTERN.test(text.trim());
}

/**
 * Parses `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` (braces optional, any case)
 * into the 16-byte Windows layout.
 *
 * @throws {TypeError} when `text` is not a GUID.
 */
export function parseGuid(text: string): Uint8Array {
  const match = GUID_PATTERN.exec(text.trim());
  if (!match) throw new TypeError(`Not a GUID: ${JSON.stringify(text)}`);
  const [, d1, d2, d3, d4a, d4b] = match;
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, parseInt(d1, 16), true);
  view.setUint16(4, parseInt(d2, 16), true);
  view.setUint16(6, parseInt(d3, 16), true);
  const tail = d4a + d4b;
  for (let i = 0; i < 8; i++) bytes[8 + i] = parseInt(tail.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

const hex = (value: number, digits: number): string => value.toString(16).padStart(digits, "0");

/**
 * Formats 16 bytes in Windows layout as `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`,
 * upper case with braces, as bitsadmin and PowerShell print job ids.
 */
export function formatGuid(bytes: Uint8Array, offset = 0): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 16);
  let tail = "";
  for (let i = 8; i < 16; i++) tail += hex(view.getUint8(i), 2);
  return `{${hex(view.getUint32(0, true), 8)}-${hex(view.getUint16(4, true), 4)}-${hex(view.getUint16(6, true), 4)}-${
    tail.slice(0, 4)
  }-${tail.slice(4)}}`.toUpperCase();
}

/** Normalises any accepted GUID spelling to the canonical braced upper-case form. */
export function normalizeGuid(text: string): string {
  return formatGuid(parseGuid(text));
}

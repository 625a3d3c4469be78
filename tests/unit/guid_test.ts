// Unit tests of src/guid.ts: GUID text <-> Windows in-memory layout.
//
// Permissions: none.

import assert from "node:assert/strict";
import { formatGuid, isGuid, normalizeGuid, parseGuid } from "../../src/guid.ts";

const KNOWN = "{4991D34B-80A1-4291-83B6-3328366B9097}";
// Data1 0x4991D34B LE, Data2 0x80A1 LE, Data3 0x4291 LE, Data4 in order.
const KNOWN_BYTES = [0x4B, 0xD3, 0x91, 0x49, 0xA1, 0x80, 0x91, 0x42, 0x83, 0xB6, 0x33, 0x28, 0x36, 0x6B, 0x90, 0x97];

Deno.test("guid: parseGuid produces Windows' layout (Data1-3 little-endian, Data4 in order)", () => {
  assert.deepEqual([...parseGuid(KNOWN)], KNOWN_BYTES);
  assert.deepEqual(
    [...parseGuid("{00112233-4455-6677-8899-AABBCCDDEEFF}")],
    [0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF],
  );
});

Deno.test("guid: formatGuid reads Windows' layout and prints braced upper case", () => {
  assert.equal(formatGuid(Uint8Array.from(KNOWN_BYTES)), KNOWN);
  assert.equal(formatGuid(new Uint8Array(16)), "{00000000-0000-0000-0000-000000000000}");
  assert.equal(formatGuid(new Uint8Array(16).fill(0xFF)), "{FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF}");
  // Small values keep their leading zeros in every group.
  const small = new Uint8Array(16);
  small[0] = 1;
  small[4] = 2;
  small[6] = 3;
  small[8] = 4;
  small[15] = 5;
  assert.equal(formatGuid(small), "{00000001-0002-0003-0400-000000000005}");
});

Deno.test("guid: formatGuid honours the offset and the view's own byteOffset", () => {
  const buffer = new Uint8Array(48).fill(0xEE);
  buffer.set(KNOWN_BYTES, 8);
  assert.equal(formatGuid(buffer, 8), KNOWN);
  assert.equal(formatGuid(buffer.subarray(5), 3), KNOWN);
  assert.equal(formatGuid(buffer.subarray(8, 24)), KNOWN);
});

Deno.test("guid: parse and format round-trip", () => {
  for (
    const text of [
      KNOWN,
      "{00000000-0000-0000-0000-000000000000}",
      "{FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF}",
      "{0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}",
      "{80000000-8000-8000-8000-800000000000}",
    ]
  ) {
    assert.equal(formatGuid(parseGuid(text)), text);
  }
  let seed = 7;
  for (let n = 0; n < 50; n++) {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    assert.deepEqual(parseGuid(formatGuid(bytes)), bytes);
  }
});

Deno.test("guid: braces are optional and case does not matter", () => {
  for (
    const text of [
      "4991D34B-80A1-4291-83B6-3328366B9097",
      "{4991d34b-80a1-4291-83b6-3328366b9097}",
      "4991d34b-80a1-4291-83B6-3328366b9097",
      "  {4991D34B-80A1-4291-83B6-3328366B9097}\n",
    ]
  ) {
    assert.deepEqual([...parseGuid(text)], KNOWN_BYTES, text);
  }
  assert.ok(isGuid(KNOWN));
  assert.ok(isGuid("4991d34b-80a1-4291-83b6-3328366b9097"));
});

Deno.test("guid: invalid strings throw TypeError and are not GUIDs", () => {
  for (
    const text of [
      "",
      "not a guid",
      "4991D34B80A1429183B63328366B9097",
      "{4991D34B-80A1-4291-83B6-3328366B909}",
      "{4991D34B-80A1-4291-83B6-3328366B90977}",
      "{4991D34B-80A1-4291-83B6_3328366B9097}",
      "{4991D34G-80A1-4291-83B6-3328366B9097}",
      "(4991D34B-80A1-4291-83B6-3328366B9097)",
      "{{4991D34B-80A1-4291-83B6-3328366B9097}}",
      "{4991D34B-80A1-4291-83B6-3328366B9097}x",
      "{4991D34B-80A-14291-83B6-3328366B9097}",
    ]
  ) {
    assert.throws(() => parseGuid(text), TypeError, text);
    assert.equal(isGuid(text), false, text);
  }
});

Deno.test({
  name: "guid: unbalanced braces are refused",
  fn(): void {
    for (const text of ["{4991D34B-80A1-4291-83B6-3328366B9097", "4991D34B-80A1-4291-83B6-3328366B9097}"]) {
      assert.throws(() => parseGuid(text), TypeError, text);
      assert.equal(isGuid(text), false, text);
    }
  },
});

Deno.test("guid: normalizeGuid returns the braced upper-case form", () => {
  assert.equal(normalizeGuid("4991d34b-80a1-4291-83b6-3328366b9097"), KNOWN);
  assert.equal(normalizeGuid("{4991d34b-80a1-4291-83b6-3328366b9097}"), KNOWN);
  assert.equal(normalizeGuid(KNOWN), KNOWN);
  assert.throws(() => normalizeGuid("4991d34b"), TypeError);
});

// Unit tests of src/utf16.ts: exact UTF-16LE encoding and decoding.
//
// Permissions: none.

import assert from "node:assert/strict";
import { decodeUtf16, encodeUtf16 } from "../../src/utf16.ts";

/** The bytes of a Uint16Array as a Uint8Array over the same memory. */
function bytesOf(units: Uint16Array): Uint8Array {
  return new Uint8Array(units.buffer, units.byteOffset, units.byteLength);
}

/** Writes `text`'s code units little-endian at `offset` of a fresh buffer of `size` bytes. */
function writeLe(text: string, offset: number, size = offset + text.length * 2): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(offset + i * 2, text.charCodeAt(i), true);
  return bytes;
}

/** Encodes `text`, checks the encoding's shape, decodes it back and checks equality. */
function assertRoundTrip(text: string): void {
  const encoded = encodeUtf16(text);
  assert.equal(encoded.length, text.length, "length counts code units");
  assert.equal(encoded.buffer.length, text.length + 1, "one NUL after the code units");
  assert.equal(encoded.buffer[text.length], 0, "NUL terminator present");
  const view = new DataView(encoded.buffer.buffer, encoded.buffer.byteOffset, encoded.buffer.byteLength);
  for (let i = 0; i < text.length; i++) {
    assert.equal(view.getUint16(i * 2, true), text.charCodeAt(i), `code unit ${i} is little-endian and unchanged`);
  }
  assert.equal(decodeUtf16(bytesOf(encoded.buffer), 0, encoded.length), text);
}

/** mulberry32: a tiny deterministic PRNG (same sequence on every run). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("utf16: ASCII round-trips with little-endian units and a NUL terminator", () => {
  assertRoundTrip("hello, world");
  const encoded = encodeUtf16("AB");
  assert.deepEqual([...bytesOf(encoded.buffer)], [0x41, 0x00, 0x42, 0x00, 0x00, 0x00]);
});

Deno.test("utf16: the empty string encodes to a lone NUL and decodes to the empty string", () => {
  const encoded = encodeUtf16("");
  assert.equal(encoded.length, 0);
  assert.deepEqual([...encoded.buffer], [0]);
  assert.equal(decodeUtf16(bytesOf(encoded.buffer), 0, 0), "");
});

Deno.test("utf16: BMP text round-trips (Latin, CJK, Arabic RTL)", () => {
  assertRoundTrip("é");
  assertRoundTrip("café crème");
  assertRoundTrip("中文");
  assertRoundTrip("مرحبا");
  assertRoundTrip("C:\\Users\\مرحبا\\中文\\é.txt");
  assert.deepEqual([...encodeUtf16("中文").buffer], [0x4E2D, 0x6587, 0]);
  assert.deepEqual([...encodeUtf16("مرحبا").buffer], [0x0645, 0x0631, 0x062D, 0x0628, 0x0627, 0]);
});

Deno.test("utf16: non-BMP characters keep their surrogate pairs and count two units", () => {
  const music = encodeUtf16("🎵");
  assert.equal(music.length, 2);
  assert.deepEqual([...music.buffer], [0xD83C, 0xDFB5, 0]);
  const clef = encodeUtf16("𝄞");
  assert.equal(clef.length, 2);
  assert.deepEqual([...clef.buffer], [0xD834, 0xDD1E, 0]);
  assertRoundTrip("🎵𝄞");
  assertRoundTrip("a🎵b𝄞c");
  assert.equal(decodeUtf16(writeLe("🎵", 0), 0, 2).codePointAt(0), 0x1F3B5);
});

Deno.test("utf16: unpaired surrogates are preserved exactly, never replaced by U+FFFD", () => {
  for (const text of ["\uD800", "\uDC00", "a\uD83Cb", "x\uDFB5", "\uDFFF\uD800", "\uD834\uD834\uDD1E", "🎵\uDC00"]) {
    assertRoundTrip(text);
    const decoded = decodeUtf16(writeLe(text, 0), 0, text.length);
    assert.ok(!decoded.includes("\uFFFD"), `no U+FFFD in ${JSON.stringify(text)}`);
    assert.equal(decoded.length, text.length);
    assert.equal(decoded, text);
  }
});

Deno.test("utf16: encode rejects an embedded NUL with a TypeError", () => {
  assert.throws(() => encodeUtf16("a\0b"), TypeError);
  assert.throws(() => encodeUtf16("\0"), TypeError);
  assert.throws(() => encodeUtf16("abc\0"), TypeError);
  assert.throws(() => encodeUtf16("C:\\a\0.exe"), /index 4/);
});

Deno.test("utf16: decode reads at an odd byte offset (unaligned data)", () => {
  const text = "odd 🎵 مرحبا \uD800";
  assert.equal(decodeUtf16(writeLe(text, 1), 1, text.length), text);
  assert.equal(decodeUtf16(writeLe(text, 3, 3 + text.length * 2 + 5), 3, text.length), text);
  // A view whose own byteOffset is odd: offset 0 of the view is unaligned in the buffer.
  const whole = writeLe(text, 1);
  const view = whole.subarray(1);
  assert.equal(view.byteOffset % 2, 1);
  assert.equal(decodeUtf16(view, 0, text.length), text);
});

Deno.test("utf16: decode offsets are relative to the view, not its underlying buffer", () => {
  const text = "view";
  const whole = writeLe(text, 10, 40);
  whole.fill(0x41, 0, 10); // junk before the string: must not be read
  const view = whole.subarray(4);
  assert.equal(decodeUtf16(view, 6, text.length), text);
});

Deno.test("utf16: decode of a string longer than 8192 units (chunked) is exact", () => {
  let text = "";
  for (let i = 0; i < 20_000; i++) text += String.fromCharCode(0x20 + (i * 7919) % 0xD000);
  assert.equal(decodeUtf16(writeLe(text, 0), 0, text.length), text);
  assert.equal(decodeUtf16(writeLe(text, 1), 1, text.length), text);
  // A surrogate pair straddling the chunk boundary (units 8191 and 8192) survives.
  const straddle = "x".repeat(8191) + "🎵" + "y".repeat(10);
  assert.equal(straddle.charCodeAt(8191), 0xD83C);
  assert.equal(straddle.charCodeAt(8192), 0xDFB5);
  assert.equal(decodeUtf16(writeLe(straddle, 0), 0, straddle.length), straddle);
  for (const n of [8191, 8192, 8193, 16384, 16385]) {
    const s = "é".repeat(n);
    assert.equal(decodeUtf16(writeLe(s, 0), 0, n), s, `length ${n}`);
  }
});

Deno.test("utf16: decode throws RangeError when the string overruns the buffer", () => {
  const bytes = new Uint8Array(10);
  assert.equal(decodeUtf16(bytes, 0, 5), "\0\0\0\0\0", "exactly filling the buffer is fine");
  assert.equal(decodeUtf16(bytes, 8, 1), "\0");
  assert.throws(() => decodeUtf16(bytes, 0, 6), RangeError);
  assert.throws(() => decodeUtf16(bytes, 9, 1), RangeError);
  assert.throws(() => decodeUtf16(bytes, 10, 1), RangeError);
  assert.throws(() => decodeUtf16(bytes, -2, 1), RangeError);
  // The bound is the view's length, not the underlying buffer's.
  assert.throws(() => decodeUtf16(new Uint8Array(new ArrayBuffer(64), 0, 4), 0, 3), RangeError);
});

Deno.test("utf16: 500 random strings of random code units round-trip exactly (seeded)", () => {
  const random = prng(0xB175);
  let surrogates = 0;
  for (let n = 0; n < 500; n++) {
    const length = Math.floor(random() * 80);
    const units: number[] = [];
    for (let i = 0; i < length; i++) {
      // Bias towards surrogates so unpaired and paired ones both occur often.
      const unit = random() < 0.3 ? 0xD800 + Math.floor(random() * 0x800) : 1 + Math.floor(random() * 0xFFFF);
      if (unit >= 0xD800 && unit <= 0xDFFF) surrogates++;
      units.push(unit);
    }
    const text = String.fromCharCode(...units);
    assertRoundTrip(text);
    const offset = Math.floor(random() * 4); // both aligned and unaligned
    assert.equal(decodeUtf16(writeLe(text, offset, offset + length * 2 + 3), offset, length), text);
  }
  assert.ok(surrogates > 1000, "the generator produced surrogates");
});

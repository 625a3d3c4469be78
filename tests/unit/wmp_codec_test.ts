// Unit tests of src/wmp/codec.ts: building, reading and checking Windows Media
// Player BITS Job Convention descriptions (docs/wmp-convention.md).
//
// Permissions: none.

import assert from "node:assert/strict";
import {
  formatWmpDescription,
  hasWmpMediaExtension,
  isWmpDescription,
  MAX_WMP_DESCRIPTION,
  newServiceId,
  parseWmpDescription,
  ratingToStars,
  starsToRating,
  WMP_MEDIA_EXTENSIONS,
  WMP_RATINGS,
  WmpConventionError,
  type WmpKind,
  wmpKindOf,
  type WmpMetadata,
  type WmpSanitizeChange,
} from "../../src/wmp/codec.ts";

const EXAMPLE: WmpMetadata = {
  serviceId: 305419896,
  provider: "Proseware",
  albumArtist: "Example Artist",
  albumTitle: "Example Album",
  trackNumber: 3,
  title: "Example Track",
  duration: 245,
  rating: 75,
};
const EXAMPLE_STRING = "::WMP_JOB:1:305419896:Proseware:Example Artist:Example Album:3:Example Track:245:75";
const TEXT_FIELDS = ["provider", "albumArtist", "albumTitle", "title"] as const;
const KINDS: readonly WmpKind[] = ["job", "status"];

/** Asserts that `fn` throws a WmpConventionError about `field` (and matching `message`). */
function assertBroken(fn: () => unknown, field: string, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof WmpConventionError, `expected WmpConventionError, got ${error}`);
    assert.ok(error instanceof Error);
    assert.equal(error.name, "WmpConventionError");
    assert.equal(error.field, field, `wrong field in: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** Formats `meta`, parses the result and asserts it comes back identical. */
function assertRoundTrip(meta: WmpMetadata, kind: WmpKind): string {
  const description = formatWmpDescription(meta, { kind });
  assert.ok(description.length <= MAX_WMP_DESCRIPTION);
  assert.deepEqual(parseWmpDescription(description), { ...meta, kind });
  return description;
}

/** The example's string with token `index` (0-based, after splitting on ":") replaced. */
function withToken(index: number, token: string, base = EXAMPLE_STRING): string {
  const tokens = base.split(":");
  tokens[index] = token;
  return tokens.join(":");
}

// ── formatting ──────────────────────────────────────────────────────────────

Deno.test("wmp codec: the illustrative example is written exactly as the reference shows", () => {
  assert.equal(formatWmpDescription(EXAMPLE), EXAMPLE_STRING);
  assert.equal(formatWmpDescription(EXAMPLE, { kind: "job" }), EXAMPLE_STRING);
  assert.equal(
    formatWmpDescription(EXAMPLE, { kind: "status" }),
    "::WMP_STATUS:1:305419896:Proseware:Example Artist:Example Album:3:Example Track:245:75",
  );
  assert.deepEqual(parseWmpDescription(EXAMPLE_STRING), { ...EXAMPLE, kind: "job" });
});

Deno.test("wmp codec: constants match the convention", () => {
  assert.equal(MAX_WMP_DESCRIPTION, 1024);
  assert.deepEqual(WMP_RATINGS, [0, 1, 25, 50, 75, 99]);
  assert.deepEqual(WMP_MEDIA_EXTENSIONS, [".wma", ".wmv", ".mp3", ".asf"]);
});

Deno.test("wmp codec: all eight fields are written, empty text fields other than provider included", () => {
  const meta = { ...EXAMPLE, albumArtist: "", albumTitle: "", title: "" };
  assert.equal(formatWmpDescription(meta), "::WMP_JOB:1:305419896:Proseware:::3::245:75");
  assert.equal(formatWmpDescription(meta).split(":").length, 12);
  assertRoundTrip(meta, "job");
});

Deno.test("wmp codec: text is written as given, spaces included", () => {
  const meta = { ...EXAMPLE, albumArtist: "  spaced  ", title: " " };
  const description = assertRoundTrip(meta, "status");
  assert.ok(description.includes(":  spaced  :"));
});

Deno.test("wmp codec: an empty provider is refused", () => {
  assertBroken(() => formatWmpDescription({ ...EXAMPLE, provider: "" }), "provider", /must not be empty/);
  assertBroken(() => formatWmpDescription({ ...EXAMPLE, provider: "" }, { sanitize: true }), "provider");
});

Deno.test("wmp codec: a description of exactly 1,024 characters is accepted, 1,025 refused", () => {
  for (const kind of KINDS) {
    const base = formatWmpDescription({ ...EXAMPLE, title: "" }, { kind }).length;
    const exact = { ...EXAMPLE, title: "t".repeat(MAX_WMP_DESCRIPTION - base) };
    assert.equal(assertRoundTrip(exact, kind).length, 1024);
    const over = { ...EXAMPLE, title: "t".repeat(MAX_WMP_DESCRIPTION - base + 1) };
    assertBroken(
      () => formatWmpDescription(over, { kind }),
      "description",
      /is 1,025 characters, 1 over the 1,024 limit.*longest field: title, \d+ characters/,
    );
  }
});

Deno.test("wmp codec: the length limit counts UTF-16 code units (a non-BMP character counts 2)", () => {
  const base = formatWmpDescription({ ...EXAMPLE, albumTitle: "" }).length;
  const fits = { ...EXAMPLE, albumTitle: "a".repeat(MAX_WMP_DESCRIPTION - base - 2) + "🎵" };
  assert.equal(assertRoundTrip(fits, "job").length, 1024);
  const over = { ...EXAMPLE, albumTitle: "a".repeat(MAX_WMP_DESCRIPTION - base - 1) + "🎵" };
  assertBroken(() => formatWmpDescription(over), "description", /1,025 characters, 1 over.*albumTitle/);
});

Deno.test("wmp codec: the length error says by how much the string is over", () => {
  const base = formatWmpDescription({ ...EXAMPLE, provider: "p" }).length;
  const over = { ...EXAMPLE, provider: "p".repeat(MAX_WMP_DESCRIPTION - base + 7) };
  assertBroken(() => formatWmpDescription(over), "description", /is 1,030 characters, 6 over the 1,024 limit/);
  assertBroken(
    () => formatWmpDescription({ ...EXAMPLE, provider: "p".repeat(5000) }),
    "description",
    /over the 1,024 limit.*provider, 5,000 characters/,
  );
});

Deno.test("wmp codec: ':' in any text field is refused, naming the field", () => {
  for (const field of TEXT_FIELDS) {
    for (const value of [":", "a:b", "trailing:", ":leading", "two::colons"]) {
      assertBroken(
        () => formatWmpDescription({ ...EXAMPLE, [field]: value }),
        field,
        new RegExp(`^${field} contains ":" at index \\d+.*sanitize`),
      );
    }
  }
  assertBroken(() => formatWmpDescription({ ...EXAMPLE, title: "Live: 1999" }), "title", /index 4 in "Live: 1999"/);
});

Deno.test("wmp codec: with sanitize, ':' becomes U+FF1A and each change is reported", () => {
  for (const field of TEXT_FIELDS) {
    const reports: WmpSanitizeChange[][] = [];
    const meta = { ...EXAMPLE, [field]: "a:b::c" };
    const description = formatWmpDescription(meta, { sanitize: true, onSanitize: (c) => reports.push(c) });
    assert.deepEqual(reports, [[{ field, before: "a:b::c", after: "a\uff1ab\uff1a\uff1ac" }]]);
    assert.deepEqual(parseWmpDescription(description), { ...meta, [field]: "a：b：：c", kind: "job" });
  }
});

Deno.test("wmp codec: sanitize reports every changed field at once, and only when something changed", () => {
  const reports: WmpSanitizeChange[][] = [];
  const onSanitize = (changes: WmpSanitizeChange[]): number => reports.push(changes);
  const meta = { ...EXAMPLE, albumTitle: "Vol: 1", title: "Intro: Part 2" };
  assert.equal(
    formatWmpDescription(meta, { sanitize: true, onSanitize }),
    "::WMP_JOB:1:305419896:Proseware:Example Artist:Vol： 1:3:Intro： Part 2:245:75",
  );
  assert.deepEqual(reports, [[
    { field: "albumTitle", before: "Vol: 1", after: "Vol： 1" },
    { field: "title", before: "Intro: Part 2", after: "Intro： Part 2" },
  ]]);
  // Nothing to change: no call, and the output is the unsanitized one.
  assert.equal(formatWmpDescription(EXAMPLE, { sanitize: true, onSanitize }), EXAMPLE_STRING);
  assert.equal(reports.length, 1);
  // Sanitizing without a callback still works.
  assert.ok(formatWmpDescription(meta, { sanitize: true }).includes("Vol： 1"));
  // A string that ends up too long is not reported as written.
  const long = { ...meta, title: "x:".repeat(600) };
  assertBroken(() => formatWmpDescription(long, { sanitize: true, onSanitize }), "description");
  assert.equal(reports.length, 1);
});

Deno.test("wmp codec: control characters are refused in every text field, even with sanitize", () => {
  for (const field of TEXT_FIELDS) {
    for (
      const [char, code] of [["\n", "000a"], ["\r", "000d"], ["\u0000", "0000"], ["\u007f", "007f"], ["\t", "0009"]]
    ) {
      for (const sanitize of [false, true]) {
        assertBroken(
          () => formatWmpDescription({ ...EXAMPLE, [field]: `ab${char}c:d` }, { sanitize }),
          field,
          new RegExp(`control character U\\+${code} at index 2`),
        );
      }
    }
  }
  assertBroken(() => formatWmpDescription({ ...EXAMPLE, title: "\u001f" }), "title", /U\+001f/);
});

Deno.test("wmp codec: each writable rating is accepted; other values are refused", () => {
  for (const rating of WMP_RATINGS) {
    assert.ok(formatWmpDescription({ ...EXAMPLE, rating }).endsWith(`:245:${rating}`));
    assertRoundTrip({ ...EXAMPLE, rating }, "job");
  }
  for (const rating of [2, 24, 100, -1, 1.5, NaN, Infinity]) {
    assertBroken(
      () => formatWmpDescription({ ...EXAMPLE, rating }),
      "rating",
      /one of 0, 1, 25, 50, 75, 99.*got -?\w/,
    );
  }
});

Deno.test("wmp codec: serviceId must be an integer from 1 to 2^31-1", () => {
  assert.ok(formatWmpDescription({ ...EXAMPLE, serviceId: 1 }).startsWith("::WMP_JOB:1:1:Proseware:"));
  assert.ok(formatWmpDescription({ ...EXAMPLE, serviceId: 2 ** 31 - 1 }).startsWith("::WMP_JOB:1:2147483647:"));
  assertRoundTrip({ ...EXAMPLE, serviceId: 2 ** 31 - 1 }, "job");
  for (const serviceId of [0, 2 ** 31, 2 ** 32 - 1, -1, 1.5, NaN, Infinity]) {
    assertBroken(
      () => formatWmpDescription({ ...EXAMPLE, serviceId }),
      "serviceId",
      new RegExp(`from 1 to 2,147,483,647, got ${serviceId}$`),
    );
  }
});

Deno.test("wmp codec: trackNumber must be an integer of at least 1", () => {
  assert.ok(formatWmpDescription({ ...EXAMPLE, trackNumber: 1 }).includes(":Example Album:1:Example Track:"));
  assertRoundTrip({ ...EXAMPLE, trackNumber: Number.MAX_SAFE_INTEGER }, "job");
  for (const trackNumber of [0, -1, 1.5, NaN, 2 ** 53]) {
    assertBroken(() => formatWmpDescription({ ...EXAMPLE, trackNumber }), "trackNumber", /integer ≥ 1, got/);
  }
});

Deno.test("wmp codec: duration must be whole seconds of at least 0", () => {
  assert.ok(formatWmpDescription({ ...EXAMPLE, duration: 0 }).endsWith(":Example Track:0:75"));
  assertRoundTrip({ ...EXAMPLE, duration: 0 }, "status");
  for (const duration of [-1, 1.5, NaN, 1e21]) {
    assertBroken(() => formatWmpDescription({ ...EXAMPLE, duration }), "duration", /whole seconds ≥ 0, got/);
  }
});

Deno.test("wmp codec: values of the wrong type are refused, naming the field", () => {
  const cases: [string, unknown][] = [
    ["serviceId", "305419896"],
    ["provider", undefined],
    ["albumArtist", 42],
    ["albumTitle", null],
    ["trackNumber", "3"],
    ["title", undefined],
    ["duration", 245n],
    ["rating", "75"],
  ];
  for (const [field, value] of cases) {
    assertBroken(() => formatWmpDescription({ ...EXAMPLE, [field]: value } as unknown as WmpMetadata), field);
  }
  assertBroken(() => formatWmpDescription(EXAMPLE, { kind: "other" as WmpKind }), "kind", /"job" or "status"/);
});

Deno.test("wmp codec: the first bad field in string order is the one reported", () => {
  const meta = { ...EXAMPLE, serviceId: 0, title: "a:b", rating: 3 };
  assertBroken(() => formatWmpDescription(meta), "serviceId");
  assertBroken(() => formatWmpDescription({ ...meta, serviceId: 1 }), "title");
  assertBroken(() => formatWmpDescription({ ...meta, serviceId: 1, title: "" }), "rating");
});

Deno.test("wmp codec: long values are shortened in error messages", () => {
  const title = "x".repeat(500) + ":";
  assert.throws(() => formatWmpDescription({ ...EXAMPLE, title }), (error: unknown) => {
    assert.ok(error instanceof WmpConventionError);
    assert.match(error.message, /index 500 in "x{60}"… \(501 characters\)/);
    return true;
  });
});

Deno.test("wmp codec: Unicode text round-trips unchanged", () => {
  const samples = [
    "🎵🎶 non-BMP 𝄞",
    "مرحبا بالعالم",
    "שלום עולם",
    "e\u0301 a\u0308 combining",
    "中文歌曲 日本語 한국어",
    "\u200f\u202e bidi controls",
    "fullwidth ： already",
  ];
  for (const value of samples) {
    for (const field of TEXT_FIELDS) assertRoundTrip({ ...EXAMPLE, [field]: value }, "job");
  }
  const all = { ...EXAMPLE, provider: samples[0], albumArtist: samples[1], albumTitle: samples[2], title: samples[3] };
  for (const kind of KINDS) assertRoundTrip(all, kind);
});

// ── parsing ─────────────────────────────────────────────────────────────────

Deno.test("wmp codec: the tag is matched in any case", () => {
  const job = "::wmp_job:1:7:Proseware:A:B:1:T:0:0";
  assert.deepEqual(parseWmpDescription(job), {
    kind: "job",
    serviceId: 7,
    provider: "Proseware",
    albumArtist: "A",
    albumTitle: "B",
    trackNumber: 1,
    title: "T",
    duration: 0,
    rating: 0,
  });
  assert.equal(parseWmpDescription("::Wmp_Status:1:7:Proseware:A:B:1:T:0:0")?.kind, "status");
  assert.equal(parseWmpDescription("::WMP_STATUS:1:7:Proseware:A:B:1:T:0:0")?.kind, "status");
  assert.equal(parseWmpDescription("::wMp_JoB:1:7:Proseware:A:B:1:T:0:0")?.kind, "job");
});

Deno.test("wmp codec: strings that are not WMP descriptions give null", () => {
  const others = [
    "",
    "hello",
    ":WMP_JOB:1",
    " ::WMP_JOB:1:1:P:A:B:1:T:0:0",
    "::WMP_JOB",
    "::WMP_JOBS:1:1:P:A:B:1:T:0:0",
    "::WMP_JOB 1:1:P:A:B:1:T:0:0",
    ":::WMP_JOB:1:1:P:A:B:1:T:0:0",
    "WMP_JOB:1:1:P:A:B:1:T:0:0",
    "::WMP_DOWNLOAD:1:1:P:A:B:1:T:0:0",
    "Nightly backup",
  ];
  for (const description of others) {
    assert.equal(parseWmpDescription(description), null, description);
    assert.equal(isWmpDescription(description), false, description);
    assert.equal(wmpKindOf(description), null, description);
  }
});

Deno.test("wmp codec: isWmpDescription and wmpKindOf look only at the tag", () => {
  const claims: [string, WmpKind][] = [
    ["::WMP_JOB:", "job"],
    ["::wmp_job:2", "job"],
    ["::WMP_JOB:garbage", "job"],
    ["::WMP_STATUS:1:x", "status"],
    ["::Wmp_Status:", "status"],
    [EXAMPLE_STRING, "job"],
  ];
  for (const [description, kind] of claims) {
    assert.equal(isWmpDescription(description), true, description);
    assert.equal(wmpKindOf(description), kind, description);
  }
});

Deno.test("wmp codec: a version other than 1 is reported as unknown", () => {
  for (const version of ["2", "0", "01", "1.0", "", "v1"]) {
    assertBroken(
      () => parseWmpDescription(withToken(3, version)),
      "version",
      new RegExp(`unknown WMP convention version ${JSON.stringify(version).replace(".", "\\.")}`),
    );
  }
  // The version is checked before the field count (another version may have other fields).
  assertBroken(() => parseWmpDescription("::WMP_JOB:2:1:2:3"), "version");
  assertBroken(() => parseWmpDescription("::WMP_JOB:"), "version");
  assertBroken(() => parseWmpDescription("::WMP_STATUS:"), "version");
});

Deno.test("wmp codec: other than 12 tokens is refused, saying how many fields were found", () => {
  const eleven = "::WMP_JOB:1:305419896:Proseware:Example Artist:Example Album:3:Example Track:245";
  assertBroken(() => parseWmpDescription(eleven), "description", /7 fields after the version, expected 8 \(11 /);
  const thirteen = "::WMP_JOB:1:305419896:Proseware:Example Artist:Example Album:3:Live: Track:245:75";
  assertBroken(() => parseWmpDescription(thirteen), "description", /9 fields after the version, expected 8 \(13 /);
  assertBroken(() => parseWmpDescription("::WMP_JOB:1"), "description", /0 fields/);
  assertBroken(() => parseWmpDescription("::WMP_JOB:1:"), "description", /1 fields/);
  assertBroken(() => parseWmpDescription(EXAMPLE_STRING + ":"), "description", /9 fields/);
});

Deno.test("wmp codec: serviceId must be plain digits for 1 to 2^32-1", () => {
  for (const token of ["abc", "+5", "-5", "0", "00", "4294967296", "", " 5", "5 ", "1e3", "0x10", "1.0", "١٢"]) {
    assertBroken(
      () => parseWmpDescription(withToken(4, token)),
      "serviceId",
      new RegExp(`decimal digits for 1 to 4,294,967,295, got ${JSON.stringify(token).replace(/[+.]/g, "\\$&")}$`),
    );
  }
  assert.equal(parseWmpDescription(withToken(4, "1"))?.serviceId, 1);
  assert.equal(parseWmpDescription(withToken(4, "0005"))?.serviceId, 5);
  assert.equal(parseWmpDescription(withToken(4, "2147483647"))?.serviceId, 2 ** 31 - 1);
  // Above 2^31-1: accepted by the reader, though the writer would refuse it.
  assert.equal(parseWmpDescription(withToken(4, "2147483648"))?.serviceId, 2 ** 31);
  assert.equal(parseWmpDescription(withToken(4, "4294967295"))?.serviceId, 2 ** 32 - 1);
});

Deno.test("wmp codec: trackNumber, duration and rating must be plain digits in range", () => {
  for (const token of ["0", "000", "", "-1", "+1", "1.5", "x", "99999999999999999999"]) {
    assertBroken(() => parseWmpDescription(withToken(8, token)), "trackNumber", /decimal digits for at least 1/);
  }
  for (const token of ["", "-1", "+0", "1.5", "1e3", " 0", "99999999999999999999"]) {
    assertBroken(() => parseWmpDescription(withToken(10, token)), "duration", /decimal digits for 0 or more seconds/);
  }
  for (const token of ["100", "999", "", "-1", "+1", "7.5", "x"]) {
    assertBroken(() => parseWmpDescription(withToken(11, token)), "rating", /decimal digits for 0 to 99/);
  }
  assert.equal(parseWmpDescription(withToken(8, "007"))?.trackNumber, 7);
  assert.equal(parseWmpDescription(withToken(10, "0"))?.duration, 0);
  assert.equal(parseWmpDescription(withToken(10, "000245"))?.duration, 245);
});

Deno.test("wmp codec: the reader accepts any 0-99 rating, not just the six written values", () => {
  for (let rating = 0; rating <= 99; rating++) {
    assert.equal(parseWmpDescription(withToken(11, String(rating)))?.rating, rating);
  }
  assert.equal(parseWmpDescription(withToken(11, "099"))?.rating, 99);
});

Deno.test("wmp codec: an empty provider is refused by the reader too", () => {
  assertBroken(() => parseWmpDescription(withToken(5, "")), "provider", /empty/);
});

Deno.test("wmp codec: the reader keeps text exactly, including what the writer would refuse", () => {
  const parsed = parseWmpDescription("::WMP_JOB:1:1: Proseware :  :\tTab\r\n:1:\u0000:0:0");
  assert.deepEqual(parsed, {
    kind: "job",
    serviceId: 1,
    provider: " Proseware ",
    albumArtist: "  ",
    albumTitle: "\tTab\r\n",
    trackNumber: 1,
    title: "\u0000",
    duration: 0,
    rating: 0,
  });
});

// ── stars, extensions, service ids ──────────────────────────────────────────

Deno.test("wmp codec: ratingToStars uses WMP's read ranges", () => {
  const table: [number, number][] = [
    [0, 0],
    [1, 1],
    [12, 1],
    [13, 2],
    [25, 2],
    [37, 2],
    [38, 3],
    [50, 3],
    [62, 3],
    [63, 4],
    [75, 4],
    [86, 4],
    [87, 5],
    [99, 5],
  ];
  for (const [rating, stars] of table) assert.equal(ratingToStars(rating), stars, `rating ${rating}`);
  const counts = [0, 0, 0, 0, 0, 0];
  for (let rating = 0; rating <= 99; rating++) counts[ratingToStars(rating)]++;
  assert.deepEqual(counts, [1, 12, 25, 25, 24, 13]);
  for (const rating of [-1, 100, 1.5, NaN]) assertBroken(() => ratingToStars(rating), "rating", /0 to 99/);
});

Deno.test("wmp codec: starsToRating gives the values WMP writes, and they read back as the same stars", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(starsToRating), [0, 1, 25, 50, 75, 99]);
  for (let stars = 0; stars <= 5; stars++) assert.equal(ratingToStars(starsToRating(stars)), stars);
  for (const stars of [-1, 6, 2.5, NaN]) assertBroken(() => starsToRating(stars), "stars", /0 to 5/);
});

Deno.test("wmp codec: hasWmpMediaExtension accepts the four extensions in any case", () => {
  for (const path of ["C:\\m\\a.MP3", "C:\\m\\a.Wma", "C:\\m\\a.wmv", "C:\\m\\a.asf", "b.ASF", "x.y.mp3", "🎵.wma"]) {
    assert.equal(hasWmpMediaExtension(path), true, path);
  }
  for (const path of ["a.mp4", "a.wma.exe", "mp3", "a_mp3", "C:\\m\\a.wm", "a.mp3 ", "a.mp3.", "", "a.m4a"]) {
    assert.equal(hasWmpMediaExtension(path), false, path);
  }
});

Deno.test("wmp codec: newServiceId draws from 1 to 2^31-1 without repeating", () => {
  const ids = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const id = newServiceId();
    assert.ok(Number.isInteger(id) && id >= 1 && id <= 2 ** 31 - 1, `out of range: ${id}`);
    assert.ok(formatWmpDescription({ ...EXAMPLE, serviceId: id }).includes(`:${id}:Proseware:`));
    ids.add(id);
  }
  assert.ok(ids.size >= 1990, `only ${ids.size} distinct ids in 2000 draws`);
});

Deno.test("wmp codec: newServiceId draws again when the masked value is 0", () => {
  const original = crypto.getRandomValues;
  const draws = [0x80000000, 0, 0xffffffff];
  try {
    // Both 0x80000000 and 0 mask to 0; 0xffffffff masks to 2^31-1.
    crypto.getRandomValues = (<T extends ArrayBufferView | null>(array: T): T => {
      (array as unknown as Uint32Array)[0] = draws.shift()!;
      return array;
    }) as typeof crypto.getRandomValues;
    assert.equal(newServiceId(), 2 ** 31 - 1);
    assert.equal(draws.length, 0);
  } finally {
    crypto.getRandomValues = original;
  }
});

// ── generated cases ─────────────────────────────────────────────────────────

/** mulberry32: a small deterministic PRNG, so failures reproduce. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Code point ranges to draw text from: ASCII without ':' and controls, Latin-1,
// combining marks, Hebrew, Arabic, CJK, Hangul, fullwidth forms, emoji and other non-BMP.
const RANGES: [number, number][] = [
  [0x20, 0x39],
  [0x3b, 0x7e],
  [0xa0, 0xff],
  [0x300, 0x36f],
  [0x5d0, 0x5ea],
  [0x600, 0x6ff],
  [0x4e00, 0x9fff],
  [0xac00, 0xd7a3],
  [0xff01, 0xff5e],
  [0x1f300, 0x1f64f],
  [0x1d400, 0x1d7ff],
  [0x20000, 0x2a6df],
];

/**
 * Random text of at most `budget` UTF-16 code units (never splitting a surrogate
 * pair); with `fill`, as close to `budget` as the characters drawn allow.
 */
function randomText(random: () => number, budget: number, fill = false): string {
  const target = fill ? budget : Math.floor(random() * (budget + 1));
  let text = "";
  while (text.length < target) {
    const [low, high] = RANGES[Math.floor(random() * RANGES.length)];
    const char = String.fromCodePoint(low + Math.floor(random() * (high - low + 1)));
    if (text.length + char.length > target) break;
    text += char;
  }
  return text;
}

/** A valid WmpMetadata whose description for `kind` fits in 1,024 characters. */
function randomMetadata(random: () => number, kind: WmpKind): WmpMetadata {
  const serviceId = 1 + Math.floor(random() * (2 ** 31 - 1));
  const trackNumber = random() < 0.8 ? 1 + Math.floor(random() * 30) : 1 + Math.floor(random() * 2 ** 40);
  const duration = random() < 0.8 ? Math.floor(random() * 3600) : Math.floor(random() * 2 ** 40);
  const rating = WMP_RATINGS[Math.floor(random() * WMP_RATINGS.length)];
  const overhead = (kind === "job" ? 12 : 15) + 7 + `${serviceId}${trackNumber}${duration}${rating}`.length;
  // Mostly short fields, sometimes using the whole budget so the 1,024 edge is exercised.
  const full = random() < 0.3;
  let budget = full ? MAX_WMP_DESCRIPTION - overhead : Math.floor(random() * 200);
  const take = (share: number): number => Math.floor(budget * share);
  const provider = randomText(random, take(0.25)) || "P";
  budget = Math.max(0, budget - provider.length);
  const albumArtist = randomText(random, take(0.35));
  budget -= albumArtist.length;
  const albumTitle = randomText(random, take(0.5));
  budget -= albumTitle.length;
  const title = randomText(random, budget, full);
  return { serviceId, provider, albumArtist, albumTitle, trackNumber, title, duration, rating };
}

Deno.test("wmp codec: 1,000 generated valid metadata round-trip for both kinds", () => {
  const random = prng(0x5eed1);
  let atLimit = 0;
  let nonBmp = 0;
  for (let i = 0; i < 1000; i++) {
    for (const kind of KINDS) {
      const meta = randomMetadata(random, kind);
      const description = assertRoundTrip(meta, kind);
      assert.equal(description.split(":").length, 12);
      assert.equal(wmpKindOf(description), kind);
      if (description.length >= MAX_WMP_DESCRIPTION - 1) atLimit++;
      if (/[\ud800-\udbff]/.test(description)) nonBmp++;
    }
  }
  // The generator really reaches the interesting cases.
  assert.ok(atLimit > 50, `only ${atLimit} descriptions at the limit`);
  assert.ok(nonBmp > 500, `only ${nonBmp} descriptions with non-BMP characters`);
});

Deno.test("wmp codec: generated metadata with a ':' inserted is refused, or sanitized with a report", () => {
  const random = prng(0xc010);
  let overLimit = 0;
  for (let i = 0; i < 500; i++) {
    const kind = KINDS[i % 2];
    const meta = randomMetadata(random, kind);
    const field = TEXT_FIELDS[Math.floor(random() * TEXT_FIELDS.length)];
    const points = Array.from(meta[field]);
    points.splice(Math.floor(random() * (points.length + 1)), 0, ":");
    const broken = { ...meta, [field]: points.join("") };
    if (formatWmpDescription(meta, { kind }).length + 1 > MAX_WMP_DESCRIPTION) {
      // The extra character pushes it over the limit: the colon is still reported
      // first, and sanitizing (which keeps the length) then hits the limit.
      assertBroken(() => formatWmpDescription(broken, { kind }), field, /contains ":"/);
      assertBroken(() => formatWmpDescription(broken, { kind, sanitize: true }), "description", /1 over/);
      overLimit++;
      continue;
    }
    assertBroken(() => formatWmpDescription(broken, { kind }), field, /contains ":" at index/);
    const reports: WmpSanitizeChange[][] = [];
    const description = formatWmpDescription(broken, { kind, sanitize: true, onSanitize: (c) => reports.push(c) });
    const after = broken[field].replace(":", "\uff1a");
    assert.deepEqual(reports, [[{ field, before: broken[field], after }]]);
    assert.deepEqual(parseWmpDescription(description), { ...meta, [field]: after, kind });
  }
  assert.ok(overLimit > 0, "no generated case started at the limit");
});

Deno.test("wmp codec: generated descriptions with a ':' inserted after the version are refused by the reader", () => {
  const random = prng(0xbad);
  for (let i = 0; i < 500; i++) {
    const kind = KINDS[i % 2];
    const description = formatWmpDescription(randomMetadata(random, kind), { kind });
    const start = kind === "job" ? 12 : 15;
    const at = start + Math.floor(random() * (description.length - start + 1));
    const broken = description.slice(0, at) + ":" + description.slice(at);
    assertBroken(() => parseWmpDescription(broken), "description", /9 fields after the version, expected 8 \(13 /);
  }
});

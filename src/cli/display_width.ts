/**
 * How many terminal columns text takes: East Asian wide and fullwidth
 * characters and emoji take two, combining marks and zero-width joiners
 * none. Used to align tables and wrap help. Written here rather than
 * loading `string-width`, a CommonJS package whose loading alone would cost
 * every command's start-up (see docs/performance.md).
 *
 * @module
 */

// Zero width: combining marks, variation selectors, zero-width space/joiners, BOM.
const ZERO_WIDTH = /^(?:\p{Mn}|\p{Me}|\p{Cf}|[\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}])$/u;
const EMOJI = /\p{Extended_Pictographic}/u;

/** True for code points that East Asian Width calls Wide (W) or Fullwidth (F). */
function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || // Hangul Jamo
    (cp >= 0x2e80 && cp <= 0x303e) || // CJK radicals … punctuation
    (cp >= 0x3041 && cp <= 0x33ff) || // kana, CJK compatibility
    (cp >= 0x3400 && cp <= 0x4dbf) || // CJK extension A
    (cp >= 0x4e00 && cp <= 0x9fff) || // CJK unified ideographs
    (cp >= 0xa000 && cp <= 0xa4cf) || // Yi
    (cp >= 0xac00 && cp <= 0xd7a3) || // Hangul syllables
    (cp >= 0xf900 && cp <= 0xfaff) || // CJK compatibility ideographs
    (cp >= 0xfe30 && cp <= 0xfe4f) || // CJK compatibility forms
    (cp >= 0xff00 && cp <= 0xff60) || // fullwidth forms
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd); // CJK extensions B and later
}

// Made on first use: creating one loads ICU's break data, a cost every command would pay at start-up.
let graphemes: Intl.Segmenter | undefined;

function segments(text: string): Iterable<{ segment: string }> {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return graphemes.segment(text);
}

/** The number of terminal columns `text` takes (no escape sequences expected). */
export function displayWidth(text: string): number {
  // ASCII, the common case, without segmenting.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const { segment } of segments(text)) {
    const cp = segment.codePointAt(0) ?? 0;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    if (EMOJI.test(segment) && (segment.length > 1 || cp >= 0x1f000)) width += 2;
    else if (isWide(cp)) width += 2;
    else if (!ZERO_WIDTH.test(String.fromCodePoint(cp))) width += 1;
  }
  return width;
}

/** Pads `text` with spaces on the right to `width` columns. */
export function padEndDisplay(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * Wraps `text` at spaces into lines of at most `width` columns; a word
 * longer than that is cut (a line must never run past the terminal).
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ").flatMap((w) => cut(w, width))) {
    if (line === "") line = word;
    else if (displayWidth(line) + 1 + displayWidth(word) <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

/** `word` in pieces of at most `width` columns. */
function cut(word: string, width: number): string[] {
  if (displayWidth(word) <= width) return [word];
  const pieces: string[] = [];
  let piece = "";
  for (const { segment } of segments(word)) {
    if (piece !== "" && displayWidth(piece + segment) > width) {
      pieces.push(piece);
      piece = "";
    }
    piece += segment;
  }
  return [...pieces, piece];
}

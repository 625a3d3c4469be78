/**
 * "Did you mean …?" for mistyped commands and options: the known names
 * closest to what was typed (edit distance with transpositions, or a
 * prefix), at most a third of the word's length away.
 *
 * @module
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** The names of `known` close to `typed`, best first (at most three). */
export function suggestions(typed: string, known: Iterable<string>): string[] {
  const word = typed.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  const scored: { name: string; score: number }[] = [];
  for (const name of known) {
    const distance = editDistance(word, name.toLowerCase());
    const prefix = word.length >= 3 && name.toLowerCase().startsWith(word);
    if (distance <= limit || prefix) scored.push({ name, score: prefix ? Math.min(distance, 1) : distance });
  }
  return scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name)).slice(0, 3).map((s) => s.name);
}

/** `; did you mean X?` (or `X or Y`), or `""` when nothing is close. */
export function didYouMean(typed: string, known: Iterable<string>, prefix = ""): string {
  const found = suggestions(typed, known).map((name) => `${prefix}${name}`);
  if (found.length === 0) return "";
  return `; did you mean ${found.length === 1 ? found[0] : `${found.slice(0, -1).join(", ")} or ${found.at(-1)}`}?`;
}

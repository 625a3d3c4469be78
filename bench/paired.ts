/**
 * Statistics of paired runs (measurement 6): each pair is two adjacent runs,
 * one per condition, so slow drifts of the machine weigh on both sides alike;
 * the claim is the median of the per-pair ratios with a confidence interval,
 * set against the same statistic for pairs of identical runs (the noise floor).
 *
 * Two intervals: the sign-test interval for the median (distribution-free,
 * exact coverage from the binomial distribution; the verdict uses it) and a
 * percentile bootstrap of the median (seeded, so a run's report is
 * reproducible from its samples).
 *
 * Pure: no I/O, any OS.
 *
 * @module
 */

/** A confidence interval of a median ratio. */
export interface Interval {
  /** Lower bound. */
  readonly low: number;
  /** Upper bound. */
  readonly high: number;
  /** Its coverage (e.g. 0.969 for the sign-test interval of 6 pairs; the bootstrap's nominal level). */
  readonly coverage: number;
}

/** The analysis of one set of pairs. */
export interface PairedStats {
  /** Number of pairs. */
  readonly n: number;
  /** Each pair's ratio (first / second of each pair as given), in run order. */
  readonly ratios: readonly number[];
  /** Median of the ratios. */
  readonly median: number;
  /** Sign-test interval of the median: `[x(k), x(n+1-k)]` with the largest k of coverage >= the level asked. */
  readonly signTest: Interval;
  /** Percentile bootstrap of the median. */
  readonly bootstrap: Interval;
  /** Exact two-sided sign-test p-value of "the median ratio is 1" (ties at 1 dropped). */
  readonly pNoEffect: number;
}

/** Median of unsorted values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** P(X <= k) for X ~ Binomial(n, 1/2). */
export function binomialHalfCdf(n: number, k: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return Math.min(1, sum);
}

/**
 * The sign-test confidence interval of the median: order statistics
 * `[x(k), x(n+1-k)]` (1-based) cover the median with probability
 * `1 - 2 P(X <= k-1)`, X ~ Binomial(n, 1/2). Takes the narrowest such
 * interval whose coverage is at least `level`; when even the full range
 * falls short (fewer than 6 values at 95 %), returns the full range with
 * its real coverage.
 */
export function signTestInterval(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  if (n === 0) return { low: NaN, high: NaN, coverage: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  let k = 1;
  while (k + 1 <= n + 1 - (k + 1) && 1 - 2 * binomialHalfCdf(n, k) >= level) k++;
  return { low: sorted[k - 1], high: sorted[n - k], coverage: 1 - 2 * binomialHalfCdf(n, k - 1) };
}

/** Exact two-sided sign test of "the median is `center`"; values equal to it are dropped. */
export function signTestP(values: readonly number[], center = 1): number {
  const above = values.filter((v) => v > center).length;
  const below = values.filter((v) => v < center).length;
  const n = above + below;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialHalfCdf(n, Math.min(above, below)));
}

/** A small seeded PRNG (mulberry32): reproducible resampling. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percentile bootstrap interval of the median (`resamples` resamples with replacement). */
export function bootstrapMedianInterval(
  values: readonly number[],
  level = 0.95,
  resamples = 10_000,
  seed = 1,
): Interval {
  const n = values.length;
  if (n === 0) return { low: NaN, high: NaN, coverage: 0 };
  const random = seededRandom(seed);
  const medians = new Float64Array(resamples);
  const sample = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = values[Math.floor(random() * n)];
    medians[r] = median(sample);
  }
  medians.sort();
  const tail = (1 - level) / 2;
  const at = (q: number): number => medians[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))];
  return { low: at(tail), high: at(1 - tail), coverage: level };
}

/** The paired analysis of `first[i] / second[i]`. */
export function pairedStats(first: readonly number[], second: readonly number[], level = 0.95): PairedStats {
  if (first.length !== second.length) throw new RangeError("pairs need as many samples on each side");
  const ratios = first.map((v, i) => v / second[i]);
  return {
    n: ratios.length,
    ratios,
    median: median(ratios),
    signTest: signTestInterval(ratios, level),
    bootstrap: bootstrapMedianInterval(ratios, level),
    pNoEffect: signTestP(ratios),
  };
}

/**
 * A goal "ratio <= max" judged on an interval: "pass" when the whole
 * interval is at or below it (shown to be within the goal), "miss" when the
 * whole interval is above it (shown to exceed it), "inconclusive" when the
 * interval straddles it (the runs cannot tell) or covers less than
 * `minCoverage` (too few pairs: fewer than 6 at 95 %).
 */
export function judge(interval: Interval, max: number, minCoverage = 0.95): "pass" | "miss" | "inconclusive" {
  if (!(interval.coverage >= minCoverage)) return "inconclusive";
  if (interval.high <= max) return "pass";
  if (interval.low > max) return "miss";
  return "inconclusive";
}

/** One run of a paired experiment, in run order. */
export interface PlannedRun {
  /** Which pair it belongs to (0-based, in run order). */
  readonly pair: number;
  /** "effect": a pair of both conditions; "null": the baseline twice (the noise floor). */
  readonly kind: "effect" | "null";
  /** The condition of this run: the baseline ("without") or the treatment ("with"). */
  readonly condition: "without" | "with";
  /** Whether the run's time is the numerator of its pair's ratio. */
  readonly numerator: boolean;
}

/**
 * The order of a paired experiment: `effectPairs` pairs of both conditions
 * and `nullPairs` pairs of the baseline twice, each pair two adjacent runs,
 * the kinds spread evenly (E N E N … when equal). Inside effect pairs the
 * order alternates (without-with, then with-without, …), so a run's position
 * in its pair weighs on both conditions alike; the ratio is always with /
 * without. Null pairs mirror that: their ratio is second / first, then first
 * / second, …, so the noise floor is measured with the same structure.
 */
export function planPairs(effectPairs: number, nullPairs: number): PlannedRun[] {
  const kinds: ("effect" | "null")[] = [];
  const total = effectPairs + nullPairs;
  let e = 0;
  for (let i = 0; i < total; i++) {
    // Bresenham-style: an effect pair whenever effect pairs lag their share.
    const wantEffect = nullPairs === 0 || (e < effectPairs && (e + 0.5) * total <= (i + 1) * effectPairs);
    kinds.push(wantEffect ? "effect" : "null");
    if (wantEffect) e++;
  }
  const runs: PlannedRun[] = [];
  let effectIndex = 0;
  let nullIndex = 0;
  kinds.forEach((kind, pair) => {
    if (kind === "effect") {
      const withFirst = effectIndex++ % 2 === 1;
      runs.push({ pair, kind, condition: withFirst ? "with" : "without", numerator: withFirst });
      runs.push({ pair, kind, condition: withFirst ? "without" : "with", numerator: !withFirst });
    } else {
      const firstIsNumerator = nullIndex++ % 2 === 1;
      runs.push({ pair, kind, condition: "without", numerator: firstIsNumerator });
      runs.push({ pair, kind, condition: "without", numerator: !firstIsNumerator });
    }
  });
  return runs;
}

/** Splits measured runs into numerator and denominator arrays per kind, pair by pair. */
export function collectPairs<T extends { readonly run: PlannedRun; readonly value: number }>(
  measured: readonly T[],
  kind: "effect" | "null",
): { numerators: number[]; denominators: number[] } {
  const byPair = new Map<number, { num?: number; den?: number }>();
  for (const { run, value } of measured) {
    if (run.kind !== kind) continue;
    const entry = byPair.get(run.pair) ?? {};
    if (run.numerator) entry.num = value;
    else entry.den = value;
    byPair.set(run.pair, entry);
  }
  const numerators: number[] = [];
  const denominators: number[] = [];
  for (const [, { num, den }] of [...byPair].sort((a, b) => a[0] - b[0])) {
    if (num === undefined || den === undefined) continue; // an incomplete pair counts for nothing
    numerators.push(num);
    denominators.push(den);
  }
  return { numerators, denominators };
}

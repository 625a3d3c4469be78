/**
 * Builds and reads the descriptions of the Windows Media Player BITS Job
 * Convention, `::WMP_JOB:1:serviceId:Provider:AlbumArtist:AlbumTitle:TrackNumber:Title:Duration:Rating`
 * (and `::WMP_STATUS:1:…`), as docs/wmp-convention.md sets them out. The writer
 * is strict, so nothing BITS stores can be misread by the Player. The reader
 * also accepts what other writers may store, and it names the field that breaks
 * the convention.
 *
 * @module
 */

/**
 * The convention's eight fields, in the order they appear in the string.
 * Text fields must not contain `:` (the convention has no escape) or control
 * characters.
 */
export interface WmpMetadata {
  /**
   * Random nonzero 32-bit id of the service; WMP also uses it as the
   * `collectionId` for `DownloadManager.getDownloadCollection`. Written as
   * 1 … 2,147,483,647 so JScript reads it as a positive long. Use
   * {@linkcode newServiceId}.
   */
  serviceId: number;
  /** The store's online store key name, as registered under `HKLM\SOFTWARE\Microsoft\MediaPlayer\Subscriptions`. Never empty. */
  provider: string;
  /** The album's primary artist (`AlbumArtist`). May be empty. */
  albumArtist: string;
  /** The album's title (`getItemInfo("Album")`). May be empty. */
  albumTitle: string;
  /** Track number on the original album, from 1 (`WM/TrackNumber`). */
  trackNumber: number;
  /** The content's title. May be empty. */
  title: string;
  /**
   * Playing time in whole **seconds**, as WMP's `Duration` attribute uses.
   * Windows Media Format SDK durations are QWORDs in 100-nanosecond units:
   * divide those by 10,000,000 before passing them here.
   */
  duration: number;
  /**
   * `UserRating` on WMP's 0–99 scale. The writer takes only the six values in
   * {@linkcode WMP_RATINGS} (see {@linkcode starsToRating}). The reader returns
   * any 0–99 value as stored (see {@linkcode ratingToStars}).
   */
  rating: number;
}

/** `"job"`: `WMP_JOB`, which the Player finishes. `"status"`: `WMP_STATUS`, where the Player only shows progress. */
export type WmpKind = "job" | "status";

/** One text field whose `:` characters {@linkcode formatWmpDescription} replaced with U+FF1A. */
export interface WmpSanitizeChange {
  /** The field that changed. */
  field: keyof WmpMetadata;
  /** The value as given. */
  before: string;
  /** The value as written, every `:` replaced by `：` (U+FF1A). */
  after: string;
}

/** Options of {@linkcode formatWmpDescription}. */
export interface FormatWmpOptions {
  /** Which variant to write; default `"job"`. */
  kind?: WmpKind;
  /**
   * Replace `:` in text fields with `：` (U+FF1A, fullwidth colon) instead of
   * refusing them. Nothing else is changed, and control characters are still
   * refused. A sanitised provider no longer equals the store's key name.
   */
  sanitize?: boolean;
  /** Called once with every replacement made by `sanitize`, only when there was one and the string was built. */
  onSanitize?: (changes: WmpSanitizeChange[]) => void;
}

/** Metadata or a description breaks the convention. `field` names the culprit. */
export class WmpConventionError extends Error {
  /** Always `"WmpConventionError"`. */
  override name = "WmpConventionError";
  /**
   * The offending field, e.g. a {@linkcode WmpMetadata} key, `"kind"`,
   * `"version"`, `"stars"`, or `"description"` for the string as a whole (its
   * length or its number of fields).
   */
  readonly field: string;

  /** Builds the error. `message` says what is wrong and what is allowed. */
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** BITS' limit on a description, which the whole convention string must fit, in UTF-16 code units. */
export const MAX_WMP_DESCRIPTION = 1024;

/** The `UserRating` values the writer accepts: unrated, then 1 to 5 stars. */
export const WMP_RATINGS: readonly [0, 1, 25, 50, 75, 99] = [0, 1, 25, 50, 75, 99];

/** The extensions a convention job's local file must end in (R9), lower case. */
export const WMP_MEDIA_EXTENSIONS: readonly [".wma", ".wmv", ".mp3", ".asf"] = [".wma", ".wmv", ".mp3", ".asf"];

// Written serviceIds stay within a signed long, which is how JScript reads collectionIds (R12).
const MAX_WRITTEN_SERVICE_ID = 0x7fffffff;
// The convention says "32-bit"; another writer may have used the unsigned range.
const MAX_READ_SERVICE_ID = 0xffffffff;
const TAGS: Record<WmpKind, string> = { job: "WMP_JOB", status: "WMP_STATUS" };
const PREFIX = /^::(WMP_JOB|WMP_STATUS):/i;
// Two leading empty tokens, tag, version, eight fields.
const TOKENS = 12;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const FULLWIDTH_COLON = "\uff1a";
const DIGITS = /^[0-9]+$/;

type TextField = "provider" | "albumArtist" | "albumTitle" | "title";

/**
 * Builds the convention string for `meta`, checking every rule first.
 *
 * Numbers are written in decimal without sign or leading zeros. Text is
 * written exactly as given (never trimmed). All eight fields are always
 * present.
 *
 * @throws {WmpConventionError} naming the first field (in string order) that
 *   breaks a rule, or `"description"` when the result exceeds 1,024 characters.
 */
export function formatWmpDescription(meta: WmpMetadata, options: FormatWmpOptions = {}): string {
  const kind = options.kind ?? "job";
  if (kind !== "job" && kind !== "status") {
    throw new WmpConventionError("kind", `kind must be "job" or "status", got ${show(kind)}`);
  }
  const changes: WmpSanitizeChange[] = [];
  const text = (field: TextField): string => checkText(field, meta[field], options.sanitize === true, changes);
  // Checked in string order, so the error names the first bad field a reader would meet.
  const serviceId = checkInteger(
    "serviceId",
    meta.serviceId,
    1,
    MAX_WRITTEN_SERVICE_ID,
    "an integer from 1 to 2,147,483,647",
  );
  const provider = text("provider");
  const albumArtist = text("albumArtist");
  const albumTitle = text("albumTitle");
  const trackNumber = checkInteger("trackNumber", meta.trackNumber, 1, Number.MAX_SAFE_INTEGER, "an integer ≥ 1");
  const title = text("title");
  const duration = checkInteger("duration", meta.duration, 0, Number.MAX_SAFE_INTEGER, "whole seconds ≥ 0");
  const rating = checkRating(meta.rating);
  const fields = [serviceId, provider, albumArtist, albumTitle, trackNumber, title, duration, rating];
  const description = `::${TAGS[kind]}:1:${fields.join(":")}`;
  if (description.length > MAX_WMP_DESCRIPTION) {
    // Naming the longest text field tells the caller what to shorten.
    const texts: [TextField, string][] = [
      ["provider", provider],
      ["albumArtist", albumArtist],
      ["albumTitle", albumTitle],
      ["title", title],
    ];
    const [longest, value] = texts.reduce((a, b) => (b[1].length > a[1].length ? b : a));
    throw new WmpConventionError(
      "description",
      `the WMP description is ${group(description.length)} characters, ` +
        `${group(description.length - MAX_WMP_DESCRIPTION)} over the ${group(MAX_WMP_DESCRIPTION)} limit of a ` +
        `BITS description (longest field: ${longest}, ${group(value.length)} characters)`,
    );
  }
  if (changes.length > 0) options.onSanitize?.(changes);
  return description;
}

function checkText(field: TextField, value: unknown, sanitize: boolean, changes: WmpSanitizeChange[]): string {
  if (typeof value !== "string") throw new WmpConventionError(field, `${field} must be a string, got ${show(value)}`);
  if (field === "provider" && value.length === 0) {
    throw new WmpConventionError(field, `provider must not be empty: it is the store's online store key name`);
  }
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, "0");
    throw new WmpConventionError(
      field,
      `${field} contains the control character U+${code} at index ${control.index} in ${show(value)}; ` +
        `U+0000–U+001F and U+007F are not allowed`,
    );
  }
  const colon = value.indexOf(":");
  if (colon === -1) return value;
  if (!sanitize) {
    throw new WmpConventionError(
      field,
      `${field} contains ":" at index ${colon} in ${show(value)}; the convention has no escape for ":", ` +
        `which would shift every later field. Remove it, or pass sanitize: true to write "${FULLWIDTH_COLON}" (U+FF1A)`,
    );
  }
  const after = value.replaceAll(":", FULLWIDTH_COLON);
  changes.push({ field, before: value, after });
  return after;
}

function checkInteger(field: keyof WmpMetadata, value: unknown, min: number, max: number, allowed: string): string {
  // Safe integers only: String() of larger numbers may use exponent notation, which no reader accepts.
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new WmpConventionError(field, `${field} must be ${allowed}, got ${show(value)}`);
  }
  return String(value);
}

function checkRating(value: unknown): string {
  if (typeof value !== "number" || !(WMP_RATINGS as readonly number[]).includes(value)) {
    const allowed = `one of ${WMP_RATINGS.join(", ")} (unrated, then 1 to 5 stars; see starsToRating)`;
    throw new WmpConventionError("rating", `rating must be ${allowed}, got ${show(value)}`);
  }
  return String(value);
}

/**
 * Reads a description. Returns `null` when it is not a convention string (it
 * does not start with `::WMP_JOB:` or `::WMP_STATUS:`, in any case).
 *
 * The reader is more lenient than {@linkcode formatWmpDescription}, so it can
 * annotate jobs made by other writers:
 * - numbers may have leading zeros;
 * - `serviceId` may be up to 4,294,967,295. Values above 2,147,483,647 are
 *   returned as they are, but JScript reads them as negative longs, so callers
 *   may want to warn when `serviceId > 0x7fffffff`;
 * - `rating` may be any 0–99 value (convert it with {@linkcode ratingToStars});
 * - text fields are returned exactly as stored, including control characters,
 *   surrounding spaces and U+FF1A left by sanitising (which cannot be undone).
 *   The 1,024-character limit is not checked, since BITS enforces it.
 *
 * @throws {WmpConventionError} when the string claims the tag but breaks the
 *   convention: `"version"` for a version other than `1`, `"description"` for
 *   other than eight fields, or the field whose value is not allowed
 *   (a number that is not plain decimal digits or is out of range, an empty provider).
 */
export function parseWmpDescription(description: string): (WmpMetadata & { kind: WmpKind }) | null {
  const kind = wmpKindOf(description);
  if (kind === null) return null;
  const tokens = description.split(":");
  // The version comes first: a later version may define other fields.
  if (tokens[3] !== "1") {
    throw new WmpConventionError("version", `unknown WMP convention version ${show(tokens[3])}; only "1" is defined`);
  }
  if (tokens.length !== TOKENS) {
    throw new WmpConventionError(
      "description",
      `the WMP description has ${tokens.length - 4} fields after the version, expected 8 ` +
        `(${tokens.length} ":"-separated tokens, expected ${TOKENS}); a ":" inside a value shifts the fields`,
    );
  }
  const serviceId = readInteger("serviceId", tokens[4], 1, MAX_READ_SERVICE_ID, "1 to 4,294,967,295");
  if (tokens[5] === "") throw new WmpConventionError("provider", "provider is empty; it must be a store key name");
  return {
    kind,
    serviceId,
    provider: tokens[5],
    albumArtist: tokens[6],
    albumTitle: tokens[7],
    trackNumber: readInteger("trackNumber", tokens[8], 1, Number.MAX_SAFE_INTEGER, "at least 1"),
    title: tokens[9],
    duration: readInteger("duration", tokens[10], 0, Number.MAX_SAFE_INTEGER, "0 or more seconds"),
    rating: readInteger("rating", tokens[11], 0, 99, "0 to 99"),
  };
}

function readInteger(field: keyof WmpMetadata, token: string, min: number, max: number, range: string): number {
  // Plain digits only: Number() would also take "+5", " 5", "1e3", "0x10" and "".
  const value = DIGITS.test(token) ? Number(token) : NaN;
  if (!(value >= min && value <= max)) {
    throw new WmpConventionError(field, `${field} must be decimal digits for ${range}, got ${show(token)}`);
  }
  return value;
}

/** The variant a description claims by its tag (any case), or `null`; the rest is not checked. */
export function wmpKindOf(description: string): WmpKind | null {
  if (typeof description !== "string") return null;
  const match = PREFIX.exec(description);
  if (!match) return null;
  return match[1].toUpperCase() === "WMP_JOB" ? "job" : "status";
}

/** True when a description starts with `::WMP_JOB:` or `::WMP_STATUS:` (any case), valid or not. */
export function isWmpDescription(description: string): boolean {
  return wmpKindOf(description) !== null;
}

/**
 * A random serviceId in 1 … 2,147,483,647 from `crypto.getRandomValues` (the
 * convention asks for a random nonzero 32-bit value from a cryptographic source).
 */
export function newServiceId(): number {
  const buffer = new Uint32Array(1);
  for (;;) {
    // 31 bits so the id is positive as a signed long; 0 is not allowed, so draw again.
    const id = crypto.getRandomValues(buffer)[0] & MAX_WRITTEN_SERVICE_ID;
    if (id !== 0) return id;
  }
}

/**
 * Stars for a `UserRating` value, using WMP's read ranges: 0 → 0, 1–12 → 1,
 * 13–37 → 2, 38–62 → 3, 63–86 → 4, 87–99 → 5.
 *
 * @throws {WmpConventionError} (field `"rating"`) unless `rating` is an integer from 0 to 99.
 */
export function ratingToStars(rating: number): 0 | 1 | 2 | 3 | 4 | 5 {
  if (!Number.isInteger(rating) || rating < 0 || rating > 99) {
    throw new WmpConventionError("rating", `rating must be an integer from 0 to 99, got ${show(rating)}`);
  }
  if (rating === 0) return 0;
  if (rating <= 12) return 1;
  if (rating <= 37) return 2;
  if (rating <= 62) return 3;
  if (rating <= 86) return 4;
  return 5;
}

/**
 * The `UserRating` value WMP writes for a number of stars: 0 → 0, 1 → 1,
 * 2 → 25, 3 → 50, 4 → 75, 5 → 99.
 *
 * @throws {WmpConventionError} (field `"stars"`) unless `stars` is an integer from 0 to 5.
 */
export function starsToRating(stars: number): number {
  if (!Number.isInteger(stars) || stars < 0 || stars > 5) {
    throw new WmpConventionError("stars", `stars must be an integer from 0 to 5, got ${show(stars)}`);
  }
  return WMP_RATINGS[stars];
}

/** True when `path` ends in `.wma`, `.wmv`, `.mp3` or `.asf`, in any case (R9). */
export function hasWmpMediaExtension(path: string): boolean {
  const lower = path.toLowerCase();
  return WMP_MEDIA_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

// 1024 → "1,024", for messages.
function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// A value for an error message: strings quoted and escaped (so control characters show), long ones cut.
function show(value: unknown): string {
  if (typeof value !== "string") {
    try {
      return String(value);
    } catch {
      return typeof value;
    }
  }
  const points = Array.from(value);
  if (points.length <= 60) return JSON.stringify(value);
  return `${JSON.stringify(points.slice(0, 60).join(""))}… (${group(value.length)} characters)`;
}

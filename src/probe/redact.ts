/**
 * Redaction for the probe's reports and logs: presigned URLs carry their
 * signature in the query, so no URL is printed with its query values,
 * credentials or fragment.
 *
 * @module
 */

// Query parameters that carry a presigned URL's signature (S3, Azure SAS, Google Cloud Storage).
const SIGNATURE_PARAMETERS = /^(x-amz-signature|signature|sig|x-goog-signature)$/i;

/**
 * A URL fit to print: user name, password and fragment dropped, each query
 * value replaced by `REDACTED` (names kept, so a presigned URL still looks
 * like one). Text that is no URL is returned as is.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  parsed.username = "";
  parsed.password = "";
  parsed.hash = "";
  const names = [...parsed.searchParams.keys()];
  if (names.length === 0) return parsed.href;
  parsed.search = names.map((name) => `${encodeURIComponent(name)}=REDACTED`).join("&");
  return parsed.href;
}

/** True when the URL carries a signature parameter (a presigned S3, Azure SAS or GCS URL). */
export function looksPresigned(url: string): boolean {
  try {
    return [...new URL(url).searchParams.keys()].some((name) => SIGNATURE_PARAMETERS.test(name));
  } catch {
    return false;
  }
}

/** Replaces every occurrence of the raw URLs in an error message with their redacted form. */
export function redactMessage(message: string, urls: readonly string[]): string {
  let text = message;
  for (const url of urls) text = text.replaceAll(url, redactUrl(url));
  return text;
}

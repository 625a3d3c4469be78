/**
 * The Player's `RefreshDownload` switch: a DWORD under
 * `HKEY_CURRENT_USER\Software\Microsoft\MediaPlayer\Services`. Nonzero makes
 * Windows Media Player scan the BITS queue for convention jobs; 0 stops it.
 * Only the current user's hive is touched, never HKLM.
 *
 * @module
 */

import { loadShim } from "../../ffi/library.ts";
import { unwrap } from "../errors.ts";
import { encodeUtf16 } from "../utf16.ts";

/** The key, relative to HKEY_CURRENT_USER. */
export const REFRESH_DOWNLOAD_KEY = "Software\\Microsoft\\MediaPlayer\\Services";
/** The DWORD value's name. */
export const REFRESH_DOWNLOAD_VALUE = "RefreshDownload";

/** The switch as stored: `null` when the value does not exist (the Player's default applies). */
export interface RefreshDownloadState {
  /** The stored DWORD, or `null` when absent. */
  readonly value: number | null;
  /** True when the Player will scan the queue (a nonzero value). */
  readonly enabled: boolean;
}

/** Reads `RefreshDownload`. */
export function getRefreshDownload(): RefreshDownloadState {
  const key = encodeUtf16(REFRESH_DOWNLOAD_KEY);
  const name = encodeUtf16(REFRESH_DOWNLOAD_VALUE);
  const value = new Uint32Array(1);
  const present = new Uint32Array(1);
  unwrap(
    loadShim().symbols.bits_hkcu_get_dword(key.buffer, key.length, name.buffer, name.length, value, present),
    `Reading HKCU\\${REFRESH_DOWNLOAD_KEY}\\${REFRESH_DOWNLOAD_VALUE}`,
  );
  return present[0] ? { value: value[0], enabled: value[0] !== 0 } : { value: null, enabled: false };
}

/** Writes `RefreshDownload` = 1 (enabled) or 0 (disabled), creating the key if needed. */
export function setRefreshDownload(enabled: boolean): RefreshDownloadState {
  const key = encodeUtf16(REFRESH_DOWNLOAD_KEY);
  const name = encodeUtf16(REFRESH_DOWNLOAD_VALUE);
  unwrap(
    loadShim().symbols.bits_hkcu_set_dword(key.buffer, key.length, name.buffer, name.length, enabled ? 1 : 0),
    `Writing HKCU\\${REFRESH_DOWNLOAD_KEY}\\${REFRESH_DOWNLOAD_VALUE}`,
  );
  return getRefreshDownload();
}

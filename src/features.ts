/**
 * What provides each optional part of the BITS API: the interface and the
 * BITS version (with the first Windows release that ships it). Used by
 * {@linkcode BitsUnsupportedError} to say what a missing feature needs.
 *
 * @module
 */

/** Interfaces beyond BITS 1.0, each with what provides it. */
export const REQUIRES = {
  /** IBackgroundCopyJob (BITS 1.0). */
  job: "IBackgroundCopyJob (BITS 1.0)",
  /** IBackgroundCopyJob2: notify command line, reply files, credentials. */
  job2: "IBackgroundCopyJob2 (BITS 1.5, Windows XP SP2 and later)",
  /** IBackgroundCopyJob3: ranges, remote prefix, ACL flags. */
  job3: "IBackgroundCopyJob3 (BITS 2.0, Windows Vista and later)",
  /** IBackgroundCopyJob4: peer caching, owner integrity and elevation, maximum download time. */
  job4: "IBackgroundCopyJob4 (BITS 3.0, Windows Vista and later)",
  /** IBackgroundCopyJob5: cost flags, dynamic content, high performance and the other job properties. */
  job5: "IBackgroundCopyJob5 (BITS 5.0, Windows 8 / Server 2012 and later)",
  /** IBackgroundCopyJobHttpOptions: client certificates, custom headers, security flags. */
  httpOptions: "IBackgroundCopyJobHttpOptions (BITS 2.5, Windows Vista SP1 and later)",
  /** IBackgroundCopyJobHttpOptions2: custom HTTP method. */
  httpOptions2: "IBackgroundCopyJobHttpOptions2 (BITS 10.2, Windows 10 1809 and later)",
  /** IBackgroundCopyJobHttpOptions3: write-only custom headers, server certificate callback. */
  httpOptions3: "IBackgroundCopyJobHttpOptions3 (BITS 10.3, Windows 10 1903 and later)",
  /** IBackgroundCopyFile2: file ranges, set remote name. */
  file2: "IBackgroundCopyFile2 (BITS 2.0, Windows Vista and later)",
  /** IBackgroundCopyFile3: temporary name, validation state, peer origin. */
  file3: "IBackgroundCopyFile3 (BITS 3.0, Windows Vista and later)",
  /** IBackgroundCopyFile4: peer download statistics. */
  file4: "IBackgroundCopyFile4 (BITS 4.0, Windows 7 and later)",
  /** IBackgroundCopyFile5: file properties such as the last HTTP response headers. */
  file5: "IBackgroundCopyFile5 (BITS 5.0, Windows 8 and later)",
  /** IBackgroundCopyFile6: on-demand range requests and filled ranges. */
  file6: "IBackgroundCopyFile6 (BITS 10.1, Windows 10 1607 and later)",
  /** IBackgroundCopyCallback3: FileRangesTransferred notifications. */
  callback3: "IBackgroundCopyCallback3 (BITS 10.1, Windows 10 1607 and later)",
  /** IBackgroundCopyError's text methods. */
  errorText: "IBackgroundCopyError text methods (BITS 1.0; stubbed by Wine)",
} as const;

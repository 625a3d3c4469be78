/**
 * For every job property: the feature's name for people and what provides
 * it, so a missing interface or a stub surfaces as a
 * `BitsUnsupportedError` that says what is missing.
 *
 * @module
 */

import { REQUIRES } from "../features.ts";
import type { PropertyName } from "./types.ts";

/** A feature name and what provides it. */
export interface PropertyFeature {
  /** Named for people, e.g. `"job priority"`. */
  readonly feature: string;
  /** From `REQUIRES`. */
  readonly requires: string;
}

/** Feature and requirement of every property, plus the write-only operations. */
export const PROPERTY_FEATURES: Readonly<Record<PropertyName | "makeCustomHeadersWriteOnly", PropertyFeature>> = {
  displayName: { feature: "changing a job's display name", requires: REQUIRES.job },
  description: { feature: "job description", requires: REQUIRES.job },
  priority: { feature: "job priority", requires: REQUIRES.job },
  notifyFlags: { feature: "job notify flags", requires: REQUIRES.job },
  notifyCommandLine: { feature: "notify command line", requires: REQUIRES.job2 },
  minimumRetryDelay: { feature: "minimum retry delay", requires: REQUIRES.job },
  noProgressTimeout: { feature: "no-progress timeout", requires: REQUIRES.job },
  maximumDownloadTime: { feature: "maximum download time", requires: REQUIRES.job4 },
  proxy: { feature: "job proxy settings", requires: REQUIRES.job },
  credentials: { feature: "job credentials", requires: REQUIRES.job2 },
  customHeaders: { feature: "custom HTTP headers", requires: REQUIRES.httpOptions },
  security: { feature: "HTTP security flags", requires: REQUIRES.httpOptions },
  clientCertificate: { feature: "client certificates", requires: REQUIRES.httpOptions },
  httpMethod: { feature: "custom HTTP method", requires: REQUIRES.httpOptions2 },
  fileAclFlags: { feature: "file ACL flags", requires: REQUIRES.job3 },
  peerCachingFlags: { feature: "peer caching flags", requires: REQUIRES.job4 },
  costFlags: { feature: "IBackgroundCopyJob5 cost flags", requires: REQUIRES.job5 },
  notificationClsid: { feature: "IBackgroundCopyJob5 notification CLSID", requires: REQUIRES.job5 },
  dynamicContent: { feature: "IBackgroundCopyJob5 dynamic content", requires: REQUIRES.job5 },
  highPerformance: { feature: "IBackgroundCopyJob5 high performance", requires: REQUIRES.job5 },
  maxDownloadSize: { feature: "IBackgroundCopyJob5 maximum download size", requires: REQUIRES.job5 },
  useStoredCredentials: { feature: "IBackgroundCopyJob5 use of stored credentials", requires: REQUIRES.job5 },
  minimumNotificationInterval: {
    feature: "IBackgroundCopyJob5 minimum notification interval",
    requires: REQUIRES.job5,
  },
  onDemandMode: { feature: "IBackgroundCopyJob5 on-demand mode", requires: REQUIRES.job5 },
  makeCustomHeadersWriteOnly: { feature: "write-only custom headers", requires: REQUIRES.httpOptions3 },
};

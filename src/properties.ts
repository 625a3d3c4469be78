/**
 * Job properties: every property of a BITS job, typed, set (validated as a
 * whole before anything changes) and read back. `BitsJob` exposes these as
 * methods; the implementation lives in `src/properties/`.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { SecretCredentials } from "./credentials.ts";
import { BitsUnsupportedError, InvalidArgumentError } from "./errors.ts";
import type { JobRef } from "./job_ref.ts";
import { planProperties } from "./properties/encode.ts";
import { applyOp, makeHeadersWriteOnly, READABLE_PROPERTIES, READERS, removeCredentials } from "./properties/native.ts";
import { AUTH_SCHEMES, AUTH_TARGETS, type AuthScheme, type AuthTarget, encodeKey } from "./properties/names.ts";
import type {
  ClientCertificate,
  ClientCertificateInfo,
  JobProperties,
  JobPropertiesSnapshot,
  JobPropertyValues,
  ReadablePropertyName,
} from "./properties/types.ts";
import type { Credentials } from "./credentials.ts";

export * from "./properties/names.ts";
export type * from "./properties/types.ts";
export { SecretCredentials } from "./credentials.ts";
export type { Credentials } from "./credentials.ts";
export { READABLE_PROPERTIES } from "./properties/native.ts";

const logger = getLogger(["deno-bits", "properties"]);

/**
 * Sets `properties` on a job: validates every value first (a bad one throws
 * `InvalidArgumentError` naming it, and nothing is changed), then applies
 * them in a fixed order. A BITS failure stops there: the properties before
 * it are set, the error names the one that failed.
 */
export async function setJobProperties({ handle, id: jobId }: JobRef, properties: JobProperties): Promise<void> {
  const ops = planProperties(properties);
  await handle.use(async (job) => {
    for (const op of ops) await applyOp(job, jobId, op);
  });
  // Names only: values may be secrets (credentials) or personal data.
  logger.debug("Set {names} on job {id}", { names: [...new Set(ops.map((op) => op.property))].join(", "), id: jobId });
}

/** Reads one property; throws `BitsUnsupportedError` when this BITS lacks it. */
export async function getJobProperty<K extends ReadablePropertyName>(
  { handle, id: jobId }: JobRef,
  name: K,
): Promise<JobPropertyValues[K]> {
  if (typeof name !== "string" || !Object.hasOwn(READERS, name)) {
    throw new InvalidArgumentError("name", `${String(name)} is not a readable job property`);
  }
  const reader = READERS[name] as (job: Deno.PointerObject, id: string) => Promise<JobPropertyValues[K]>;
  return await handle.use((job) => reader(job, jobId));
}

/** Reads every readable property; what this BITS lacks is listed in `unsupported`, never thrown. */
export async function readJobProperties({ handle, id: jobId }: JobRef): Promise<JobPropertiesSnapshot> {
  const values: Record<string, unknown> = {};
  const unsupported: ReadablePropertyName[] = [];
  await handle.use(async (job) => {
    for (const name of READABLE_PROPERTIES) {
      try {
        values[name] = await READERS[name](job, jobId);
      } catch (error) {
        if (!(error instanceof BitsUnsupportedError)) throw error;
        unsupported.push(name);
      }
    }
  });
  return { values: values as Partial<JobPropertyValues>, unsupported };
}

/** Sets credentials for their target and scheme (IBackgroundCopyJob2). */
export function setJobCredentials(
  job: JobRef,
  credentials: Credentials | SecretCredentials,
): Promise<void> {
  return setJobProperties(job, { credentials: [SecretCredentials.from(credentials)] });
}

/** Removes the credentials for one target and scheme (IBackgroundCopyJob2). */
export async function removeJobCredentials(
  { handle, id: jobId }: JobRef,
  target: AuthTarget,
  scheme: AuthScheme,
): Promise<void> {
  const t = encodeKey(AUTH_TARGETS, target, "target");
  const s = encodeKey(AUTH_SCHEMES, scheme, "scheme");
  await handle.use((job) => removeCredentials(job, jobId, t, s));
}

/** Sets the client certificate (by hash or by subject name), or removes it with `null`. */
export function setJobClientCertificate(
  job: JobRef,
  certificate: ClientCertificate | null,
): Promise<void> {
  return setJobProperties(job, { clientCertificate: certificate });
}

/** Reads the client certificate, or null when none is set. */
export function getJobClientCertificate(job: JobRef): Promise<ClientCertificateInfo | null> {
  return getJobProperty(job, "clientCertificate");
}

/** Makes the job's custom headers write-only (IBackgroundCopyJobHttpOptions3); irreversible. */
export async function makeJobHeadersWriteOnly({ handle, id: jobId }: JobRef): Promise<void> {
  await handle.use((job) => makeHeadersWriteOnly(job, jobId));
}

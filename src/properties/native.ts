/**
 * The native side of job properties: runs a planned {@linkcode PropertyOp}
 * through the shim, and reads each property back. Every failed call goes
 * through `unwrap` with the property's feature, so a missing interface or a
 * stub becomes a `BitsUnsupportedError` naming it.
 *
 * @module
 */

import { loadShim } from "../../ffi/library.ts";
import { CERT_HASH_BYTES } from "../../ffi/symbols_properties.ts";
import { readGrowing } from "../buffer_read.ts";
import { encodeCredentials } from "../credentials.ts";
import { unwrap } from "../errors.ts";
import { decodeUtf16, encodeUtf16 } from "../utf16.ts";
import { decodeCertificateInfo, decodeClsid, formatCertHash, type PropertyOp, splitList } from "./codecs.ts";
import { type NativeReader, PROPERTY_DESCRIPTORS, READABLE_PROPERTIES } from "./descriptors.ts";
import { PROPERTY_FEATURES } from "./features.ts";
import { CERT_STORE_LOCATIONS, decodeEnum, PROXY_USAGES } from "./names.ts";
import type { JobPropertyValues, PropertyName, ReadablePropertyName } from "./types.ts";

export { READABLE_PROPERTIES } from "./descriptors.ts";

type Job = Deno.PointerObject;

/** Throws the property's typed error for a failed `hr`. */
function check(hr: number, operation: string, property: PropertyName, jobId: string): number {
  return unwrap(hr, operation, { jobId, ...PROPERTY_FEATURES[property] });
}

/** Runs one planned call; throws `BitsUnsupportedError` / `BitsError` naming the property. */
export async function applyOp(job: Job, jobId: string, op: PropertyOp): Promise<void> {
  const shim = loadShim().symbols;
  const operation = `Set ${op.property}`;
  switch (op.kind) {
    case "u64":
      check(await shim.bits_job_set_u64(job, op.id, BigInt(op.value)), operation, op.property, jobId);
      return;
    case "string": {
      const text = encodeUtf16(op.value);
      try {
        check(await shim.bits_job_set_string(job, op.id, text.buffer, text.length), operation, op.property, jobId);
      } finally {
        // Custom header values are often tokens: not left in memory, like passwords.
        text.buffer.fill(0);
      }
      return;
    }
    case "notifyCommandLine": {
      const program = encodeUtf16(op.program);
      const parameters = encodeUtf16(op.parameters);
      const hr = await shim.bits_job_set_notify_cmdline(
        job,
        program.buffer,
        program.length,
        parameters.buffer,
        parameters.length,
      );
      check(hr, operation, op.property, jobId);
      return;
    }
    case "proxy": {
      const list = encodeUtf16(op.list);
      const bypass = encodeUtf16(op.bypass);
      const hr = await shim.bits_job_set_proxy(job, op.usage, list.buffer, list.length, bypass.buffer, bypass.length);
      check(hr, operation, op.property, jobId);
      return;
    }
    case "credentials": {
      const secret = encodeCredentials(op.credentials);
      let hr: number;
      try {
        hr = await shim.bits_job_set_credentials(
          job,
          secret.target,
          secret.scheme,
          secret.userName,
          secret.userNameLength,
          secret.password,
          secret.passwordLength,
        );
      } finally {
        // The shim zeroed them already; this covers a call that never reached it.
        secret.wipe();
      }
      check(hr, `Set credentials (${op.credentials.target} ${op.credentials.scheme})`, op.property, jobId);
      return;
    }
    case "clientCertificate": {
      const cert = op.certificate;
      let hr: number;
      if (cert === null) {
        hr = await shim.bits_job_remove_client_cert(job);
      } else {
        const store = encodeUtf16(cert.storeName);
        if (cert.hash) {
          hr = await shim.bits_job_set_client_cert_by_id(job, cert.location, store.buffer, store.length, cert.hash);
        } else {
          const subject = encodeUtf16(cert.subjectName ?? "");
          hr = await shim.bits_job_set_client_cert_by_name(
            job,
            cert.location,
            store.buffer,
            store.length,
            subject.buffer,
            subject.length,
          );
        }
      }
      check(hr, cert === null ? "Remove clientCertificate" : operation, op.property, jobId);
      return;
    }
    case "clsid":
      check(await shim.bits_job_set_notification_clsid(job, op.clsid), operation, op.property, jobId);
      return;
  }
}

/** Reads a number property. */
async function readNumber(job: Job, id: number, property: PropertyName, jobId: string): Promise<number> {
  const out = new BigUint64Array(1);
  check(await loadShim().symbols.bits_job_get_u64(job, id, out), `Get ${property}`, property, jobId);
  return Number(out[0]);
}

/** Reads a string property, growing the buffer as the shim asks. */
function readString(job: Job, id: number, units: number, property: PropertyName, jobId: string): Promise<string> {
  return readGrowing({
    initialSize: units,
    allocate: (units: number) => ({ buffer: new Uint16Array(units), length: new Uint32Array(1) }),
    call: ({ buffer, length }) => loadShim().symbols.bits_job_get_string(job, id, buffer, buffer.length, length),
    grow: ({ length }, units) => Math.max(length[0] + 1, units * 2),
    finish: (hr, { buffer, length }) => {
      check(hr, `Get ${property}`, property, jobId);
      return decodeUtf16(new Uint8Array(buffer.buffer), 0, length[0]);
    },
    // Custom header values are often tokens: the copy the shim wrote is wiped once decoded.
    release: ({ buffer }) => buffer.fill(0),
    operation: `Get ${property}`,
    jobId,
  });
}

/** Reads two strings through a shim function that fills two buffers, growing each as the shim asks. */
function readPair(
  call: (a: Uint16Array, aLength: Uint32Array, b: Uint16Array, bLength: Uint32Array) => Promise<number>,
  units: number,
  property: PropertyName,
  jobId: string,
): Promise<[string, string]> {
  return readGrowing({
    initialSize: [units, units] as const,
    allocate: ([aUnits, bUnits]: readonly [number, number]) => ({
      a: new Uint16Array(aUnits),
      b: new Uint16Array(bUnits),
      aLength: new Uint32Array(1),
      bLength: new Uint32Array(1),
    }),
    call: ({ a, aLength, b, bLength }) => call(a, aLength, b, bLength),
    grow: ({ aLength, bLength }, [aUnits, bUnits]) =>
      [Math.max(aLength[0] + 1, aUnits), Math.max(bLength[0] + 1, bUnits)] as const,
    finish: (hr, { a, aLength, b, bLength }): [string, string] => {
      check(hr, `Get ${property}`, property, jobId);
      return [
        decodeUtf16(new Uint8Array(a.buffer), 0, aLength[0]),
        decodeUtf16(new Uint8Array(b.buffer), 0, bLength[0]),
      ];
    },
    operation: `Get ${property}`,
    jobId,
  });
}

/** How a composite property is read: by the reader name its descriptor gives. */
const COMPOSITE_READERS: {
  readonly [R in NativeReader]: (job: Job, jobId: string, property: PropertyName) => Promise<unknown>;
} = {
  notifyCommandLine: async (job, id, property) => {
    const [program, parameters] = await readPair(
      (a, al, b, bl) => loadShim().symbols.bits_job_get_notify_cmdline(job, a, a.length, al, b, b.length, bl),
      4001,
      property,
      id,
    );
    return program === "" ? null : { program, parameters };
  },
  proxy: async (job, id, property) => {
    const usage = new Uint32Array(1);
    const [list, bypass] = await readPair(
      (a, al, b, bl) => loadShim().symbols.bits_job_get_proxy(job, usage, a, a.length, al, b, b.length, bl),
      1024,
      property,
      id,
    );
    return { usage: decodeEnum(PROXY_USAGES, usage[0]), proxies: splitList(list), bypass: splitList(bypass) };
  },
  clientCertificate: async (job, id, property) => {
    const location = new Uint32Array(1);
    const hash = new Uint8Array(CERT_HASH_BYTES);
    const [storeName, subjectName] = await readPair(
      (a, al, b, bl) =>
        loadShim().symbols.bits_job_get_client_cert(job, location, a, a.length, al, hash, b, b.length, bl),
      1024,
      property,
      id,
    );
    return decodeCertificateInfo(
      decodeEnum(CERT_STORE_LOCATIONS, location[0]),
      storeName,
      formatCertHash(hash),
      subjectName,
    );
  },
  clsid: async (job, id, property) => {
    const out = new Uint8Array(16);
    check(await loadShim().symbols.bits_job_get_notification_clsid(job, out), `Get ${property}`, property, id);
    return decodeClsid(out);
  },
};

/** The reader of one property, from its descriptor. */
function readerOf(property: ReadablePropertyName): (job: Job, jobId: string) => Promise<unknown> {
  const native = PROPERTY_DESCRIPTORS[property].native;
  switch (native.kind) {
    case "u64":
      return async (job, id) => native.codec.decode(await readNumber(job, native.id, property, id));
    case "string":
      return async (job, id) => native.codec.decode(await readString(job, native.id, native.units, property, id));
    case "calls": {
      const reader = COMPOSITE_READERS[native.reader as NativeReader];
      return (job, id) => reader(job, id, property);
    }
  }
}

type Readers = { readonly [K in ReadablePropertyName]: (job: Job, jobId: string) => Promise<JobPropertyValues[K]> };

/** How each readable property is read, in reading order: derived from the descriptors. */
export const READERS: Readers = Object.fromEntries(
  READABLE_PROPERTIES.map((property) => [property, readerOf(property)]),
) as unknown as Readers;

/** Removes credentials for one target and scheme. */
export async function removeCredentials(job: Job, jobId: string, target: number, scheme: number): Promise<void> {
  check(
    await loadShim().symbols.bits_job_remove_credentials(job, target, scheme),
    "Remove credentials",
    "credentials",
    jobId,
  );
}

/** Makes the custom headers write-only (IBackgroundCopyJobHttpOptions3). */
export async function makeHeadersWriteOnly(job: Job, jobId: string): Promise<void> {
  unwrap(await loadShim().symbols.bits_job_make_custom_headers_write_only(job), "MakeCustomHeadersWriteOnly", {
    jobId,
    ...PROPERTY_FEATURES.makeCustomHeadersWriteOnly,
  });
}

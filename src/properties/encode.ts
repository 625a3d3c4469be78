/**
 * Turns {@linkcode JobProperties} into the native calls that set them,
 * validating every value first (the plan either comes back whole or an
 * `InvalidArgumentError` names the first bad property), by each property's
 * descriptor (`descriptors.ts`). Pure: no FFI here.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { PropertyOp } from "./codecs.ts";
import { APPLY_ORDER, PROPERTY_DESCRIPTORS } from "./descriptors.ts";
import type { JobProperties, PropertyName } from "./types.ts";

export {
  decodeCertificateInfo,
  decodeClsid,
  decodeCostFlags,
  decodeSecurity,
  encodeCertificate,
  encodeClsid,
  encodeCostFlags,
  type EncodedCertificate,
  encodeSecurity,
  formatCertHash,
  parseCertHash,
  type PropertyOp,
  splitHeaders,
  splitList,
} from "./codecs.ts";
export { APPLY_ORDER } from "./descriptors.ts";

const KNOWN = new Set<string>(APPLY_ORDER);

/** Validates every given property and returns the calls that set them, in {@linkcode APPLY_ORDER}. */
export function planProperties(properties: JobProperties): PropertyOp[] {
  if (typeof properties !== "object" || properties === null) {
    throw new InvalidArgumentError("properties", "properties must be an object");
  }
  for (const key of Object.keys(properties)) {
    if (!KNOWN.has(key)) {
      throw new InvalidArgumentError(key, `${key} is not a job property; known: ${APPLY_ORDER.join(", ")}`);
    }
  }
  if (properties.httpMethod !== undefined && (properties.dynamicContent || properties.onDemandMode)) {
    throw new InvalidArgumentError(
      "httpMethod",
      "httpMethod cannot be combined with dynamicContent or onDemandMode (BITS refuses the combination)",
    );
  }
  const ops: PropertyOp[] = [];
  for (const property of APPLY_ORDER) {
    const value = properties[property];
    if (value !== undefined) ops.push(...planOne(property, value));
  }
  return ops;
}

/** The calls that set one property, by its descriptor's native spec. */
function planOne(property: PropertyName, value: unknown): PropertyOp[] {
  const native = PROPERTY_DESCRIPTORS[property].native;
  switch (native.kind) {
    case "u64":
      return [{ property, kind: "u64", id: native.id, value: native.codec.encode(value, property) }];
    case "string":
      return [{ property, kind: "string", id: native.id, value: native.codec.encode(value, property) }];
    case "calls":
      return native.plan(value, property);
  }
}

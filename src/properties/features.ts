/**
 * For every job property (and `set`'s actions): the feature's name for
 * people and what provides it, from the descriptors, so a missing interface
 * or a stub surfaces as a `BitsUnsupportedError` that says what is missing.
 *
 * @module
 */

import { REQUIRES } from "../features.ts";
import { ACTION_DESCRIPTORS, type ActionName, PROPERTY_DESCRIPTORS, type Requirement } from "./descriptors.ts";
import type { PropertyName } from "./types.ts";

/** A feature name and what provides it. */
export interface PropertyFeature {
  /** Named for people, e.g. `"job priority"`. */
  readonly feature: string;
  /** From `REQUIRES`. */
  readonly requires: string;
}

function featureOf(descriptor: { readonly feature: string; readonly requires: Requirement }): PropertyFeature {
  return { feature: descriptor.feature, requires: REQUIRES[descriptor.requires] };
}

/** Feature and requirement of every property and of the actions (removing credentials, write-only headers). */
export const PROPERTY_FEATURES: Readonly<Record<PropertyName | ActionName, PropertyFeature>> = Object.fromEntries([
  ...Object.entries(PROPERTY_DESCRIPTORS).map(([name, descriptor]) => [name, featureOf(descriptor)]),
  ...Object.entries(ACTION_DESCRIPTORS).map(([name, descriptor]) => [name, featureOf(descriptor)]),
]) as Record<PropertyName | ActionName, PropertyFeature>;

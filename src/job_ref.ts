/**
 * {@linkcode JobRef}: how the modules of this package address one job: its
 * id and the COM reference they call it through. The public classes
 * (`BitsJob`, `BitsManager`) hold one and delegate; every module below them
 * takes a `JobRef`, so none needs the classes (no import cycle).
 *
 * @module
 */

import type { OwnedHandle } from "./handle.ts";

/** One job, as the package's modules address it. */
export interface JobRef {
  /** The job's GUID, braced upper case (named in errors and logs). */
  readonly id: string;
  /** The owned COM reference the calls go through. */
  readonly handle: OwnedHandle;
}

/**
 * Whether something exists at a path.
 *
 * @module
 */

/**
 * True when something exists at `path`, without following a final link
 * (`Deno.lstat`): a dangling link counts as existing, so nothing is written
 * through it. Errors other than "not found" (permissions) propagate.
 */
export async function lexists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

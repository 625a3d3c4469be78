/**
 * Reads the COM traffic of the shim's exported functions off the C sources
 * (`ffi/*.c`, and the static inline helpers of `ffi/*.h`), so that the
 * COM-call table the bench prints (`SHIM_COM` in report.ts) is checked
 * against the code rather than copied from it.
 *
 * A function's traffic is every COM method call (`IBackgroundCopyJob_GetId(`,
 * the mingw-w64 C macros; `IUnknown_QueryInterface(`; `CoCreateInstance(`)
 * and every release (`I…_Release(x)`, `shim_release(x)`) in its body and,
 * transitively, in the bodies of the functions it names (called or passed as
 * a pointer, as `shim_run_in_mta(release_in_mta, …)` does; see
 * {@linkcode PROLOGUE} for the one exception). The result is a
 * set of names, not a path analysis: which of them run on the happy path is
 * what the table says, and the test checks that the table accounts for each.
 *
 * @module
 */

/** The COM calls and releases found in one function's reach. */
export interface ComTraffic {
  /** COM methods called (`Interface_Method`, or `CoCreateInstance`). */
  readonly calls: ReadonlySet<string>;
  /** Released expressions, casts removed (`enumerator`, `jobs[i]`). */
  readonly releases: ReadonlySet<string>;
}

/** Removes `/* … *\/` and `// …` comments and the contents of string literals. */
function stripComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/\/\/[^\n]*/g, " ")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
}

/** The body (between its braces) of every function defined at the top level, by name. */
export function functionBodies(sources: readonly string[]): Map<string, string> {
  const bodies = new Map<string, string>();
  // A definition starts at column 0: return type and qualifiers, the name, the parameters, then `{`.
  const definition = /^[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)\s*\(([^;{}()]|\([^;{}()]*\))*\)\s*\{/gm;
  for (const raw of sources) {
    const source = stripComments(raw);
    for (const match of source.matchAll(definition)) {
      const open = match.index + match[0].length - 1;
      let depth = 0;
      let end = open;
      for (; end < source.length; end++) {
        if (source[end] === "{") depth++;
        else if (source[end] === "}" && --depth === 0) break;
      }
      if (depth !== 0) throw new Error(`unbalanced braces in the body of ${match[1]}`);
      const name = match[1];
      if (bodies.has(name)) throw new Error(`${name} is defined twice`);
      bodies.set(name, source.slice(open + 1, end));
    }
  }
  return bodies;
}

const COM_CALL = /\b(I[A-Z]\w*?_(?!Release\b)[A-Z]\w*|CoCreateInstance)\s*\(/g;
const RELEASE = /\b(?:I[A-Z]\w*?_Release|shim_release)\s*\(((?:[^()]|\([^()]*\))*)\)/g;

/**
 * The shim's COM prologue: `shim_begin(object, iid, &out)` joins the MTA and,
 * only when `iid` is not `NULL`, asks for that interface. Called with `NULL`
 * it makes no COM call, so its body (and its QueryInterface) is not entered
 * for that call.
 */
export const PROLOGUE = "shim_begin";

/** Whether the call of {@linkcode PROLOGUE} at `index` in `body` passes `NULL` as its interface. */
function prologueAsksNothing(body: string, index: number): boolean {
  const call = /^\w+\s*\(([^,()]*),\s*([^,()]*)[,)]/.exec(body.slice(index));
  return call !== null && call[2].trim() === "NULL";
}

/** `(IUnknown *)items[i]` → `items[i]`. */
function releasedExpression(argument: string): string {
  return argument.replace(/\(\s*[A-Za-z_]\w*(?:\s*\*)*\s*\)/g, "").replace(/\s+/g, "");
}

/** The COM traffic within reach of `name` (see the module documentation). */
export function comTraffic(bodies: ReadonlyMap<string, string>, name: string): ComTraffic {
  if (!bodies.has(name)) throw new Error(`no definition of ${name} in the C sources`);
  const calls = new Set<string>();
  const releases = new Set<string>();
  const seen = new Set<string>();
  const visit = (fn: string): void => {
    if (seen.has(fn)) return;
    seen.add(fn);
    const body = bodies.get(fn)!;
    for (const match of body.matchAll(COM_CALL)) calls.add(match[1]);
    for (const match of body.matchAll(RELEASE)) releases.add(releasedExpression(match[1]));
    for (const match of body.matchAll(/\b([A-Za-z_]\w*)\b/g)) {
      const callee = match[1];
      // shim_release is a release in its own right (counted above), not a body to enter.
      if (callee === fn || callee === "shim_release" || !bodies.has(callee)) continue;
      if (callee === PROLOGUE && prologueAsksNothing(body, match.index)) continue;
      visit(callee);
    }
  };
  visit(name);
  return { calls, releases };
}

/** Reads every `ffi/*.c` and `ffi/*.h` under `ffiDir` and returns {@linkcode functionBodies} of them. */
export async function readShimSources(ffiDir: URL): Promise<Map<string, string>> {
  const sources: string[] = [];
  for await (const entry of Deno.readDir(ffiDir)) {
    if (entry.isFile && /\.(c|h)$/.test(entry.name)) sources.push(await Deno.readTextFile(new URL(entry.name, ffiDir)));
  }
  return functionBodies(sources);
}

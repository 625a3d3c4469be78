// docs/compat.md names, for every row of every table, the tests that verify it: this checks that each row
// names at least one, that every file it names exists (globs match at least one file), that every
// `deno task` it names is defined, that a row needing a Windows check names a test that runs against real
// BITS there, and that no Windows-only test is left out of the document.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOC = "docs/compat.md";

/** One table row: where it is, and its cells by column name. */
interface CompatRow {
  readonly line: number;
  readonly cells: Readonly<Record<string, string>>;
}

/** Splits a Markdown table line into trimmed cells (no escaped pipes in this document). */
function cells(line: string): string[] {
  return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
}

/** Every body row of every table that has a `Test` column. */
function compatRows(markdown: string): CompatRow[] {
  const rows: CompatRow[] = [];
  let header: string[] | undefined;
  markdown.split("\n").forEach((line, i) => {
    if (!line.startsWith("|")) {
      header = undefined;
      return;
    }
    if (/^\|\s*-/.test(line)) return;
    if (header === undefined) {
      header = cells(line);
      return;
    }
    if (!header.includes("Test")) return;
    const values = cells(line);
    rows.push({ line: i + 1, cells: Object.fromEntries(header.map((name, k) => [name, values[k] ?? ""])) });
  });
  return rows;
}

/** The references a Test cell makes: backticked paths, globs, directories and `deno task` names. */
function references(cell: string): { paths: string[]; tasks: string[] } {
  const paths: string[] = [];
  const tasks: string[] = [];
  for (const [, token] of cell.matchAll(/`([^`]+)`/g)) {
    const task = /^deno task ([\w:-]+)$/.exec(token);
    if (task) tasks.push(task[1]);
    else if (token.includes("/") || /\.(ts|c|json|yml)$/.test(token)) paths.push(token);
  }
  return { paths, tasks };
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await listFiles(path));
    else out.push(path);
  }
  return out;
}

/** Why a path named in the document does not resolve, or undefined when it does. */
async function missing(path: string): Promise<string | undefined> {
  if (path.includes("*")) {
    const dir = path.slice(0, path.lastIndexOf("/"));
    const files = await listFiles(dir).catch(() => []);
    return files.some((f) => globRegExp(path).test(f)) ? undefined : `no file matches ${path}`;
  }
  try {
    const info = await Deno.stat(join(ROOT, path));
    if (path.endsWith("/") && !info.isDirectory) return `${path} is not a directory`;
    return undefined;
  } catch {
    return `${path} does not exist`;
  }
}

/** Every problem of the document, one line each; empty when it is sound. */
async function compatProblems(markdown: string, tasks: ReadonlySet<string>): Promise<string[]> {
  const problems: string[] = [];
  const rows = compatRows(markdown);
  const named = new Set<string>();
  for (const row of rows) {
    const where = `${DOC}:${row.line} (${row.cells[Object.keys(row.cells)[0]].slice(0, 50)})`;
    const cell = row.cells["Test"];
    const refs = references(cell);
    if (refs.paths.length + refs.tasks.length === 0) problems.push(`${where}: names no test (${JSON.stringify(cell)})`);
    for (const path of refs.paths) {
      named.add(path);
      const why = await missing(path);
      if (why) problems.push(`${where}: ${why}`);
    }
    for (const task of refs.tasks) if (!tasks.has(task)) problems.push(`${where}: no task ${task} in deno.json`);
    // A row that needs Windows names what meets real BITS there: an integration test, a benchmark
    // (a task or a script in bench/), or the CI's Windows job.
    const onWindows = refs.tasks.length > 0 ||
      refs.paths.some((p) => p.startsWith("tests/wine/") || p.startsWith("bench/") || p === ".github/workflows/ci.yml");
    if (/needs a Windows (check|run)/.test(row.cells["Windows"] ?? "") && !onWindows) {
      problems.push(`${where}: needs a Windows check but names no test that runs against BITS on Windows`);
    }
  }
  for (const file of await listFiles("tests/wine/windows_only")) {
    if (file.endsWith("_test.ts") && !named.has(file)) problems.push(`${file}: a Windows-only test no row names`);
  }
  return problems;
}

async function taskNames(): Promise<Set<string>> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  return new Set(Object.keys(config.tasks ?? {}));
}

Deno.test("compat.md: every row names the tests that verify it, and every one of them exists", async () => {
  const markdown = await Deno.readTextFile(join(ROOT, DOC));
  assert.ok(compatRows(markdown).length > 100, "the tables were not found");
  assert.deepEqual(await compatProblems(markdown, await taskNames()), []);
});

Deno.test("compat.md checker: a row naming nothing, a missing file or task, and a forgotten Windows test are caught", async () => {
  const tasks = await taskNames();
  const windowsTests = (await listFiles("tests/wine/windows_only")).filter((f) => f.endsWith("_test.ts"));
  assert.ok(windowsTests.length > 0);
  const all = windowsTests.map((f) => `\`${f}\``).join(", ");
  // The row under test, then one naming every Windows-only test (or, for the last case, all but one).
  const table = (test: string, windows = "same code", others = all): string =>
    "| Feature | Wine 10 | Windows | Test |\n| --- | --- | --- | --- |\n" +
    `| thing | verified | ${windows} | ${test} |\n| other | verified | same code | ${others} |\n`;
  assert.deepEqual(await compatProblems(table("`tests/unit/compat_doc_test.ts`"), tasks), []);
  assert.deepEqual(await compatProblems(table("`deno task check`, `fuzz/*_fuzz.c`"), tasks), []);
  const cases: [string, RegExp][] = [
    [table("—"), /names no test/],
    [table("`tests/wine/no_such_test.ts`"), /no_such_test\.ts does not exist/],
    [table("`fuzz/*_nope.c`"), /no file matches/],
    [table("`deno task no-such-task`"), /no task no-such-task/],
    [table("`tests/unit/compat_doc_test.ts`", "needs a Windows check"), /names no test that runs/],
    [table("`tests/unit/compat_doc_test.ts`", "same code", all.split(", ").slice(1).join(", ")), /no row names/],
  ];
  for (const [markdown, problem] of cases) {
    const problems = await compatProblems(markdown, tasks);
    assert.ok(problems.some((p) => problem.test(p)), `${problem} not reported: ${JSON.stringify(problems)}`);
  }
});

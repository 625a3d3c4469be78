// .github/workflows/ci.yml cannot run here, so its structure is checked: an Ubuntu job running .ci/run (the Wine
// bed); a windows-latest job that builds the shim with the runner's MSVC, runs `deno task test` natively, then
// `deno task compile` and a smoke run of bits.exe, in that order; standard actions pinned to exact versions; Deno
// at the version scripts/versions.env pins.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
// @ts-types="@types/js-yaml"
import { load } from "js-yaml";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WORKFLOW = ".github/workflows/ci.yml";

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
}

interface Job {
  readonly "runs-on"?: string;
  readonly steps?: readonly Step[];
}

/** Every structural problem of the workflow text, one line each; empty when it is sound. */
function workflowProblems(text: string): string[] {
  const problems: string[] = [];
  let workflow: { on?: unknown; permissions?: unknown; jobs?: Record<string, Job> };
  try {
    workflow = load(text) as typeof workflow;
  } catch (error) {
    return [`not YAML: ${error}`];
  }
  const triggers = typeof workflow.on === "object" && workflow.on !== null ? Object.keys(workflow.on) : [];
  for (const trigger of ["push", "pull_request"]) {
    if (!triggers.includes(trigger)) problems.push(`not run on ${trigger}`);
  }
  if (JSON.stringify(workflow.permissions) !== JSON.stringify({ contents: "read" })) {
    problems.push("permissions must be { contents: read }");
  }
  const jobs = Object.values(workflow.jobs ?? {});
  for (const job of jobs) {
    for (const step of job.steps ?? []) {
      if (step.uses === undefined) continue;
      // Standard actions only, pinned to an exact release or a commit.
      if (!/^actions\/[\w-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/.test(step.uses)) {
        problems.push(`${step.uses}: not a standard action pinned to an exact version`);
      }
    }
  }
  const linux = jobs.find((job) => /^ubuntu-/.test(job["runs-on"] ?? ""));
  if (!linux) problems.push("no Ubuntu job");
  else if (!(linux.steps ?? []).some((s) => /(^|\s)bash \.ci\/run\b/.test(s.run ?? ""))) {
    problems.push("the Ubuntu job does not run .ci/run");
  }
  const windows = jobs.find((job) => job["runs-on"] === "windows-latest");
  if (!windows) return [...problems, "no windows-latest job"];
  const steps = windows.steps ?? [];
  const index = (what: string, test: (run: string) => boolean): number => {
    const i = steps.findIndex((s) => test(s.run ?? ""));
    if (i === -1) problems.push(`the Windows job has no step that ${what}`);
    return i;
  };
  const checkout = steps.findIndex((s) => s.uses?.startsWith("actions/checkout@"));
  if (checkout !== 0) problems.push("the Windows job does not start with actions/checkout");
  const build = index("builds the shim with MSVC", (r) => /vcvars64\.bat/.test(r) && /task build\b/.test(r));
  const test = index("runs deno task test", (r) => /task test\s*$/m.test(r));
  const compile = index("runs deno task compile", (r) => /task compile\b/.test(r));
  const smoke = index("runs dist\\bits.exe", (r) => /dist\\bits\.exe /.test(r));
  if (!(build < test && test < compile && compile < smoke)) {
    problems.push("the Windows steps must run build, test, compile, smoke, in that order");
  }
  // `deno task test` rebuilds the shim when out of date, so it needs MSVC on PATH too.
  if (test !== -1 && !/vcvars64\.bat/.test(steps[test].run ?? "")) problems.push("deno task test runs without MSVC");
  // One Deno version: the one scripts/versions.env pins, read at run time rather than copied.
  if (!steps.some((s) => /DENO_VERSION=.*scripts\/versions\.env.*GITHUB_ENV/.test(s.run ?? ""))) {
    problems.push("the Windows job does not read DENO_VERSION from scripts/versions.env");
  }
  for (const step of steps) {
    for (const [, version] of (step.run ?? "").matchAll(/deno@([^\s]+)/g)) {
      if (version !== "%DENO_VERSION%") problems.push(`a Deno version other than the pinned one: deno@${version}`);
    }
  }
  return problems;
}

Deno.test("ci.yml: Ubuntu runs .ci/run; windows-latest builds with MSVC, tests, compiles and smoke-runs bits.exe", async () => {
  const text = await Deno.readTextFile(join(ROOT, WORKFLOW));
  assert.deepEqual(workflowProblems(text), []);
  // The version variable it reads is the one the scripts use.
  assert.match(await Deno.readTextFile(join(ROOT, "scripts/versions.env")), /^DENO_VERSION=\d+\.\d+\.\d+$/m);
});

Deno.test("ci.yml checker: a missing step, a wrong order, an unpinned action or a second Deno version is caught", async () => {
  const text = await Deno.readTextFile(join(ROOT, WORKFLOW));
  const broken: [string, string, RegExp][] = [
    ["actions/checkout@v4.2.2", "actions/checkout@v4", /not a standard action pinned/],
    ["actions/checkout@v4.2.2", "someone/checkout@v4.2.2", /not a standard action pinned/],
    ["% task compile", "% task lint", /no step that runs deno task compile/],
    ["dist\\bits.exe ", "dist\\other.exe ", /no step that runs dist/],
    ["sudo bash .ci/run", "sudo bash .ci/other", /does not run \.ci\/run/],
    ["npx -y deno@%DENO_VERSION% task test", "npx -y deno@2.0.0 task test", /other than the pinned one/],
    ["runs-on: windows-latest", "runs-on: windows-2019", /no windows-latest job/],
    ["  pull_request:\n", "", /not run on pull_request/],
  ];
  for (const [from, to, problem] of broken) {
    assert.ok(text.includes(from), `the workflow no longer contains ${JSON.stringify(from)}`);
    const problems = workflowProblems(text.replaceAll(from, to));
    assert.ok(problems.some((p) => problem.test(p)), `${JSON.stringify(to)}: ${problem} not reported (${problems})`);
  }
  // Swapping compile before test breaks the order.
  const swapped = text.replace("% task test\n", "% task XX\n").replace("% task compile\n", "% task test\n")
    .replace("% task XX\n", "% task compile\n");
  assert.ok(workflowProblems(swapped).some((p) => /in that order/.test(p)), String(workflowProblems(swapped)));
});

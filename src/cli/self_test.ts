/**
 * `doctor --self-test`: the self-test of src/self_test.ts from the command
 * line, so a user can attach the verdict of their own machine's BITS to a bug
 * report. Safe: a server on 127.0.0.1 only, every job it creates removed.
 * Exit 0 for the verdicts `full` and `partial` (a BITS that lacks features
 * is still a working BITS), 1 when a check failed or a job could not be
 * removed. Needs `--allow-net=127.0.0.1` besides the usual permissions.
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };
import { connect } from "../manager.ts";
import { runSelfTest, type SelfTestReport } from "../self_test.ts";
import { type Context, emit } from "./context.ts";
import { ExitCode } from "./exit_codes.ts";
import { table } from "./format.ts";

const VERDICT_TEXT = {
  full: "every check passed",
  partial: "BITS works; some features are missing (see docs/compat.md)",
  failed: "a check failed",
} as const;

function describe(report: SelfTestReport): string {
  return [
    `BITS self-test (${report.wine ? `Wine ${report.wine}` : "native Windows"}; local server on 127.0.0.1):`,
    table(report.checks.map((c) => [`  ${c.name}`, c.result, c.detail])),
    `Verdict: ${report.verdict}: ${VERDICT_TEXT[report.verdict]}`,
    report.jobsLeft > 0 ? `Warning: ${report.jobsLeft} self-test job(s) could not be removed ('bits list')` : "",
  ].filter(Boolean).join("\n");
}

/** Runs the self-test and reports it; see the module documentation for the exit codes. */
export async function selfTest(ctx: Context): Promise<number> {
  using bits = await connect();
  const report = await runSelfTest(bits);
  emit(
    ctx,
    { selfTest: true, ...report, module: denoJson.version, deno: Deno.version.deno },
    () => describe(report),
  );
  return report.verdict === "failed" || report.jobsLeft > 0 ? ExitCode.Failure : ExitCode.Ok;
}

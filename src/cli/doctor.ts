/**
 * `bits doctor`: is BITS reachable, which version is it, what does it
 * implement, is this Wine, and which shim is loaded.
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };
import { displayLocation, loadShim } from "../../ffi/library.ts";
import { type Capabilities, FEATURES } from "../capabilities.ts";
import { REQUIRES } from "../features.ts";
import type { ErrorText } from "../inspection.ts";
import { connect } from "../manager.ts";
import { wineVersion } from "../platform.ts";
import type { Command } from "./command.ts";
import { type Context, emit } from "./context.ts";
import { errorDetail } from "./error_detail.ts";
import { ExitCode } from "./exit_codes.ts";
import { table } from "./format.ts";
import { selfTest } from "./self_test.ts";

// A code every BITS has a text for: shows whether BITS' own error texts work here.
const SAMPLE_ERROR = 0x80200001;

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/**
 * What doctor reports when BITS cannot be reached: the report (stdout, or
 * JSON with the reason and the `error` object), and the reason once, on
 * stderr, where it is seen even with --quiet or --json.
 */
function unreachable(ctx: Context, error: unknown, shim: Record<string, unknown> | null): number {
  const err = error instanceof Error ? error : new Error(String(error));
  const reason = firstLine(err);
  let wine: string | null = null;
  try {
    wine = shim ? wineVersion() : null;
  } catch {
    // Without a shim there is nothing to ask.
  }
  emit(
    ctx,
    {
      reachable: false,
      reason,
      error: { ...errorDetail(err), message: reason },
      wine,
      shim,
      module: denoJson.version,
      deno: Deno.version.deno,
    },
    () =>
      [
        // The reason itself goes to stderr below, once.
        "BITS: not reachable",
        wine ? `Wine: ${wine}` : "",
        shim ? `Shim: ABI ${shim.abiVersion}, ${shim.path}` : "Shim: not loaded",
      ].filter(Boolean).join("\n"),
  );
  ctx.io.stderr(`error: BITS is not reachable: ${reason}\n`);
  return ExitCode.Failure;
}

function describe(report: Capabilities, errorText: ErrorText): string {
  const registered = report.managers.filter((m) => m.registered).map((m) => m.version);
  const rows = FEATURES.map((feature) => [
    `  ${feature}`,
    report.features[feature] ? "yes" : "no",
    report.features[feature] ? "" : `${report.probes[feature]}; needs ${REQUIRES[feature]}`,
  ]);
  return [
    `BITS: reachable, version ${report.bitsVersion ?? "unknown"} (registered manager CLSIDs: ${
      registered.join(", ") || "none"
    })`,
    `Wine: ${report.wine ?? "no (native Windows)"}`,
    `Shim: ABI ${report.shim.abiVersion}, ${report.shim.path}`,
    `Error texts: from ${errorText.source}${
      errorText.tried.length ? ` (${errorText.tried.map((t) => `${t.source}: ${t.code}`).join(", ")})` : ""
    }`,
    report.probeError ? `Interface probes failed: ${report.probeError}` : "Features:",
    ...(report.probeError ? [] : [table(rows)]),
  ].join("\n");
}

/** `doctor`: exit 0 when BITS is reachable (whatever it lacks), 1 otherwise with the reason. */
export async function doctor(ctx: Context): Promise<number> {
  let shim: Record<string, unknown>;
  try {
    const loaded = loadShim();
    const abi = new Uint32Array(1);
    loaded.symbols.bits_shim_abi_version(abi);
    shim = { path: displayLocation(loaded.candidate.location), abiVersion: abi[0] };
  } catch (error) {
    return unreachable(ctx, error, null);
  }
  let bits;
  try {
    bits = await connect();
  } catch (error) {
    return unreachable(ctx, error, shim);
  }
  try {
    const report = await bits.capabilities();
    const errorText = await bits.errorDescription(SAMPLE_ERROR);
    emit(
      ctx,
      {
        reachable: true,
        bitsVersion: report.bitsVersion,
        managers: report.managers,
        features: report.features,
        probes: report.probes,
        probeError: report.probeError,
        errorTexts: { source: errorText.source, tried: errorText.tried },
        wine: report.wine,
        shim: report.shim,
        module: denoJson.version,
        deno: Deno.version.deno,
      },
      () => describe(report, errorText),
    );
    return ExitCode.Ok;
  } finally {
    bits.close();
  }
}

/** The `doctor` command. */
export const command: Command = {
  summary: "Check BITS: reachable?, version, capabilities, Wine, shim location and ABI; exit 1 when unreachable",
  positionals: [],
  options: {
    "self-test": {
      type: "boolean",
      description:
        "Instead, run safe checks of BITS against a server on 127.0.0.1 and print the verdict (needs --allow-net)",
    },
  },
  examples: ["doctor", "doctor --json", "doctor --self-test --json"],
  run: (ctx, parsed) => parsed.options["self-test"] === true ? selfTest(ctx) : doctor(ctx),
};

/**
 * Capability detection: which BITS this is (versioned manager CLSIDs,
 * newest first) and what it really implements (QueryInterface probes on a
 * temporary probe job and its file, and whether it accepts the
 * FILE_RANGES_TRANSFERRED notify flag). Wine registers only the 1.0 CLSID yet
 * answers QueryInterface for Job2–Job4, so both kinds of probe are needed.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { displayLocation, loadShim } from "../ffi/library.ts";
import { parseGuid } from "./guid.ts";
import { describeHresult, failed } from "./hresult.ts";
import { createJob } from "./create_job.ts";
import type { OwnedHandle } from "./handle.ts";
import { addFile, cancelJob } from "./job_ops.ts";
import type { JobRef } from "./job_ref.ts";
import { wineVersion } from "./platform.ts";
import { decodeUtf16 } from "./utf16.ts";

/** Versioned BackgroundCopyManager CLSIDs, newest first (the `bits*.h` headers of the Windows SDK). */
export const MANAGER_CLSIDS: readonly { readonly version: string; readonly clsid: string }[] = [
  { version: "10.3", clsid: "{5FD42AD5-C04E-4D36-ADC7-E08FF15737AD}" },
  { version: "10.2", clsid: "{4575438F-A6C8-4976-B0FE-2F26B80D959E}" },
  { version: "10.1", clsid: "{4BD3E4E1-7BD4-4A2B-9964-496400DE5193}" },
  { version: "5.0", clsid: "{1ECCA34C-E88A-44E3-8D6A-8921BDE9E452}" },
  { version: "4.0", clsid: "{BB6DF56B-CACE-11DC-9992-0019B93A3A84}" },
  { version: "3.0", clsid: "{659CDEA7-489E-11D9-A9CD-000D56965251}" },
  { version: "2.5", clsid: "{03CA98D6-FF5D-49B8-ABC6-03DD84127020}" },
  { version: "2.0", clsid: "{6D18AD12-BDE3-4393-B311-099C346E6DF9}" },
  { version: "1.5", clsid: "{F087771F-D74F-4C1A-BB8A-E16ACA9124EA}" },
  { version: "1.0", clsid: "{4991D34B-80A1-4291-83B6-3328366B9097}" },
];

/** Job interfaces probed with QueryInterface on a job. */
export const JOB_INTERFACES: Readonly<Record<string, string>> = {
  job2: "{54B50739-686F-45EB-9DFF-D6A9A0FAA9AF}",
  job3: "{443C8934-90FF-48ED-BCDE-26F5C7450042}",
  job4: "{659CDEAE-489E-11D9-A9CD-000D56965251}",
  job5: "{E847030C-BBBA-4657-AF6D-484AA42BF1FE}",
  httpOptions: "{F1BD1079-9F01-4BDC-8036-F09B70095066}",
  httpOptions2: "{B591A192-A405-4FC3-8323-4C5C542578FC}",
  httpOptions3: "{8A9263D3-FD4C-4EDA-9B28-30132A4D4E3C}",
};

/** File interfaces probed with QueryInterface on a job's file. */
export const FILE_INTERFACES: Readonly<Record<string, string>> = {
  file2: "{83E81B93-0873-474D-8A8C-F2018B1A939C}",
  file3: "{659CDEAA-489E-11D9-A9CD-000D56965251}",
  file4: "{EF7E0655-7888-4960-B0E5-730846E03492}",
  file5: "{85C1657F-DAFC-40E8-8834-DF18EA25717E}",
  file6: "{CF6784F7-D677-49FD-9368-CB47AEE9D1AD}",
};

/** BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_FILE_RANGES_TRANSFERRED: accepted only with Callback3. */
export const CALLBACK3_PROBE_FLAGS = 0x23;

/** A feature {@linkcode Capabilities} probes (the keys of `REQUIRES` that name interfaces). */
export type Feature =
  | "job2"
  | "job3"
  | "job4"
  | "job5"
  | "httpOptions"
  | "httpOptions2"
  | "httpOptions3"
  | "file2"
  | "file3"
  | "file4"
  | "file5"
  | "file6"
  | "callback3";

/** Every probed feature, in report order. */
export const FEATURES: readonly Feature[] = [
  ...Object.keys(JOB_INTERFACES) as Feature[],
  ...Object.keys(FILE_INTERFACES) as Feature[],
  "callback3",
];

/** One versioned manager CLSID and whether it is registered. */
export interface ManagerVersion {
  /** The BITS version the CLSID stands for, e.g. `"10.3"`. */
  readonly version: string;
  /** The CLSID, braced upper case. */
  readonly clsid: string;
  /** True when CoCreateInstance succeeded. */
  readonly registered: boolean;
  /** CoCreateInstance's result by name: `S_OK`, `REGDB_E_CLASSNOTREG` … */
  readonly code: string;
}

/** What the running BITS is and implements. `JSON.stringify` gives the whole report except `supports`. */
export interface Capabilities {
  /** The newest registered manager version (`"1.0"` under Wine), or `null` when none is. */
  readonly bitsVersion: string | null;
  /** Every versioned CLSID, newest first. */
  readonly managers: readonly ManagerVersion[];
  /** Each probed feature: true when this BITS provides it. */
  readonly features: Readonly<Record<Feature, boolean>>;
  /** Each probe's result by name (`S_OK`, `E_NOINTERFACE`, `E_NOTIMPL` …). */
  readonly probes: Readonly<Record<Feature, string>>;
  /** Why the interface probes could not run (no probe job), or `null`; features are then all false. */
  readonly probeError: string | null;
  /** The Wine version when running under Wine, else `null`. */
  readonly wine: string | null;
  /** The loaded shim. */
  readonly shim: { readonly path: string; readonly abiVersion: number };
  /** True when this BITS provides `feature`. */
  supports(feature: Feature): boolean;
}

/** The probe job's display name: says what it is to anyone who sees it in a queue listing. */
export const PROBE_JOB_NAME = "deno-bits capability probe (temporary, never resumed)";

const logger = getLogger(["deno-bits", "capabilities"]);

/** The version of the newest registered manager, or `null`. */
export function newestVersion(managers: readonly ManagerVersion[]): string | null {
  return managers.find((m) => m.registered)?.version ?? null;
}

/** Builds the report from raw probe results (pure, for tests and for {@linkcode probeCapabilities}). */
export function buildCapabilities(
  managers: readonly ManagerVersion[],
  probeResults: Readonly<Partial<Record<Feature, number>>>,
  probeError: string | null,
  wine: string | null,
  shim: { readonly path: string; readonly abiVersion: number },
): Capabilities {
  const features = {} as Record<Feature, boolean>;
  const probes = {} as Record<Feature, string>;
  for (const feature of FEATURES) {
    const hr = probeResults[feature];
    features[feature] = hr !== undefined && !failed(hr);
    probes[feature] = hr === undefined ? "NOT_PROBED" : describeHresult(hr).name;
  }
  const report: Capabilities = {
    bitsVersion: newestVersion(managers),
    managers,
    features,
    probes,
    probeError,
    wine,
    shim,
    supports: (feature) => features[feature] === true,
  };
  // Keeps `supports` out of JSON and out of key listings.
  Object.defineProperty(report, "supports", { enumerable: false });
  return report;
}

/** The process's temporary directory (GetTempPathW), for the probe file's destination. */
function tempDirectory(): string {
  const buffer = new Uint16Array(300);
  const length = new Uint32Array(1);
  const hr = loadShim().symbols.bits_temp_path(buffer, buffer.length, length);
  if (failed(hr)) return "C:\\Windows\\Temp\\";
  return decodeUtf16(new Uint8Array(buffer.buffer), 0, length[0]);
}

/**
 * Probes the running BITS. Creates a SUSPENDED probe job named
 * {@linkcode PROBE_JOB_NAME} with one file (an http://127.0.0.1 URL and a
 * non-existent path in the temporary directory), never resumes it, and
 * cancels it in `finally` (cancelling a suspended job is safe under Wine, and
 * Cancel deletes nothing that exists).
 */
export async function probeCapabilities(manager: OwnedHandle): Promise<Capabilities> {
  const shim = loadShim();
  const managers: ManagerVersion[] = [];
  for (const { version, clsid } of MANAGER_CLSIDS) {
    const hr = await shim.symbols.bits_probe_manager_clsid(parseGuid(clsid));
    managers.push({ version, clsid, registered: !failed(hr), code: describeHresult(hr).name });
  }
  const results: Partial<Record<Feature, number>> = {};
  let probeError: string | null = null;
  let job: JobRef | undefined;
  try {
    ({ ref: job } = await createJob(manager, PROBE_JOB_NAME, {
      description: "Created and cancelled by capabilities()",
    }));
    const name = `deno-bits-probe-${crypto.randomUUID()}.tmp`;
    await addFile(job, `http://127.0.0.1/${name}`, `${tempDirectory()}${name}`);
    const handle = job.handle;
    for (const [feature, iid] of Object.entries(JOB_INTERFACES) as [Feature, string][]) {
      results[feature] = await handle.use((p) => shim.symbols.bits_query_interface(p, parseGuid(iid)));
    }
    for (const [feature, iid] of Object.entries(FILE_INTERFACES) as [Feature, string][]) {
      results[feature] = await handle.use((p) => shim.symbols.bits_job_query_file_interface(p, parseGuid(iid)));
    }
    results.callback3 = await handle.use((p) => shim.symbols.bits_job_probe_notify_flags(p, CALLBACK3_PROBE_FLAGS));
  } catch (error) {
    probeError = error instanceof Error ? error.message : String(error);
    logger.warn("Capability probes could not run: {error}", { error: probeError });
  } finally {
    if (job) {
      try {
        await cancelJob(job);
      } catch (error) {
        logger.error("Could not cancel probe job {id}: {error}", { id: job.id, error: String(error) });
      }
      job.handle.dispose();
    }
  }
  const abi = new Uint32Array(1);
  shim.symbols.bits_shim_abi_version(abi);
  return buildCapabilities(managers, results, probeError, wineVersion(), {
    path: displayLocation(shim.candidate.location),
    abiVersion: abi[0],
  });
}

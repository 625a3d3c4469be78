// Unit tests of src/capabilities.ts: the CLSID and IID tables against the `bits*.h` headers of the Windows SDK, the version
// chosen from registered CLSIDs, the report built from raw probe results, and the doctor command's
// registration.
//
// Permissions: none.

import assert from "node:assert/strict";
import {
  buildCapabilities,
  CALLBACK3_PROBE_FLAGS,
  FEATURES,
  FILE_INTERFACES,
  JOB_INTERFACES,
  MANAGER_CLSIDS,
  type ManagerVersion,
  newestVersion,
} from "../../src/capabilities.ts";
import { REQUIRES } from "../../src/features.ts";
import { helpText, parseCommandLine } from "../../src/cli/args.ts";
import { COMMANDS } from "../../src/cli/registry.ts";

const SHIM = { path: "C:/x/bits_shim.dll", abiVersion: 2 };
const S_OK = 0;
const E_NOINTERFACE = 0x80004002 | 0;
const E_NOTIMPL = 0x80004001 | 0;

function managers(registered: readonly string[]): ManagerVersion[] {
  return MANAGER_CLSIDS.map(({ version, clsid }) => ({
    version,
    clsid,
    registered: registered.includes(version),
    code: registered.includes(version) ? "S_OK" : "REGDB_E_CLASSNOTREG",
  }));
}

Deno.test("capabilities: manager CLSIDs are the SDK's, newest first", () => {
  assert.deepEqual(
    MANAGER_CLSIDS.map((m) => `${m.version} ${m.clsid.toLowerCase()}`),
    [
      "10.3 {5fd42ad5-c04e-4d36-adc7-e08ff15737ad}",
      "10.2 {4575438f-a6c8-4976-b0fe-2f26b80d959e}",
      "10.1 {4bd3e4e1-7bd4-4a2b-9964-496400de5193}",
      "5.0 {1ecca34c-e88a-44e3-8d6a-8921bde9e452}",
      "4.0 {bb6df56b-cace-11dc-9992-0019b93a3a84}",
      "3.0 {659cdea7-489e-11d9-a9cd-000d56965251}",
      "2.5 {03ca98d6-ff5d-49b8-abc6-03dd84127020}",
      "2.0 {6d18ad12-bde3-4393-b311-099c346e6df9}",
      "1.5 {f087771f-d74f-4c1a-bb8a-e16aca9124ea}",
      "1.0 {4991d34b-80a1-4291-83b6-3328366b9097}",
    ],
  );
});

Deno.test("capabilities: probed IIDs are the SDK's and every feature says what provides it", () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries({ ...JOB_INTERFACES, ...FILE_INTERFACES }).map(([k, v]) => [k, v.toLowerCase()])),
    {
      job2: "{54b50739-686f-45eb-9dff-d6a9a0faa9af}",
      job3: "{443c8934-90ff-48ed-bcde-26f5c7450042}",
      job4: "{659cdeae-489e-11d9-a9cd-000d56965251}",
      job5: "{e847030c-bbba-4657-af6d-484aa42bf1fe}",
      httpOptions: "{f1bd1079-9f01-4bdc-8036-f09b70095066}",
      httpOptions2: "{b591a192-a405-4fc3-8323-4c5c542578fc}",
      httpOptions3: "{8a9263d3-fd4c-4eda-9b28-30132a4d4e3c}",
      file2: "{83e81b93-0873-474d-8a8c-f2018b1a939c}",
      file3: "{659cdeaa-489e-11d9-a9cd-000d56965251}",
      file4: "{ef7e0655-7888-4960-b0e5-730846e03492}",
      file5: "{85c1657f-dafc-40e8-8834-df18ea25717e}",
      file6: "{cf6784f7-d677-49fd-9368-cb47aee9d1ad}",
    },
  );
  assert.equal(FEATURES.length, 13);
  for (const feature of FEATURES) assert.ok(feature in REQUIRES, `REQUIRES.${feature}`);
  // FILE_RANGES_TRANSFERRED (0x20) is what only Callback3 hosts accept.
  assert.equal(CALLBACK3_PROBE_FLAGS & 0x20, 0x20);
});

Deno.test("capabilities: bitsVersion is the newest registered CLSID, null when none is", () => {
  assert.equal(newestVersion(managers(["1.0"])), "1.0");
  assert.equal(newestVersion(managers(["1.0", "1.5", "2.0", "10.2", "5.0"])), "10.2");
  assert.equal(newestVersion(managers([])), null);
});

Deno.test("capabilities: a Wine-like probe set gives booleans, codes and supports()", () => {
  const report = buildCapabilities(
    managers(["1.0"]),
    {
      job2: S_OK,
      job3: S_OK,
      job4: S_OK,
      job5: E_NOINTERFACE,
      httpOptions: S_OK,
      httpOptions2: E_NOINTERFACE,
      httpOptions3: E_NOINTERFACE,
      file2: S_OK,
      file3: E_NOINTERFACE,
      file4: E_NOINTERFACE,
      file5: E_NOINTERFACE,
      file6: E_NOINTERFACE,
      callback3: E_NOTIMPL,
    },
    null,
    "10.0",
    SHIM,
  );
  assert.equal(report.bitsVersion, "1.0");
  assert.deepEqual(
    FEATURES.filter((f) => report.supports(f)),
    ["job2", "job3", "job4", "httpOptions", "file2"],
  );
  assert.deepEqual(FEATURES.filter((f) => report.features[f]), FEATURES.filter((f) => report.supports(f)));
  assert.equal(report.probes.job5, "E_NOINTERFACE");
  assert.equal(report.probes.callback3, "E_NOTIMPL");
  assert.equal(report.wine, "10.0");
  // The report is plain data in JSON: supports() is left out.
  const json = JSON.parse(JSON.stringify(report));
  assert.deepEqual(Object.keys(json), ["bitsVersion", "managers", "features", "probes", "probeError", "wine", "shim"]);
  assert.equal(json.features.job4, true);
});

Deno.test("capabilities: without a probe job every feature is false and the reason is kept", () => {
  const report = buildCapabilities(
    managers(["1.0", "10.3"]),
    {},
    "CreateJob failed: BG_E_TOO_MANY_JOBS_PER_USER",
    null,
    SHIM,
  );
  assert.equal(report.bitsVersion, "10.3");
  assert.ok(FEATURES.every((f) => !report.supports(f)));
  assert.ok(FEATURES.every((f) => report.probes[f] === "NOT_PROBED"));
  assert.match(report.probeError ?? "", /TOO_MANY_JOBS/);
});

Deno.test("capabilities: the doctor command is registered, documented and takes no arguments", () => {
  assert.ok(COMMANDS.doctor);
  const parsed = parseCommandLine(["doctor", "--json"], COMMANDS);
  assert.equal(parsed.command, "doctor");
  assert.deepEqual(parsed.args, {});
  assert.equal(parsed.options.json, true);
  assert.match(helpText("bits", COMMANDS), /doctor/);
  assert.match(helpText("bits", COMMANDS, "doctor"), /bits doctor --json/);
  assert.throws(() => parseCommandLine(["doctor", "extra"], COMMANDS), /unexpected argument/);
});

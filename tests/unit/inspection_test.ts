// Unit tests of src/inspection.ts: decoding the bits_job_details record (synthetic buffers laid out as
// ffi/bits_inspection.h documents), FILETIME and integrity decoding, argument checks, message-table order.
//
// Permissions: none.

import assert from "node:assert/strict";
import { SHIM_ABI_VERSION } from "../../ffi/symbols.ts";
import { DETAILS_HEADER_BYTES } from "../../ffi/symbols_inspection.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { dateFromFiletime } from "../../src/filetime.ts";
import { checkHresult, checkLangId, messageSources } from "../../src/inspection.ts";
import { decodeDetails, integrityLevelName } from "../../src/inspection/details.ts";

const JOB = "{11111111-2222-3333-4444-555555555555}";
const E_NOTIMPL = 0x80004001 | 0;
const RPC_X_NULL_REF_POINTER = 0x800706F4 | 0;
const E_ACCESSDENIED = 0x80070005 | 0;
const S_FALSE = 1;

/** Field values of a details record; strings in layout order. */
interface Record {
  state?: number;
  timesHr?: number;
  ownerHr?: number;
  accountHr?: number;
  errorCountHr?: number;
  job4Hr?: number;
  integrityHr?: number;
  elevationHr?: number;
  creation?: bigint;
  modification?: bigint;
  completion?: bigint;
  errorCount?: number;
  integrity?: number;
  elevated?: number;
  errorHr?: number;
  errorContext?: number;
  errorCode?: number;
  fileHr?: number;
  remoteHr?: number;
  localHr?: number;
  protocolHr?: number;
  descriptionHr?: number;
  contextDescriptionHr?: number;
  langId?: number;
  strings?: readonly [string, string, string, string, string, string, string];
  abi?: number;
  totalAdjust?: number;
}

/** Builds a record exactly as bits_job_details writes it. */
function record(r: Record): Uint8Array {
  const strings = r.strings ?? ["", "", "", "", "", "", ""];
  const units = strings.map((s) => s.length);
  const total = DETAILS_HEADER_BYTES + units.reduce((a, b) => a + b, 0) * 2;
  const bytes = new Uint8Array(total + 16);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, r.abi ?? SHIM_ABI_VERSION, true);
  v.setUint32(4, total + (r.totalAdjust ?? 0), true);
  const i32 = [
    [8, r.state ?? 3],
    [12, r.timesHr ?? 0],
    [16, r.ownerHr ?? 0],
    [20, r.accountHr ?? 0],
    [24, r.errorCountHr ?? 0],
    [28, r.job4Hr ?? 0],
    [32, r.integrityHr ?? 0],
    [36, r.elevationHr ?? 0],
    [76, r.errorHr ?? S_FALSE],
    [80, r.errorContext ?? 0],
    [84, r.errorCode ?? 0],
    [88, r.fileHr ?? S_FALSE],
    [92, r.remoteHr ?? S_FALSE],
    [96, r.localHr ?? S_FALSE],
    [100, r.protocolHr ?? S_FALSE],
    [104, r.descriptionHr ?? S_FALSE],
    [108, r.contextDescriptionHr ?? S_FALSE],
  ] as const;
  for (const [at, value] of i32) v.setInt32(at, value, true);
  v.setBigUint64(40, r.creation ?? 0n, true);
  v.setBigUint64(48, r.modification ?? 0n, true);
  v.setBigUint64(56, r.completion ?? 0n, true);
  v.setUint32(64, r.errorCount ?? 0, true);
  v.setUint32(68, r.integrity ?? 0, true);
  v.setUint32(72, r.elevated ?? 0, true);
  v.setUint32(136, r.langId ?? 0x0409, true);
  [112, 116, 120, 124, 128, 132, 140].forEach((at, i) => v.setUint32(at, units[i], true));
  let offset = DETAILS_HEADER_BYTES;
  for (const s of strings) {
    for (let i = 0; i < s.length; i++) v.setUint16(offset + i * 2, s.charCodeAt(i), true);
    offset += s.length * 2;
  }
  return bytes;
}

// 2024-05-06T07:08:09.123Z as a FILETIME.
const WHEN = new Date("2024-05-06T07:08:09.123Z");
const WHEN_FILETIME = BigInt(WHEN.getTime()) * 10_000n + 116_444_736_000_000_000n;

Deno.test("inspection: a full Windows-like record decodes every field", () => {
  const details = decodeDetails(
    record({
      state: 4,
      creation: WHEN_FILETIME,
      modification: WHEN_FILETIME + 10_000_000n,
      completion: 0n,
      errorCount: 3,
      integrity: 0x3000,
      elevated: 1,
      errorHr: 0,
      errorContext: 5,
      errorCode: 0x80190194 | 0,
      fileHr: 0,
      remoteHr: 0,
      localHr: 0,
      protocolHr: 0,
      descriptionHr: 0,
      contextDescriptionHr: 0,
      langId: 0x0407,
      strings: [
        "S-1-5-21-1-2-3-1001",
        "PC\\Jörg",
        "https://example.com/a.bin",
        "C:\\Downloads\\a.bin",
        "http",
        "Die Datei wurde nicht gefunden.\r\n",
        "Fehler beim Verarbeiten der Remotedatei.\r\n",
      ],
    }),
    JOB,
  );
  assert.equal(details.id, JOB);
  assert.equal(details.state, "ERROR");
  assert.deepEqual(details.creationTime, WHEN);
  assert.deepEqual(details.modificationTime, new Date(WHEN.getTime() + 1000));
  assert.equal(details.transferCompletionTime, null, "FILETIME 0 is 'not yet'");
  assert.equal(details.ownerSid, "S-1-5-21-1-2-3-1001");
  assert.equal(details.ownerAccount, "PC\\Jörg");
  assert.equal(details.ownerIntegrityLevel, "HIGH");
  assert.equal(details.ownerElevated, true);
  assert.equal(details.errorCount, 3);
  assert.equal(details.langId, 0x0407);
  assert.deepEqual(details.unsupported, []);
  assert.deepEqual(details.readErrors, {});
  assert.deepEqual(details.error, {
    context: "REMOTE_FILE",
    hresult: 0x80190194,
    code: "BG_E_HTTP_ERROR_404",
    description: "the server returned HTTP 404 Not Found",
    httpStatus: 404,
    hint: details.error?.hint,
    file: { remoteName: "https://example.com/a.bin", localName: "C:\\Downloads\\a.bin" },
    protocol: "http",
    localizedDescription: "Die Datei wurde nicht gefunden.",
    contextDescription: "Fehler beim Verarbeiten der Remotedatei.",
  });
  assert.match(details.error?.hint ?? "", /URL/);
});

Deno.test("inspection: Wine's stubs leave nulls and are named in unsupported, never thrown", () => {
  const details = decodeDetails(
    record({
      state: 4,
      timesHr: E_NOTIMPL,
      ownerHr: E_NOTIMPL,
      accountHr: S_FALSE,
      errorCountHr: E_NOTIMPL,
      integrityHr: E_NOTIMPL,
      elevationHr: E_NOTIMPL,
      // Garbage a stub might leave in out-parameters must not leak through.
      creation: WHEN_FILETIME,
      errorCount: 99,
      integrity: 0x2000,
      elevated: 1,
      errorHr: 0,
      errorContext: 5,
      errorCode: 0x80190194 | 0,
      fileHr: 0,
      remoteHr: 0,
      localHr: 0,
      protocolHr: E_NOTIMPL,
      descriptionHr: RPC_X_NULL_REF_POINTER,
      contextDescriptionHr: E_NOTIMPL,
      strings: ["", "", "http://127.0.0.1/x", "C:\\x.bin", "", "", ""],
    }),
    JOB,
  );
  assert.deepEqual(
    [details.creationTime, details.modificationTime, details.transferCompletionTime],
    [null, null, null],
  );
  assert.equal(details.ownerSid, null);
  assert.equal(details.ownerAccount, null, "not attempted (S_FALSE) is null but not 'unsupported'");
  assert.equal(details.errorCount, null);
  assert.equal(details.ownerIntegrityLevel, null);
  assert.equal(details.ownerElevated, null);
  assert.deepEqual(details.unsupported, [
    "times",
    "owner",
    "errorCount",
    "ownerIntegrityLevel",
    "ownerElevated",
    "errorProtocol",
    "errorDescription",
    "errorContextDescription",
  ]);
  assert.equal(details.readErrors.errorDescription, "RPC_X_NULL_REF_POINTER");
  assert.equal(details.readErrors.times, "E_NOTIMPL");
  assert.equal(details.error?.code, "BG_E_HTTP_ERROR_404");
  assert.deepEqual(details.error?.file, { remoteName: "http://127.0.0.1/x", localName: "C:\\x.bin" });
  assert.equal(details.error?.protocol, null);
  assert.equal(details.error?.localizedDescription, null);
});

Deno.test("inspection: without IBackgroundCopyJob4 both of its details carry the QueryInterface failure", () => {
  const details = decodeDetails(
    record({ job4Hr: 0x80004002 | 0, integrityHr: S_FALSE, elevationHr: S_FALSE }),
    JOB,
  );
  assert.deepEqual(details.unsupported, ["ownerIntegrityLevel", "ownerElevated"]);
  assert.deepEqual(details.readErrors, { ownerIntegrityLevel: "E_NOINTERFACE", ownerElevated: "E_NOINTERFACE" });
  assert.equal(details.error, null, "no error outside the error states");
});

Deno.test("inspection: a failure that is not 'unsupported' is in readErrors only", () => {
  const details = decodeDetails(record({ ownerHr: E_ACCESSDENIED, accountHr: S_FALSE }), JOB);
  assert.equal(details.ownerSid, null);
  assert.deepEqual(details.unsupported, []);
  assert.deepEqual(details.readErrors, { owner: "E_ACCESSDENIED" });
});

Deno.test("inspection: an account lookup failure leaves the SID", () => {
  const details = decodeDetails(
    record({ accountHr: 0x80070534 | 0, strings: ["S-1-5-21-9", "", "", "", "", "", ""] }),
    JOB,
  );
  assert.equal(details.ownerSid, "S-1-5-21-9");
  assert.equal(details.ownerAccount, null);
  assert.deepEqual(details.readErrors, { ownerAccount: "HRESULT_FROM_WIN32(1332)" });
});

Deno.test("inspection: GetError failing (Wine's network errors) gives context UNKNOWN and no texts", () => {
  const details = decodeDetails(record({ state: 4, errorHr: 0x8020000F | 0 }), JOB);
  assert.equal(details.error?.context, "UNKNOWN");
  assert.equal(details.error?.code, "BG_E_ERROR_INFORMATION_UNAVAILABLE");
  assert.equal(details.error?.file, null);
  assert.match(details.error?.hint ?? "", /Wine/);
});

Deno.test("inspection: 'no file' and 'no protocol' answers are absence, not failures", () => {
  const details = decodeDetails(
    record({
      state: 4,
      errorHr: 0,
      errorContext: 2,
      errorCode: 0x80070070 | 0,
      fileHr: 0x80200004 | 0, // BG_E_FILE_NOT_AVAILABLE
      protocolHr: 0x80200005 | 0, // BG_E_PROTOCOL_NOT_AVAILABLE
      descriptionHr: 0,
      contextDescriptionHr: 0,
    }),
    JOB,
  );
  assert.equal(details.error?.context, "GENERAL_QUEUE_MANAGER");
  assert.equal(details.error?.file, null);
  assert.equal(details.error?.protocol, null);
  assert.deepEqual(details.unsupported, []);
  assert.deepEqual(details.readErrors, {});
  assert.equal(details.error?.localizedDescription, "", "an empty text read successfully stays empty");
});

Deno.test("inspection: inconsistent records are refused with a RangeError", () => {
  assert.throws(() => decodeDetails(new Uint8Array(100), JOB), RangeError);
  assert.throws(() => decodeDetails(record({ abi: 99 }), JOB), /ABI version 99/);
  assert.throws(() => decodeDetails(record({ totalAdjust: 1000 }), JOB), /claim/);
  const overrun = record({ strings: ["abc", "", "", "", "", "", ""] });
  new DataView(overrun.buffer).setUint32(112, 500, true);
  assert.throws(() => decodeDetails(overrun, JOB), /overrun/);
});

Deno.test("inspection: FILETIME and integrity levels", () => {
  assert.equal(dateFromFiletime(0n), null);
  assert.deepEqual(dateFromFiletime(WHEN_FILETIME), WHEN);
  assert.deepEqual(dateFromFiletime(116_444_736_000_000_000n), new Date(0));
  assert.equal(integrityLevelName(0x1000), "LOW");
  assert.equal(integrityLevelName(0x2000), "MEDIUM");
  assert.equal(integrityLevelName(0x4000), "SYSTEM");
  assert.equal(integrityLevelName(0x2345), "UNKNOWN(0x2345)");
});

Deno.test("inspection: langId and hr are checked before any native call", () => {
  assert.equal(checkLangId(undefined), 0);
  assert.equal(checkLangId(0x0409), 0x0409);
  for (const bad of [-1, 0x10000, 1.5, NaN]) {
    assert.throws(() => checkLangId(bad), (e) => e instanceof InvalidArgumentError && e.argument === "langId");
  }
  assert.equal(checkHresult(0x80190194), 0x80190194 | 0);
  assert.equal(checkHresult(0x80190194 | 0), 0x80190194 | 0);
  for (const bad of [0x1_0000_0000, -0x8000_0001, 0.5, Infinity]) {
    assert.throws(() => checkHresult(bad), (e) => e instanceof InvalidArgumentError && e.argument === "hr");
  }
});

Deno.test("inspection: message tables are asked in order, with the right message id", () => {
  // WinHTTP codes: winhttp.dll first (net helpmsg cannot decode them), by their Win32 number.
  assert.deepEqual(messageSources(0x80072EFD), [
    { source: "winhttp", messageId: 12029 },
    { source: "system", messageId: 12029 },
  ]);
  // Other Win32 codes: the system, by their Win32 number.
  assert.deepEqual(messageSources(0x800704DD | 0), [{ source: "system", messageId: 0x4DD }]);
  // Everything else: the system, by the HRESULT itself.
  assert.deepEqual(messageSources(0x80004001), [{ source: "system", messageId: 0x80004001 }]);
  assert.deepEqual(messageSources(0x80190194 | 0), [{ source: "system", messageId: 0x80190194 }]);
});

// Unit tests of src/hresult.ts: failure test, formatting, names and descriptions.
//
// Permissions: none.

import assert from "node:assert/strict";
import { describeHresult, failed, formatHresult, hintFor, hresultName, isWinHttpError } from "../../src/hresult.ts";

Deno.test("hresult: failed() is true for negative HRESULTs only", () => {
  for (const hr of [0, 1, 0x00200017, 0x0020001A, 0x00200006, 0x7FFFFFFF]) assert.equal(failed(hr), false, `${hr}`);
  for (const hr of [0x80200001, 0x80200001 | 0, 0x80004001, 0x80004001 | 0, 0x80000000, 0xFFFFFFFF, -1]) {
    assert.equal(failed(hr), true, `${hr}`);
  }
});

Deno.test("hresult: formatHresult pads to eight upper-case hex digits", () => {
  assert.equal(formatHresult(0x8020000F), "0x8020000F");
  assert.equal(formatHresult(0x8020000F | 0), "0x8020000F", "signed input prints unsigned");
  assert.equal(formatHresult(0x00000001), "0x00000001");
  assert.equal(formatHresult(0), "0x00000000");
  assert.equal(formatHresult(0x00200017), "0x00200017");
  assert.equal(formatHresult(0x800706F4 | 0), "0x800706F4");
  assert.equal(formatHresult(0xabcdef), "0x00ABCDEF");
});

Deno.test("hresult: success codes are named", () => {
  assert.equal(hresultName(0), "S_OK");
  assert.equal(hresultName(1), "S_FALSE");
  assert.equal(hresultName(0x00200017), "BG_S_PARTIAL_COMPLETE");
  assert.equal(hresultName(0x0020001A), "BG_S_UNABLE_TO_DELETE_FILES");
  assert.equal(describeHresult(0x00200017).httpStatus, undefined);
  assert.match(describeHresult(0x00200017).description, /\w/);
});

Deno.test("hresult: COM and RPC codes are named, signed or unsigned", () => {
  for (
    const [hr, name] of [
      [0x80004001, "E_NOTIMPL"],
      [0x80004002, "E_NOINTERFACE"],
      [0x800706F4, "RPC_X_NULL_REF_POINTER"],
      [0x80070057, "E_INVALIDARG"],
      [0x80070005, "E_ACCESSDENIED"],
    ] as const
  ) {
    assert.equal(hresultName(hr), name);
    assert.equal(hresultName(hr | 0), name, `${name} as a signed i32`);
    assert.notEqual(describeHresult(hr).description, "");
  }
});

Deno.test("hresult: unknown codes outside known facilities fall back to hex", () => {
  assert.deepEqual(describeHresult(0x80991234), { name: "0x80991234", description: "unknown failure" });
  assert.deepEqual(describeHresult(0x80991234 | 0), { name: "0x80991234", description: "unknown failure" });
  assert.deepEqual(describeHresult(0x12345678), { name: "0x12345678", description: "success" });
  // A gap in the BG_E table (0x80200017 is not defined) stays hex too.
  assert.equal(hresultName(0x80200017), "0x80200017");
});

Deno.test({
  name: "hresult: BG_E codes are named (BG_E_NOT_FOUND, BG_E_ERROR_INFORMATION_UNAVAILABLE)",
  fn(): void {
    assert.equal(hresultName(0x80200001), "BG_E_NOT_FOUND");
    assert.equal(hresultName(0x80200001 | 0), "BG_E_NOT_FOUND");
    assert.equal(hresultName(0x8020000F), "BG_E_ERROR_INFORMATION_UNAVAILABLE");
    assert.equal(hresultName(0x80200002 | 0), "BG_E_INVALID_STATE");
    assert.equal(describeHresult(0x80200001).description, "the requested job was not found");
  },
});

Deno.test({
  name: "hresult: HTTP statuses are BG_E_HTTP_ERROR_nnn with httpStatus and reason",
  fn(): void {
    const notFound = describeHresult(0x80190194);
    assert.equal(notFound.name, "BG_E_HTTP_ERROR_404");
    assert.equal(notFound.httpStatus, 404);
    assert.match(notFound.description, /404/);
    assert.match(notFound.description, /Not Found/);
    assert.deepEqual(describeHresult(0x80190194 | 0), notFound);
    const serverError = describeHresult(0x801901F4);
    assert.equal(serverError.name, "BG_E_HTTP_ERROR_500");
    assert.equal(serverError.httpStatus, 500);
    assert.match(serverError.description, /Internal Server Error/);
    // A status without a reason phrase still gets its name and number.
    const conflict = describeHresult(0x80190199);
    assert.equal(conflict.name, "BG_E_HTTP_ERROR_409");
    assert.equal(conflict.httpStatus, 409);
    assert.match(conflict.description, /409/);
  },
});

Deno.test({
  name: "hresult: unknown 0x8007xxxx codes are HRESULT_FROM_WIN32(n)",
  fn(): void {
    assert.equal(hresultName(0x80070099), "HRESULT_FROM_WIN32(153)");
    assert.equal(hresultName(0x80070099 | 0), "HRESULT_FROM_WIN32(153)");
    assert.equal(describeHresult(0x800705B4).name, "HRESULT_FROM_WIN32(1460)");
    assert.match(describeHresult(0x800705B4).description, /1460/);
  },
});

Deno.test({
  name: "hresult: the BG_E table names every code BG_E_* and no two codes share a name",
  fn(): void {
    const seen = new Map<string, number>();
    for (let hr = 0x80200000; hr <= 0x802000FF; hr++) {
      const { name } = describeHresult(hr);
      if (name === formatHresult(hr)) continue; // not in the table
      assert.ok(name.startsWith("BG_E_"), `${formatHresult(hr)} is named ${name}`);
      assert.ok(!seen.has(name), `${name} names both ${formatHresult(seen.get(name) ?? 0)} and ${formatHresult(hr)}`);
      seen.set(name, hr);
    }
    // The table is BITS' whole list; an empty walk would prove nothing.
    assert.ok(seen.size >= 100, `only ${seen.size} BG_E codes are named`);
  },
});

// `bitsmsg.h` and Microsoft's BITS return values, transcribed: every documented and header-only BG_E_/BG_S_ code with its name.
const SECTION_6: readonly (readonly [number, string])[] = [
  [0x00200006, "BG_S_ERROR_CONTEXT_NONE"],
  [0x00200017, "BG_S_PARTIAL_COMPLETE"],
  [0x0020001A, "BG_S_UNABLE_TO_DELETE_FILES"],
  [0x0020002A, "BG_S_PROXY_CHANGED"],
  [0x00200055, "BG_S_OVERRIDDEN_BY_POLICY"],
  ...([
    [0x01, "NOT_FOUND"],
    [0x02, "INVALID_STATE"],
    [0x03, "EMPTY"],
    [0x04, "FILE_NOT_AVAILABLE"],
    [0x05, "PROTOCOL_NOT_AVAILABLE"],
    [0x07, "ERROR_CONTEXT_UNKNOWN"],
    [0x08, "ERROR_CONTEXT_GENERAL_QUEUE_MANAGER"],
    [0x09, "ERROR_CONTEXT_LOCAL_FILE"],
    [0x0A, "ERROR_CONTEXT_REMOTE_FILE"],
    [0x0B, "ERROR_CONTEXT_GENERAL_TRANSPORT"],
    [0x0C, "ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION"],
    [0x0D, "DESTINATION_LOCKED"],
    [0x0E, "VOLUME_CHANGED"],
    [0x0F, "ERROR_INFORMATION_UNAVAILABLE"],
    [0x10, "NETWORK_DISCONNECTED"],
    [0x11, "MISSING_FILE_SIZE"],
    [0x12, "INSUFFICIENT_HTTP_SUPPORT"],
    [0x13, "INSUFFICIENT_RANGE_SUPPORT"],
    [0x14, "REMOTE_NOT_SUPPORTED"],
    [0x15, "NEW_OWNER_DIFF_MAPPING"],
    [0x16, "NEW_OWNER_NO_FILE_ACCESS"],
    [0x18, "PROXY_LIST_TOO_LARGE"],
    [0x19, "PROXY_BYPASS_LIST_TOO_LARGE"],
    [0x1B, "INVALID_SERVER_RESPONSE"],
    [0x1C, "TOO_MANY_FILES"],
    [0x1D, "LOCAL_FILE_CHANGED"],
    [0x1E, "ERROR_CONTEXT_REMOTE_APPLICATION"],
    [0x1F, "SESSION_NOT_FOUND"],
    [0x20, "TOO_LARGE"],
    [0x21, "STRING_TOO_LONG"],
    [0x22, "CLIENT_SERVER_PROTOCOL_MISMATCH"],
    // The documentation says SERVER_EXECUTE_ENABLED; the headers, and so every program, SERVER_EXECUTE_ENABLE.
    [0x23, "SERVER_EXECUTE_ENABLE"],
    [0x24, "NO_PROGRESS"],
    [0x25, "USERNAME_TOO_LARGE"],
    [0x26, "PASSWORD_TOO_LARGE"],
    [0x27, "INVALID_AUTH_TARGET"],
    [0x28, "INVALID_AUTH_SCHEME"],
    [0x29, "FILE_NOT_FOUND"],
    [0x2B, "INVALID_RANGE"],
    [0x2C, "OVERLAPPING_RANGES"],
    [0x2D, "CONNECT_FAILURE"],
    [0x2E, "CONNECTION_CLOSED"],
    [0x2F, "KEEP_ALIVE_FAILURE"],
    [0x30, "MESSAGE_LENGTH_LIMIT_EXCEEDED"],
    [0x31, "NAME_RESOLUTION_FAILURE"],
    [0x32, "PENDING"],
    [0x33, "PIPELINE_FAILURE"],
    [0x34, "PROTOCOL_ERROR"],
    [0x35, "PROXY_NAME_RESOLUTION_FAILURE"],
    [0x36, "RECEIVE_FAILURE"],
    [0x37, "REQUEST_CANCELED"],
    [0x38, "SECURE_CHANNEL_FAILURE"],
    [0x39, "SEND_FAILURE"],
    [0x3A, "SERVER_PROTOCOL_VIOLATION"],
    [0x3B, "TIMEOUT"],
    [0x3C, "TRUST_FAILURE"],
    [0x3D, "UNKNOWN_ERROR"],
    [0x3E, "BLOCKED_BY_POLICY"],
    [0x3F, "INVALID_PROXY_INFO"],
    [0x40, "INVALID_CREDENTIALS"],
    [0x41, "INVALID_HASH_ALGORITHM"],
    [0x42, "RECORD_DELETED"],
    [0x43, "COMMIT_IN_PROGRESS"],
    [0x44, "DISCOVERY_IN_PROGRESS"],
    [0x45, "UPNP_ERROR"],
    [0x46, "TEST_OPTION_BLOCKED_DOWNLOAD"],
    [0x47, "PEERCACHING_DISABLED"],
    [0x48, "BUSYCACHERECORD"],
    [0x49, "TOO_MANY_JOBS_PER_USER"],
    [0x50, "TOO_MANY_JOBS_PER_MACHINE"],
    [0x51, "TOO_MANY_FILES_IN_JOB"],
    [0x52, "TOO_MANY_RANGES_IN_FILE"],
    [0x53, "VALIDATION_FAILED"],
    [0x54, "MAXDOWNLOAD_TIMEOUT"],
    [0x56, "TOKEN_REQUIRED"],
    [0x57, "UNKNOWN_PROPERTY_ID"],
    [0x58, "READ_ONLY_PROPERTY"],
    [0x59, "BLOCKED_BY_COST_TRANSFER_POLICY"],
    [0x60, "PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY"],
    [0x61, "READ_ONLY_PROPERTY_AFTER_ADDFILE"],
    [0x62, "READ_ONLY_PROPERTY_AFTER_RESUME"],
    [0x63, "MAX_DOWNLOAD_SIZE_INVALID_VALUE"],
    [0x64, "MAX_DOWNLOAD_SIZE_LIMIT_REACHED"],
    [0x65, "STANDBY_MODE"],
    [0x66, "USE_STORED_CREDENTIALS_NOT_SUPPORTED"],
    [0x67, "BLOCKED_BY_BATTERY_POLICY"],
    [0x68, "BLOCKED_BY_BATTERY_SAVER"],
    [0x69, "WATCHDOG_TIMEOUT"],
    [0x6A, "APP_PACKAGE_NOT_FOUND"],
    [0x6B, "APP_PACKAGE_SCENARIO_NOT_SUPPORTED"],
    [0x6C, "DATABASE_CORRUPT"],
    [0x6D, "RANDOM_ACCESS_NOT_SUPPORTED"],
    [0x6E, "BLOCKED_BY_BACKGROUND_ACCESS_POLICY"],
    [0x6F, "BLOCKED_BY_GAME_MODE"],
    [0x70, "BLOCKED_BY_SYSTEM_POLICY"],
    [0x71, "NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD"],
    [0x72, "UNSUPPORTED_JOB_CONFIGURATION"],
    [0x73, "REMOTE_FILE_CHANGED"],
    [0x74, "SERVER_CERT_VALIDATION_INTERFACE_REQUIRED"],
    [0x75, "READ_ONLY_WHEN_JOB_ACTIVE"],
    [0x76, "ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK"],
  ] as const).map(([n, name]) => [0x80200000 + n, `BG_E_${name}`] as const),
];

Deno.test("hresult: every code of bitsmsg.h has its name and a description", () => {
  // 5 success codes and 101 failure codes (0x80200001-0x80200076 less the 17 unassigned values).
  assert.equal(SECTION_6.length, 5 + 101, "the transcription is complete");
  for (const [hr, name] of SECTION_6) {
    const info = describeHresult(hr);
    assert.equal(info.name, name, formatHresult(hr));
    assert.equal(describeHresult(hr | 0).name, name, `${name} as a signed i32`);
    assert.ok(info.description.length > 8 && !/^(unknown failure|success)$/.test(info.description), name);
    assert.equal(info.httpStatus, undefined);
  }
});

Deno.test("hresult: every 0x8019xxxx is decoded arithmetically as HTTP nnn", () => {
  for (let status = 100; status < 600; status++) {
    const info = describeHresult(0x80190000 + status);
    assert.equal(info.name, `BG_E_HTTP_ERROR_${status}`);
    assert.equal(info.httpStatus, status);
    assert.ok(info.description.startsWith(`the server returned HTTP ${status}`), info.description);
  }
  // The statuses the headers define carry their reason phrase.
  for (
    const [status, reason] of [
      [100, "Continue"],
      [206, "Partial Content"],
      [307, "Temporary Redirect"],
      [
        417,
        "Expectation Failed",
      ],
      [449, "Retry With"],
      [505, "HTTP Version Not Supported"],
    ] as const
  ) {
    assert.equal(describeHresult(0x80190000 + status).description, `the server returned HTTP ${status} ${reason}`);
  }
});

Deno.test("hresult: WinHTTP codes 0x80072xxx are named as in winhttp.h", () => {
  for (
    const [code, name] of [
      [12002, "ERROR_WINHTTP_TIMEOUT"],
      [12007, "ERROR_WINHTTP_NAME_NOT_RESOLVED"],
      [12029, "ERROR_WINHTTP_CANNOT_CONNECT"],
      [12030, "ERROR_WINHTTP_CONNECTION_ERROR"],
      [12037, "ERROR_WINHTTP_SECURE_CERT_DATE_INVALID"],
      [12038, "ERROR_WINHTTP_SECURE_CERT_CN_INVALID"],
      [12045, "ERROR_WINHTTP_SECURE_INVALID_CA"],
      [12152, "ERROR_WINHTTP_INVALID_SERVER_RESPONSE"],
      [12156, "ERROR_WINHTTP_REDIRECT_FAILED"],
      [12157, "ERROR_WINHTTP_SECURE_CHANNEL_ERROR"],
      [12175, "ERROR_WINHTTP_SECURE_FAILURE"],
      [12179, "ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE"],
      [12186, "ERROR_WINHTTP_CLIENT_CERT_NO_ACCESS_PRIVATE_KEY"],
    ] as const
  ) {
    const hr = 0x80070000 + code;
    assert.equal(hresultName(hr), name, formatHresult(hr));
    assert.equal(hresultName(hr | 0), name);
    assert.equal(isWinHttpError(hr), true);
  }
  // Documented examples, by their HRESULT as users see them.
  assert.equal(hresultName(0x80072EFE), "ERROR_WINHTTP_CONNECTION_ERROR");
  assert.equal(hresultName(0x80072F8F), "ERROR_WINHTTP_SECURE_FAILURE");
  // A WinHTTP-range code without a name still says where it comes from.
  assert.deepEqual(describeHresult(0x80072EE3), {
    name: "HRESULT_FROM_WIN32(12003)",
    description: "WinHTTP or WinINet error 12003",
  });
  for (const hr of [0x80072EE0, 0x80072F9F, 0x80190194, 0x80200001, 0x00072EE2]) {
    assert.equal(isWinHttpError(hr), false, formatHresult(hr));
  }
  // Every named WinHTTP code in the range has a distinct name.
  const names = new Set<string>();
  for (let code = 12001; code <= 12190; code++) {
    const { name } = describeHresult(0x80070000 + code);
    if (name.startsWith("ERROR_WINHTTP_")) {
      assert.ok(!names.has(name), name);
      names.add(name);
    }
  }
  assert.ok(names.size >= 50, `only ${names.size} WinHTTP codes are named`);
});

Deno.test("hresult: the common failures carry a hint saying what to do", () => {
  const cases: readonly (readonly [number, RegExp])[] = [
    [0x80200011, /DYNAMIC_CONTENT.*FOREGROUND/], // MISSING_FILE_SIZE
    [0x80200013, /DYNAMIC_CONTENT.*FOREGROUND/], // INSUFFICIENT_RANGE_SUPPORT
    [0x800704DD, /Run only when user is logged on.*service account/], // ERROR_NOT_LOGGED_ON
    [0x80070005, /elevat/], // E_ACCESSDENIED
    [0x80200049, /complete or cancel finished jobs/], // TOO_MANY_JOBS_PER_USER
    [0x80200050, /complete or cancel finished jobs/], // TOO_MANY_JOBS_PER_MACHINE
    [0x80190197, /proxy credentials/], // HTTP 407
    [0x80190191, /server credentials/], // HTTP 401
    [0x80072EFD, /unreachable/], // CANNOT_CONNECT
    [0x80072EE7, /could not be resolved/], // NAME_NOT_RESOLVED
    [0x80072EE2, /unreachable/], // TIMEOUT
    [0x80072F06, /security flags.*BG_SSL_IGNORE_CERT_CN_INVALID/], // CERT_CN_INVALID
    [0x80072F05, /security flags/], // CERT_DATE_INVALID
    [0x80072F0D, /security flags/], // INVALID_CA
    [0x80072F8F, /security flags/], // SECURE_FAILURE
    [0x80004001, /bits doctor/], // E_NOTIMPL
    [0x8020000F, /Wine/], // ERROR_INFORMATION_UNAVAILABLE
    [0x801901F7, /retries/], // HTTP 503: every 5xx
  ];
  for (const [hr, pattern] of cases) {
    const hint = hintFor(hr);
    assert.ok(hint, `${hresultName(hr)} has a hint`);
    assert.match(hint, pattern, hresultName(hr));
    assert.equal(hintFor(hr | 0), hint, "signed input too");
    assert.equal(describeHresult(hr).hint, hint, "describeHresult carries it");
  }
  // Success codes and rare failures carry none (and no `hint` key at all).
  for (const hr of [0, 1, 0x00200017, 0x80200046, 0x80190130, 0x80991234]) {
    assert.equal(hintFor(hr), undefined, hresultName(hr));
    assert.ok(!("hint" in describeHresult(hr)), hresultName(hr));
  }
});

Deno.test("hresult: a client certificate missing from its store is named, with what to do", () => {
  const info = describeHresult(0x80092004 | 0);
  assert.equal(info.name, "CRYPT_E_NOT_FOUND");
  assert.match(info.hint ?? "", /store/);
});

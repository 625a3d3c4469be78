// Unit tests of src/hresult.ts: failure test, formatting, names and descriptions.
//
// Permissions: none.

import assert from "node:assert/strict";
import { describeHresult, failed, formatHresult, hresultName } from "../../src/hresult.ts";

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

// Unit tests of src/errors.ts: unwrap, BitsError, BitsUnavailableError, InvalidArgumentError.
//
// Permissions: none.

import assert from "node:assert/strict";
import {
  BitsError,
  BitsUnavailableError,
  BitsUnsupportedError,
  InvalidArgumentError,
  unwrap,
} from "../../src/errors.ts";
import { REQUIRES } from "../../src/features.ts";

const JOB = "{4991D34B-80A1-4291-83B6-3328366B9097}";

/** Runs `fn` and returns the BitsError it throws. */
function catchBitsError(fn: () => unknown): BitsError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BitsError, `expected a BitsError, got ${error}`);
    return error;
  }
  assert.fail("did not throw");
}

Deno.test("errors: unwrap returns success codes unchanged", () => {
  assert.equal(unwrap(0, "Resume"), 0);
  assert.equal(unwrap(1, "Snapshot"), 1);
  assert.equal(unwrap(0x00200017, "Complete"), 0x00200017);
  assert.equal(unwrap(0x0020001A, "Cancel"), 0x0020001A);
  assert.equal(unwrap(0x7FFFFFFF, "x"), 0x7FFFFFFF);
});

Deno.test("errors: unwrap throws a BitsError with the unsigned HRESULT and the details", () => {
  const error = catchBitsError(() => unwrap(0x80200001 | 0, "GetJob", { jobId: JOB, context: "REMOTE_FILE" }));
  assert.ok(error instanceof Error);
  assert.equal(error.name, "BitsError");
  assert.equal(error.hresult, 0x80200001, "hresult is unsigned");
  assert.equal(error.operation, "GetJob");
  assert.equal(error.jobId, JOB);
  assert.equal(error.context, "REMOTE_FILE");
  assert.equal(error.state, undefined);
  assert.match(error.message, /^GetJob failed: /);
  assert.ok(error.message.includes("0x80200001"), error.message);
  assert.ok(error.message.includes(JOB), error.message);
  assert.ok(error.message.includes("context REMOTE_FILE"), error.message);
  // The same failure given as an unsigned number (as BITS docs print it) throws too.
  assert.equal(catchBitsError(() => unwrap(0x80200001, "GetJob")).hresult, 0x80200001);
});

Deno.test("errors: the code and description of a COM failure are in the error and its message", () => {
  const error = catchBitsError(() => unwrap(0x80070005 | 0, "SetPriority"));
  assert.equal(error.code, "E_ACCESSDENIED");
  assert.equal(error.hresult, 0x80070005);
  assert.equal(error.httpStatus, undefined);
  assert.equal(error.context, undefined);
  assert.equal(error.jobId, undefined);
  assert.equal(error.message, `SetPriority failed: E_ACCESSDENIED (0x80070005): ${error.description}`);
});

Deno.test("errors: a missing feature becomes a BitsUnsupportedError naming the feature and what provides it", () => {
  for (const hr of [0x80004001, 0x80004002, 0x800706f4]) {
    const error = catchBitsError(() =>
      unwrap(hr | 0, "GetProperty", { jobId: JOB, feature: "dynamic content", requires: REQUIRES.job5 })
    );
    assert.ok(error instanceof BitsUnsupportedError, error.name);
    assert.equal(error.name, "BitsUnsupportedError");
    assert.equal(error.feature, "dynamic content");
    assert.equal(error.requires, REQUIRES.job5);
    assert.equal(error.hresult, hr);
    assert.equal(error.unsupported, true);
    assert.equal(error.operation, "GetProperty");
    assert.equal(
      error.message,
      `dynamic content is not supported by this BITS (${error.code}, 0x${hr.toString(16).toUpperCase()}): ` +
        `it needs ${REQUIRES.job5} [job ${JOB}]`,
    );
  }
  // Without a feature name the operation names it; other failures stay plain BitsErrors.
  assert.equal((catchBitsError(() => unwrap(0x80004001 | 0, "Suspend")) as BitsUnsupportedError).feature, "Suspend");
  assert.ok(!(catchBitsError(() => unwrap(0x80200002 | 0, "Suspend")) instanceof BitsUnsupportedError));
});

Deno.test({
  name: "errors: unwrap names BG_E codes in code and message",
  fn(): void {
    const error = catchBitsError(() => unwrap(0x80200001 | 0, "GetJob", { jobId: JOB }));
    assert.equal(error.code, "BG_E_NOT_FOUND");
    assert.ok(error.message.includes("BG_E_NOT_FOUND (0x80200001)"), error.message);
  },
});

Deno.test("errors: context NONE is left out of the message; cause is kept", () => {
  const cause = new Error("root");
  const error = new BitsError(0x80004005, { operation: "Resume", context: "NONE", cause });
  assert.ok(!error.message.includes("context"), error.message);
  assert.ok(!error.message.includes("["), error.message);
  assert.equal(error.cause, cause);
  assert.equal(error.context, "NONE");
});

Deno.test("errors: BitsError.unsupported is true only for feature-missing codes", () => {
  for (const hr of [0x80004001, 0x80004002, 0x800706F4]) {
    assert.equal(new BitsError(hr).unsupported, true, `${hr.toString(16)} unsigned`);
    assert.equal(new BitsError(hr | 0).unsupported, true, `${hr.toString(16)} signed`);
  }
  for (const hr of [0x80200001, 0x80200001 | 0, 0x80004005, 0x80070005, 0x80190194]) {
    assert.equal(new BitsError(hr).unsupported, false, `${hr.toString(16)}`);
  }
});

Deno.test("errors: BitsError.fromJobError carries state ERROR, the context and the job", () => {
  const error = BitsError.fromJobError(
    { context: "REMOTE_FILE", hresult: 0x80190194, code: "BG_E_HTTP_ERROR_404", description: "not found" },
    JOB,
  );
  assert.equal(error.state, "ERROR");
  assert.equal(error.context, "REMOTE_FILE");
  assert.equal(error.jobId, JOB);
  assert.equal(error.hresult, 0x80190194);
  assert.equal(error.operation, "Transfer");
  assert.ok(error.message.includes("context REMOTE_FILE"), error.message);
  assert.ok(error.message.includes(JOB), error.message);
  assert.equal(error.unsupported, false);
});

Deno.test({
  name: "errors: BitsError.fromJobError of an HTTP error has httpStatus and the BG_E_HTTP_ERROR code",
  fn(): void {
    const error = BitsError.fromJobError(
      { context: "REMOTE_FILE", hresult: 0x80190194, code: "BG_E_HTTP_ERROR_404", description: "not found" },
      JOB,
    );
    assert.equal(error.httpStatus, 404);
    assert.equal(error.code, "BG_E_HTTP_ERROR_404");
    assert.ok(error.message.includes("BG_E_HTTP_ERROR_404"), error.message);
  },
});

Deno.test("errors: InvalidArgumentError is a TypeError naming the argument", () => {
  const error = new InvalidArgumentError("displayName", "displayName must not be empty");
  assert.ok(error instanceof TypeError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "InvalidArgumentError");
  assert.equal(error.argument, "displayName");
  assert.equal(error.message, "displayName must not be empty");
  assert.throws(() => {
    throw error;
  }, TypeError);
});

Deno.test("errors: BitsUnavailableError has a reason and keeps its cause", () => {
  const cause = new Error("dlopen failed");
  const error = new BitsUnavailableError("library", "Cannot load", { cause });
  assert.ok(error instanceof Error);
  assert.ok(!(error instanceof BitsError));
  assert.equal(error.name, "BitsUnavailableError");
  assert.equal(error.reason, "library");
  assert.equal(error.message, "Cannot load");
  assert.equal(error.cause, cause);
  assert.equal(new BitsUnavailableError("platform", "x").reason, "platform");
  assert.equal(new BitsUnavailableError("abi", "x").reason, "abi");
});

Deno.test("errors: a BitsError carries the code's hint; codes without one have no hint", () => {
  const notLoggedOn = catchBitsError(() => unwrap(0x800704DD | 0, "Resume", { jobId: JOB }));
  assert.equal(notLoggedOn.code, "ERROR_NOT_LOGGED_ON");
  assert.match(notLoggedOn.hint ?? "", /Run only when user is logged on/);
  // The hint is advice, kept out of the message so messages stay one line of facts.
  assert.ok(!notLoggedOn.message.includes("Run only when"), notLoggedOn.message);
  const proxy = BitsError.fromJobError(
    { context: "REMOTE_FILE", hresult: 0x80190197, code: "BG_E_HTTP_ERROR_407", description: "proxy" },
    JOB,
  );
  assert.match(proxy.hint ?? "", /proxy credentials/);
  assert.equal(new BitsError(0x80200046).hint, undefined);
  // The unsupported error keeps its own behaviour and gains the hint pointing at doctor.
  const unsupported = catchBitsError(() => unwrap(0x80004001 | 0, "GetTimes", { feature: "job times" }));
  assert.ok(unsupported instanceof BitsUnsupportedError);
  assert.match(unsupported.hint ?? "", /bits doctor/);
  assert.equal(unsupported.message, "job times is not supported by this BITS (E_NOTIMPL, 0x80004001)");
});

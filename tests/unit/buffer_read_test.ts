// The grow-and-retry loop every buffer-filling shim call goes through: it sizes each retry to what the callee asks,
// gives up with a typed error after the limit, hands no buffer to two calls, and passes other HRESULTs through.
// The callees here stand in for shim functions (the loop is pure TypeScript; the Wine tests drive the real ones).
//
// Permissions: none.

import assert from "node:assert/strict";
import { MAX_BUFFER_ATTEMPTS, readBytes, readGrowing } from "../../src/buffer_read.ts";
import { BitsError } from "../../src/errors.ts";
import { HR } from "../../src/hresult.ts";

type Fill = (out: Uint8Array, capacity: number, needed: Uint32Array) => Promise<number>;

/** A callee that needs `content.length` bytes: writes them when they fit, else reports the size it needs. */
function filler(content: Uint8Array, seen: Uint8Array[] = []): Fill {
  return (out, capacity, needed) => {
    seen.push(out);
    assert.equal(capacity, out.byteLength);
    needed[0] = content.length;
    if (capacity < content.length) return Promise.resolve(HR.ERROR_INSUFFICIENT_BUFFER);
    out.set(content);
    return Promise.resolve(HR.S_OK);
  };
}

Deno.test("buffer read: a retry is sized to what the callee asks, and the content read is the callee's", async () => {
  const content = Uint8Array.from({ length: 5000 }, (_, i) => i % 251);
  const seen: Uint8Array[] = [];
  const out = await readBytes(1000, "Reading a thing", "{job}", filler(content, seen));
  // 1000 is too small; the callee asked for 5000, more than twice 1000, so the retry is exactly 5000.
  assert.deepEqual(seen.map((b) => b.byteLength), [1000, 5000]);
  assert.deepEqual(out, content);

  // A callee asking for a little more gets at least twice the last size (fewer retries while content grows).
  const small: Uint8Array[] = [];
  await readBytes(1000, "Reading a thing", "{job}", filler(new Uint8Array(1200), small));
  assert.deepEqual(small.map((b) => b.byteLength), [1000, 2000]);

  // A grow rule of the call site's own (here: the count plus room) is what the next allocation gets.
  const sizes: number[] = [];
  const result = await readGrowing({
    initialSize: 4,
    allocate: (capacity: number) => {
      sizes.push(capacity);
      return { out: new BigUint64Array(capacity), count: new Uint32Array(1) };
    },
    call: ({ out, count }) => {
      count[0] = 10;
      return out.length < 10 ? HR.ERROR_INSUFFICIENT_BUFFER : HR.S_OK;
    },
    grow: ({ count }) => count[0] + 16,
    finish: (hr, { count }) => ({ hr, count: count[0] }),
    operation: "EnumThings",
  });
  assert.deepEqual(sizes, [4, 26]);
  assert.deepEqual(result, { hr: HR.S_OK, count: 10 });
});

Deno.test("buffer read: a callee that always asks for more gets the limit's calls, then a typed BitsError", async () => {
  let calls = 0;
  const error = await assert.rejects(
    readBytes(16, "Reading job details", "{0B5A5C9E-0000-0000-0000-000000000001}", (_out, capacity, needed) => {
      calls++;
      needed[0] = capacity + 1; // The content grew again since the last call.
      return Promise.resolve(HR.ERROR_INSUFFICIENT_BUFFER);
    }),
    (error: unknown) => {
      assert.ok(error instanceof BitsError);
      assert.equal(error.hresult, HR.ERROR_INSUFFICIENT_BUFFER >>> 0);
      assert.equal(error.code, "ERROR_INSUFFICIENT_BUFFER");
      assert.equal(error.operation, "Reading job details");
      assert.equal(error.jobId, "{0B5A5C9E-0000-0000-0000-000000000001}");
      return true;
    },
  );
  assert.equal(error, undefined);
  assert.equal(calls, MAX_BUFFER_ATTEMPTS);

  // Without a job, the error names none (the whole-queue reads).
  await assert.rejects(
    readGrowing({
      initialSize: 1,
      allocate: (size: number) => new Uint8Array(size),
      call: () => HR.ERROR_INSUFFICIENT_BUFFER,
      grow: (_buffer, size) => size + 1,
      finish: () => assert.fail("finish is never reached"),
      operation: "EnumJobs (the queue keeps growing)",
    }),
    (error: unknown) =>
      error instanceof BitsError && error.operation === "EnumJobs (the queue keeps growing)" &&
      error.jobId === undefined && !error.message.includes("job "),
  );
});

Deno.test("buffer read: every call gets a buffer of its own, also among concurrent reads", async () => {
  // Nonblocking calls that stay pending until released, like FFI calls on their worker threads.
  const inFlight = new Set<Uint8Array>();
  const everSeen = new Set<Uint8Array>();
  const pending: (() => void)[] = [];
  const shared: string[] = [];
  const call = (out: Uint8Array, capacity: number, needed: Uint32Array): Promise<number> => {
    if (inFlight.has(out)) shared.push("a buffer was handed to a second call while the first held it");
    else if (everSeen.has(out)) shared.push("a buffer was handed to a second call");
    inFlight.add(out);
    everSeen.add(out);
    return new Promise((resolve) =>
      pending.push(() => {
        inFlight.delete(out);
        needed[0] = 3000;
        resolve(capacity < 3000 ? HR.ERROR_INSUFFICIENT_BUFFER : HR.S_OK);
      })
    );
  };
  const reads = Array.from({ length: 4 }, () => readBytes(1000, "Snapshot", "{job}", call));
  // Settle the calls one by one, letting each read issue its retry before the next settles.
  while (pending.length > 0) {
    pending.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const results = await Promise.all(reads);
  assert.deepEqual(shared, []);
  assert.equal(everSeen.size, 8); // Four reads, each a too-small call and a retry.
  assert.equal(new Set(results).size, 4);
  for (const result of results) assert.ok(everSeen.has(result));
});

Deno.test("buffer read: other HRESULTs go to the call site's check unchanged, without a retry", async () => {
  let calls = 0;
  await assert.rejects(
    readBytes(64, "Reading a file", "{job}", () => {
      calls++;
      return Promise.resolve(HR.BG_E_NOT_FOUND);
    }),
    (error: unknown) =>
      error instanceof BitsError && error.code === "BG_E_NOT_FOUND" && error.operation === "Reading a file" &&
      error.jobId === "{job}",
  );
  assert.equal(calls, 1);

  // Success codes other than S_OK, and failures a call site answers rather than throws, reach finish as they are.
  for (const code of [HR.S_FALSE, HR.E_NOTIMPL]) {
    const seen: number[] = [];
    const result = await readGrowing({
      initialSize: 8,
      allocate: (size: number) => new Uint16Array(size),
      call: () => code,
      grow: () => assert.fail("no retry without ERROR_INSUFFICIENT_BUFFER"),
      finish: (hr) => {
        seen.push(hr);
        return "finished";
      },
      operation: "Get something",
    });
    assert.equal(result, "finished");
    assert.deepEqual(seen, [code]);
  }

  // A grow rule that refuses (a size beyond what the caller accepts) hands ERROR_INSUFFICIENT_BUFFER to finish.
  const refused = await readGrowing({
    initialSize: 8,
    allocate: (size: number) => new Uint8Array(size),
    call: () => HR.ERROR_INSUFFICIENT_BUFFER,
    grow: () => undefined,
    finish: (hr) => hr,
    operation: "GetReplyData (the reply keeps growing)",
  });
  assert.equal(refused, HR.ERROR_INSUFFICIENT_BUFFER);
});

Deno.test("buffer read: release sees each call's buffers once, after the call settled and was decoded", async () => {
  const log: string[] = [];
  let calls = 0;
  const text = await readGrowing({
    initialSize: 2,
    allocate: (size: number) => ({ id: calls, buffer: new Uint16Array(size) }),
    call: async ({ id, buffer }) => {
      calls++;
      await Promise.resolve();
      log.push(`settled ${id}`);
      if (buffer.length < 4) return HR.ERROR_INSUFFICIENT_BUFFER;
      buffer.set([104, 105]);
      return HR.S_OK;
    },
    grow: ({ id }) => {
      log.push(`grow ${id}`);
      return 4;
    },
    finish: (_hr, { id, buffer }) => {
      log.push(`finish ${id}`);
      return String.fromCharCode(buffer[0], buffer[1]);
    },
    release: ({ id, buffer }) => {
      log.push(`release ${id}`);
      buffer.fill(0);
    },
    operation: "Get customHeaders",
  });
  assert.equal(text, "hi");
  assert.deepEqual(log, ["settled 0", "grow 0", "release 0", "settled 1", "finish 1", "release 1"]);

  // Also when the call or the check throws: a kept buffer goes back, a secret is wiped.
  const released: number[] = [];
  for (const fail of ["call", "finish"] as const) {
    await assert.rejects(
      readGrowing({
        initialSize: 1,
        allocate: (size: number) => new Uint8Array(size),
        call: () => {
          if (fail === "call") throw new Error("call failed");
          return HR.S_OK;
        },
        grow: () => 1,
        finish: () => {
          throw new Error("check failed");
        },
        release: (buffer) => released.push(buffer.byteLength),
        operation: "EnumJobs",
      }),
      new RegExp(`${fail === "call" ? "call" : "check"} failed`),
    );
  }
  assert.deepEqual(released, [1, 1]);
});

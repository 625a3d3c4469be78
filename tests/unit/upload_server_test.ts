// The BITS upload server of tests/support at the protocol level, with plain HTTP requests as a BITS client
// sends them: sessions, ordered, repeated, overlapping and out-of-range fragments, resumption from the
// server's received range, cancel, expiry, injected BITS-Error-Code replies and upload-reply URLs.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH,
  BG_E_SESSION_NOT_FOUND,
  BG_E_TOO_LARGE,
  BITS_UPLOAD_PROTOCOL,
  CONTEXT_REMOTE_APPLICATION,
  E_INVALIDARG,
  startUploadServer,
  type UploadServer,
} from "../support/upload_server.ts";
import { contentChunks } from "../support/content.ts";

const FILE = new Uint8Array(contentChunks(10_000, 21, 10_000).next().value as Uint8Array);

interface Ack {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

async function post(
  server: UploadServer,
  path: string,
  headers: Record<string, string>,
  body?: Uint8Array<ArrayBuffer>,
): Promise<Ack> {
  const response = await fetch(server.url(path), { method: "BITS_POST", headers, body });
  return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
}

async function createSession(server: UploadServer, path = "/up/file.bin"): Promise<string> {
  const ack = await post(server, path, {
    "BITS-Packet-Type": "Create-Session",
    "BITS-Supported-Protocols": BITS_UPLOAD_PROTOCOL,
  });
  assert.equal(ack.status, 200);
  assert.equal(ack.headers.get("bits-packet-type"), "Ack");
  assert.equal(ack.headers.get("bits-protocol"), BITS_UPLOAD_PROTOCOL);
  const id = ack.headers.get("bits-session-id");
  assert.match(id ?? "", /^\{[0-9a-f-]{36}\}$/);
  return id!;
}

function fragment(server: UploadServer, id: string, start: number, end: number, path = "/up/file.bin"): Promise<Ack> {
  return post(server, path, {
    "BITS-Packet-Type": "Fragment",
    "BITS-Session-Id": id,
    "Content-Name": "file.bin",
    "Content-Range": `bytes ${start}-${end}/${FILE.length}`,
  }, FILE.slice(start, end + 1));
}

function packet(server: UploadServer, type: string, id: string, path = "/up/file.bin"): Promise<Ack> {
  return post(server, path, { "BITS-Packet-Type": type, "BITS-Session-Id": id });
}

function received(ack: Ack): number {
  return Number(ack.headers.get("bits-received-content-range"));
}

function errorCode(ack: Ack): number {
  return Number(ack.headers.get("bits-error-code"));
}

Deno.test("upload server: Ping and Create-Session are Acks; a client without the 1.5 protocol is refused", async () => {
  await using server = startUploadServer();
  const ping = await post(server, "/up/x", { "BITS-Packet-Type": "Ping" });
  assert.equal(ping.status, 200);
  assert.equal(ping.headers.get("bits-packet-type"), "Ack");
  assert.equal(ping.headers.get("content-length"), "0");
  const other = await post(server, "/up/x", {
    "BITS-Packet-Type": "Create-Session",
    "BITS-Supported-Protocols": "{00000000-0000-0000-0000-000000000000}",
  });
  assert.equal(other.status, 400);
  assert.equal(errorCode(other), BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH);
  assert.equal(other.headers.get("bits-error-code"), "0x80200022");
  const unknown = await post(server, "/up/x", { "BITS-Packet-Type": "Frobnicate" });
  assert.equal(errorCode(unknown), E_INVALIDARG);
  const plain = await fetch(server.url("/up/x"), { method: "POST", body: "x" });
  await plain.body?.cancel();
  assert.equal(plain.status, 405);
  assert.equal(server.openSessions().size, 0);
});

Deno.test("upload server: ordered fragments then Close-Session commit the exact file under its path", async () => {
  await using server = startUploadServer();
  const id = await createSession(server);
  for (const [start, end] of [[0, 3999], [4000, 7999], [8000, 9999]]) {
    const ack = await fragment(server, id, start, end);
    assert.equal(ack.status, 200);
    assert.equal(received(ack), end + 1);
    assert.equal(ack.headers.get("bits-session-id"), id);
    assert.equal(ack.headers.get("bits-reply-url"), null, "a plain upload has no reply");
  }
  assert.equal(server.uploads.size, 0, "nothing is committed before Close-Session");
  assert.equal((await packet(server, "Close-Session", id)).status, 200);
  assert.deepEqual(server.uploads.get("/up/file.bin"), FILE);
  assert.equal(server.openSessions().size, 0);
  assert.deepEqual(server.packets.map((p) => p.type), [
    "Create-Session",
    "Fragment",
    "Fragment",
    "Fragment",
    "Close-Session",
  ]);
  assert.deepEqual(server.packets[2].range, { start: 4000, end: 7999, total: 10_000 });
});

Deno.test("upload server: a repeated or overlapping fragment writes only past the received range", async () => {
  await using server = startUploadServer();
  const id = await createSession(server);
  assert.equal(received(await fragment(server, id, 0, 4999)), 5000);
  // The same fragment again changes nothing.
  const repeat = await fragment(server, id, 0, 4999);
  assert.equal(repeat.status, 200);
  assert.equal(received(repeat), 5000);
  // Overlapping: bytes 3000-4999 are already there, only 5000-6999 are new.
  assert.equal(received(await fragment(server, id, 3000, 6999)), 7000);
  assert.equal(received(await fragment(server, id, 7000, 9999)), 10_000);
  assert.equal((await packet(server, "Close-Session", id)).status, 200);
  assert.deepEqual(server.uploads.get("/up/file.bin"), FILE);
});

Deno.test("upload server: a fragment beyond the received range is 416 with where to resume; resuming there completes", async () => {
  await using server = startUploadServer();
  const id = await createSession(server);
  assert.equal(received(await fragment(server, id, 0, 2999)), 3000);
  const gap = await fragment(server, id, 5000, 9999);
  assert.equal(gap.status, 416);
  assert.equal(received(gap), 3000);
  assert.equal(server.openSessions().get(id), 3000, "the refused fragment stored nothing");
  const resumed = await fragment(server, id, received(gap), 9999);
  assert.equal(resumed.status, 200);
  assert.equal(received(resumed), 10_000);
  assert.equal((await packet(server, "Close-Session", id)).status, 200);
  assert.deepEqual(server.uploads.get("/up/file.bin"), FILE);
});

Deno.test("upload server: an interrupted transfer keeps its prefix and resumes from the server's range", async () => {
  await using server = startUploadServer({ interruptAt: 6000 });
  const id = await createSession(server);
  const cut = await fragment(server, id, 0, 9999);
  assert.equal(cut.status, 503);
  assert.equal(received(cut), 6000);
  // A client that lost the Ack resends from its own last acknowledged offset (0): only the new part is kept.
  const again = await fragment(server, id, 0, 9999);
  assert.equal(again.status, 200);
  assert.equal(received(again), 10_000);
  assert.equal((await packet(server, "Close-Session", id)).status, 200);
  assert.deepEqual(server.uploads.get("/up/file.bin"), FILE);
});

Deno.test("upload server: malformed ranges, a changing total and an incomplete Close-Session are refused", async () => {
  await using server = startUploadServer();
  const id = await createSession(server);
  const short = await post(server, "/up/file.bin", {
    "BITS-Packet-Type": "Fragment",
    "BITS-Session-Id": id,
    "Content-Range": "bytes 0-99/10000",
  }, FILE.slice(0, 50));
  assert.equal(errorCode(short), E_INVALIDARG);
  const beyond = await post(server, "/up/file.bin", {
    "BITS-Packet-Type": "Fragment",
    "BITS-Session-Id": id,
    "Content-Range": "bytes 0-9/5",
  }, FILE.slice(0, 10));
  assert.equal(errorCode(beyond), E_INVALIDARG);
  assert.equal(received(await fragment(server, id, 0, 99)), 100);
  const otherTotal = await post(server, "/up/file.bin", {
    "BITS-Packet-Type": "Fragment",
    "BITS-Session-Id": id,
    "Content-Range": "bytes 100-199/20000",
  }, FILE.slice(100, 200));
  assert.equal(errorCode(otherTotal), E_INVALIDARG);
  const early = await packet(server, "Close-Session", id);
  assert.equal(early.status, 400);
  assert.equal(errorCode(early), E_INVALIDARG);
  assert.equal(server.uploads.size, 0);
  assert.equal(server.openSessions().get(id), 100);
});

Deno.test("upload server: Cancel-Session drops the session and its bytes; later packets get BG_E_SESSION_NOT_FOUND", async () => {
  await using server = startUploadServer();
  const id = await createSession(server);
  await fragment(server, id, 0, 4999);
  assert.equal((await packet(server, "Cancel-Session", id)).status, 200);
  assert.equal(server.openSessions().size, 0);
  const late = await fragment(server, id, 5000, 9999);
  assert.equal(late.status, 400);
  assert.equal(errorCode(late), BG_E_SESSION_NOT_FOUND);
  assert.equal(late.headers.get("bits-error-context"), "0x00000005");
  assert.equal(errorCode(await packet(server, "Close-Session", id)), BG_E_SESSION_NOT_FOUND);
  assert.equal(server.uploads.size, 0);
  // An id the server never gave, and a session used on another URL, are unknown too.
  assert.equal(
    errorCode(await fragment(server, "{00000000-0000-0000-0000-000000000000}", 0, 9)),
    BG_E_SESSION_NOT_FOUND,
  );
  const other = await createSession(server, "/up/a.bin");
  assert.equal(errorCode(await fragment(server, other, 0, 9, "/up/b.bin")), BG_E_SESSION_NOT_FOUND);
});

Deno.test("upload server: a session unused for longer than its lifetime expires", async () => {
  let clock = 1_000_000;
  await using server = startUploadServer({ sessionTtlMs: 60_000, now: () => clock });
  const id = await createSession(server);
  assert.equal(received(await fragment(server, id, 0, 999)), 1000);
  clock += 59_000;
  // A packet within the lifetime keeps the session alive for another lifetime.
  assert.equal(received(await fragment(server, id, 1000, 1999)), 2000);
  clock += 59_000;
  assert.equal(server.openSessions().get(id), 2000);
  clock += 2_000;
  const expired = await fragment(server, id, 2000, 2999);
  assert.equal(errorCode(expired), BG_E_SESSION_NOT_FOUND);
  assert.equal(server.openSessions().size, 0);
});

Deno.test("upload server: failNext answers one packet with the given BITS-Error-Code, then the protocol goes on", async () => {
  await using server = startUploadServer({ maxSize: 5000 });
  server.failNext("Create-Session", { status: 500, code: 0x80004005 });
  const failed = await post(server, "/up/file.bin", {
    "BITS-Packet-Type": "Create-Session",
    "BITS-Supported-Protocols": BITS_UPLOAD_PROTOCOL,
  });
  assert.equal(failed.status, 500);
  assert.equal(failed.headers.get("bits-error-code"), "0x80004005");
  assert.equal(Number(failed.headers.get("bits-error-context")), CONTEXT_REMOTE_APPLICATION);
  assert.equal(server.packets.at(-1)?.errorCode, 0x80004005);
  const id = await createSession(server);
  const tooLarge = await fragment(server, id, 0, 999);
  assert.equal(tooLarge.status, 413);
  assert.equal(errorCode(tooLarge), BG_E_TOO_LARGE);
});

Deno.test("upload server: an upload-reply session's last fragment names a reply URL serving the reply", async () => {
  await using server = startUploadServer({ reply: true });
  const id = await createSession(server);
  const first = await fragment(server, id, 0, 4999);
  assert.equal(first.headers.get("bits-reply-url"), null, "no reply before the file is complete");
  const last = await fragment(server, id, 5000, 9999);
  const replyUrl = last.headers.get("bits-reply-url");
  assert.ok(replyUrl?.startsWith(server.origin), String(replyUrl));
  const reply = await fetch(replyUrl!);
  assert.equal(await reply.text(), createHash("sha256").update(FILE).digest("hex"));
  assert.equal((await packet(server, "Close-Session", id)).status, 200);
  const missing = await fetch(server.url("/reply/nothing"));
  await missing.body?.cancel();
  assert.equal(missing.status, 404);
});

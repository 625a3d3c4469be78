/**
 * Job settings whose effect is outside the job, which Wine stubs: a proxy
 * (the transfer must go through tests/support/proxy.ts), a notify command
 * line (the program must run when the job is transferred), and a client
 * certificate that is not in the store (a clear, named error, nothing set).
 * Skipped under Wine.
 */

import assert from "node:assert/strict";
import { BitsError, BitsUnsupportedError } from "../../../mod.ts";
import { contentSha256, fileSha256 } from "../../support/content.ts";
import { startFaultServer } from "../../support/faults.ts";
import { startProxy } from "../../support/proxy.ts";
import { BitsSession, eventually, windowsTest } from "../../support/wine.ts";

windowsTest("a proxy set on the job carries the transfer; the file arrives intact", async () => {
  await using server = startFaultServer();
  await using proxy = startProxy();
  await using session = await BitsSession.open();
  const url = server.url("/ok/150000?seed=71");
  const path = session.path("proxied.bin");
  const job = session.track(
    await session.bits.download([{ url, path }], {
      displayName: "proxy",
      // "<-loopback>" removes WinHTTP's implicit bypass of 127.0.0.1, so the loopback server is reached through the proxy.
      properties: { proxy: { usage: "OVERRIDE", proxies: [proxy.address], bypass: ["<-loopback>"] } },
    }),
  );
  assert.deepEqual(await job.getProperty("proxy"), {
    usage: "OVERRIDE",
    proxies: [proxy.address],
    bypass: ["<-loopback>"],
  });
  await job.wait({ timeout: 60_000 });
  assert.equal(await job.complete(), "completed");
  assert.equal(await fileSha256(path), contentSha256(150_000, 71));
  const carried = proxy.requests.filter((r) => r.refused === undefined && r.target === url);
  assert.ok(carried.length > 0, `the proxy carried nothing for ${url}: ${JSON.stringify(proxy.requests)}`);
  // Every request the server saw came through the proxy: none went around it.
  assert.equal(server.requests.length, proxy.requests.filter((r) => r.refused === undefined).length);
});

windowsTest("a notify command line runs when the job is transferred", async () => {
  await using server = startFaultServer();
  await using session = await BitsSession.open();
  const marker = session.path("notified.txt");
  const cmd = `${Deno.env.get("SystemRoot") ?? "C:\\Windows"}\\System32\\cmd.exe`;
  const path = session.path("notify.bin");
  const job = session.track(
    await session.bits.download([{ url: server.url("/ok/50000?seed=72"), path }], {
      displayName: "notify command line",
      properties: {
        notifyFlags: ["JOB_TRANSFERRED"],
        notifyCommandLine: { program: cmd, parameters: `${cmd} /c echo ran>"${marker}"` },
      },
    }),
  );
  // Polled, not waited with a callback: BITS runs the command line only when no callback is registered.
  await eventually(() => job.snapshot(), (s) => s.state === "TRANSFERRED");
  await eventually(() => Deno.stat(marker).then(() => true, () => false), (seen) => seen);
  assert.match(await Deno.readTextFile(marker), /^ran/);
  assert.equal(await job.complete(), "completed");
  assert.equal(await fileSha256(path), contentSha256(50_000, 72));
});

windowsTest(
  "a client certificate missing from the store is a named BitsError with a hint, and nothing is set",
  async () => {
    await using session = await BitsSession.open();
    const job = session.track(
      await session.bits.download([{ url: "https://127.0.0.1:9/never", path: session.path("cert.bin") }], {
        displayName: "client certificate",
        suspended: true,
      }),
    );
    for (
      const certificate of [
        { storeLocation: "CURRENT_USER" as const, storeName: "MY", hash: "00".repeat(20) },
        { storeLocation: "CURRENT_USER" as const, storeName: "MY", subjectName: `CN=deno-bits-${crypto.randomUUID()}` },
      ]
    ) {
      const error = await job.setClientCertificate(certificate).then(
        () => assert.fail("a certificate that does not exist was accepted"),
        (e) => e,
      );
      assert.ok(error instanceof BitsError && !(error instanceof BitsUnsupportedError), String(error));
      assert.doesNotMatch(error.code, /^0x/, `unnamed code ${error.code}: add it to src/hresult.ts`);
      assert.ok(error.hint, `no hint for ${error.code}`);
      assert.equal(await job.clientCertificate(), null);
    }
  },
);

windowsTest(
  "PROXY-target Basic credentials reach the proxy; DIGEST, NTLM, NEGOTIATE and PASSPORT ones are accepted and removed",
  async () => {
    await using server = startFaultServer();
    await using proxy = startProxy({ basicAuth: { user: "proxy-user", password: "proxy-pw" } });
    await using session = await BitsSession.open();
    const url = server.url("/ok/40000?seed=73");
    const path = session.path("proxy-auth.bin");
    const job = session.track(
      await session.bits.download([{ url, path }], {
        displayName: "proxy credentials",
        properties: {
          proxy: { usage: "OVERRIDE", proxies: [proxy.address], bypass: ["<-loopback>"] },
          credentials: [{ target: "PROXY", scheme: "BASIC", userName: "proxy-user", password: "proxy-pw" }],
        },
      }),
    );
    await job.wait({ timeout: 60_000 });
    assert.equal(await job.complete(), "completed");
    assert.equal(await fileSha256(path), contentSha256(40_000, 73));
    assert.ok(
      proxy.requests.some((r) => r.authorized === true && r.target === url),
      `no authorized request at the proxy: ${JSON.stringify(proxy.requests)}`,
    );
    // The other schemes, for both targets: BITS takes them, and removing them works (the call path BITS offers).
    const other = session.track(
      await session.bits.download([{ url, path: session.path("schemes.bin") }], {
        displayName: "credential schemes",
        suspended: true,
      }),
    );
    for (const scheme of ["DIGEST", "NTLM", "NEGOTIATE", "PASSPORT"] as const) {
      for (const target of ["SERVER", "PROXY"] as const) {
        await other.setCredentials({ target, scheme, userName: "u", password: "p" });
        await other.removeCredentials(target, scheme);
      }
    }
    // Removing what is not set is BITS' S_FALSE, which is no error.
    await other.removeCredentials("SERVER", "DIGEST");
  },
);

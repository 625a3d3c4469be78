/**
 * Bad input, table-driven, against the real BITS service: every case is
 * refused with a typed error (API) or exit code 2 (CLI), and afterwards the
 * queue and the destination directory are exactly as before: no job left
 * behind, no file created or overwritten.
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { AmbiguousJobError, type BitsManager, InvalidArgumentError } from "../../mod.ts";
import { submitWmpJob } from "../../src/wmp/submit.ts";
import { BitsSession, runCli } from "../support/wine.ts";
import { WmpConventionError } from "../../wmp.ts";

const OK_URL = "http://127.0.0.1:9/file.bin";
const WMP = {
  serviceId: 7,
  provider: "Proseware",
  trackNumber: 1,
  duration: 60,
  rating: 0,
  title: "T",
  albumArtist: "A",
  albumTitle: "B",
};

interface Case {
  readonly name: string;
  /** The API call that must throw an InvalidArgumentError (or a subclass). */
  readonly api?: (bits: BitsManager, dir: string) => Promise<unknown>;
  /** CLI arguments that must exit 2; `{dir}` is replaced by the session directory. */
  readonly cli?: readonly string[];
}

const long = (n: number, c = "a"): string => c.repeat(n);

const CASES: readonly Case[] = [
  { name: "empty destination", api: (b) => b.download([{ url: OK_URL, path: "" }]), cli: ["download", OK_URL, ""] },
  { name: "relative destination (API)", api: (b) => b.download([{ url: OK_URL, path: "file.bin" }]) },
  { name: "destination with forward slashes only", api: (b) => b.download([{ url: OK_URL, path: "/tmp/x.bin" }]) },
  {
    name: "missing destination directory",
    api: (b, d) => b.download([{ url: OK_URL, path: `${d}\\missing\\x.bin` }]),
    cli: ["download", OK_URL, "{dir}\\missing\\x.bin"],
  },
  {
    name: "destination exists, no overwrite",
    api: (b, d) => b.download([{ url: OK_URL, path: `${d}\\existing.bin` }]),
    cli: ["download", OK_URL, "{dir}\\existing.bin"],
  },
  {
    name: "destination is a directory",
    api: (b, d) => b.download([{ url: OK_URL, path: d }]),
    // The CLI puts a file given a directory inside it, named after the URL: refused only when the URL has no name.
    cli: ["download", "http://127.0.0.1:9/", "{dir}"],
  },
  { name: "destination with a wildcard", api: (b, d) => b.download([{ url: OK_URL, path: `${d}\\*.bin` }]) },
  { name: "destination naming an NTFS stream", api: (b, d) => b.download([{ url: OK_URL, path: `${d}\\a.bin:s` }]) },
  {
    name: "destination with a \\\\?\\ prefix",
    api: (b, d) => b.download([{ url: OK_URL, path: `\\\\?\\${d}\\a.bin` }]),
  },
  { name: "destination with .. segments", api: (b, d) => b.download([{ url: OK_URL, path: `${d}\\..\\a.bin` }]) },
  { name: "destination over MAX_PATH", api: (b, d) => b.download([{ url: OK_URL, path: `${d}\\${long(260)}.bin` }]) },
  { name: "destination ending in a separator", api: (b, d) => b.download([{ url: OK_URL, path: `${d}\\` }]) },
  { name: "NUL in the destination", api: (b, d) => b.download([{ url: OK_URL, path: `${d}\\a\0.bin` }]) },
  {
    name: "ftp: URL",
    api: (b, d) => b.download([{ url: "ftp://host/f", path: `${d}\\a.bin` }]),
    cli: ["download", "ftp://host/f", "{dir}\\a.bin"],
  },
  {
    name: "javascript: URL",
    api: (b, d) => b.download([{ url: "javascript:alert(1)", path: `${d}\\a.bin` }]),
    cli: ["download", "javascript:alert(1)", "{dir}\\a.bin"],
  },
  { name: "file: URL (three slashes)", api: (b, d) => b.download([{ url: "file:///C:/x", path: `${d}\\a.bin` }]) },
  { name: "file: URL (UNC form)", api: (b, d) => b.download([{ url: "file://server/share/x", path: `${d}\\a.bin` }]) },
  { name: "data: URL", api: (b, d) => b.download([{ url: "data:,hello", path: `${d}\\a.bin` }]) },
  {
    name: "relative URL",
    api: (b, d) => b.download([{ url: "/file.bin", path: `${d}\\a.bin` }]),
    cli: ["download", "/file.bin", "{dir}\\a.bin"],
  },
  { name: "empty URL", api: (b, d) => b.download([{ url: "", path: `${d}\\a.bin` }]) },
  { name: "URL with credentials", api: (b, d) => b.download([{ url: "http://u:p@127.0.0.1/f", path: `${d}\\a.bin` }]) },
  {
    name: "URL over 2,200 characters",
    api: (b, d) => b.download([{ url: `http://127.0.0.1/${long(2200)}`, path: `${d}\\a.bin` }]),
    cli: ["download", `http://127.0.0.1/${long(2200)}`, "{dir}\\a.bin"],
  },
  { name: "NUL in the URL", api: (b, d) => b.download([{ url: "http://127.0.0.1/a\0b", path: `${d}\\a.bin` }]) },
  { name: "CR/LF in the URL", api: (b, d) => b.download([{ url: "http://127.0.0.1/a\r\nX: y", path: `${d}\\a.bin` }]) },
  {
    name: "display name over 256",
    api: (b, d) => b.download([{ url: OK_URL, path: `${d}\\a.bin` }], { displayName: long(257) }),
    cli: ["download", OK_URL, "{dir}\\a.bin", "--name", long(257)],
  },
  { name: "empty display name", api: (b) => b.createJob("") },
  { name: "NUL in the display name", api: (b) => b.createJob("a\0b") },
  {
    name: "description over 1,024",
    api: (b) => b.createJob("x", { description: long(1025) }),
    cli: ["download", OK_URL, "{dir}\\a.bin", "--description", long(1025)],
  },
  { name: "NUL in the description", api: (b) => b.createJob("x", { description: "a\0b" }) },
  {
    name: "second file bad: nothing is created for the first",
    api: (b, d) => b.download([{ url: OK_URL, path: `${d}\\one.bin` }, { url: "ftp://x/y", path: `${d}\\two.bin` }]),
  },
  {
    name: "destination outside --root",
    cli: ["download", OK_URL, "{parent}\\outside.bin", "--root", "{dir}"],
  },
  {
    name: "WMP destination outside --root",
    cli: [
      "submit",
      OK_URL,
      "{parent}\\outside.wma",
      "--provider",
      "P",
      "--track",
      "1",
      "--duration",
      "60",
      "--root",
      "{dir}",
    ],
  },
  { name: "--root that does not exist", cli: ["download", OK_URL, "{dir}\\a.bin", "--root", "{dir}\\nowhere"] },
  { name: "malformed job id", cli: ["info", "{not-a-guid"] },
  { name: "empty job id", cli: ["info", ""] },
  { name: "ambiguous display name", cli: ["cancel", "{twin}"] },
  { name: "timeout not a number", cli: ["download", OK_URL, "{dir}\\a.bin", "--wait", "--timeout", "ten"] },
  { name: "negative timeout", cli: ["download", OK_URL, "{dir}\\a.bin", "--wait", "--timeout", "-5"] },
  { name: "unknown option", cli: ["download", OK_URL, "{dir}\\a.bin", "--colour"] },
  { name: "missing argument", cli: ["download", OK_URL] },
  { name: "unknown command", cli: ["downlaod", OK_URL, "{dir}\\a.bin"] },
  {
    name: "WMP: extension not .wma/.wmv/.mp3/.asf",
    api: (b, d) => submitWmpJob(b, { url: OK_URL, path: `${d}\\a.ogg`, metadata: WMP }),
    cli: ["submit", OK_URL, "{dir}\\a.ogg", "--provider", "P", "--track", "1", "--duration", "60"],
  },
  {
    name: "WMP: track number 0",
    api: (b, d) => submitWmpJob(b, { url: OK_URL, path: `${d}\\a.wma`, metadata: { ...WMP, trackNumber: 0 } }),
    cli: ["submit", OK_URL, "{dir}\\a.wma", "--provider", "P", "--track", "0", "--duration", "60"],
  },
  {
    name: "WMP: rating not in 0/1/25/50/75/99",
    api: (b, d) => submitWmpJob(b, { url: OK_URL, path: `${d}\\a.wma`, metadata: { ...WMP, rating: 42 } }),
    cli: ["submit", OK_URL, "{dir}\\a.wma", "--provider", "P", "--track", "1", "--duration", "60", "--rating", "42"],
  },
  {
    name: "WMP: empty provider",
    api: (b, d) => submitWmpJob(b, { url: OK_URL, path: `${d}\\a.wma`, metadata: { ...WMP, provider: "" } }),
  },
  {
    name: "WMP: service id out of range",
    cli: [
      "submit",
      OK_URL,
      "{dir}\\a.wma",
      "--provider",
      "P",
      "--track",
      "1",
      "--duration",
      "60",
      "--service-id",
      "2147483648",
    ],
  },
  {
    name: "WMP: negative duration",
    cli: ["submit", OK_URL, "{dir}\\a.wma", "--provider", "P", "--track", "1", "--duration", "-1"],
  },
];

Deno.test(`bad input: ${CASES.length} cases refused with typed errors and exit code 2, nothing changed`, async () => {
  await using session = await BitsSession.open();
  const existing = session.path("existing.bin");
  await Deno.writeTextFile(existing, "keep me");
  const twin = crypto.randomUUID().slice(0, 8);
  session.track(await session.bits.createJob(`twin ${twin}`));
  session.track(await session.bits.createJob(`twin ${twin}`));
  const jobsBefore = await session.liveJobIds();
  const filesBefore = [...Deno.readDirSync(session.dir)].map((e) => e.name).sort();

  const unchanged = async (label: string): Promise<void> => {
    assert.deepEqual(await session.liveJobIds(), jobsBefore, `${label}: the queue changed`);
    assert.deepEqual([...Deno.readDirSync(session.dir)].map((e) => e.name).sort(), filesBefore, `${label}: files`);
    assert.equal(await Deno.readTextFile(existing), "keep me", `${label}: existing file`);
  };

  for (const c of CASES.filter((c) => c.api)) {
    const error = await c.api!(session.bits, session.dir).then(() => undefined, (e) => e);
    assert.ok(
      error instanceof InvalidArgumentError || error instanceof WmpConventionError,
      `${c.name}: expected a typed bad-input error, got ${error}`,
    );
    await unchanged(c.name);
  }
  const cliCases = CASES.filter((c) => c.cli);
  // Four at a time: each is a separate process, as a user would run it.
  for (let i = 0; i < cliCases.length; i += 4) {
    await Promise.all(
      cliCases.slice(i, i + 4).map(async (c) => {
        const args = c.cli!.map((a) =>
          a.replace("{dir}", session.dir).replace("{parent}", dirname(session.dir)).replace("{twin}", `twin ${twin}`)
        );
        const result = await runCli(args);
        assert.equal(result.code, 2, `${c.name}: exit ${result.code}\n${result.stderr}`);
        assert.equal(result.stdout, "", `${c.name}: stdout must stay empty`);
        assert.ok(result.stderr.trim().length > 0, `${c.name}: no message`);
      }),
    );
    await unchanged(`CLI batch ${i / 4 + 1}`);
  }
  assert.ok(CASES.length >= 40, `${CASES.length} cases`);
  assert.ok(AmbiguousJobError.prototype instanceof InvalidArgumentError);
});

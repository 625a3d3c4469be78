// Unit tests of the job-building commands (create, download with several files, add-file, upload, files,
// suspend, resume, take-ownership): the pair and file-list parsing, the usage errors (exit 2, refused before
// BITS is reached), the help and the JSON schemas. Everything here runs without BITS.
//
// Permissions: --allow-read --allow-write (temporary file lists, the schemas).

import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { helpText, parseCommandLine } from "../../src/cli/args.ts";
import { UsageError } from "../../src/cli/command.ts";
import {
  decodeFileList,
  pairsFromArguments,
  parseFileList,
  parseRanges,
  readFileLists,
  resolvePairs,
  splitFields,
} from "../../src/cli/file_list.ts";
import { describeFiles, verboseFile } from "../../src/cli/files.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import { BitsError, InvalidArgumentError, WmpJobOwnedError } from "../../src/errors.ts";
import { assertCliJson, validator } from "../support/cli_schema.ts";
import { runMain } from "../support/cli_capture.ts";

const ID = "{0F3C1C2E-7D1B-4B7E-9B0A-3E3B9A6D6F10}";
const MINE = ["create", "download", "add-file", "upload", "files", "suspend", "resume", "take-ownership"];

const run = runMain;

/** Asserts that `fn` throws a UsageError for `command` whose message matches `message`. */
function assertUsage(fn: () => unknown, command: string, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.command, command);
    assert.match(error.message, message);
    return true;
  });
}

async function withTempFile<T>(content: string | Uint8Array, body: (path: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "cli-build-" });
  const path = join(dir, "list.txt");
  try {
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
    return await body(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// ---- Pairs on the command line ----

Deno.test("pairs: URL DEST arguments pair up in order, each with where it was written", () => {
  assert.deepEqual(pairsFromArguments([], "download"), []);
  assert.deepEqual(pairsFromArguments(["https://e.com/a", "a.bin", "https://e.com/b", "C:\\b.bin"], "download"), [
    { url: "https://e.com/a", dest: "a.bin", origin: "argument 1" },
    { url: "https://e.com/b", dest: "C:\\b.bin", origin: "argument 3" },
  ]);
});

Deno.test("pairs: an odd count is a usage error naming the URL left without a destination", () => {
  assertUsage(
    () => pairsFromArguments(["https://e.com/a"], "download"),
    "download",
    /missing <dest> after <url> "https:\/\/e.com\/a"/,
  );
  assertUsage(
    () => pairsFromArguments(["https://e.com/a", "a.bin", "https://e.com/b"], "add-file"),
    "add-file",
    /3 arguments do not make <url> <dest> pairs; "https:\/\/e.com\/b" has no <dest>/,
  );
});

// ---- File lists ----

Deno.test("file list: fields split on blanks; quotes group a field with spaces; backslashes stay", () => {
  assert.deepEqual(splitFields("https://e.com/a C:\\dir\\a.bin"), ["https://e.com/a", "C:\\dir\\a.bin"]);
  assert.deepEqual(splitFields("  https://e.com/a\t\t C:\\a.bin  "), ["https://e.com/a", "C:\\a.bin"]);
  assert.deepEqual(splitFields('https://e.com/a "C:\\My files\\a b.bin"'), [
    "https://e.com/a",
    "C:\\My files\\a b.bin",
  ]);
  assert.deepEqual(splitFields('"https://e.com/a%20b" "C:\\x"'), ["https://e.com/a%20b", "C:\\x"]);
  assert.deepEqual(splitFields('"" C:\\x'), ["", "C:\\x"], "an empty quoted field is a field (refused later)");
  assert.deepEqual(splitFields("https://e.com/a#frag C:\\x"), ["https://e.com/a#frag", "C:\\x"], "# inside a field");
});

Deno.test("file list: bad quoting is refused with the column", () => {
  assert.throws(() => splitFields('https://e.com/a "C:\\My files\\a.bin'), /unterminated quote at column 17/);
  assert.throws(() => splitFields('https://e.com/a C:\\My" files'), /a quote inside a field \(column 22\)/);
  assert.throws(() => splitFields('https://e.com/a "C:\\a"b'), /a closing quote must end its field \(column 22\)/);
});

Deno.test("file list: comments, blank lines, CRLF and a BOM are skipped; each pair names its line", () => {
  const text = "\uFEFF# nightly set\r\n\r\nhttps://e.com/a C:\\a.bin\r\n   # indented comment\n" +
    'https://e.com/b "C:\\My files\\b.bin"\n\t\n';
  assert.deepEqual(parseFileList(text, "list.txt", "download"), [
    { url: "https://e.com/a", dest: "C:\\a.bin", origin: "list.txt line 3" },
    { url: "https://e.com/b", dest: "C:\\My files\\b.bin", origin: "list.txt line 5" },
  ]);
  assert.deepEqual(parseFileList("https://e.com/a a\rhttps://e.com/b b", "l", "download").map((p) => p.origin), [
    "l line 1",
    "l line 2",
  ], "old Mac line ends count as lines");
});

Deno.test("file list: a line without exactly two fields, bad quoting or no file at all is a usage error", () => {
  assertUsage(
    () => parseFileList("# x\nhttps://e.com/a\n", "list.txt", "download"),
    "download",
    /^download: list\.txt line 2: expected URL and DEST, found 1 field \(quote a path with spaces\)$/,
  );
  assertUsage(
    () => parseFileList("https://e.com/a C:\\My files\\a.bin", "list.txt", "add-file"),
    "add-file",
    /list\.txt line 1: expected URL and DEST, found 3 fields/,
  );
  assertUsage(
    () => parseFileList('https://e.com/a "C:\\a.bin', "list.txt", "download"),
    "download",
    /list\.txt line 1: unterminated quote/,
  );
  assertUsage(
    () => parseFileList("# only comments\n\n", "list.txt", "download"),
    "download",
    /list\.txt lists no files/,
  );
  assertUsage(() => parseFileList("", "empty.txt", "download"), "download", /empty\.txt lists no files/);
});

Deno.test("file list: UTF-8 with or without BOM and UTF-16 with a BOM decode; other bytes are refused", () => {
  const text = "https://e.com/ä C:\\ä.bin";
  assert.equal(decodeFileList(new TextEncoder().encode(text), "l", "download"), text);
  const le = new Uint8Array(2 + text.length * 2);
  le.set([0xFF, 0xFE]);
  for (let i = 0; i < text.length; i++) new DataView(le.buffer).setUint16(2 + 2 * i, text.charCodeAt(i), true);
  assert.equal(decodeFileList(le, "l", "download"), text, "the BOM is dropped");
  assert.deepEqual(parseFileList(decodeFileList(le, "l", "download"), "l", "download")[0].dest, "C:\\ä.bin");
  const be = new Uint8Array(2 + text.length * 2);
  be.set([0xFE, 0xFF]);
  for (let i = 0; i < text.length; i++) new DataView(be.buffer).setUint16(2 + 2 * i, text.charCodeAt(i), false);
  assert.equal(decodeFileList(be, "l", "download"), text);
  assert.equal(decodeFileList(new TextEncoder().encode("\uFEFF" + text), "l", "download"), text, "UTF-8 BOM");
  assertUsage(
    () => decodeFileList(Uint8Array.of(0x68, 0xC3, 0x28), "bad.txt", "download"),
    "download",
    /bad\.txt is neither UTF-8 nor UTF-16/,
  );
});

Deno.test("file list: --from-file lists are read in order; a missing list is a usage error", async () => {
  assert.deepEqual(await readFileLists(undefined, "download"), []);
  await withTempFile("https://e.com/a a.bin\n", async (first) => {
    await withTempFile('https://e.com/b "b c.bin"\n', async (second) => {
      const pairs = await readFileLists([first, second], "download");
      assert.deepEqual(pairs.map((p) => [p.url, p.dest, p.origin]), [
        ["https://e.com/a", "a.bin", `${first} line 1`],
        ["https://e.com/b", "b c.bin", `${second} line 1`],
      ]);
    });
  });
  await assert.rejects(
    readFileLists(["/no/such/list.txt"], "add-file"),
    (e: unknown) => e instanceof UsageError && /--from-file \/no\/such\/list\.txt: no such file/.test(e.message),
  );
});

Deno.test("pairs: destinations resolve against the current directory and may not repeat (any case)", () => {
  const [pair] = resolvePairs([{ url: "https://e.com/a", dest: "a.bin", origin: "argument 1" }]);
  assert.equal(pair.path, resolve("a.bin"));
  assert.throws(
    () =>
      resolvePairs([
        { url: "https://e.com/a", dest: "Same.bin", origin: "argument 1" },
        { url: "https://e.com/b", dest: "same.BIN", origin: "l.txt line 4" },
      ]),
    (e: unknown) =>
      e instanceof InvalidArgumentError && e.argument === "files[1].path" &&
      /appears twice \(argument 1 and l\.txt line 4\)/.test(e.message),
  );
});

Deno.test("pairs: a bad URL names `url` alone, or `files[i].url` and where it was written among several", () => {
  assert.throws(
    () => resolvePairs([{ url: "ftp://e.com/a", dest: "a", origin: "argument 1" }]),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "url" && !/argument 1/.test(e.message),
  );
  assert.throws(
    () =>
      resolvePairs([
        { url: "https://e.com/a", dest: "a", origin: "argument 1" },
        { url: "https://user:pw@e.com/b", dest: "b", origin: "l.txt line 2" },
      ]),
    (e: unknown) =>
      e instanceof InvalidArgumentError && e.argument === "files[1].url" &&
      /credentials.*\(l\.txt line 2\)$/.test(e.message),
  );
});

Deno.test("ranges: OFFSET:LENGTH and OFFSET:eof parse; anything else is a usage error", () => {
  assert.deepEqual(parseRanges(undefined, "add-file"), []);
  assert.deepEqual(parseRanges(["0:100", "200:EOF", "150:eof"], "add-file"), [
    { offset: 0, length: 100 },
    { offset: 200, length: "EOF" },
    { offset: 150, length: "EOF" },
  ]);
  for (const bad of ["100", "0-100", "-1:5", "0:", ":5", "1.5:2", "0:end", "0x10:4", "1:2:3"]) {
    assertUsage(() => parseRanges([bad], "add-file"), "add-file", /--range takes OFFSET:LENGTH/);
  }
});

// ---- The commands' usage errors: exit 2, before BITS is reached ----

const USAGE_CASES: readonly { argv: string[]; message: RegExp; name?: string }[] = [
  { argv: ["download"], message: /download: missing <url> <dest> \(or --from-file LIST\)/ },
  { argv: ["download", "https://e.com/a"], message: /missing <dest> after <url>/ },
  { argv: ["download", "https://e.com/a", "a.bin", "https://e.com/b"], message: /has no <dest>/ },
  { argv: ["download", "--from-file", "/no/such/list.txt"], message: /no such file/ },
  {
    argv: ["download", "https://e.com/a", "a", "https://e.com/b", "b", "--wait", "--size", "5"],
    message: /--sha256 and --size need exactly one file; this download has 2/,
  },
  {
    argv: ["download", "https://e.com/a", "a", "https://e.com/b", "b", "--timeout", "5"],
    message: /--timeout needs --wait/,
  },
  { argv: ["add-file", ID], message: /add-file: missing <url> <dest>/ },
  { argv: ["add-file", ID, "https://e.com/a"], message: /missing <dest>/ },
  {
    argv: ["add-file", ID, "https://e.com/a", "a", "https://e.com/b", "b", "--range", "0:10"],
    message: /--range applies to one file; 2 were given/,
  },
  { argv: ["add-file", ID, "https://e.com/a", "a", "--range", "10-20"], message: /--range takes OFFSET:LENGTH/ },
  {
    argv: ["add-file", ID, "https://e.com/a", "a", "--range", "0:10", "--range", "5:10"],
    message: /overlap \(BG_E_OVERLAPPING_RANGES\)/,
    name: "InvalidArgumentError",
  },
  {
    argv: ["add-file", ID, "https://e.com/a", "a", "--range", "0:0"],
    message: /positive/,
    name: "InvalidArgumentError",
  },
  { argv: ["create"], message: /missing <name>/ },
  { argv: ["create", "x", "--type", "mirror"], message: /--type takes download, upload, upload-reply, got "mirror"/ },
  {
    argv: ["create", "x", "--priority", "urgent"],
    message: /--priority: must be one of FOREGROUND, HIGH, NORMAL, LOW/,
  },
  { argv: ["upload", "https://e.com/up"], message: /missing <file>/ },
  { argv: ["upload", "ftp://e.com/up", "a.txt"], message: /url must use http or https/, name: "InvalidArgumentError" },
  { argv: ["files"], message: /missing <id>/ },
  { argv: ["files", ID, ID], message: /unexpected argument/ },
  { argv: ["suspend"], message: /missing <id>/ },
  { argv: ["resume"], message: /missing <id>/ },
  { argv: ["take-ownership", ID, "--wait"], message: /take-ownership: unknown option --wait/ },
];

Deno.test(`usage errors: ${USAGE_CASES.length} bad command lines exit 2 with the reason, without BITS`, async () => {
  for (const { argv, message, name = "UsageError" } of USAGE_CASES) {
    const label = argv.join(" ");
    const result = await run(...argv);
    assert.equal(result.code, 2, `${label}: exit ${result.code}\n${result.stderr}`);
    assert.equal(result.stdout, "", label);
    // Usage errors in our words, without a class name; other errors keep their name.
    assert.match(
      result.stderr,
      new RegExp(name === "UsageError" ? "^error: (?!UsageError)" : `^error: ${name}: `),
      label,
    );
    assert.match(result.stderr, message, label);
    assert.ok(!result.stderr.includes("BitsUnavailableError"), `${label}: refused before connecting`);
    const json = await run(...argv, "--json");
    assert.equal(json.code, 2, label);
    const document = JSON.parse(json.stdout);
    assertCliJson(argv[0], document);
    assert.equal(document.error.name, name, label);
  }
});

Deno.test("usage errors of download and add-file point at the command's help", async () => {
  assert.match((await run("download", "https://e.com/a")).stderr, /^hint: see 'bits download --help'$/m);
  assert.match(
    (await run("add-file", ID, "--range", "x", "https://e.com/a", "a")).stderr,
    /^hint: see 'bits add-file --help'$/m,
  );
});

Deno.test("a file list's bad line exits 2 naming the list and the line", async () => {
  await withTempFile("https://e.com/a a.bin\nhttps://e.com/b\n", async (list) => {
    for (const argv of [["download", "--from-file", list], ["add-file", ID, "--from-file", list]]) {
      const result = await run(...argv);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(result.stderr.includes(`${list} line 2: expected URL and DEST, found 1 field`), result.stderr);
    }
  });
});

// ---- Help ----

Deno.test("help: each job-building command has a summary, its usage line and at least two examples", () => {
  for (const name of MINE) {
    const spec = COMMANDS[name];
    assert.ok(spec, `${name} is registered`);
    const text = helpText("bits", COMMANDS, name);
    assert.ok(spec.examples.length >= 2, `${name}: ${spec.examples.length} examples`);
    assert.match(text, /Examples:\n {2}bits /, name);
    for (const example of spec.examples) {
      assert.ok(text.includes(`  bits ${example}`), `${name}: ${example}`);
      assert.equal(
        parseCommandLine(example.match(/"[^"]*"|\S+/g)!.map((w) => w.replace(/^"|"$/g, "")), COMMANDS).command,
        name,
      );
    }
    assert.ok(
      name === "create" || spec.examples.some((e) => /[A-Z]:\\|\{[0-9A-F-]{36}\}/.test(e)),
      `${name}: an example with a Windows path or a job GUID`,
    );
  }
  assert.match(helpText("bits", COMMANDS, "download"), /Usage: bits download \[url dest\.\.\.\] \[options\]/);
  assert.match(helpText("bits", COMMANDS, "add-file"), /Usage: bits add-file <id> \[url dest\.\.\.\] \[options\]/);
  assert.match(helpText("bits", COMMANDS, "add-file"), /--range OFFSET:LENGTH/);
  assert.match(helpText("bits", COMMANDS, "download"), /--from-file LIST/);
  assert.match(helpText("bits", COMMANDS, "upload"), /--reply PATH/);
  assert.match(helpText("bits", COMMANDS, "upload"), /--suspended/);
  for (const name of ["suspend", "resume", "take-ownership"]) assert.match(helpText("bits", COMMANDS, name), /--force/);
});

Deno.test("help: the overview lists create before download, add-file and upload after it, files after info", () => {
  const names = Object.keys(COMMANDS);
  const at = (name: string): number => names.indexOf(name);
  assert.ok(at("create") >= 0 && at("create") < at("download"));
  assert.deepEqual([at("add-file"), at("upload")], [at("download") + 1, at("download") + 2]);
  assert.equal(at("files"), at("info") + 1);
  const actions = ["complete", "cancel", "suspend", "resume", "take-ownership"].map(at);
  assert.deepEqual(actions, [actions[0], actions[0] + 1, actions[0] + 2, actions[0] + 3, actions[0] + 4]);
  assert.equal(names.at(-1), "version");
});

// ---- WMP guard message ----

Deno.test("WmpJobOwnedError names each refused action", () => {
  for (
    const [action, done] of [
      ["suspend", "suspended"],
      ["resume", "resumed"],
      ["take-ownership", "taken over"],
      ["complete", "completed"],
      ["cancel", "cancelled"],
    ] as const
  ) {
    const error = new WmpJobOwnedError(ID, action);
    assert.match(error.message, new RegExp(`so it was not ${done}\\. Force it only if`));
    assert.equal(error.jobId, ID);
  }
});

// ---- files: the verbose shape ----

const BASIC = {
  remoteName: "https://e.com/a",
  localName: "C:\\a.bin",
  bytesTotal: 10,
  bytesTransferred: 4,
  completed: false,
};

Deno.test("files --verbose: missing details become null, listed in unsupported; failures keep code and message", () => {
  const file = verboseFile({
    ...BASIC,
    unsupported: [{ field: "temporaryName", code: "E_NOINTERFACE", requires: "IBackgroundCopyFile3" }],
    failures: [{ field: "ranges", error: new BitsError(0x80070005, { operation: "file ranges" }) }],
  });
  assert.deepEqual(file, {
    ...BASIC,
    ranges: null,
    temporaryName: null,
    validationState: null,
    downloadedFromPeer: null,
    peerDownloadStats: null,
    httpResponseHeaders: null,
    filledRanges: null,
    unsupported: [{ field: "temporaryName", code: "E_NOINTERFACE", requires: "IBackgroundCopyFile3" }],
    failures: [{ field: "ranges", code: "E_ACCESSDENIED", message: file.failures[0].message }],
  });
  assert.match(file.failures[0].message, /^file ranges failed: E_ACCESSDENIED/);
  assertCliJson("files", { version: 1, id: ID, files: [file] });
  const full = verboseFile({
    ...BASIC,
    ranges: [{ offset: 0, length: 5 }, { offset: 7, length: "EOF" }],
    temporaryName: "C:\\BIT1.tmp",
    validationState: false,
    downloadedFromPeer: false,
    peerDownloadStats: { fromOrigin: 4, fromPeers: 0 },
    httpResponseHeaders: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n",
    filledRanges: [],
    unsupported: [],
    failures: [],
  });
  assertCliJson("files", { version: 1, id: ID, files: [full] });
  const text = describeFiles(ID, [full]);
  assert.match(text, /^1\. https:\/\/e\.com\/a -> C:\\a\.bin$/m);
  assert.match(text, /ranges: +0:5, 7:eof/);
  assert.match(text, /temporary name: +C:\\BIT1\.tmp/);
  assert.match(text, /response headers: +HTTP\/1\.1 200 OK \| Content-Length: 10/);
  assert.match(describeFiles(ID, [file]), /not provided by this BITS: temporaryName \(E_NOINTERFACE\)/);
  assert.match(describeFiles(ID, []), /has no files/);
  assert.match(describeFiles(ID, [BASIC]), /^DONE +BYTES +REMOTE +LOCAL\nno +4\/10 +https:\/\/e\.com\/a +C:\\a\.bin$/);
});

// ---- The schemas are strict ----

const JOB = {
  id: ID,
  type: "DOWNLOAD",
  state: "SUSPENDED",
  displayName: "x",
  description: "",
  progress: { bytesTotal: null, bytesTransferred: 0, filesTotal: 0, filesTransferred: 0 },
  error: null,
};

/** Asserts that a schema rejects `document`. */
function rejects(command: string, document: unknown, why: string): void {
  assert.equal(validator(`${command}.schema.json`)(document), false, `${command}: ${why}`);
}

Deno.test("schemas: the job-building documents validate, and extra or missing fields are rejected", () => {
  assertCliJson("create", { version: 1, job: JOB, set: ["priority"] });
  rejects("create", { version: 1, job: JOB }, "set missing");
  for (const command of ["suspend", "resume", "take-ownership"]) {
    assertCliJson(command, { version: 1, job: JOB });
    rejects(command, { version: 1, job: JOB, extra: 1 }, "extra field");
    rejects(command, { version: 2, job: JOB }, "version 2");
  }
  const files = [{ url: "https://e.com/a", path: "C:\\a" }, { url: "https://e.com/b", path: "C:\\b" }];
  assertCliJson("download", { version: 1, job: JOB, files, set: [] });
  assertCliJson("download", {
    version: 1,
    job: { ...JOB, state: "TRANSFERRED" },
    outcome: "completed",
    files: files.map((f, i) => ({ ...f, bytes: i === 0 ? 10 : null })),
    set: ["priority", "credentials", "customHeaders"],
  });
  rejects("download", { version: 1, job: JOB, files, set: ["password"] }, "not a property name");
  rejects("download", { version: 1, job: JOB, files: [] }, "no files");
  rejects("download", { version: 1, job: JOB, outcome: "completed", files }, "sizes missing after --wait");
  rejects("download", { version: 1, job: JOB, outcome: "done", files: [{ ...files[0], bytes: 1 }] }, "bad outcome");
  assertCliJson("add-file", { version: 1, job: JOB, added: files, ranges: null });
  assertCliJson("add-file", {
    version: 1,
    job: JOB,
    added: [files[0]],
    ranges: [{ offset: 0, length: 5 }, { offset: 9, length: "EOF" }],
  });
  rejects("add-file", { version: 1, job: JOB, added: files }, "ranges missing");
  rejects("add-file", { version: 1, job: JOB, added: [files[0]], ranges: [{ offset: 0, length: 0 }] }, "empty range");
  assertCliJson("upload", {
    version: 1,
    job: { ...JOB, type: "UPLOAD" },
    file: files[0],
    replyFileName: null,
    set: [],
  });
  assertCliJson("upload", {
    version: 1,
    job: { ...JOB, type: "UPLOAD_REPLY" },
    file: files[0],
    replyFileName: "C:\\reply.xml",
    set: ["security"],
  });
  rejects("upload", { version: 1, job: JOB, file: files[0] }, "replyFileName missing");
  assertCliJson("files", { version: 1, id: ID, files: [] });
  assertCliJson("files", { version: 1, id: ID, files: [BASIC] });
  rejects("files", { version: 1, id: ID, files: [{ ...BASIC, temporaryName: null }] }, "half verbose");
  rejects("files", { version: 1, id: "0f3c", files: [] }, "id not a GUID");
});

// The download root (src/root.ts): Windows path rules applied on any host
// through node:path's win32, and the realpath stage on real directories with
// real symbolic links (Linux) and on a simulated Windows file system with a
// junction and an 8.3 alias.

import assert from "node:assert/strict";
import { join } from "node:path";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  checkDestinationsInRoots,
  checkInsideRoot,
  checkRealInsideRoot,
  checkRoot,
  isDosDeviceName,
  plainRealPath,
  type RootFileSystem,
} from "../../src/root.ts";

const ROOT = "C:\\data\\downloads";

interface LexicalCase {
  readonly name: string;
  readonly path: string;
  readonly root?: string;
  /** A fragment of the refusal message; absent: the path is accepted. */
  readonly refused?: string;
}

const LEXICAL: readonly LexicalCase[] = [
  { name: "a file directly inside", path: "C:\\data\\downloads\\a.bin" },
  { name: "a file in a subdirectory", path: "C:\\data\\downloads\\sub\\dir\\a.bin" },
  { name: "case differs from the root (NTFS ignores case)", path: "c:\\DATA\\Downloads\\a.bin" },
  { name: "non-BMP and right-to-left names", path: "C:\\data\\downloads\\𝄞 שלום.bin" },
  { name: "the root itself", path: "C:\\data\\downloads", refused: "outside the root" },
  { name: "a sibling sharing the root's prefix", path: "C:\\data\\downloads2\\a.bin", refused: "outside the root" },
  { name: "the root's parent", path: "C:\\data\\a.bin", refused: "outside the root" },
  { name: "another drive", path: "D:\\data\\downloads\\a.bin", refused: "outside the root" },
  { name: ".. escaping", path: "C:\\data\\downloads\\..\\secret.bin", refused: "not in normal form" },
  { name: ".. inside (still a rewrite)", path: "C:\\data\\downloads\\sub\\..\\a.bin", refused: "not in normal form" },
  { name: ". segment", path: "C:\\data\\downloads\\.\\a.bin", refused: "not in normal form" },
  { name: "forward-slash .. escape", path: "C:\\data\\downloads/../secret.bin", refused: "not in normal form" },
  { name: "forward slashes", path: "C:\\data\\downloads/a.bin", refused: "not in normal form" },
  { name: "doubled separator", path: "C:\\data\\downloads\\\\a.bin", refused: "not in normal form" },
  { name: "trailing dot", path: "C:\\data\\downloads\\a.bin.", refused: "dot or space" },
  { name: "trailing space", path: "C:\\data\\downloads\\a.bin ", refused: "dot or space" },
  { name: "directory with a trailing dot", path: "C:\\data\\downloads\\sub.\\a.bin", refused: "dot or space" },
  { name: "three dots", path: "C:\\data\\downloads\\...\\a.bin", refused: "dot or space" },
  { name: "alternate data stream", path: "C:\\data\\downloads\\a.bin:evil", refused: "alternate data stream" },
  { name: "::$DATA stream", path: "C:\\data\\downloads\\a.bin::$DATA", refused: "alternate data stream" },
  { name: "stream in a middle component", path: "C:\\data\\downloads\\sub:s\\a.bin", refused: "alternate data stream" },
  { name: "CON", path: "C:\\data\\downloads\\CON", refused: "DOS device" },
  { name: "nul with an extension", path: "C:\\data\\downloads\\nul.txt", refused: "DOS device" },
  { name: "COM1 as a directory", path: "C:\\data\\downloads\\COM1\\a.bin", refused: "DOS device" },
  { name: "LPT9 with extension", path: "C:\\data\\downloads\\lpt9.log", refused: "DOS device" },
  { name: "COM superscript one", path: "C:\\data\\downloads\\COM¹.bin", refused: "DOS device" },
  { name: "UNC share with a drive root", path: "\\\\server\\share\\a.bin", refused: "network share" },
  { name: "\\\\?\\ verbatim path", path: "\\\\?\\C:\\data\\downloads\\a.bin", refused: "device or verbatim" },
  { name: "\\\\.\\ device path", path: "\\\\.\\C:\\data\\downloads\\a.bin", refused: "device or verbatim" },
  { name: "\\??\\ NT path", path: "\\??\\C:\\data\\downloads\\a.bin", refused: "device or verbatim" },
  { name: "relative path", path: "downloads\\a.bin", refused: "full Windows path" },
  { name: "drive-relative path", path: "C:data\\downloads\\a.bin", refused: "full Windows path" },
  { name: "root-relative path", path: "\\data\\downloads\\a.bin", refused: "full Windows path" },
  {
    name: "UNC path inside a UNC root",
    root: "\\\\server\\share\\media",
    path: "\\\\SERVER\\share\\media\\a.bin",
  },
  {
    name: "UNC path on another share of the same server",
    root: "\\\\server\\share\\media",
    path: "\\\\server\\other\\media\\a.bin",
    refused: "network share",
  },
  { name: "drive path with a UNC root", root: "\\\\server\\share", path: "C:\\a.bin", refused: "outside the root" },
  { name: "drive root as root", root: "C:\\", path: "C:\\anything\\a.bin" },
];

for (const c of LEXICAL) {
  Deno.test(`root, lexical: ${c.name} is ${c.refused ? "refused" : "accepted"}`, () => {
    const root = checkRoot(c.root ?? ROOT);
    if (c.refused === undefined) {
      assert.equal(checkInsideRoot(c.path, root, "files[0].path"), c.path);
      return;
    }
    assert.throws(
      () => checkInsideRoot(c.path, root, "files[0].path"),
      (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError, String(error));
        assert.equal(error.argument, "files[0].path");
        assert.ok(error.message.includes(c.refused!), error.message);
        // The offending path is named.
        assert.ok(error.message.includes(JSON.stringify(c.path)), error.message);
        return true;
      },
    );
  });
}

Deno.test("root, lexical: at least 25 table cases, both outcomes", () => {
  assert.ok(LEXICAL.length >= 25, `${LEXICAL.length} cases`);
  assert.ok(LEXICAL.filter((c) => c.refused === undefined).length >= 5);
});

Deno.test("checkRoot: accepts drive and UNC roots, strips a trailing separator, refuses the rest", () => {
  assert.equal(checkRoot("C:\\data\\"), "C:\\data");
  assert.equal(checkRoot("C:\\"), "C:\\");
  assert.equal(checkRoot("\\\\server\\share\\"), "\\\\server\\share");
  const refused: [unknown, string][] = [
    ["", "non-empty"],
    [42, "non-empty"],
    ["data", "full Windows path"],
    ["C:\\data\\..\\x", "normal form"],
    ["C:\\data\\x:y", "alternate data stream"],
    // A stream in a middle component: the check must look at every component, not only the last.
    ["C:\\data:x\\dl", "alternate data stream"],
    ["\\\\server\\share\\a:s\\dl", "alternate data stream"],
    ["\\\\?\\C:\\data", "device or verbatim"],
    ["C:\\data\\AUX", "DOS device"],
    ["C:\\data.", "dot or space"],
    [`C:\\${"a".repeat(300)}`, "MAX_PATH"],
    ["C:\\da\0ta", "NUL"],
  ];
  for (const [value, fragment] of refused) {
    assert.throws(
      () => checkRoot(value),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === "root" && e.message.includes(fragment),
      JSON.stringify(value),
    );
  }
});

Deno.test("isDosDeviceName: Windows' reserved names, with extensions and trailing dots or spaces", () => {
  for (const name of ["CON", "con", "Prn", "AUX.txt", "nul.tar.gz", "COM0", "com9.x", "LPT1", "conin$", "CONOUT$"]) {
    assert.ok(isDosDeviceName(name), name);
  }
  for (const name of ["CON .txt", "NUL. ", "COM1 "]) assert.ok(isDosDeviceName(name), JSON.stringify(name));
  for (const name of ["CONSOLE", "COM10", "LPT", "nully.txt", "a.con", "ACON", "com"]) {
    assert.ok(!isDosDeviceName(name), name);
  }
});

Deno.test("plainRealPath strips the verbatim prefixes GetFinalPathNameByHandle returns", () => {
  assert.equal(plainRealPath("\\\\?\\C:\\data\\x"), "C:\\data\\x");
  assert.equal(plainRealPath("\\\\?\\UNC\\server\\share\\x"), "\\\\server\\share\\x");
  assert.equal(plainRealPath("C:\\data"), "C:\\data");
});

// ---- The realpath stage on real directories (Linux: posix rules) ----

async function tree(): Promise<
  { base: string; root: string; outside: string; [Symbol.asyncDispose](): Promise<void> }
> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "root-test-" }));
  const root = join(base, "root");
  const outside = join(base, "outside");
  await Deno.mkdir(join(root, "sub"), { recursive: true });
  await Deno.mkdir(outside);
  await Deno.writeTextFile(join(outside, "secret.txt"), "secret");
  await Deno.writeTextFile(join(root, "sub", "kept.txt"), "kept");
  return { base, root, outside, [Symbol.asyncDispose]: () => Deno.remove(base, { recursive: true }) };
}

const POSIX = { flavour: "posix" } as const;

Deno.test({
  name: "root, disk: symbolic links leading out are refused, links staying inside are not",
  ignore: Deno.build.os === "windows",
  async fn(): Promise<void> {
    await using t = await tree();
    await Deno.symlink(t.outside, join(t.root, "out-abs"));
    await Deno.symlink("../outside", join(t.root, "out-rel"));
    await Deno.symlink(join(t.outside, "secret.txt"), join(t.root, "secret-link.txt"));
    await Deno.symlink("sub", join(t.root, "in-link"));
    await Deno.symlink(join(t.base, "missing"), join(t.root, "dangling"));
    await Deno.symlink(t.root, join(t.outside, "back"));

    const accepted = [
      join(t.root, "new.bin"),
      join(t.root, "sub", "new.bin"),
      join(t.root, "sub", "kept.txt"),
      join(t.root, "not", "yet", "created.bin"),
      join(t.root, "in-link", "new.bin"),
    ];
    for (const path of accepted) await checkRealInsideRoot(path, t.root, "path", POSIX);

    const refused: [string, string][] = [
      [join(t.root, "out-abs", "x.bin"), "outside the root"],
      [join(t.root, "out-rel", "x.bin"), "outside the root"],
      [join(t.root, "out-rel", "deeper", "x.bin"), "outside the root"],
      [join(t.root, "secret-link.txt"), "outside the root"],
      [join(t.root, "dangling"), "resolves nowhere"],
      [join(t.root, "dangling", "x.bin"), "resolves nowhere"],
    ];
    for (const [path, fragment] of refused) {
      await assert.rejects(
        checkRealInsideRoot(path, t.root, "files[3].path", POSIX),
        (e: unknown) =>
          e instanceof InvalidArgumentError && e.argument === "files[3].path" && e.message.includes(fragment) &&
          e.message.includes(JSON.stringify(path)),
        path,
      );
    }
    // A root reached through a link: what counts is where it is on disk.
    await checkRealInsideRoot(join(t.outside, "back", "x.bin"), join(t.outside, "back"), "path", POSIX);
    await checkRealInsideRoot(join(t.root, "x.bin"), join(t.outside, "back"), "path", POSIX);
    await assert.rejects(
      checkRealInsideRoot(join(t.outside, "x.bin"), join(t.outside, "back"), "path", POSIX),
      InvalidArgumentError,
    );
    // Nothing was created or changed while checking.
    assert.deepEqual([...Deno.readDirSync(t.outside)].map((e) => e.name).sort(), ["back", "secret.txt"]);
    assert.equal(await Deno.readTextFile(join(t.outside, "secret.txt")), "secret");
  },
});

Deno.test({
  name: "root, disk: a missing root is refused as `root`",
  ignore: Deno.build.os === "windows",
  async fn(): Promise<void> {
    await using t = await tree();
    await assert.rejects(
      checkRealInsideRoot(join(t.base, "nope", "x.bin"), join(t.base, "nope"), "path", POSIX),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === "root",
    );
  },
});

// ---- The realpath stage with Windows rules (a simulated disk) ----

/** A Windows disk: existing paths (lower-cased keys) and what realPath makes of them. */
function windowsDisk(entries: Record<string, string>): RootFileSystem {
  const table = new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    realPath: (path: string): Promise<string> => {
      const real = table.get(path.toLowerCase());
      return real === undefined ? Promise.reject(new Deno.errors.NotFound(path)) : Promise.resolve(real);
    },
    exists: (path: string): Promise<boolean> => Promise.resolve(table.has(path.toLowerCase())),
  };
}

const DISK = windowsDisk({
  "C:\\": "\\\\?\\C:\\",
  "C:\\data": "\\\\?\\C:\\data",
  "C:\\data\\downloads": "\\\\?\\C:\\data\\downloads",
  "C:\\data\\downloads\\sub": "\\\\?\\C:\\data\\downloads\\sub",
  // A junction to another volume, and 8.3 aliases of the root and of a sibling.
  "C:\\data\\downloads\\junction": "\\\\?\\D:\\elsewhere",
  "C:\\data\\DOWNLO~1": "\\\\?\\C:\\data\\downloads",
  "C:\\data\\DOWNLO~2": "\\\\?\\C:\\data\\downloads-private",
  "C:\\data\\downloads\\share-link": "\\\\?\\UNC\\server\\share\\x",
});

Deno.test("root, disk (Windows rules): junctions and 8.3 aliases are judged by where they lead", async () => {
  const win = { flavour: "win32", fs: DISK } as const;
  await checkRealInsideRoot("C:\\data\\downloads\\sub\\a.bin", ROOT, "p", win);
  await checkRealInsideRoot("C:\\data\\downloads\\new\\dir\\a.bin", ROOT, "p", win);
  // The root named by its short name is the same directory.
  await checkRealInsideRoot("C:\\data\\downloads\\a.bin", "C:\\data\\DOWNLO~1", "p", win);
  for (const path of ["C:\\data\\downloads\\junction\\a.bin", "C:\\data\\downloads\\share-link\\a.bin"]) {
    await assert.rejects(
      checkRealInsideRoot(path, ROOT, "p", win),
      (e: unknown) => e instanceof InvalidArgumentError && e.message.includes("outside the root"),
      path,
    );
  }
  // A short name that is a sibling, not the root: lexically refused before the disk is asked.
  assert.throws(() => checkInsideRoot("C:\\data\\DOWNLO~2\\a.bin", ROOT, "p"), InvalidArgumentError);
});

Deno.test("checkDestinationsInRoots: every root must hold, lexical refusals come before any disk access", async () => {
  let diskCalls = 0;
  const counting: RootFileSystem = {
    realPath: (p) => (diskCalls++, DISK.realPath(p)),
    exists: (p) => (diskCalls++, DISK.exists(p)),
  };
  const files = [
    { path: "C:\\data\\downloads\\ok.bin", argument: "files[0].path" },
    { path: "C:\\data\\downloads\\..\\escape.bin", argument: "files[1].path" },
  ];
  await assert.rejects(
    checkDestinationsInRoots(files, [ROOT], { flavour: "win32", fs: counting }),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "files[1].path",
  );
  assert.equal(diskCalls, 0);
  // Inside the job's root but outside the call's narrower one.
  await assert.rejects(
    checkDestinationsInRoots([files[0]], [ROOT, "C:\\data\\downloads\\sub"], { flavour: "win32", fs: counting }),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "files[0].path",
  );
  await checkDestinationsInRoots([files[0]], [undefined, ROOT], { flavour: "win32", fs: DISK });
  diskCalls = 0;
  await checkDestinationsInRoots([files[0]], [undefined, undefined], { flavour: "win32", fs: counting });
  assert.equal(diskCalls, 0);
});

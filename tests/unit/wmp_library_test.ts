// Unit tests of src/wmp/library.ts: Windows path rules for filing WMP media (pure, host-independent)
// and the no-overwrite move on the real file system (Linux paths are fine: it only uses Deno file APIs).
//
// Permissions: --allow-read --allow-write (temporary directories).

import assert from "node:assert/strict";
import { join, win32 } from "node:path";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  FALLBACKS,
  fileIntoLibrary,
  LibraryFileExistsError,
  libraryPath,
  MAX_COMPONENT_LENGTH,
  MAX_LIBRARY_PATH,
  MEDIA_EXTENSIONS,
  type MediaMetadata,
  sanitizePathComponent,
} from "../../src/wmp/library.ts";
import { lexists } from "../../src/exists.ts";

/** Asserts that `fn` throws an InvalidArgumentError about `argument` (and matching `message`). */
function assertRefused(fn: () => unknown, argument: string, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${error}`);
    assert.equal(error.argument, argument);
    if (message) assert.match(error.message, message);
    return true;
  });
}

const F = "Fallback";
const clean = (text: string): string => sanitizePathComponent(text, F);

const META: MediaMetadata = { albumArtist: "Artist", albumTitle: "Album", trackNumber: 3, title: "Song" };
const ROOT = "C:\\Music";

/** The path for META with `changes`, under ROOT, as .wma. */
function path(changes: Partial<MediaMetadata>, root = ROOT, extension = ".wma"): string {
  return libraryPath(root, { ...META, ...changes }, extension);
}

// ---------------------------------------------------------------- sanitizePathComponent

Deno.test("sanitize: ordinary names are kept as they are", () => {
  assert.equal(clean("Abbey Road"), "Abbey Road");
  assert.equal(clean("AC-DC (Live) [1991] #1 & co., 50% off!"), "AC-DC (Live) [1991] #1 & co., 50% off!");
  assert.equal(clean(".hidden"), ".hidden");
  assert.equal(clean("a.b.c"), "a.b.c");
});

Deno.test("sanitize: each character Windows forbids becomes _", () => {
  for (const ch of '<>:"/\\|?*') assert.equal(clean(`a${ch}b`), "a_b", JSON.stringify(ch));
  assert.equal(clean('<>:"/\\|?*'), "_________");
});

Deno.test("sanitize: control characters U+0000–U+001F and U+007F become _", () => {
  for (let code = 0; code <= 0x1f; code++) assert.equal(clean(`a${String.fromCharCode(code)}b`), "a_b", `U+${code}`);
  assert.equal(clean("a\u007fb"), "a_b");
  assert.equal(clean("tab\there\r\nnew"), "tab_here__new");
  // U+0080+ are ordinary characters to Windows.
  assert.equal(clean("a\u0085b\u00a0c"), "a\u0085b\u00a0c");
});

Deno.test("sanitize: trailing dots and spaces and leading spaces are stripped", () => {
  assert.equal(clean("Album."), "Album");
  assert.equal(clean("Album..."), "Album");
  assert.equal(clean("Album . . "), "Album");
  assert.equal(clean("   Album"), "Album");
  assert.equal(clean("  Al bum  "), "Al bum");
  assert.equal(clean("Vol. 2"), "Vol. 2");
});

Deno.test("sanitize: '.', '..' and names of only dots and spaces become the fallback", () => {
  for (const text of [".", "..", "...", " . ", "  ", ". .", ""]) assert.equal(clean(text), F, JSON.stringify(text));
});

Deno.test("sanitize: traversal and drive attempts cannot escape the component", () => {
  assert.equal(clean("..\\..\\Windows"), ".._.._Windows");
  assert.equal(clean("../../etc/passwd"), ".._.._etc_passwd");
  assert.equal(clean("C:\\x"), "C__x");
  assert.equal(clean("C:"), "C_");
  assert.equal(clean("\\\\server\\share"), "__server_share");
  assert.equal(clean("\\\\?\\C:\\x"), "____C__x");
  assert.equal(clean("/"), "_");
  for (const text of ["..\\..\\Windows", "C:\\x", "a/b", "\\"]) {
    assert.ok(!/[\\/:]/.test(clean(text)), text);
  }
});

Deno.test("sanitize: NTFS alternate data stream syntax is neutralised", () => {
  assert.equal(clean("song.wma:Zone.Identifier"), "song.wma_Zone.Identifier");
  assert.equal(clean("file::$DATA"), "file__$DATA");
});

Deno.test("sanitize: every reserved device name gets a _ after it", () => {
  const names = ["CON", "PRN", "AUX", "NUL"];
  for (let n = 1; n <= 9; n++) names.push(`COM${n}`, `LPT${n}`);
  names.push("COM\u00b9", "COM\u00b2", "COM\u00b3", "LPT\u00b9", "LPT\u00b2", "LPT\u00b3");
  for (const name of names) {
    assert.equal(clean(name), `${name}_`, name);
    assert.equal(clean(name.toLowerCase()), `${name.toLowerCase()}_`, name.toLowerCase());
    assert.equal(clean(`${name}.txt`), `${name}_.txt`, `${name}.txt`);
  }
});

Deno.test("sanitize: reserved names are matched in any case, with extensions, spaces and trailing dots", () => {
  assert.equal(clean("con"), "con_");
  assert.equal(clean("CoN"), "CoN_");
  assert.equal(clean("con.txt"), "con_.txt");
  assert.equal(clean("NUL .mp3"), "NUL_ .mp3");
  assert.equal(clean("aux.tar.gz"), "aux_.tar.gz");
  assert.equal(clean("PRN."), "PRN_");
  assert.equal(clean("nul   "), "nul_");
  assert.equal(clean("  COM1"), "COM1_");
  assert.equal(clean("lpt\u00b9.wma"), "lpt\u00b9_.wma");
  // The extra forms Microsoft's naming rules list.
  assert.equal(clean("COM0"), "COM0_");
  assert.equal(clean("conin$"), "conin$_");
  assert.equal(clean("CONOUT$.log"), "CONOUT$_.log");
});

Deno.test("sanitize: names that merely start with a device name are left alone", () => {
  for (const text of ["CONSOLE", "Conan", "NULL", "COM10", "LPT", "COM", "AUXILIARY", "PRN x", "con-txt", "My CON"]) {
    assert.equal(clean(text), text, text);
  }
});

Deno.test("sanitize: components are cut to 120 code units", () => {
  assert.equal(MAX_COMPONENT_LENGTH, 120);
  assert.equal(clean("a".repeat(120)), "a".repeat(120));
  assert.equal(clean("a".repeat(500)), "a".repeat(120));
  // Trailing dots or spaces left by the cut are stripped as well.
  assert.equal(clean(`${"a".repeat(118)}  b`), "a".repeat(118));
  assert.equal(clean(`${"a".repeat(119)}.b`), "a".repeat(119));
});

Deno.test("sanitize: the cut never splits a surrogate pair or a combining sequence", () => {
  const emoji = "\u{1F3B5}"; // 🎵, two code units
  assert.equal(clean(`${"a".repeat(119)}${emoji}`), "a".repeat(119));
  assert.equal(clean(`${"a".repeat(118)}${emoji}zz`), `${"a".repeat(118)}${emoji}`);
  assert.equal(clean(emoji.repeat(100)), emoji.repeat(60));
  assert.equal(clean(`x${emoji.repeat(100)}`), `x${emoji.repeat(59)}`);
  // "e" + combining acute at the cut goes whole.
  assert.equal(clean(`${"a".repeat(119)}e\u0301`), "a".repeat(119));
  // A single over-long grapheme is cut between code points, never mid-pair.
  const zalgo = `a${"\u0301".repeat(200)}`;
  assert.equal(clean(zalgo), zalgo.slice(0, 120));
  for (const text of [`${"a".repeat(119)}${emoji}`, emoji.repeat(100), `x${emoji.repeat(100)}`]) {
    const result = clean(text);
    assert.ok(result.length <= 120);
    assert.ok(result.isWellFormed(), "no lone surrogate");
  }
});

Deno.test("sanitize: a reserved name at the length limit keeps its _ and stays within 120", () => {
  const long = `CON.${"x".repeat(116)}`;
  const result = clean(long);
  assert.ok(result.startsWith("CON_."));
  assert.equal(result.length, 120);
  // A cut that leaves only the device name still gets the _.
  assert.equal(clean(`CON${" ".repeat(117)}tail`), "CON_");
});

Deno.test("sanitize: Unicode is preserved, RTL and non-BMP included", () => {
  for (
    const text of [
      "Ελληνικά",
      "日本語のアルバム",
      "עברית", // Hebrew, RTL
      "العربية", // Arabic, RTL
      "\u{1D11E} Clef", // 𝄞, non-BMP
      "\u{1F3B5}\u{1F3B6}",
      "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}", // ZWJ family
      "Beyoncé",
      "Beyonce\u0301", // decomposed: not normalised
    ]
  ) assert.equal(clean(text), text, text);
});

Deno.test("sanitize: unpaired surrogates become _", () => {
  assert.equal(clean("a\ud800b"), "a_b");
  assert.equal(clean("a\udc00b"), "a_b");
  assert.equal(clean("\udc00\ud800"), "__");
});

Deno.test("sanitize: empty after cleaning gives the fallback; the fallback must itself be safe", () => {
  assert.equal(sanitizePathComponent("", "Unknown Artist"), "Unknown Artist");
  assert.equal(sanitizePathComponent(" .. ", "Untitled"), "Untitled");
  // "_" is not empty: a name of forbidden characters keeps its underscores.
  assert.equal(clean("???"), "___");
  assertRefused(() => sanitizePathComponent("x", ""), "fallback");
  assertRefused(() => sanitizePathComponent("x", "a/b"), "fallback");
  assertRefused(() => sanitizePathComponent("x", "CON"), "fallback");
  assertRefused(() => sanitizePathComponent("x", "trailing."), "fallback");
});

// ---------------------------------------------------------------- libraryPath

Deno.test("libraryPath: files as <AlbumArtist>\\<AlbumTitle>\\<NN> <Title>.<ext>", () => {
  assert.equal(path({}), "C:\\Music\\Artist\\Album\\03 Song.wma");
  assert.equal(
    libraryPath("D:\\", {
      albumArtist: "The Beatles",
      albumTitle: "Abbey Road",
      trackNumber: 7,
      title: "Here Comes the Sun",
    }, ".mp3"),
    "D:\\The Beatles\\Abbey Road\\07 Here Comes the Sun.mp3",
  );
});

Deno.test("libraryPath: the track number is padded to two digits; longer ones are kept", () => {
  assert.equal(win32.basename(path({ trackNumber: 0 })), "00 Song.wma");
  assert.equal(win32.basename(path({ trackNumber: 1 })), "01 Song.wma");
  assert.equal(win32.basename(path({ trackNumber: 9 })), "09 Song.wma");
  assert.equal(win32.basename(path({ trackNumber: 10 })), "10 Song.wma");
  assert.equal(win32.basename(path({ trackNumber: 99 })), "99 Song.wma");
  assert.equal(win32.basename(path({ trackNumber: 100 })), "100 Song.wma");
  assert.equal(win32.basename(path({ trackNumber: 1234 })), "1234 Song.wma");
});

Deno.test("libraryPath: bad track numbers are refused", () => {
  for (const trackNumber of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
    assertRefused(() => path({ trackNumber }), "meta.trackNumber");
  }
  assertRefused(() => path({ trackNumber: "3" as unknown as number }), "meta.trackNumber");
});

Deno.test("libraryPath: the four media extensions are accepted in any case and written lower-case", () => {
  assert.deepEqual([...MEDIA_EXTENSIONS], [".wma", ".wmv", ".mp3", ".asf"]);
  for (const ext of MEDIA_EXTENSIONS) {
    assert.ok(path({}, ROOT, ext).endsWith(`03 Song${ext}`));
    assert.ok(path({}, ROOT, ext.toUpperCase()).endsWith(`03 Song${ext}`));
  }
  assert.ok(path({}, ROOT, ".Wma").endsWith(".wma"));
});

Deno.test("libraryPath: other extensions are refused", () => {
  for (const ext of ["wma", ".exe", ".lnk", ".wma.exe", ".mp4", "", ".", ".mp3 ", ".mp3:stream", "..\\x.wma"]) {
    assertRefused(() => path({}, ROOT, ext), "extension", /\.wma \.wmv \.mp3 \.asf/);
  }
});

Deno.test("libraryPath: drive and UNC roots are accepted and normalised", () => {
  assert.equal(path({}, "C:\\"), "C:\\Artist\\Album\\03 Song.wma");
  assert.equal(path({}, "c:\\My Music\\"), "c:\\My Music\\Artist\\Album\\03 Song.wma");
  assert.equal(path({}, "C:/Users/me/Music"), "C:\\Users\\me\\Music\\Artist\\Album\\03 Song.wma");
  assert.equal(path({}, "\\\\nas\\media"), "\\\\nas\\media\\Artist\\Album\\03 Song.wma");
  assert.equal(path({}, "\\\\nas\\media\\Music\\"), "\\\\nas\\media\\Music\\Artist\\Album\\03 Song.wma");
  assert.equal(path({}, "C:\\Music\\.\\Sub\\..\\Lib"), "C:\\Music\\Lib\\Artist\\Album\\03 Song.wma");
});

Deno.test("libraryPath: relative, drive-relative, device and odd roots are refused", () => {
  for (
    const root of [
      "",
      "Music",
      ".\\Music",
      "..\\Music",
      "C:",
      "C:Music",
      "\\Music",
      "/home/me/Music",
      "\\\\server",
      "\\\\?\\C:\\Music",
      "\\\\.\\C:\\Music",
      "C:\\Music:stream",
      "C:\\Mu*ic",
      "C:\\Music\u0000",
    ]
  ) assertRefused(() => path({}, root), "libraryRoot");
  assertRefused(() => libraryPath(42 as unknown as string, META, ".wma"), "libraryRoot");
});

Deno.test("libraryPath: empty or missing tags use the fallbacks", () => {
  assert.deepEqual(FALLBACKS, { albumArtist: "Unknown Artist", albumTitle: "Unknown Album", title: "Untitled" });
  assert.equal(
    path({ albumArtist: "", albumTitle: " ", title: "..." }),
    "C:\\Music\\Unknown Artist\\Unknown Album\\03 Untitled.wma",
  );
  const missing = { trackNumber: 1 } as unknown as MediaMetadata;
  assert.equal(libraryPath(ROOT, missing, ".mp3"), "C:\\Music\\Unknown Artist\\Unknown Album\\01 Untitled.mp3");
  assertRefused(() => path({ title: 5 as unknown as string }), "meta.title");
});

Deno.test("libraryPath: traversal in the tags stays inside the root", () => {
  const cases: [Partial<MediaMetadata>, string][] = [
    [{ albumArtist: "..\\..\\Windows" }, "C:\\Music\\.._.._Windows\\Album\\03 Song.wma"],
    [{ albumArtist: "C:\\x" }, "C:\\Music\\C__x\\Album\\03 Song.wma"],
    [{ albumArtist: ".." }, "C:\\Music\\Unknown Artist\\Album\\03 Song.wma"],
    [{ albumTitle: "." }, "C:\\Music\\Artist\\Unknown Album\\03 Song.wma"],
    [{ albumTitle: "../../../System32" }, "C:\\Music\\Artist\\.._.._.._System32\\03 Song.wma"],
    [{ title: "..\\..\\..\\evil" }, "C:\\Music\\Artist\\Album\\03 .._.._.._evil.wma"],
    [{ title: "x.wma:evil.exe" }, "C:\\Music\\Artist\\Album\\03 x.wma_evil.exe.wma"],
    [{ albumArtist: "\\\\evil\\share" }, "C:\\Music\\__evil_share\\Album\\03 Song.wma"],
  ];
  for (const [changes, expected] of cases) {
    const result = path(changes);
    assert.equal(result, expected);
    assert.ok(win32.resolve(result).toLowerCase().startsWith("c:\\music\\"));
    assert.equal(result.split("\\").length, 5, "exactly three components below the root");
  }
});

Deno.test("libraryPath: every component is sanitised (reserved names, separators, trailing dots)", () => {
  assert.equal(
    path({ albumArtist: "CON", albumTitle: "nul.", title: "What? / Why: *" }),
    "C:\\Music\\CON_\\nul_\\03 What_ _ Why_ _.wma",
  );
  assert.equal(path({ albumTitle: "Greatest Hits Vol. 1..." }), "C:\\Music\\Artist\\Greatest Hits Vol. 1\\03 Song.wma");
  assert.equal(
    path({ albumArtist: "عمرو دياب", title: "\u{1F3B5} Song" }),
    "C:\\Music\\عمرو دياب\\Album\\03 \u{1F3B5} Song.wma",
  );
});

Deno.test("libraryPath: long tags are cut to 120 per component", () => {
  const result = path({ albumArtist: "a".repeat(300), albumTitle: "b".repeat(300), title: "t" });
  const [, , artist, album] = result.split("\\");
  assert.equal(artist, "a".repeat(120));
  assert.equal(album, "b".repeat(120));
  assert.ok(result.length <= MAX_LIBRARY_PATH);
  // The whole file name stays within 120 too.
  const name = win32.basename(path({ title: "t".repeat(300) }));
  assert.equal(name.length, 120);
  assert.equal(name, `03 ${"t".repeat(113)}.wma`);
});

Deno.test("libraryPath: paths over MAX_PATH are fitted by shortening the title", () => {
  assert.equal(MAX_LIBRARY_PATH, 259);
  const root = `C:\\${"r".repeat(60)}`;
  const meta = { albumArtist: "a".repeat(100), albumTitle: "b".repeat(80), trackNumber: 12, title: "t".repeat(100) };
  const result = libraryPath(root, meta, ".asf");
  assert.equal(result.length, 259);
  const directory = `${root}\\${"a".repeat(100)}\\${"b".repeat(80)}`;
  assert.equal(result, `${directory}\\12 ${"t".repeat(259 - directory.length - 1 - 3 - 4)}.asf`);
  // Exactly at the limit nothing is cut.
  const fits = libraryPath(root, { ...meta, title: "t".repeat(259 - directory.length - 1 - 3 - 4) }, ".asf");
  assert.equal(fits, result);
});

Deno.test("libraryPath: shortening the title never splits a surrogate pair", () => {
  const root = `C:\\${"r".repeat(60)}`;
  // Leaves 7 units for the title: three emoji fit, the fourth would be split.
  const meta = {
    albumArtist: "a".repeat(100),
    albumTitle: "b".repeat(79),
    trackNumber: 1,
    title: "\u{1F3B5}".repeat(50),
  };
  const result = libraryPath(root, meta, ".wma");
  assert.ok(result.length <= 259);
  assert.ok(result.isWellFormed());
  assert.equal(win32.basename(result), `01 ${"\u{1F3B5}".repeat(3)}.wma`);
  assert.equal(result.length, 258, "one unit short rather than half an emoji");
});

Deno.test("libraryPath: a path too long even with a one-character title is refused with the excess", () => {
  const meta = { albumArtist: "a".repeat(120), albumTitle: "b".repeat(120), trackNumber: 1, title: "Song" };
  // C:\ + 120 + \ + 120 + \ + "01 x.wma" = 253: fits with a one-character title, at a root of 3.
  assert.equal(win32.basename(libraryPath("C:\\", meta, ".wma")), "01 Song.wma");
  // A root of 13 leaves no room for even one character: 13+1+120+1+120+1+"01 x.wma"(8) = 264.
  assertRefused(
    () => libraryPath(`C:\\${"r".repeat(10)}`, meta, ".wma"),
    "libraryRoot",
    /264 characters.*\b5 over the limit of 259/,
  );
  // One character of room is enough.
  const edge = libraryPath(`C:\\${"r".repeat(5)}`, meta, ".wma");
  assert.equal(edge.length, 259);
  assert.equal(win32.basename(edge), "01 S.wma");
  assertRefused(() => libraryPath(`C:\\${"r".repeat(6)}`, meta, ".wma"), "libraryRoot", /\b1 over/);
});

Deno.test("libraryPath: the result does not depend on the host OS", () => {
  // Built with win32 only: backslashes everywhere, even on Linux.
  const result = path({ albumArtist: "A/B" });
  assert.ok(!result.includes("/"));
  assert.equal(result, "C:\\Music\\A_B\\Album\\03 Song.wma");
});

// ---------------------------------------------------------------- fileIntoLibrary

const encoder = new TextEncoder();

/** `length` random bytes (getRandomValues gives at most 64 KiB per call). */
function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(offset + 65536, length)));
  }
  return bytes;
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wmp_library_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Directory entries of `dir`, sorted. */
async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

for (const hardLink of [true, false]) {
  const mode = hardLink ? "link" : "copy";

  Deno.test(`fileIntoLibrary (${mode}): moves the file, creating parent directories`, async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, "download.tmp");
      const data = randomBytes(700_000); // more than one copy buffer
      await Deno.writeFile(source, data);
      const target = join(dir, "lib", "Artist", "Album", "01 Song.wma");
      assert.equal(await fileIntoLibrary(source, target, { hardLink }), target);
      assert.deepEqual(await Deno.readFile(target), data);
      assert.equal(await lexists(source), false);
      assert.deepEqual(await entries(dir), ["lib"]);
      assert.deepEqual(await entries(join(dir, "lib", "Artist", "Album")), ["01 Song.wma"]);
    });
  });

  Deno.test(`fileIntoLibrary (${mode}): moves an empty file`, async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, "empty.tmp");
      await Deno.writeFile(source, new Uint8Array());
      const target = join(dir, "01 Empty.mp3");
      await fileIntoLibrary(source, target, { hardLink });
      assert.equal((await Deno.stat(target)).size, 0);
      assert.equal(await lexists(source), false);
    });
  });

  Deno.test(`fileIntoLibrary (${mode}): refuses an existing target and leaves both files untouched`, async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, "download.tmp");
      const target = join(dir, "Album", "01 Song.wma");
      await Deno.mkdir(join(dir, "Album"));
      await Deno.writeTextFile(source, "new download");
      await Deno.writeTextFile(target, "already in the library");
      await assert.rejects(fileIntoLibrary(source, target, { hardLink }), (error: unknown) => {
        assert.ok(error instanceof LibraryFileExistsError);
        assert.equal(error.name, "LibraryFileExistsError");
        assert.equal(error.path, target);
        assert.ok(error.message.includes(target));
        assert.match(error.message, /nothing was changed/);
        return true;
      });
      assert.equal(await Deno.readTextFile(source), "new download");
      assert.equal(await Deno.readTextFile(target), "already in the library");
      assert.deepEqual(await entries(join(dir, "Album")), ["01 Song.wma"]);
    });
  });

  Deno.test(`fileIntoLibrary (${mode}): refuses a target that is a directory or a dangling symlink`, async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, "download.tmp");
      await Deno.writeTextFile(source, "data");
      const directory = join(dir, "01 Song.wma");
      await Deno.mkdir(directory);
      await assert.rejects(fileIntoLibrary(source, directory, { hardLink }), LibraryFileExistsError);
      const link = join(dir, "02 Song.wma");
      const pointee = join(dir, "elsewhere.wma");
      await Deno.symlink(pointee, link);
      await assert.rejects(fileIntoLibrary(source, link, { hardLink }), LibraryFileExistsError);
      assert.equal(await lexists(pointee), false, "nothing written through the symlink");
      assert.equal(await Deno.readTextFile(source), "data");
    });
  });

  Deno.test(`fileIntoLibrary (${mode}): a missing source is a NotFound naming it, and nothing is created`, async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, "vanished.tmp");
      const target = join(dir, "01 Song.wma");
      await assert.rejects(fileIntoLibrary(source, target, { hardLink }), (error: unknown) => {
        assert.ok(error instanceof Deno.errors.NotFound);
        assert.ok(error.message.includes(source));
        assert.match(error.message, /nothing was filed/);
        return true;
      });
      assert.deepEqual(await entries(dir), []);
    });
  });

  Deno.test(`fileIntoLibrary (${mode}): a source that is not a regular file is refused`, async () => {
    await withTempDir(async (dir) => {
      const real = join(dir, "real.tmp");
      await Deno.writeTextFile(real, "data");
      const link = join(dir, "link.tmp");
      await Deno.symlink(real, link);
      await assert.rejects(fileIntoLibrary(link, join(dir, "a.wma"), { hardLink }), InvalidArgumentError);
      await assert.rejects(fileIntoLibrary(dir, join(dir, "b.wma"), { hardLink }), InvalidArgumentError);
      assert.deepEqual(await entries(dir), ["link.tmp", "real.tmp"]);
    });
  });
}

Deno.test("fileIntoLibrary: the source vanishing before the copy leaves no file at the target", async () => {
  // The copy opens the source before creating the target, so a source that is gone
  // by then (deleted after the pre-check, or on another volume) never yields an empty file.
  await withTempDir(async (dir) => {
    const target = join(dir, "Album", "01 Song.wma");
    await assert.rejects(fileIntoLibrary(join(dir, "gone.tmp"), target, { hardLink: false }), Deno.errors.NotFound);
    assert.equal(await lexists(target), false);
  });
});

/** Runs `fn` with `object[key]` replaced by `replacement`, restoring it afterwards. */
async function withPatched<T extends object, K extends keyof T>(
  object: T,
  key: K,
  replacement: T[K],
  fn: () => Promise<void>,
): Promise<void> {
  const original = object[key];
  object[key] = replacement;
  try {
    await fn();
  } finally {
    object[key] = original;
  }
}

type FileMethod = "read" | "write" | "sync";

/**
 * Runs `fn` with `Deno.FsFile.prototype[method]` failing from its `failAt`-th call on (1-based), or,
 * with `eof`, with `read` reporting end of file from then on (a source truncated under the copy).
 * Real I/O errors mid-copy cannot be provoked portably (Deno refuses /proc and /sys without -A).
 */
function withFaultyFiles(method: FileMethod, failAt: number, fn: () => Promise<void>, eof = false): Promise<void> {
  const proto = Deno.FsFile.prototype as unknown as Record<FileMethod, (...args: unknown[]) => Promise<unknown>>;
  const original = proto[method];
  let calls = 0;
  return withPatched(proto, method, function (this: unknown, ...args: unknown[]): Promise<unknown> {
    if (++calls < failAt) return original.apply(this, args);
    return eof ? Promise.resolve(null) : Promise.reject(new Deno.errors.Interrupted(`injected ${method} failure`));
  }, fn);
}

for (const [method, failAt] of [["read", 2], ["write", 2], ["sync", 1]] as const) {
  Deno.test(`fileIntoLibrary (copy): a ${method} failing mid-copy removes the partial target, keeps the source`, async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, "download.tmp");
      const data = randomBytes(600_000);
      await Deno.writeFile(source, data);
      const target = join(dir, "Album", "01 Song.wma");
      await withFaultyFiles(method, failAt, async () => {
        await assert.rejects(fileIntoLibrary(source, target, { hardLink: false }), /injected/);
      });
      assert.equal(await lexists(target), false);
      assert.deepEqual(await entries(join(dir, "Album")), []);
      assert.deepEqual(await Deno.readFile(source), data);
    });
  });
}

Deno.test("fileIntoLibrary (copy): a source truncated mid-copy is not filed short", async () => {
  await withTempDir(async (dir) => {
    const source = join(dir, "download.tmp");
    await Deno.writeFile(source, randomBytes(600_000));
    const target = join(dir, "01 Song.wma");
    await withFaultyFiles("read", 2, async () => {
      await assert.rejects(fileIntoLibrary(source, target, { hardLink: false }), /changed size while being copied/);
    }, true);
    assert.equal(await lexists(target), false);
    assert.equal((await Deno.stat(source)).size, 600_000);
  });
});

for (
  const [what, error] of [
    ["a cross-volume", new Error("Invalid cross-device link (os error 18)")],
    ["an unsupported", new Deno.errors.NotSupported("hard links are not supported")],
    ["a refused", new Deno.errors.PermissionDenied("Operation not permitted (os error 1)")],
  ] as const
) {
  Deno.test(`fileIntoLibrary: ${what} hard link falls back to the copy`, async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, "download.tmp");
      const data = randomBytes(300_000);
      await Deno.writeFile(source, data);
      const target = join(dir, "Artist", "Album", "01 Song.wma");
      let linkCalls = 0;
      await withPatched(Deno, "link", (): Promise<void> => {
        linkCalls++;
        return Promise.reject(error);
      }, async () => {
        assert.equal(await fileIntoLibrary(source, target), target);
      });
      assert.equal(linkCalls, 1);
      assert.deepEqual(await Deno.readFile(target), data);
      assert.equal(await lexists(source), false);
    });
  });
}

Deno.test("fileIntoLibrary: with the copy fallback an existing target is still refused", async () => {
  await withTempDir(async (dir) => {
    const source = join(dir, "download.tmp");
    const target = join(dir, "01 Song.wma");
    await Deno.writeTextFile(source, "new");
    await Deno.writeTextFile(target, "old");
    const crossDevice = (): Promise<void> => Promise.reject(new Error("Invalid cross-device link (os error 18)"));
    await withPatched(Deno, "link", crossDevice, async () => {
      await assert.rejects(fileIntoLibrary(source, target), LibraryFileExistsError);
    });
    assert.equal(await Deno.readTextFile(source), "new");
    assert.equal(await Deno.readTextFile(target), "old");
  });
});

for (const hardLink of [true, false]) {
  const mode = hardLink ? "link" : "copy";

  Deno.test(`fileIntoLibrary (${mode}): a source that cannot be removed undoes the filing`, async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, "download.tmp");
      await Deno.writeTextFile(source, "media");
      const target = join(dir, "Album", "01 Song.wma");
      const remove = Deno.remove;
      const stubborn = (path: string | URL, options?: Deno.RemoveOptions): Promise<void> =>
        path === source ? Promise.reject(new Deno.errors.PermissionDenied("in use")) : remove(path, options);
      await withPatched(Deno, "remove", stubborn, async () => {
        await assert.rejects(fileIntoLibrary(source, target, { hardLink }), (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /could not remove the source .*undone and nothing changed/);
          assert.ok(error.cause instanceof Deno.errors.PermissionDenied);
          return true;
        });
      });
      assert.equal(await Deno.readTextFile(source), "media");
      assert.equal(await lexists(target), false);
    });
  });
}

Deno.test("fileIntoLibrary: when neither the source nor the undo can be removed, the error says both exist", async () => {
  await withTempDir(async (dir) => {
    const source = join(dir, "download.tmp");
    await Deno.writeTextFile(source, "media");
    const target = join(dir, "01 Song.wma");
    const locked = (): Promise<void> => Promise.reject(new Deno.errors.PermissionDenied("sharing violation"));
    await withPatched(Deno, "remove", locked, async () => {
      await assert.rejects(fileIntoLibrary(source, target), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /both now exist/);
        assert.ok(error.cause instanceof AggregateError);
        return true;
      });
    });
    assert.equal(await Deno.readTextFile(source), "media");
    assert.equal(await Deno.readTextFile(target), "media");
  });
});

/** A writable directory on another device than the temp dir, if there is one Deno lets us use. */
function otherDevice(): string | undefined {
  const probe = Deno.makeTempDirSync({ prefix: "wmp_library_probe_" });
  try {
    const tmp = Deno.statSync(probe).dev;
    // /dev/shm needs --allow-all under Deno; /var/tmp is often a separate volume elsewhere.
    for (const candidate of ["/dev/shm", "/var/tmp"]) {
      try {
        const info = Deno.statSync(candidate);
        if (info.isDirectory && info.dev !== tmp) return candidate;
      } catch {
        // Missing or not permitted: try the next.
      }
    }
    return undefined;
  } finally {
    Deno.removeSync(probe);
  }
}

const OTHER_DEVICE = Deno.build.os === "linux" ? otherDevice() : undefined;

Deno.test({
  name: "fileIntoLibrary: moves across devices by copying (real EXDEV)",
  ignore: OTHER_DEVICE === undefined,
  fn: async () => {
    const far = await Deno.makeTempDir({ dir: OTHER_DEVICE, prefix: "wmp_library_test_" });
    try {
      await withTempDir(async (dir) => {
        const source = join(far, "download.tmp");
        await Deno.writeTextFile(source, "across volumes");
        const target = join(dir, "Artist", "Album", "01 Song.wma");
        await fileIntoLibrary(source, target);
        assert.equal(await Deno.readTextFile(target), "across volumes");
        assert.equal(await lexists(source), false);
        await Deno.writeTextFile(source, "second");
        await assert.rejects(fileIntoLibrary(source, target), LibraryFileExistsError);
        assert.equal(await Deno.readTextFile(target), "across volumes");
        assert.equal(await Deno.readTextFile(source), "second");
      });
    } finally {
      await Deno.remove(far, { recursive: true });
    }
  },
});

Deno.test("fileIntoLibrary: concurrent filings to one target: exactly one wins, nothing is overwritten", async () => {
  await withTempDir(async (dir) => {
    const target = join(dir, "Album", "01 Song.wma");
    const sources = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const source = join(dir, `download${i}.tmp`);
        await Deno.writeFile(source, encoder.encode(`copy ${i}`));
        return source;
      }),
    );
    const results = await Promise.allSettled(
      sources.map((source, i) => fileIntoLibrary(source, target, { hardLink: i % 2 === 0 })),
    );
    const won = results.flatMap((result, i) => result.status === "fulfilled" ? [i] : []);
    assert.equal(won.length, 1);
    for (const result of results) {
      if (result.status === "rejected") assert.ok(result.reason instanceof LibraryFileExistsError, `${result.reason}`);
    }
    assert.equal(await Deno.readTextFile(target), `copy ${won[0]}`);
    for (const [i, source] of sources.entries()) assert.equal(await lexists(source), i !== won[0]);
  });
});

Deno.test("fileIntoLibrary: the path from libraryPath's file name works on the host", async () => {
  await withTempDir(async (dir) => {
    const windows = libraryPath("C:\\Music", { ...META, albumArtist: "CON", title: "Why? \u{1F3B5}" }, ".MP3");
    const relative = windows.slice("C:\\Music\\".length).split("\\");
    const source = join(dir, "download.tmp");
    await Deno.writeTextFile(source, "media");
    const target = join(dir, ...relative);
    await fileIntoLibrary(source, target);
    assert.equal(await Deno.readTextFile(join(dir, "CON_", "Album", "03 Why_ \u{1F3B5}.mp3")), "media");
  });
});

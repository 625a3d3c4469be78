// ffi/shim_cache.ts: the embedded shim is written once per folder, checked by SHA-256, replaced when
// wrong or truncated (never handed back), and two processes installing at once both get the whole file.
//
// Permissions: --allow-read --allow-write (temporary folders) --allow-run (the concurrent children).

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CACHED_SHIM_NAME,
  cacheDirectories,
  childPath,
  fileHasDigest,
  installShim,
  sha256Hex,
} from "../../ffi/shim_cache.ts";
import { SHIM_BASE64, SHIM_SHA256, SHIM_SIZE } from "../../ffi/shim_embedded.ts";

const DLL = Uint8Array.from(atob(SHIM_BASE64), (char) => char.charCodeAt(0));
const CHILD = new URL("../support/install_shim_child.ts", import.meta.url);

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "deno-bits-cache-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function entries(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("shim cache: the embedded DLL's digest and size are those of its bytes", () => {
  assert.equal(DLL.length, SHIM_SIZE);
  assert.equal(sha256Hex(DLL), SHIM_SHA256);
  assert.equal(String.fromCharCode(DLL[0], DLL[1]), "MZ", "a PE image");
});

Deno.test("shim cache: folders are per build, below LOCALAPPDATA first, then TEMP (or TMP)", () => {
  const env = (vars: Record<string, string>) => (name: string): string | undefined => vars[name];
  assert.deepEqual(
    cacheDirectories("ab12", env({ LOCALAPPDATA: "C:\\Users\\ann\\AppData\\Local", TEMP: "C:\\Temp" })),
    ["C:\\Users\\ann\\AppData\\Local\\deno-bits\\ab12", "C:\\Temp\\deno-bits\\ab12"],
  );
  assert.deepEqual(cacheDirectories("ab12", env({ TMP: "C:\\T\\" })), ["C:\\T\\deno-bits\\ab12"]);
  assert.deepEqual(cacheDirectories("ab12", env({ LOCALAPPDATA: "" })), []);
  assert.equal(childPath("/tmp/x", "y"), "/tmp/x/y");
});

Deno.test("shim cache: an empty folder gets the DLL under its name, and no temporary file is left", async () => {
  await withDir((dir) => {
    const folder = join(dir, "deno-bits", SHIM_SHA256);
    const path = installShim(folder, SHIM_SHA256, () => DLL);
    assert.equal(path, join(folder, CACHED_SHIM_NAME));
    assert.deepEqual(Deno.readFileSync(path), DLL);
    assert.deepEqual(entries(folder), [CACHED_SHIM_NAME]);
  });
});

Deno.test("shim cache: a good file is used as it is, without writing", async () => {
  await withDir((dir) => {
    const first = installShim(dir, SHIM_SHA256, () => DLL);
    const before = Deno.statSync(first);
    const again = installShim(dir, SHIM_SHA256, () => {
      throw new Error("bytes() must not be called when the file is good");
    });
    assert.equal(again, first);
    assert.equal(Deno.statSync(again).ino, before.ino, "the file was not replaced");
  });
});

Deno.test("shim cache: a truncated or wrong file is replaced, never handed back", async () => {
  await withDir((dir) => {
    const path = join(dir, CACHED_SHIM_NAME);
    for (const bad of [DLL.subarray(0, DLL.length - 1), new Uint8Array(0), new TextEncoder().encode("MZ not it")]) {
      Deno.writeFileSync(path, bad);
      assert.equal(fileHasDigest(path, SHIM_SHA256), false);
      assert.equal(installShim(dir, SHIM_SHA256, () => DLL), path);
      assert.deepEqual(Deno.readFileSync(path), DLL, `after a ${bad.length}-byte file`);
    }
    assert.deepEqual(entries(dir), [CACHED_SHIM_NAME]);
  });
});

Deno.test("shim cache: bytes that do not match the digest are refused, even freshly written", async () => {
  await withDir((dir) => {
    const wrong = DLL.slice();
    wrong[100] ^= 0xff;
    assert.throws(() => installShim(dir, SHIM_SHA256, () => wrong), /does not have the expected SHA-256/);
    assert.deepEqual(entries(dir).filter((name) => name.endsWith(".tmp")), [], "no temporary file left");
  });
});

Deno.test("shim cache: two processes installing into one empty folder at once both get the whole DLL", async () => {
  for (let round = 0; round < 4; round++) {
    await withDir(async (dir) => {
      const folder = join(dir, "deno-bits", SHIM_SHA256);
      const children = [0, 1].map(() =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", `--allow-read=${dir}`, `--allow-write=${dir}`, CHILD.href, folder],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output()
      );
      for (const output of await Promise.all(children)) {
        const decoder = new TextDecoder();
        assert.equal(output.code, 0, decoder.decode(output.stderr));
        assert.equal(decoder.decode(output.stdout).trim(), join(folder, CACHED_SHIM_NAME));
      }
      assert.deepEqual(Deno.readFileSync(join(folder, CACHED_SHIM_NAME)), DLL);
      assert.deepEqual(entries(folder), [CACHED_SHIM_NAME]);
    });
  }
});

Deno.test("shim cache: without write permission the error is Deno's NotCapable, naming --allow-write", async () => {
  await withDir(async (dir) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", `--allow-read=${dir}`, "--no-prompt", CHILD.href, join(dir, "x")],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.notEqual(output.code, 0);
    assert.match(stderr, /NotCapable/);
    assert.match(stderr, /--allow-write/);
    assert.deepEqual(entries(dir), [], "nothing was written");
  });
});

// The shipped shim is exactly the sources: the DLL's bytes depend only on ffi/*.c and the pinned toolchain
// (not on where it is linked to), and ffi/shim_embedded.ts is what `deno task shim:embed` makes of them.
// A change to ffi/*.c without regenerating the module fails here, in CI.
//
// Permissions: --allow-read --allow-write (scratch builds) --allow-run (the compiler, dpkg-query).

import assert from "node:assert/strict";
import { join } from "node:path";
import { buildShim, ShimBuildError } from "../../scripts/build_shim.ts";
import { EMBEDDED_MODULE, generateEmbeddedModule, parsePins, readPins } from "../../scripts/embed_shim.ts";

const ROOT = new URL("../../", import.meta.url);
const ON_LINUX = Deno.build.os === "linux";

Deno.test({
  name: "shim build: the same sources linked to two different paths give the same bytes",
  ignore: !ON_LINUX,
  async fn(): Promise<void> {
    const scratch = await Deno.makeTempDir({ prefix: "deno-bits-repro-" });
    try {
      const quiet = (): void => {};
      const one = await buildShim({ force: true, out: join(scratch, "out1", "bits_shim.dll"), log: quiet });
      const two = await buildShim({
        force: true,
        out: join(scratch, "elsewhere", "out2", "bits_shim.dll"),
        log: quiet,
      });
      assert.deepEqual(await Deno.readFile(one.dll), await Deno.readFile(two.dll));
    } finally {
      await Deno.remove(scratch, { recursive: true });
    }
  },
});

Deno.test("shim build: the DLL must be called bits_shim.dll (its export table carries the name)", async () => {
  await assert.rejects(buildShim({ force: true, out: "/tmp/x.dll", log: () => {} }), ShimBuildError);
});

Deno.test({
  name: "shim embed: the committed ffi/shim_embedded.ts is exactly what ffi/*.c builds to with the pinned toolchain",
  ignore: !ON_LINUX,
  async fn(): Promise<void> {
    const committed = await Deno.readTextFile(new URL(EMBEDDED_MODULE, ROOT));
    const generated = await generateEmbeddedModule();
    assert.ok(
      committed === generated,
      `${EMBEDDED_MODULE} differs from a build of ffi/*.c: run \`deno task shim:embed\` and commit the result`,
    );
    for (const pin of await readPins()) assert.ok(committed.includes(`${pin.name}=${pin.version}`), pin.name);
  },
});

Deno.test("shim embed: the toolchain pins are package=version pairs, and a malformed one is refused", () => {
  assert.deepEqual(parsePins('X=1\nMINGW_PACKAGES="a=1.0 b=2:3-4"\n'), [
    { name: "a", version: "1.0" },
    { name: "b", version: "2:3-4" },
  ]);
  assert.throws(() => parsePins('MINGW_PACKAGES="a"'), ShimBuildError);
  assert.throws(() => parsePins("DENO_VERSION=1"), ShimBuildError);
});

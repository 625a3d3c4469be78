// Unit tests of src/cli/secrets.ts: the masked prompt and the line reader fed raw bytes through a fake stdin,
// the environment source, and that no message repeats a secret or the variable's name.
//
// Permissions: none.

import assert from "node:assert/strict";
import { UsageError } from "../../src/cli/command.ts";
import {
  decodeSecret,
  passwordFromEnv,
  PromptAbortedError,
  promptPassword,
  readPassword,
  readPasswordLine,
  SecretBytes,
  type SecretEnvironment,
  type SecretInput,
} from "../../src/cli/secrets.ts";

const encoder = new TextEncoder();

/** A fake stdin that hands out `chunks` one per read, then the end of input; it records raw-mode switches. */
class FakeInput implements SecretInput {
  readonly raw: boolean[] = [];
  readonly buffers: Uint8Array[] = [];
  readonly #chunks: Uint8Array[];
  readonly #terminal: boolean;

  constructor(chunks: readonly (string | number[])[], terminal = true) {
    this.#chunks = chunks.map((c) => typeof c === "string" ? encoder.encode(c) : Uint8Array.from(c));
    this.#terminal = terminal;
  }

  isTerminal(): boolean {
    return this.#terminal;
  }

  setRaw(raw: boolean): void {
    this.raw.push(raw);
  }

  read(buffer: Uint8Array): Promise<number | null> {
    this.buffers.push(buffer);
    const next = this.#chunks.shift();
    if (next === undefined) return Promise.resolve(null);
    assert.ok(next.length <= buffer.length, "test chunk larger than the reader's buffer");
    buffer.set(next);
    return Promise.resolve(next.length);
  }

  /** Chunks not read. */
  get left(): number {
    return this.#chunks.length;
  }
}

/** Runs the prompt on `chunks`; returns the password as text and what was written. */
async function prompt(
  ...chunks: (string | number[])[]
): Promise<{ password: string; written: string; input: FakeInput }> {
  const input = new FakeInput(chunks);
  let written = "";
  const bytes = await promptPassword(input, (t) => void (written += t), "Password: ");
  const password = new TextDecoder().decode(bytes);
  return { password, written, input };
}

Deno.test("prompt: Enter ends the password; nothing of it is echoed; raw mode is switched on then off", async () => {
  const { password, written, input } = await prompt("s3cr", "et\r");
  assert.equal(password, "s3cret");
  assert.equal(written, "Password: \n", "only the prompt and the final newline are written");
  assert.deepEqual(input.raw, [true, false]);
  for (const buffer of input.buffers) assert.ok(buffer.every((b) => b === 0), "the read buffer was not wiped");
});

Deno.test("prompt: LF ends it too, and bytes after Enter are not taken", async () => {
  assert.equal((await prompt("abc\ndef\r")).password, "abc");
});

Deno.test("prompt: Backspace (0x7F and 0x08) removes whole characters, multi-byte ones included", async () => {
  assert.equal((await prompt("abx\x7fc\r")).password, "abc");
  assert.equal((await prompt("abx", [0x08], "c\r")).password, "abc");
  assert.equal((await prompt("pä\x7fa\r")).password, "pa", "ä is two bytes; one Backspace removes both");
  assert.equal((await prompt("p😀\x7fq\r")).password, "pq", "a four-byte character");
  assert.equal((await prompt("\x7f\x7fok\r")).password, "ok", "Backspace on an empty line does nothing");
});

Deno.test("prompt: Ctrl+U clears the line; arrow keys and other control bytes are ignored", async () => {
  assert.equal((await prompt("wrong\x15right\r")).password, "right");
  assert.equal((await prompt("a\x1b[Db\x1bOCc\x1b[3~d\r")).password, "abcd", "CSI and SS3 sequences skipped");
  assert.equal((await prompt("a\tb\x01c\r")).password, "abc");
});

Deno.test("prompt: Ctrl+C aborts, raw mode is restored, and nothing after it is read", async () => {
  const input = new FakeInput(["typed\x03more\r", "never"]);
  let written = "";
  await assert.rejects(promptPassword(input, (t) => void (written += t)), (e) => {
    assert.ok(e instanceof PromptAbortedError);
    assert.ok(e instanceof DOMException && e.name === "AbortError", "exit code 1 like any interrupt");
    return true;
  });
  assert.deepEqual(input.raw, [true, false]);
  assert.equal(input.left, 1);
  assert.ok(!written.includes("typed"));
  for (const buffer of input.buffers) assert.ok(buffer.every((b) => b === 0));
});

Deno.test("prompt: Ctrl+D aborts on an empty line only; the end of input aborts", async () => {
  await assert.rejects(prompt("\x04"), PromptAbortedError);
  assert.equal((await prompt("ab\x04c\r")).password, "abc");
  await assert.rejects(prompt("no enter"), PromptAbortedError);
});

Deno.test("prompt: an empty Enter gives an empty password", async () => {
  assert.equal((await prompt("\r")).password, "");
});

Deno.test("line reader: the first line, CR LF or LF or none, split over reads; the rest is left", async () => {
  const read = async (...chunks: string[]): Promise<string> =>
    decodeSecret(await readPasswordLine(new FakeInput(chunks, false)));
  assert.equal(await read("pass word\n"), "pass word", "spaces belong to the password");
  assert.equal(await read("pw\r\n"), "pw");
  assert.equal(await read("p", "w", "\r", "\n"), "pw");
  assert.equal(await read("last line without newline"), "last line without newline");
  const input = new FakeInput(["one\ntwo\n", "three\n"], false);
  assert.equal(decodeSecret(await readPasswordLine(input)), "one");
  assert.equal(input.left, 1, "stops reading after the first line");
  for (const buffer of input.buffers) assert.ok(buffer.every((b) => b === 0), "the read buffer was not wiped");
});

Deno.test("line reader: empty input or an empty first line is a usage error", async () => {
  await assert.rejects(readPasswordLine(new FakeInput([], false)), /standard input is empty/);
  await assert.rejects(readPasswordLine(new FakeInput(["\n", "second\n"], false)), /first line .* is empty/);
  await assert.rejects(readPasswordLine(new FakeInput(["\r\n"], false)), /first line .* is empty/);
});

Deno.test("line reader: more than BITS' 65,535 characters is refused", async () => {
  const chunks = Array.from({ length: 70 }, () => "x".repeat(4096));
  await assert.rejects(readPasswordLine(new FakeInput(chunks, false)), /longer than BITS' limit/);
});

Deno.test("SecretBytes: grows, pops UTF-8 characters and leaves zeros behind", () => {
  const secret = new SecretBytes();
  for (const byte of encoder.encode("x".repeat(100) + "é")) secret.push(byte);
  const view = secret.view();
  assert.equal(view.length, 102);
  secret.popCharacter();
  assert.equal(secret.length, 100);
  assert.equal(view[100], 0, "a popped byte is zeroed");
  assert.equal(view[101], 0);
  secret.wipe();
  assert.equal(secret.length, 0);
  assert.ok(view.every((b) => b === 0));
});

Deno.test("decodeSecret zeroes the bytes and refuses invalid UTF-8 without showing it", () => {
  const bytes = encoder.encode("pässword");
  assert.equal(decodeSecret(bytes), "pässword");
  assert.ok(bytes.every((b) => b === 0));
  const bad = Uint8Array.from([0x70, 0xff, 0x71]);
  assert.throws(() => decodeSecret(bad), (e) => e instanceof UsageError && /not valid UTF-8/.test(e.message));
  assert.ok(bad.every((b) => b === 0));
});

function env(vars: Record<string, string>, allowed = true): SecretEnvironment {
  return { allowed: () => allowed, get: (name) => vars[name] };
}

Deno.test("env: the variable's value; unset, empty, denied and malformed names are usage errors naming nothing", () => {
  assert.equal(passwordFromEnv(env({ BITS_PW: "from env" }), "BITS_PW"), "from env");
  // Someone may type the password itself where the name goes: no message may repeat it.
  const typedPassword = "Hunter2Secret";
  for (
    const [source, pattern] of [
      [env({}), /not set/],
      [env({ [typedPassword]: "" }), /is empty/],
      [env({ [typedPassword]: "x" }, false), /may not read .*--allow-env=BITS_SHIM_PATH,<NAME>/],
    ] as const
  ) {
    assert.throws(() => passwordFromEnv(source, typedPassword), (e) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, pattern);
      assert.ok(!e.message.includes(typedPassword), e.message);
      return true;
    });
  }
  assert.throws(
    () => passwordFromEnv(env({}), "pass word!"),
    (e) => e instanceof UsageError && !e.message.includes("pass word!") && /not a variable name/.test(e.message),
  );
});

Deno.test("readPassword: env needs no terminal; stdin on a terminal prompts; a prompt needs a terminal", async () => {
  const write = (): void => {};
  assert.equal(await readPassword({ kind: "env", name: "P" }, new FakeInput([], false), env({ P: "e" }), write), "e");
  const terminal = new FakeInput(["typed\r"]);
  assert.equal(await readPassword({ kind: "stdin" }, terminal, env({}), write), "typed");
  assert.deepEqual(terminal.raw, [true, false], "masked, not a visible line");
  assert.equal(await readPassword({ kind: "stdin" }, new FakeInput(["piped\n"], false), env({}), write), "piped");
  await assert.rejects(
    readPassword({ kind: "prompt" }, new FakeInput(["x\n"], false), env({}), write),
    /--password-prompt needs a terminal/,
  );
  await assert.rejects(
    readPassword({ kind: "prompt", implicit: true }, new FakeInput(["x\n"], false), env({}), write),
    /--username needs a password: --password-env NAME, --password-stdin/,
  );
});

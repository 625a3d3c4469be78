/**
 * Where the CLI gets a password from, never the command line (argv is
 * visible to every user of the machine and lands in shell history):
 *
 * - `--password-env NAME`: the environment variable NAME;
 * - `--password-stdin`: one line of standard input (as `docker login
 *   --password-stdin`), for scripts and secret stores that pipe it in;
 * - `--password-prompt`, or a user name without a password source when
 *   standard input is a terminal: a prompt on stderr that echoes nothing.
 *
 * Read bytes stay in `Uint8Array`s that are zeroed once used; the prompt
 * and the line reader take their input through {@linkcode SecretInput} so
 * that tests can feed them raw bytes.
 *
 * @module
 */

import { UsageError } from "./command.ts";

/** The standard input a secret is read from; injectable for tests. */
export interface SecretInput {
  /** True when it is a terminal (a person can type). */
  isTerminal(): boolean;
  /**
   * Raw mode on or off: no echo, no line editing, Ctrl+C arrives as a byte
   * (0x03) instead of a signal. Only called on a terminal.
   */
  setRaw(raw: boolean): void;
  /** Reads into `buffer`; the number of bytes read, or null at the end of input. */
  read(buffer: Uint8Array): Promise<number | null>;
}

/** The process's standard input. */
export function processInput(): SecretInput {
  return {
    isTerminal: () => Deno.stdin.isTerminal(),
    setRaw: (raw) => Deno.stdin.setRaw(raw),
    read: (buffer) => Deno.stdin.read(buffer),
  };
}

/** Where a password comes from, as the user chose it. */
export type PasswordSource =
  | { readonly kind: "env"; readonly name: string }
  | { readonly kind: "stdin" }
  /** `implicit`: not asked for, but a user name was given without a source. */
  | { readonly kind: "prompt"; readonly implicit?: boolean };

/** The password was not typed: Ctrl+C or end of input at the prompt. Nothing was changed. */
export class PromptAbortedError extends DOMException {
  /** Builds the error. */
  constructor() {
    super("Password prompt interrupted; nothing was changed", "AbortError");
  }
}

// BITS takes at most 65,535 UTF-16 units; four UTF-8 bytes never make more than two of them.
const MAX_SECRET_BYTES = 4 * 65_535;

/**
 * A growing byte buffer for a secret: each outgrown buffer is zeroed, and
 * so is every byte taken back, so once {@linkcode SecretBytes.wipe} runs no
 * copy of the secret is left in memory this module owns.
 */
export class SecretBytes {
  #buffer = new Uint8Array(64);
  #length = 0;

  /** Number of bytes held. */
  get length(): number {
    return this.#length;
  }

  /** Appends one byte; refuses more than BITS could take. */
  push(byte: number): void {
    if (this.#length === MAX_SECRET_BYTES) {
      this.wipe();
      throw new UsageError("the password is longer than BITS' limit of 65,535 characters");
    }
    if (this.#length === this.#buffer.length) {
      const bigger = new Uint8Array(Math.min(this.#buffer.length * 2, MAX_SECRET_BYTES));
      bigger.set(this.#buffer);
      this.#buffer.fill(0);
      this.#buffer = bigger;
    }
    this.#buffer[this.#length++] = byte;
  }

  /** Removes the last character (a whole UTF-8 sequence), as Backspace does. */
  popCharacter(): void {
    // Continuation bytes are 10xxxxxx; the character starts at the first byte that is not one.
    while (this.#length > 0) {
      const byte = this.#buffer[--this.#length];
      this.#buffer[this.#length] = 0;
      if ((byte & 0xc0) !== 0x80) return;
    }
  }

  /** Zeroes everything. */
  wipe(): void {
    this.#buffer.fill(0);
    this.#length = 0;
  }

  /** The bytes held, as a view: zeroing it (or calling `wipe`) zeroes them. */
  view(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }
}

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x08;
const LF = 0x0a;
const CR = 0x0d;
const CTRL_U = 0x15;
const ESC = 0x1b;
const DEL = 0x7f;

/**
 * Prompts on a terminal and reads a password without echoing it: raw mode,
 * Enter ends, Backspace/Delete removes a character, Ctrl+U clears the line,
 * Ctrl+C (or Ctrl+D on an empty line, or the end of input) aborts with
 * {@linkcode PromptAbortedError}; escape sequences (arrow keys) and other
 * control bytes are ignored. Raw mode is always switched off again. Returns
 * the UTF-8 bytes; the caller zeroes them after use.
 */
export async function promptPassword(
  input: SecretInput,
  write: (text: string) => void,
  prompt = "Password: ",
): Promise<Uint8Array> {
  const secret = new SecretBytes();
  const chunk = new Uint8Array(64);
  write(prompt);
  input.setRaw(true);
  let ok = false;
  try {
    // 0: text; 1: after ESC; 2: inside a CSI/SS3 sequence, until its final byte.
    let escape = 0;
    for (;;) {
      const n = await input.read(chunk);
      if (n === null) throw new PromptAbortedError();
      for (let i = 0; i < n; i++) {
        const byte = chunk[i];
        if (escape === 1) {
          escape = byte === 0x5b || byte === 0x4f ? 2 : 0;
          continue;
        }
        if (escape === 2) {
          if (byte >= 0x40 && byte <= 0x7e) escape = 0;
          continue;
        }
        if (byte === CR || byte === LF) {
          ok = true;
          return secret.view();
        }
        if (byte === CTRL_C || (byte === CTRL_D && secret.length === 0)) throw new PromptAbortedError();
        if (byte === BACKSPACE || byte === DEL) secret.popCharacter();
        else if (byte === CTRL_U) secret.wipe();
        else if (byte === ESC) escape = 1;
        else if (byte >= 0x20) secret.push(byte);
      }
    }
  } finally {
    chunk.fill(0);
    if (!ok) secret.wipe();
    input.setRaw(false);
    // The Enter the user typed was not echoed either.
    write("\n");
  }
}

/**
 * Reads the first line of a non-terminal input (`--password-stdin`): up to
 * LF or the end of input, a trailing CR dropped; what follows is left
 * unread. An empty input or an empty line is refused.
 */
export async function readPasswordLine(input: SecretInput): Promise<Uint8Array> {
  const secret = new SecretBytes();
  const chunk = new Uint8Array(4096);
  let ended = false;
  let sawInput = false;
  try {
    for (;;) {
      const n = await input.read(chunk);
      if (n === null) break;
      sawInput ||= n > 0;
      for (let i = 0; i < n && !ended; i++) {
        if (chunk[i] === LF) ended = true;
        else secret.push(chunk[i]);
      }
      chunk.fill(0);
      if (ended) break;
    }
    const bytes = secret.view();
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) secret.popCharacter();
    if (!sawInput) throw new UsageError("--password-stdin: standard input is empty");
    if (secret.length === 0) throw new UsageError("--password-stdin: the first line of standard input is empty");
    return secret.view();
  } catch (error) {
    secret.wipe();
    throw error;
  } finally {
    chunk.fill(0);
  }
}

/** Environment access, injectable for tests. */
export interface SecretEnvironment {
  /** True when this process may read `name` (asking the user where Deno may). */
  allowed(name: string): boolean;
  /** The variable's value, or undefined when unset. */
  get(name: string): string | undefined;
}

/** The process environment, under Deno's permissions. */
export function processEnvironment(): SecretEnvironment {
  return {
    allowed: (name) => Deno.permissions.requestSync({ name: "env", variable: name }).state === "granted",
    get: (name) => Deno.env.get(name),
  };
}

// The name is never repeated in a message: someone who typed the password itself after --password-env
// would otherwise see it copied into stderr and log files.
const NAME_HINT = "--password-env takes the NAME of an environment variable that holds the password";

/** Checks an environment variable name given to `--password-env` (never echoed back). */
export function checkEnvName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(`${NAME_HINT}; the value given is not a variable name (letters, digits and _)`);
  }
  return name;
}

/**
 * The password in environment variable `name`. An unset or empty variable,
 * or one this process may not read, is a usage error; no message repeats
 * the name or the value.
 */
export function passwordFromEnv(env: SecretEnvironment, name: string): string {
  checkEnvName(name);
  if (!env.allowed(name)) {
    throw new UsageError(
      "--password-env: this process may not read that environment variable; run deno with " +
        "--allow-env=BITS_SHIM_PATH,<NAME> (the variable's name)",
    );
  }
  const value = env.get(name);
  if (value === undefined) throw new UsageError(`--password-env: that environment variable is not set (${NAME_HINT})`);
  if (value === "") throw new UsageError("--password-env: that environment variable is empty");
  return value;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes password bytes and zeroes them. (The string cannot be zeroed: it
 * lives until the garbage collector takes it, as every JS string does.)
 */
export function decodeSecret(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new UsageError("the password is not valid UTF-8");
  } finally {
    bytes.fill(0);
  }
}

/**
 * Gets the password from `source`. `--password-stdin` on a terminal
 * prompts (without echo) rather than reading a visible line; a prompt
 * needs a terminal.
 */
export async function readPassword(
  source: PasswordSource,
  input: SecretInput,
  env: SecretEnvironment,
  write: (text: string) => void,
  prompt?: string,
): Promise<string> {
  if (source.kind === "env") return passwordFromEnv(env, source.name);
  if (input.isTerminal()) return decodeSecret(await promptPassword(input, write, prompt));
  if (source.kind === "prompt") {
    throw new UsageError(
      source.implicit
        ? "--username needs a password: --password-env NAME, --password-stdin, or a terminal to type it at " +
          "(standard input is not one)"
        : "--password-prompt needs a terminal on standard input; use --password-env NAME or --password-stdin",
    );
  }
  return decodeSecret(await readPasswordLine(input));
}

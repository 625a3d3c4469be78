/**
 * The C reference client, bench/ref/bits_ref.c (`bits_ref.exe`), as the
 * benchmarks drive it: one run per command, or one `serve` process taking
 * commands on stdin.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The reference client, built by bench/run.ts. */
export const REF_EXE = fileURLToPath(new URL("./build/bits_ref.exe", import.meta.url));

/** One JSON result line of bits_ref.exe. */
export type RefResult = Record<string, unknown>;

/** Runs bits_ref.exe and returns its JSON, with the process's wall time in ms. */
export async function runRef(args: string[]): Promise<{ result: RefResult; wallMs: number }> {
  const t0 = performance.now();
  const output = await new Deno.Command(REF_EXE, { args, stdin: "null", stdout: "piped", stderr: "inherit" }).output();
  const wallMs = performance.now() - t0;
  const text = new TextDecoder().decode(output.stdout).trim();
  let result: RefResult;
  try {
    result = JSON.parse(text.split("\n").at(-1) ?? "");
  } catch {
    throw new Error(`bits_ref.exe ${args.join(" ")} printed no JSON (exit ${output.code}): ${text}`);
  }
  if (result.ok !== true || output.code !== 0) {
    throw new Error(`bits_ref.exe ${args.join(" ")} failed (exit ${output.code}): ${text}`);
  }
  return { result, wallMs };
}

/** A number array field of a result. */
export function numbers(result: RefResult, key: string): number[] {
  const value = result[key];
  if (!Array.isArray(value)) throw new Error(`bits_ref.exe: no ${key} in ${JSON.stringify(result).slice(0, 200)}`);
  return value as number[];
}

/** A number field of a result. */
export function num(result: RefResult, key: string): number {
  const value = result[key];
  if (typeof value !== "number") throw new Error(`bits_ref.exe: no ${key}`);
  return value;
}

/**
 * One `bits_ref.exe serve` process for the whole run: commands go in on
 * stdin, one JSON line comes back per command. The reference keeps one
 * connection, like our side, and the two sides can alternate finely.
 */
export class RefServer {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor() {
    this.#child = new Deno.Command(REF_EXE, { args: ["serve"], stdin: "piped", stdout: "piped", stderr: "inherit" })
      .spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#reader = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Runs one command (tab-separated on the wire: paths may hold spaces). */
  async run(args: readonly string[]): Promise<RefResult> {
    await this.#writer.write(new TextEncoder().encode(args.join("\t") + "\n"));
    const line = await this.#readLine();
    let result: RefResult;
    try {
      result = JSON.parse(line);
    } catch {
      throw new Error(`bits_ref.exe serve: not JSON after ${args.join(" ")}: ${line}`);
    }
    if (result.ok !== true) throw new Error(`bits_ref.exe serve: ${args.join(" ")} failed: ${line}`);
    return result;
  }

  async #readLine(): Promise<string> {
    for (;;) {
      const newline = this.#buffer.indexOf("\n");
      if (newline >= 0) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        return line.trim();
      }
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("bits_ref.exe serve ended early");
      this.#buffer += value;
    }
  }

  /** Ends the process (EOF on its stdin) and waits for it. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#reader.cancel().catch(() => {});
    await this.#child.status;
  }
}

/**
 * bench/serve.ts in a child process, as measurements 5 and 6 use it: the
 * content server, in a deno.exe of its own so the bytes BITS downloads are
 * not served by the process that measures, timing each body on its side.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const SERVE = fileURLToPath(new URL("./serve.ts", import.meta.url));

/** When the server received a body's request and handed its last chunk to the socket (ms since the epoch). */
export interface BodyTiming {
  /** Request arrival. */
  readonly startMs: number;
  /** The body's last chunk handed to the socket. */
  readonly endMs: number;
  /** Ms after `startMs` at which each further 64 MiB was handed to the socket. */
  readonly marks: readonly number[];
}

/** The content server process. */
export class ContentServer {
  readonly #child: Deno.ChildProcess;
  readonly #bodies = new Map<number, BodyTiming>();
  readonly #waiting = new Map<number, () => void>();
  readonly #reading: Promise<void>;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The server's process id (to attribute CPU time to it). */
  readonly pid: number;

  private constructor(child: Deno.ChildProcess, origin: string, lines: AsyncIterator<string>) {
    this.#child = child;
    this.origin = origin;
    this.pid = child.pid;
    this.#reading = (async (): Promise<void> => {
      for (;;) {
        const { value, done } = await lines.next();
        if (done) return;
        const body = JSON.parse(value) as BodyTiming & { seed: number };
        this.#bodies.set(body.seed, body);
        this.#waiting.get(body.seed)?.();
      }
    })();
  }

  /** Starts bench/serve.ts with this process's Deno and waits for its origin. */
  static async start(): Promise<ContentServer> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--cached-only", "--no-check", "--allow-net=127.0.0.1", SERVE],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = splitLines(child.stdout);
    const first = await lines.next();
    if (first.done || !first.value.startsWith("http://")) throw new Error("bench/serve.ts printed no origin");
    return new ContentServer(child, first.value.trim(), lines);
  }

  /** The URL of `size` bytes of content for `seed` (a seed is one body: its timing is keyed by it). */
  url(size: number, seed: number): string {
    return `${this.origin}/content/${size}?seed=${seed}`;
  }

  /** Resolves with the server's timing once it has sent the whole body for `seed`. */
  bodySent(seed: number): Promise<BodyTiming> {
    const known = this.#bodies.get(seed);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      this.#waiting.set(seed, () => {
        this.#waiting.delete(seed);
        resolve(this.#bodies.get(seed) as BodyTiming);
      });
    });
  }

  /** Stops the server (EOF on its stdin) and waits for it. */
  async close(): Promise<void> {
    await this.#child.stdin.close().catch(() => {});
    await this.#child.status;
    await this.#reading.catch(() => {});
  }
}

/** Lines of a byte stream. */
export async function* splitLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffer += text;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
    }
  }
  if (buffer) yield buffer;
}

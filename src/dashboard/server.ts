/**
 * {@linkcode serveDashboard}: one page showing the BITS queue live, on
 * 127.0.0.1 by default. One `watch()` of the queue feeds every open page
 * through server-sent events; the page never polls. Every request passes
 * `./security.ts` first.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { BitsError, InvalidArgumentError, WmpJobOwnedError } from "../errors.ts";
import { IntegrityError } from "../integrity.ts";
import type { BitsManager } from "../manager.ts";
import { FINAL_STATES, type JobFile, type JobSnapshot } from "../types.ts";
import type { WatchEvent } from "../watch/events.ts";
import { dashboardPage } from "./page.ts";
import {
  allowedHosts,
  isAction,
  isLoopback,
  newToken,
  refusal,
  type RequestPolicy,
  securityHeaders,
} from "./security.ts";
import {
  type ActionOptions,
  bitsSource,
  checkActionOptions,
  DASHBOARD_ACTIONS,
  type DashboardAction,
  type DashboardSource,
} from "./source.ts";
import { type JobView, jobView, nextRate, type RateSample } from "./view.ts";

const logger = getLogger(["deno-bits", "dashboard"]);

/** Most pages open at once; more get 503 (each holds a connection). */
const MAX_CLIENTS = 32;
/** How often a job's files are read again while its total is unknown, in ms. */
const FILES_REREAD_MS = 1000;
/** Largest action body accepted, in bytes. */
const MAX_BODY = 4096;
/** A comment on every event stream this often keeps proxies and the browser from timing it out. */
const KEEPALIVE_MS = 15_000;

/** Options of {@linkcode serveDashboard}. */
export interface DashboardOptions {
  /** TCP port; default 0, a free one. */
  readonly port?: number;
  /** Address to listen on; default `127.0.0.1`. Any other than loopback needs `allowRemote`. */
  readonly hostname?: string;
  /**
   * Allow a non-loopback `hostname`. Anyone who can reach it and learns the
   * URL (plain HTTP: the token crosses the network in clear) can act on the
   * jobs. Wildcard addresses (`0.0.0.0`, `::`) are refused even so: the Host
   * check needs the one address the page is reached by.
   */
  readonly allowRemote?: boolean;
  /** Stops the server (like {@linkcode Dashboard.close}). */
  readonly signal?: AbortSignal;
  /** Milliseconds between polls of moving jobs (default 1000). */
  readonly pollInterval?: number;
}

/** A running dashboard. */
export interface Dashboard extends AsyncDisposable {
  /** The page's URL, with the token: give it only to whoever may act on the jobs. */
  readonly url: string;
  /** The port listened on. */
  readonly port: number;
  /** Resolves when the server has stopped; rejects when watching the queue failed. */
  readonly finished: Promise<void>;
  /** Stops the server and the watch; idempotent. */
  close(): Promise<void>;
}

/**
 * Serves the dashboard for the queue `manager` sees. The page lists every
 * job with its progress, rate, ETA, files and error (name and hint), groups
 * the Windows Media Player convention jobs by serviceId, and offers suspend,
 * resume, cancel, complete (with an expected SHA-256 or size) and take
 * ownership; the Player's `WMP_JOB` jobs are refused as in the CLI.
 *
 * @throws {InvalidArgumentError} for a non-loopback `hostname` without `allowRemote`, or a wildcard one.
 */
export function serveDashboard(manager: BitsManager, options: DashboardOptions = {}): Promise<Dashboard> {
  return serveDashboardFrom(bitsSource(manager, { pollInterval: options.pollInterval }), options);
}

/**
 * {@linkcode serveDashboard} for any {@linkcode DashboardSource}: the seam
 * the HTTP and security unit tests use with a scripted source.
 */
// deno-lint-ignore require-await
export async function serveDashboardFrom(source: DashboardSource, options: DashboardOptions = {}): Promise<Dashboard> {
  const hostname = options.hostname ?? "127.0.0.1";
  if (!isLoopback(hostname)) {
    if (options.allowRemote !== true) {
      throw new InvalidArgumentError(
        "hostname",
        `${hostname} is not a loopback address; listening there needs allowRemote (anyone who can reach it could act on your jobs)`,
      );
    }
    if (/^(0\.0\.0\.0|::|\[::\])$/.test(hostname)) {
      throw new InvalidArgumentError("hostname", `give the one address to listen on, not the wildcard ${hostname}`);
    }
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError("port", `port must be an integer 0 to 65535, not ${String(port)}`);
  }
  // Async, so a refused option or a port in use is a rejection, as for every other failure.
  return new DashboardServer(source, hostname, port, options);
}

interface Client {
  readonly send: (event: string, data: unknown) => void;
  readonly close: () => void;
}

class DashboardServer implements Dashboard {
  readonly url: string;
  readonly port: number;
  readonly finished: Promise<void>;
  readonly #source: DashboardSource;
  readonly #token = newToken();
  readonly #abort = new AbortController();
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #jobs = new Map<string, JobSnapshot>();
  readonly #files = new Map<string, JobFile[]>();
  readonly #rates = new Map<string, RateSample>();
  readonly #reading = new Set<string>();
  readonly #filesReadAt = new Map<string, number>();
  readonly #clients = new Set<Client>();
  readonly #policy: RequestPolicy;
  #closed = false;

  constructor(source: DashboardSource, hostname: string, port: number, options: DashboardOptions) {
    this.#source = source;
    this.#server = Deno.serve(
      { hostname, port, signal: this.#abort.signal, onListen: () => {} },
      (request) => this.#handle(request),
    );
    this.port = this.#server.addr.port;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    this.url = `http://${host}:${this.port}/?token=${this.#token}`;
    this.#policy = { token: this.#token, hosts: allowedHosts(hostname, this.port) };
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
    const watching = this.#watch().catch((error) => {
      logger.error("Watching the queue failed: {error}", { error: String(error) });
      void this.close();
      throw error;
    });
    this.finished = Promise.all([this.#server.finished, watching]).then(() => {});
    // A caller that never awaits `finished` must not get an unhandled rejection.
    this.finished.catch(() => {});
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const client of this.#clients) client.close();
      this.#clients.clear();
      this.#abort.abort();
    }
    await this.finished.catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #watch(): Promise<void> {
    for await (const event of this.#source.events(this.#abort.signal)) this.#apply(event);
  }

  #apply(event: WatchEvent): void {
    const id = event.jobId;
    // A finished job is gone for the page (Wine lists it until its worker wakes again).
    if (event.kind === "removed" || (event.state !== undefined && FINAL_STATES.has(event.state))) {
      this.#forget(id);
      return;
    }
    const known = this.#jobs.get(id);
    let snapshot = event.snapshot;
    if (!snapshot) {
      if (!known) return; // a job's first event carries its snapshot; without one there is nothing to show yet
      snapshot = {
        ...known,
        state: event.state ?? known.state,
        progress: event.progress ?? known.progress,
      };
    }
    this.#jobs.set(id, snapshot);
    this.#rates.set(id, nextRate(this.#rates.get(id), snapshot.progress.bytesTransferred, event.at, snapshot.state));
    // File sizes: once at first sight, and again (now and then) while BITS gives no job total (always under Wine).
    const lastRead = this.#filesReadAt.get(id);
    if (lastRead === undefined || (this.#view(id)?.bytesTotal === null && event.at - lastRead >= FILES_REREAD_MS)) {
      this.#filesReadAt.set(id, event.at);
      this.#readFiles(id);
    }
    this.#publish(id);
  }

  #forget(id: string): void {
    if (!this.#jobs.delete(id)) return;
    this.#files.delete(id);
    this.#rates.delete(id);
    this.#filesReadAt.delete(id);
    this.#broadcast("removed", { id });
  }

  #readFiles(id: string): void {
    if (this.#reading.has(id)) return;
    this.#reading.add(id);
    this.#source.files(id).then((files) => {
      if (!this.#jobs.has(id)) return;
      this.#files.set(id, files);
      this.#publish(id);
    }, (error) => logger.debug("Files of {id} not read: {error}", { id, error: String(error) }))
      .finally(() => this.#reading.delete(id));
  }

  #view(id: string): JobView | undefined {
    const snapshot = this.#jobs.get(id);
    return snapshot && jobView(snapshot, this.#files.get(id), this.#rates.get(id));
  }

  #publish(id: string): void {
    const view = this.#view(id);
    if (view) this.#broadcast("job", view);
  }

  #broadcast(event: string, data: unknown): void {
    for (const client of this.#clients) client.send(event, data);
  }

  #views(): JobView[] {
    return [...this.#jobs.keys()].map((id) => this.#view(id)!);
  }

  async #handle(request: Request): Promise<Response> {
    const refused = refusal(request, this.#policy);
    if (refused) {
      logger.info("Refused {method} {path}: {reason}", {
        method: request.method,
        path: new URL(request.url).pathname,
        reason: refused.reason,
      });
      return text(refused.status, `${refused.status}: ${refused.reason}\n`);
    }
    const path = new URL(request.url).pathname;
    if (path === "/") {
      const nonce = newToken();
      return new Response(dashboardPage(nonce), {
        headers: { ...securityHeaders(nonce), "content-type": "text/html; charset=utf-8" },
      });
    }
    if (path === "/events") return this.#events();
    if (path === "/api/jobs") return json(200, { jobs: this.#views() });
    if (isAction(path)) return await this.#action(request, path);
    return text(404, "404: not found\n");
  }

  #events(): Response {
    if (this.#clients.size >= MAX_CLIENTS) return text(503, "503: too many open pages\n");
    const encoder = new TextEncoder();
    let client: Client | undefined;
    let keepalive: ReturnType<typeof setInterval> | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const write = (chunk: string): void => {
          try {
            controller.enqueue(encoder.encode(chunk));
          } catch {
            // The page went away; cancel() below forgets it.
          }
        };
        client = {
          send: (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
          close: () => {
            clearInterval(keepalive);
            try {
              controller.close();
            } catch {
              // already closed
            }
          },
        };
        this.#clients.add(client);
        client.send("jobs", { jobs: this.#views() });
        keepalive = setInterval(() => write(": keepalive\n\n"), KEEPALIVE_MS);
      },
      cancel: () => {
        clearInterval(keepalive);
        if (client) this.#clients.delete(client);
      },
    });
    return new Response(stream, {
      headers: { ...securityHeaders(), "content-type": "text/event-stream; charset=utf-8" },
    });
  }

  async #action(request: Request, path: string): Promise<Response> {
    const [, , , rawId, action] = path.split("/");
    const id = decodeURIComponent(rawId);
    if (!(DASHBOARD_ACTIONS as readonly string[]).includes(action)) return text(404, "404: no such action\n");
    let options: ActionOptions;
    try {
      options = await readOptions(request);
      // Checked here too, so a bad expectation reaches no source and no job.
      checkActionOptions(action as DashboardAction, options);
    } catch (error) {
      return json(400, { error: errorView(error) });
    }
    try {
      const after = await this.#source.act(id, action as DashboardAction, options);
      if (after === null) this.#forget(id);
      else {this.#apply({
          kind: "state",
          source: "poll",
          jobId: after.id,
          at: Date.now(),
          state: after.state,
          snapshot: after,
        });}
      return json(200, { job: after === null ? null : this.#view(after.id) ?? null });
    } catch (error) {
      const status = error instanceof BitsError && error.code === "BG_E_NOT_FOUND"
        ? 404
        : error instanceof InvalidArgumentError
        ? 400
        : 409;
      return json(status, { error: errorView(error) });
    }
  }
}

/** Reads an action's JSON body: `{}` or `{ sha256?, size? }`, at most {@linkcode MAX_BODY} bytes. */
async function readOptions(request: Request): Promise<ActionOptions> {
  // Read no more than the limit: a huge body is refused without being held in memory.
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of request.body ?? []) {
    length += chunk.length;
    if (length > MAX_BODY) throw new InvalidArgumentError("body", `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  const text = new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer()).trim();
  const value: unknown = text === "" ? {} : JSON.parse(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError("body", "the body must be a JSON object");
  }
  const { sha256, size, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) {
    throw new InvalidArgumentError("body", `unknown field ${Object.keys(rest)[0]}`);
  }
  if (sha256 !== undefined && typeof sha256 !== "string") {
    throw new InvalidArgumentError("sha256", "sha256 must be a string");
  }
  if (size !== undefined && typeof size !== "number") throw new InvalidArgumentError("size", "size must be a number");
  return { ...(sha256 !== undefined ? { sha256 } : {}), ...(size !== undefined ? { size } : {}) };
}

/** What the page is told about a failed action: the error's class, code, message and hint; nothing else. */
export function errorView(error: unknown): { name: string; code: string | null; message: string; hint: string | null } {
  if (error instanceof BitsError) {
    return { name: error.name, code: error.code, message: error.message, hint: error.hint ?? null };
  }
  if (error instanceof WmpJobOwnedError) {
    return {
      name: error.name,
      code: null,
      message: error.message,
      hint: "the Player completes its own jobs; use the CLI's --force only if it never will",
    };
  }
  if (error instanceof InvalidArgumentError || error instanceof IntegrityError) {
    return { name: error.name, code: null, message: error.message, hint: null };
  }
  if (error instanceof SyntaxError) {
    return { name: "SyntaxError", code: null, message: "the body is not JSON", hint: null };
  }
  // Anything else stays in the server's log: its message was not written for a page.
  logger.error("Action failed: {error}", { error: String(error) });
  return { name: "Error", code: null, message: "the action failed; the server's log says why", hint: null };
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { ...securityHeaders(), "content-type": "text/plain; charset=utf-8" } });
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...securityHeaders(), "content-type": "application/json; charset=utf-8" },
  });
}

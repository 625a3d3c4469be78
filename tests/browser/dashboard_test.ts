// `bits dashboard` in a real browser against real BITS: headless Chromium (Debian's package, driven by
// puppeteer-core) on Linux, and the dashboard served by deno.exe under Wine in the bed
// (tests/browser/bed_dashboard.ts), reached on 127.0.0.1 because the bed shares the network. A trickled download
// appears, its bar moves, it completes from the page and leaves the queue; suspend (stubbed by Wine's BITS) shows
// its typed error; cancel asks first and removes the job; no token means 403, and a foreign Origin is refused.
// The queue is checked with the CLI in the bed. Run by `deno task test:browser` (the "browser" stage).

import assert from "node:assert/strict";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { contentSha256 } from "../support/content.ts";
import { startServer } from "../support/server.ts";

const CHROMIUM = "/usr/bin/chromium";
const REPO = new URL("../../", import.meta.url);
const BED_PERMISSIONS = [
  "--allow-ffi",
  "--allow-read",
  "--allow-write",
  "--allow-net=127.0.0.1",
  "--allow-env",
  "--allow-run",
];
// About 6 s for the download. The server trickles in chunks of rate / 10 bytes, and the generated content equals
// contentSha256's only when that is a multiple of 4 (tests/support/content.ts restarts its words per chunk).
const TRICKLE_RATE = 120 * 1024;
/** The whole test's guard against a hang (not a timing assertion). */
const WAIT_MS = 60_000;

/**
 * The little of the DOM that the functions run in the page use: this file is type-checked with the rest of the
 * repository, without the DOM library (which would change Deno's own stream types everywhere).
 */
interface PageElement {
  readonly dataset: Record<string, string | undefined>;
  readonly textContent: string | null;
  readonly hidden: boolean;
  readonly disabled: boolean;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  closest(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
  click(): void;
}
declare const document: {
  querySelectorAll(selector: string): Iterable<PageElement>;
  getElementById(id: string): PageElement | null;
};

interface QueueJob {
  id: string;
  state: string;
}

/** The bed run serving the dashboard, and its control endpoints. */
class Bed implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  url = "";
  control = "";

  constructor() {
    this.#child = new Deno.Command("bash", {
      args: [
        "scripts/bed/run.sh",
        "-q",
        "--",
        "/opt/deno/deno",
        "run",
        "--cached-only",
        "--no-check",
        ...BED_PERMISSIONS,
        "tests/browser/bed_dashboard.ts",
      ],
      cwd: REPO,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
  }

  /** Waits for the `{ url, control }` line. */
  async start(): Promise<void> {
    const lines = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const deadline = Date.now() + 5 * WAIT_MS; // the bed may wait for another run's lock first
    while (!buffer.includes("\n")) {
      if (Date.now() > deadline) throw new Error("the bed did not print the dashboard's URL");
      const { value, done } = await lines.read();
      if (done) throw new Error(`the bed run ended before printing the URL: ${buffer}`);
      buffer += value;
    }
    const line = buffer.split("\n").find((l) => l.startsWith("{"));
    if (!line) throw new Error(`no JSON line from the bed: ${buffer}`);
    ({ url: this.url, control: this.control } = JSON.parse(line));
    // Keep draining, so the bed never blocks on a full pipe.
    (async () => {
      while (!(await lines.read()).done);
    })().catch(() => {});
  }

  async download(source: string, name: string, description?: string): Promise<string> {
    const reply = await fetch(`${this.control}/download`, {
      method: "POST",
      body: JSON.stringify({ source, name, description }),
    });
    const body = await reply.json();
    assert.equal(reply.status, 200, JSON.stringify(body));
    return body.id;
  }

  /** The queue as `bits list --json` in the bed prints it. */
  async queue(): Promise<Map<string, string>> {
    const body = await (await fetch(`${this.control}/queue`)).json();
    assert.ok(Array.isArray(body.jobs), JSON.stringify(body));
    return new Map((body.jobs as QueueJob[]).map((j) => [j.id, j.state]));
  }

  async fileSize(name: string): Promise<number | null> {
    return (await (await fetch(`${this.control}/file?name=${encodeURIComponent(name)}`)).json()).size;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.control) {
      await fetch(`${this.control}/stop`, { method: "POST" }).then((r) => r.body?.cancel()).catch(() => {});
    }
    const timer = setTimeout(() => this.#child.kill("SIGTERM"), WAIT_MS);
    const status = await this.#child.status;
    clearTimeout(timer);
    if (!status.success) console.error(`the bed run exited with ${status.code}`);
  }
}

async function launch(): Promise<Browser & AsyncDisposable> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/test.ts does it for the browser stage)`);
  }
  const profile = await Deno.makeTempDir({ prefix: "dashboard-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
    ],
    defaultViewport: { width: 1100, height: 420 },
  });
  return Object.assign(browser, {
    [Symbol.asyncDispose]: async () => {
      await browser.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  });
}

/** The row's dataset for job `id`, or null when the page does not show it. */
function row(
  page: Page,
  id: string,
): Promise<{ state: string; bytes: number; percent: string; message: string } | null> {
  return page.evaluate((id) => {
    const tr = [...document.querySelectorAll("tr[data-id]")].find((r) => r.dataset.id === id);
    if (!tr) return null;
    const message = tr.querySelector(".message")?.textContent ?? "";
    return {
      state: tr.dataset.state ?? "",
      bytes: Number(tr.dataset.bytes),
      percent: tr.dataset.percent ?? "",
      message,
    };
  }, id);
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function click(page: Page, id: string, action: string): Promise<void> {
  return page.evaluate(
    (id, action) => {
      const tr = [...document.querySelectorAll("tr[data-id]")].find((r) => r.dataset.id === id);
      const button = tr?.querySelector(`button[data-action="${action}"]`);
      if (!button || button.hidden || button.disabled) throw new Error(`no ${action} button for ${id}`);
      button.click();
    },
    id,
    action,
  );
}

Deno.test({
  name: "dashboard in Chromium, real BITS under Wine: live progress, complete, suspend's error, cancel, 403s",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using content = startServer();
    await using bed = new Bed();
    await bed.start();
    await using browser = await launch();
    const page = await browser.newPage();
    const base = new URL(bed.url);

    // Without the token, or with a wrong one: 403, and no page.
    const bare = await page.goto(`${base.origin}/`);
    assert.equal(bare?.status(), 403);
    assert.equal((await page.goto(`${base.origin}/?token=wrong`))?.status(), 403);

    const opened = await page.goto(bed.url);
    assert.equal(opened?.status(), 200);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "live", { timeout: WAIT_MS });

    // A failing job shows its error's name and hint.
    const e = await bed.download(`${content.origin}/status/404`, "dashboard-e.bin");
    await until(() => row(page, e), (r) => r?.state === "SUSPENDED", "job E on the page");
    await click(page, e, "resume");
    await until(() => row(page, e), (r) => r?.state === "ERROR", "E in ERROR");
    const errorText = await page.evaluate((id) => {
      const tr = [...document.querySelectorAll("tr[data-id]")].find((r) => r.dataset.id === id)!;
      return tr.querySelector(".error")!.textContent + "|" + tr.querySelector(".hint")!.textContent;
    }, e);
    assert.match(errorText, /^BG_E_HTTP_ERROR_404: .*\|hint: the URL is wrong or the file is gone/);

    // The Player's WMP_JOB jobs are grouped by serviceId, their buttons disabled, and the server refuses them.
    const w = await bed.download(
      content.contentUrl(4096, 11),
      "dashboard-w.wma",
      "::WMP_JOB:1:42:ContosoMusic:Artist:Album:3:Title:200:50",
    );
    await until(() => row(page, w), (r) => r?.state === "SUSPENDED", "job W on the page");
    const grouped = await page.evaluate((id) => {
      const tr = [...document.querySelectorAll("tr[data-id]")].find((r) => r.dataset.id === id)!;
      return {
        service: tr.closest("tbody")!.getAttribute("data-service"),
        disabled: [...tr.querySelectorAll("button")].every((b) => b.disabled),
      };
    }, w);
    assert.deepEqual(grouped, { service: "42", disabled: true });
    const token = base.searchParams.get("token")!;
    const refusedWmp = await fetch(`${base.origin}/api/jobs/${encodeURIComponent(w)}/cancel`, {
      method: "POST",
      headers: { origin: base.origin, "content-type": "application/json", "x-bits-token": token },
      body: "{}",
    });
    assert.equal(refusedWmp.status, 409);
    assert.equal((await refusedWmp.json()).error.name, "WmpJobOwnedError");
    assert.equal((await bed.queue()).get(w), "SUSPENDED");

    const c = await bed.download(content.contentUrl(4096, 9), "dashboard-c.bin");
    await until(() => row(page, c), (r) => r?.state === "SUSPENDED", "job C on the page");

    // A download appears (suspended), is resumed from the page, and its bar moves.
    const size = 768 * 1024;
    const aName = "dashboard-a.bin";
    const a = await bed.download(content.contentUrl(size, 7, TRICKLE_RATE), aName);
    await until(() => row(page, a), (r) => r?.state === "SUSPENDED", "job A on the page");
    await click(page, a, "resume");
    const first = (await until(
      () => row(page, a),
      (r) => r !== null && r.state === "TRANSFERRING" && r.bytes > 0 && r.bytes < size,
      "A transferring",
    ))!;
    const later = (await until(
      () => row(page, a),
      (r) => r !== null && (r.bytes > first.bytes || r.state === "TRANSFERRED"),
      "A's bar moving",
    ))!;
    assert.ok(later.bytes > first.bytes, `${later.bytes} > ${first.bytes}`);
    // The bar is drawn from the file's size (Wine's BITS gives no job total).
    if (later.state === "TRANSFERRING") {
      assert.ok(Number(later.percent) > 0 && Number(later.percent) < 100, later.percent);
    }
    // What the page looks like with a live job (docs/dashboard.png is one of these).
    await Deno.mkdir(new URL(".out/browser/", REPO), { recursive: true });
    await page.screenshot({ path: new URL(".out/browser/dashboard.png", REPO).pathname, fullPage: true });

    // Suspend while it runs: Wine's BITS stubs it, and the page shows the typed error; the job runs on.
    // (The download takes about 6 s; the page has seen it move for well under one.)
    assert.equal((await row(page, a))?.state, "TRANSFERRING");
    await click(page, a, "suspend");
    const refused = await until(
      () => row(page, a),
      (r) => /BitsUnsupportedError E_NOTIMPL/.test(r?.message ?? ""),
      "suspend's error",
    );
    assert.match(refused!.message, /suspending a job/);
    assert.notEqual((await bed.queue()).get(a), "SUSPENDED");

    // It completes, the page shows it, and Complete (with the expected SHA-256) from the page finishes it.
    await until(() => row(page, a), (r) => r?.state === "TRANSFERRED" && r.percent === "100.0", "A transferred");
    await click(page, a, "complete");
    await page.type(`tr[data-id="${a}"] form.complete input[name=sha256]`, contentSha256(size, 7));
    await page.click(`tr[data-id="${a}"] form.complete button[type=submit]`);
    const completed = await until(
      () => row(page, a),
      (r) => r === null || /Error/.test(r.message),
      "A gone from the page",
    );
    assert.equal(completed, null, `complete failed: ${completed?.message}`);
    assert.equal(await bed.fileSize(aName), size);
    const afterComplete = (await bed.queue()).get(a);
    assert.ok(afterComplete === undefined || afterComplete === "ACKNOWLEDGED", String(afterComplete));

    // Cancel asks first: dismissed, nothing happens; accepted, the job leaves the queue.
    page.once("dialog", (dialog) => void dialog.dismiss());
    await click(page, c, "cancel");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await row(page, c))?.state, "SUSPENDED");
    assert.equal((await bed.queue()).get(c), "SUSPENDED");

    // A foreign Origin cannot act: not from Linux with the token, not from a page on another origin.
    const cancelPath = `/api/jobs/${encodeURIComponent(c)}/cancel`;
    const foreign = await fetch(`${base.origin}${cancelPath}`, {
      method: "POST",
      headers: { origin: "http://evil.example", "content-type": "application/json", "x-bits-token": token },
      body: "{}",
    });
    assert.equal(foreign.status, 403);
    await foreign.body?.cancel();
    const other = await browser.newPage();
    await other.goto(`${content.origin}/status/200`);
    const crossSite = await other.evaluate(
      async (url, token) => {
        try {
          const r = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", "x-bits-token": token },
            body: "{}",
          });
          return `status ${r.status}`;
        } catch (error) {
          return `refused: ${(error as Error).name}`;
        }
      },
      `${base.origin}${cancelPath}`,
      token,
    );
    assert.match(crossSite, /^refused/);
    await other.close();
    assert.equal((await bed.queue()).get(c), "SUSPENDED");

    page.once("dialog", (dialog) => void dialog.accept());
    await click(page, c, "cancel");
    await until(() => row(page, c), (r) => r === null, "C gone from the page");
    const afterCancel = (await bed.queue()).get(c);
    assert.ok(afterCancel === undefined || afterCancel === "CANCELLED", String(afterCancel));
  },
});

/**
 * Operations for the RPC count (`bench/trace.ts`): runs under the Windows
 * Deno in the Wine bed with `WINEDEBUG=+rpc`, and writes a marker line to
 * stderr before and after each operation, so that the Wine trace lines of
 * that operation (ours, in this process, or the reference's, in a child
 * process sharing this stderr) can be counted between the markers.
 *
 * Reference operations run twice, once with 1 and once with 11 repetitions:
 * the difference divided by 10 is the per-operation count without process
 * start-up and activation.
 *
 * Jobs are created suspended and cancelled SUSPENDED at the end.
 *
 * Usage: deno run --allow-ffi --allow-read --allow-write --allow-run --allow-sys bench/trace_ops.ts <jobs>
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BitsManager, connect } from "@deno-bits/bits";
import { cancelSuspendedJobs } from "./cleanup.ts";

/** The marker prefix trace.ts looks for. */
export const MARK = "@@bench-trace";
const REF_EXE = fileURLToPath(new URL("./build/bits_ref.exe", import.meta.url));
const REMOTE = "http://127.0.0.1:9/x";
const PREFIX = `bench-trace-${crypto.randomUUID().slice(0, 8)}`;

function mark(what: "begin" | "end", name: string): void {
  console.error(`${MARK} ${what} ${name}`);
}

async function marked(name: string, op: () => Promise<unknown>): Promise<void> {
  mark("begin", name);
  await op();
  mark("end", name);
}

async function ref(args: string[]): Promise<void> {
  const { code } = await new Deno.Command(REF_EXE, { args, stdin: "null", stdout: "null", stderr: "inherit" })
    .output();
  if (code !== 0) throw new Error(`bits_ref.exe ${args.join(" ")} exited ${code}`);
}

async function createOurs(bits: BitsManager, dir: string, tag: string): Promise<void> {
  const job = await bits.download([{ url: REMOTE, path: join(dir, `${PREFIX}-${tag}.bin`) }], {
    displayName: `${PREFIX}-${tag}`,
    description: "deno-bits benchmark job",
    suspended: true,
  });
  job.dispose();
}

async function main(): Promise<void> {
  const jobs = Number(Deno.args[0] ?? "20");
  const bits = await connect();
  const dir = await Deno.makeTempDir({ prefix: "bits-trace-" });
  try {
    for (let i = 0; i < jobs; i++) await createOurs(bits, dir, `q${i}`);
    await bits.listJobs();
    // Listed before any job handle is open here: a proxy this process already holds would
    // make the release of its enumerated twin local (no RemRelease), and skew the count.
    await marked("ours list x1", () => bits.listJobs());
    await marked("ref list x1", () => ref(["queue", "1"]));
    await marked("ref list x2", () => ref(["queue", "2"]));

    const [first] = await bits.listJobs();
    using job = await bits.getJob(first.id);
    await job.snapshot();

    await marked("ours snapshot x10", async () => {
      for (let i = 0; i < 10; i++) await job.snapshot();
    });
    await marked("ref snapshot x1", () => ref(["one", first.id, "1"]));
    await marked("ref snapshot x11", () => ref(["one", first.id, "11"]));

    await marked("ours create x1", () => createOurs(bits, dir, "c0"));
    await marked("ref create x1", () => ref(["create", "1", dir, `${PREFIX}-r1`]));
    await marked("ref create x11", () => ref(["create", "11", dir, `${PREFIX}-r11`]));

    await marked("ours create-cancel x1", async () => {
      using created = await bits.createJob(`${PREFIX}-cc`);
      await created.cancel();
    });
    await marked("ours create-cancel-force x1", async () => {
      using created = await bits.createJob(`${PREFIX}-ccf`);
      await created.cancel({ force: true });
    });
    await marked("ref create-cancel x1", () => ref(["create-cancel", "1", `${PREFIX}-rc1`]));
    await marked("ref create-cancel x11", () => ref(["create-cancel", "11", `${PREFIX}-rc11`]));
  } finally {
    await cancelSuspendedJobs(bits, PREFIX);
    bits.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    // An explicit exit code: under Wine an uncaught error after some FFI/COM work was seen to exit 0.
    console.error("bench: trace_ops.ts failed:", error);
    Deno.exit(1);
  }
}

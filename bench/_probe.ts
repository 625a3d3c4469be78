import process from "node:process";
import { connect } from "../mod.ts";
const t0 = performance.now();
const c0 = process.cpuUsage();
let x = 0; for (let i = 0; i < 3e8; i++) x += i;
console.log("cpuUsage", process.cpuUsage(c0), "wall", performance.now() - t0, x > 0);
const srv = new Deno.Command(Deno.execPath(), { args: ["run", "--cached-only", "--no-check", "--allow-net=127.0.0.1", "bench/serve.ts"], stdin: "piped", stdout: "piped" }).spawn();
const reader = srv.stdout.pipeThrough(new TextDecoderStream()).getReader();
const origin = ((await reader.read()).value ?? "").trim();
console.log("origin", origin);
// GetProcessTimes of the server process
const k32 = Deno.dlopen("kernel32.dll", {
  OpenProcess: { parameters: ["u32", "i32", "u32"], result: "pointer" },
  GetProcessTimes: { parameters: ["pointer", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
  CloseHandle: { parameters: ["pointer"], result: "i32" },
});
function times(pid: number): number {
  const h = k32.symbols.OpenProcess(0x1000, 0, pid);
  const a = new BigUint64Array(1), b = new BigUint64Array(1), k = new BigUint64Array(1), u = new BigUint64Array(1);
  const ok = k32.symbols.GetProcessTimes(h, a, b, k, u);
  k32.symbols.CloseHandle(h);
  return ok ? Number(k[0] + u[0]) / 1e4 : -1;
}
console.log("server cpu ms", times(srv.pid));
const bits = await connect();
const dir = await Deno.makeTempDir();
for (const size of [10240, 10240, 10240, 64 * 1024 * 1024]) {
  const path = `${dir}\\f.bin`;
  const job = await bits.download([{ url: `${origin}/content/${size}?seed=3`, path }], { displayName: "probe", suspended: true });
  const s0 = performance.now();
  await job.resume();
  const snap = await job.wait({ interval: 200 });
  const ms = performance.now() - s0;
  await job.complete();
  job.dispose();
  console.log("size", size, "ms", ms.toFixed(0), snap.state, "server cpu ms", times(srv.pid));
  await Deno.remove(path);
}
bits.close();
await srv.stdin.close();
await srv.status;

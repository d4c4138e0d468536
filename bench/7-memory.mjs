// 7. Memory: heap after 1,000 and after 20,000 calls through one client, each run in a child
// process with --expose-gc against the keep-alive server in another process. openapi-fetch alone
// runs the same way as the yardstick for noise and warm-up (JIT, socket pools), which also grow
// the heap early on; a leak of a timer, listener or response per call would add ≥ ~100 B a call,
// i.e. ≥ ~1.9 MB over the 19,000 calls between the two points.
import { join } from "node:path";
import { ROOT } from "./lib/build.mjs";
import { runNode, startServerProcess } from "./lib/child.mjs";

// Growth allowed beyond openapi-fetch's own: 256 KiB over 19,000 calls, ~14 bytes a call.
const ALLOWANCE = 256 * 1024;
const kib = (b) => `${b >= 0 ? "+" : ""}${(b / 1024).toFixed(0)} KiB`;
const mib = (b) => `${(b / 1024 / 1024).toFixed(2)} MiB`;

export async function run({ client, log = console.log }) {
  const server = await startServerProcess(join(ROOT, "bench", "servers", "put-server.mjs"));
  const out = {};
  try {
    for (const which of ["ours", "openapi-fetch"]) {
      const res = await runNode(["--expose-gc", join(ROOT, "bench", "7-memory-child.mjs"), which, client, server.origin]);
      if (res.code !== 0) throw new Error(`memory child (${which}) failed: ${res.stderr}`);
      out[which] = JSON.parse(res.stdout.trim().split("\n").pop());
    }
  } finally {
    await server.stop();
  }
  log("  memory: done");
  const at = (w, n) => out[w].points.find((p) => p.calls === n).heapUsed;
  const growth = (w) => at(w, 20000) - at(w, 1000);
  const excess = growth("ours") - growth("openapi-fetch");
  let md = `Each client in its own child process: 8 calls in flight, every call passing the same long-lived AbortSignal; heapUsed after 4 forced GCs. Ours: validate on, rate limiter on with a limit too high to pace.\n\n`;
  md += `| calls | ours heapUsed | openapi-fetch heapUsed |\n|---:|---:|---:|\n`;
  for (const p of out.ours.points) md += `| ${p.calls} | ${mib(p.heapUsed)} | ${mib(at("openapi-fetch", p.calls))} |\n`;
  md += `| growth 1,000 → 20,000 | ${kib(growth("ours"))} | ${kib(growth("openapi-fetch"))} |\n`;
  for (const w of ["ours", "openapi-fetch"]) {
    const o = out[w];
    md += `\n${w}: abort listeners left on the shared signal after the run ${o.listeners} (peak seen between GCs ${o.peakListeners}); MaxListenersExceededWarning ${o.warnings} times; timers left active ${o.timers}.`;
  }
  md += `\n`;
  return {
    summary: [
      { bench: "7 memory", metric: "ours heapUsed 1,000 → 20,000 calls (openapi-fetch alone)", value: `${mib(at("ours", 1000))} → ${mib(at("ours", 20000))}, ${kib(growth("ours"))} (${kib(growth("openapi-fetch"))})`, target: `≤ openapi-fetch's + ${ALLOWANCE / 1024} KiB`, pass: excess <= ALLOWANCE },
      { bench: "7 memory", metric: "ours: listeners / timers left after the calls", value: `${out.ours.listeners} / ${out.ours.timers}`, target: "0 / 0", pass: out.ours.listeners === 0 && out.ours.timers === 0 },
    ],
    md,
    raw: out,
  };
}

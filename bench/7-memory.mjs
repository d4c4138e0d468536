// 7. Memory: heap after 1,000 and after 20,000 calls through one client, each run in a child
// process with --expose-gc against the keep-alive server in another process. openapi-fetch alone
// runs the same way as the yardstick. Both heaps grow early on for reasons that are not leaks:
// the JIT's compiled code (counted apart, as the code space) and V8's own bookkeeping, which
// wanders by a few hundred KiB between runs. So each client runs several times, interleaved, and
// the verdict is on objects (heapUsed less compiled code): ours may grow no more than
// openapi-fetch's growth plus the noise seen between runs. A leak of a timer, listener or
// response per call would add ≥ ~100 B a call, ≥ ~1.9 MB over the 19,000 calls: far outside it.
import { join } from "node:path";
import { ROOT } from "./lib/build.mjs";
import { runNode, startServerProcess } from "./lib/child.mjs";
import { median } from "./lib/stats.mjs";

const RUNS = 3;
const kib = (b) => `${b >= 0 ? "+" : ""}${(b / 1024).toFixed(0)} KiB`;
const mib = (b) => `${(b / 1024 / 1024).toFixed(2)} MiB`;
const CLIENTS = ["ours", "openapi-fetch"];

export async function run({ client, log = console.log }) {
  const server = await startServerProcess(join(ROOT, "bench", "servers", "put-server.mjs"));
  const runs = { ours: [], "openapi-fetch": [] };
  try {
    for (let r = 0; r < RUNS; r++) {
      for (const which of CLIENTS) {
        const res = await runNode(["--expose-gc", join(ROOT, "bench", "7-memory-child.mjs"), which, client, server.origin]);
        if (res.code !== 0) throw new Error(`memory child (${which}) failed: ${res.stderr}`);
        runs[which].push(JSON.parse(res.stdout.trim().split("\n").pop()));
      }
      log(`  memory round ${r + 1}/${RUNS}: done`);
    }
  } finally {
    await server.stop();
  }
  return report(runs);
}

function report(runs) {
  const at = (o, n) => o.points.find((p) => p.calls === n);
  const objects = (o, n) => at(o, n).heapUsed - at(o, n).code;
  const growth = (o, measure) => measure(o, 20000) - measure(o, 1000);
  const total = (o, n) => at(o, n).heapUsed;
  const code = (o, n) => at(o, n).code;
  const med = (which, f) => median(runs[which].map(f));
  const spread = (xs) => Math.max(...xs) - Math.min(...xs);
  // Run-to-run noise: how far apart the same client's object heaps end up after 20,000 calls.
  const noise = Math.max(...CLIENTS.map((w) => spread(runs[w].map((o) => objects(o, 20000)))));
  const g = Object.fromEntries(CLIENTS.map((w) => [w, med(w, (o) => growth(o, objects))]));
  const pass = g.ours <= Math.max(0, g["openapi-fetch"]) + noise;

  let md = `Each client in its own child process, ${RUNS} runs each, interleaved: 8 calls in flight, every call passing the same long-lived AbortSignal; heap figures after 4 forced GCs. Ours: validate on, rate limiter on with a limit too high to pace. "Objects" is heapUsed less the code space (the JIT's compiled code, which grows for thousands of calls whichever the client).\n\n`;
  md += `| run | client | heapUsed at 1,000 → 20,000 calls | of which compiled code | objects at 1,000 → 20,000 | objects at 5k / 10k / 15k |\n|---:|---|---:|---:|---:|---:|\n`;
  for (let r = 0; r < RUNS; r++) {
    for (const w of CLIENTS) {
      const o = runs[w][r];
      md += `| ${r + 1} | ${w} | ${mib(total(o, 1000))} → ${mib(total(o, 20000))} (${kib(growth(o, total))}) | ${kib(growth(o, code))} | ${mib(objects(o, 1000))} → ${mib(objects(o, 20000))} (${kib(growth(o, objects))}) | ${[5000, 10000, 15000].map((n) => mib(objects(o, n))).join(" / ")} |\n`;
    }
  }
  md += `\nMedians of ${RUNS} runs, growth from 1,000 to 20,000 calls: ours heapUsed ${kib(med("ours", (o) => growth(o, total)))}, objects ${kib(g.ours)}; openapi-fetch heapUsed ${kib(med("openapi-fetch", (o) => growth(o, total)))}, objects ${kib(g["openapi-fetch"])}. Noise (widest run-to-run spread of the object heap at 20,000 calls): ${kib(noise).slice(1)}. Verdict: ours' object growth ${pass ? "is within" : "exceeds"} openapi-fetch's growth plus that noise.\n`;
  for (const w of CLIENTS) {
    const o = runs[w].at(-1);
    md += `\n${w} (last run): abort listeners left on the shared signal after the run ${o.listeners} (peak seen between GCs ${o.peakListeners}); MaxListenersExceededWarning ${o.warnings} times; timers left active ${o.timers}.`;
  }
  md += `\n`;
  const ours = runs.ours;
  const listeners = Math.max(...ours.map((o) => o.listeners));
  const timers = Math.max(...ours.map((o) => o.timers));
  return {
    summary: [
      {
        bench: "7 memory",
        metric: `ours object heap (heapUsed less compiled code) 1,000 → 20,000 calls, median of ${RUNS} (openapi-fetch alone; run-to-run noise)`,
        value: `${kib(g.ours)} (${kib(g["openapi-fetch"])}; ±${kib(noise).slice(1)})`,
        target: "≤ openapi-fetch's + noise",
        pass,
      },
      {
        bench: "7 memory",
        metric: "ours heapUsed 1,000 → 20,000 calls incl. compiled code, median (openapi-fetch alone)",
        value: `${kib(med("ours", (o) => growth(o, total)))} (${kib(med("openapi-fetch", (o) => growth(o, total)))})`,
        target: "(reference)",
        pass: undefined,
      },
      { bench: "7 memory", metric: "ours: listeners / timers left after the calls (worst run)", value: `${listeners} / ${timers}`, target: "0 / 0", pass: listeners === 0 && timers === 0 },
    ],
    md,
    raw: runs,
  };
}

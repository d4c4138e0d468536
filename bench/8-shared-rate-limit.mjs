// 8. One budget for a fleet: four worker PROCESSES share one token, each with its own client,
// against the fake Propexo of benchmark 1 (N requests per fixed window W, held W/30 above 80%,
// 429 above N, windows from the first request; servers/rate-limited.mjs). Together they submit
// K = 4N writes at once (N per worker). Compared: four local pacers (each believes it owns the
// budget), the shared pacer of propexo-appointments/redis on a real redis-server, and the best
// schedule the policy allows (benchmark 1's analytic one). Also: the cost of the Redis step on
// loopback, and the shared fleet with Redis killed mid-run. Workers warm up before they are
// timed, as long-running workers are; a fleet of cold workers is measured too, for reference.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { createClient } from "redis";
import { redisServerAvailable, startRedis, REDIS_SERVER } from "../test/helpers/redis-server.mjs";
import { bestSchedules } from "./1-rate-limit.mjs";
import { startRateLimitedServer } from "./servers/rate-limited.mjs";
import { fmt, median, ratio, sleep } from "./lib/stats.mjs";

const WORKER = fileURLToPath(new URL("./lib/shared-worker.mjs", import.meta.url));
const WORKERS = 4;
const SECRET = "benchmark-secret-0123456789abcdef-0123456789";

/** Runs node shared-worker.mjs with `config`; resolves with its JSON line once it exits. */
function worker(config) {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(config)], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  let result;
  const ready = new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      if (line === "ready") resolve();
      else if (line.startsWith("{")) result = JSON.parse(line);
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  // The step-cost worker is never ready; only fleet workers are waited for.
  ready.catch(() => {});
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const done = once(child, "exit").then(() => (clearTimeout(timer), result));
  return { child, ready, done };
}

/** The most requests that arrived within any window-long span. */
function maxInAnyWindow(arrivals, W) {
  const times = arrivals.map((a) => a.at).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= W) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** From the first worker's first request to the last worker's first request, in ms. */
function spreadOfFirsts(arrivals) {
  const firsts = new Map();
  for (const a of arrivals) firsts.set(a.worker, Math.min(firsts.get(a.worker) ?? Infinity, a.at));
  return Math.max(...firsts.values()) - Math.min(...firsts.values());
}

/** Four workers against a fresh fake Propexo; `during` acts on Redis while they run. */
async function fleetRun({ bundles, N, W, redisUrl, token, during, processes = WORKERS, reserveAheadMs, warm = true }) {
  const server = await startRateLimitedServer({ limit: N, windowMs: W, slowdownMs: W / 30 });
  const calls = (WORKERS * N) / processes;
  const base = { ...bundles, warm, api: server.origin, token, N, W, calls, secret: SECRET, redisUrl, stepTimeoutMs: 1000, probeIntervalMs: W / 20, reserveAheadMs };
  const workers = Array.from({ length: processes }, (_, i) => worker({ ...base, worker: i }));
  let results;
  try {
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.write("go\n");
    const acting = during?.();
    results = await Promise.all(workers.map((w) => w.done));
    await acting;
  } finally {
    // A worker that failed to get ready must not leave the others waiting for "go".
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await server.stop();
  }
  const accepted = new Map();
  for (const a of server.arrivals) if (a.status === 200) accepted.set(a.event, (accepted.get(a.event) ?? 0) + 1);
  const perWorker = Array.from({ length: WORKERS }, (_, i) => server.arrivals.filter((a) => a.status === 200 && a.worker === String(i)).length);
  // How late each window's first request came after the window opened (the analytic schedule
  // sends at the opening).
  const t0 = server.start();
  const late = [1, 2, 3].map((w) => Math.min(...server.arrivals.filter((a) => a.at >= t0 + w * W).map((a) => a.at)) - (t0 + w * W));
  // And how long after each window opened its last request came: the spread of its sends.
  const tail = [0, 1, 2, 3].map((w) => {
    const times = server.arrivals.filter((a) => a.at >= t0 + w * W && a.at < t0 + (w + 1) * W).map((a) => a.at);
    return times.length ? Math.max(...times) - (t0 + w * W) : undefined;
  });
  return {
    // Server-side, as the best schedule is: first request to last accepted answer.
    ms: server.stats.lastAnswer - server.start(),
    completed: results.reduce((n, r) => n + (r?.ok ?? 0), 0),
    failed: results.flatMap((r) => r?.failed ?? ["worker died"]),
    duplicates: [...accepted.values()].filter((n) => n > 1).length,
    tooMany: server.stats.tooMany,
    slowed: server.stats.slowed,
    maxInWindow: maxInAnyWindow(server.arrivals, W),
    perWorker,
    fallbacks: results.map((r) => (r?.pacer ?? []).filter((l) => l.includes("Redis failed")).length),
    late,
    tail,
    // How far apart the workers' first requests arrived: 0 for one process.
    startSpread: spreadOfFirsts(server.arrivals),
  };
}

export async function run({ client, shared, N = 40, W = 2000, rounds = 5, reserveAheadMs, log = console.log }) {
  if (!redisServerAvailable()) throw new Error(`needs redis-server at ${REDIS_SERVER} (apt-get install redis-server)`);
  const K = WORKERS * N;
  const slowdown = W / 30;
  const best = bestSchedules({ N, W, K, slowdown });
  const bundles = { client, shared };
  const redis = await startRedis();
  const runs = { local: [], shared: [], alone: [], cold: [] };
  let steps;
  let killed;
  try {
    for (let r = 0; r < rounds; r++) {
      runs.local.push(await fleetRun({ bundles, N, W, token: `tok_local_${r}` }));
      runs.shared.push(await fleetRun({ bundles, N, W, redisUrl: redis.url, token: `tok_shared_${r}`, reserveAheadMs }));
      // The same K from one process with the local pacer: the same rule, no sharing.
      runs.alone.push(await fleetRun({ bundles, N, W, token: `tok_alone_${r}`, processes: 1 }));
      // Workers that start cold: what a fleet that has only just started pays once.
      runs.cold.push(await fleetRun({ bundles, N, W, redisUrl: redis.url, token: `tok_cold_${r}`, reserveAheadMs, warm: false }));
      log(`  shared-rate-limit round ${r + 1}/${rounds}: done`);
    }
    // The step's own cost: 2,000 acquires in one process, nothing to wait for.
    // Redis's own time per script call (INFO commandstats) over the same loop.
    const admin = createClient({ url: redis.url });
    await admin.connect();
    await admin.configResetStat();
    const cost = worker({ ...bundles, redisUrl: redis.url, secret: SECRET, stepTimeoutMs: 1000, steps: 2000 });
    cost.child.stdin.end();
    const measured = await cost.done;
    const stats = await admin.info("commandstats");
    const { budgetName } = await import(bundles.shared);
    const logSize = await admin.eval("return #cmsgpack.unpack(redis.call('GET', KEYS[1])).sent", {
      keys: [`propexo:rate-limit:${budgetName(SECRET, "tok_step_cost")}`],
      arguments: [],
    });
    await admin.close();
    const usec = (name) => Number(new RegExp(`cmdstat_${name}:calls=\\d+,usec=\\d+,usec_per_call=([\\d.]+)`).exec(stats)?.[1]);
    steps = { times: measured.times.slice(200), pings: measured.pings.slice(200), serverUs: usec("evalsha"), logSize };
    // Redis killed (SIGKILL) 1.5 windows in, not brought back: the fleet finishes alone.
    const doomed = await startRedis();
    killed = await fleetRun({ bundles, N, W, redisUrl: doomed.url, token: "tok_killed", during: () => sleep(1.5 * W).then(() => doomed.kill()) });
    log(`  shared-rate-limit: Redis killed mid-run: done`);
  } finally {
    await redis.stop();
  }
  return report({ runs, steps, killed, best, N, W, K, slowdown, rounds });
}

function report({ runs, steps, killed, best, N, W, K, slowdown, rounds }) {
  const row = (name, rs) => {
    const t = median(rs.map((r) => r.ms));
    return `| ${name} | ${fmt(t)} ms | ${ratio(t / best.withSlowdowns)} | ${rs.map((r) => fmt(r.ms)).join(", ")} | ${Math.max(...rs.map((r) => r.tooMany))} | ${median(rs.map((r) => r.slowed))} | ${Math.max(...rs.map((r) => r.maxInWindow))} | ${rs.map((r) => r.completed).join(" / ")} of ${K} | ${Math.max(...rs.map((r) => r.duplicates))} |\n`;
  };
  const timing = (name, rs) => {
    const per = (f) => rs.map((r) => f(r).map((x) => (x === undefined ? "none" : fmt(x, 2))).join("/")).join(", ");
    return `| ${name} | ${rs.map((r) => fmt(r.startSpread, 2)).join(", ")} | ${per((r) => r.late)} | ${per((r) => r.tail)} |\n`;
  };
  const fleets = [
    ["4 processes, a local pacer each (today)", runs.local],
    ["4 processes, the shared pacer through Redis", runs.shared],
    ["1 process, the local pacer (the same rule, nothing shared)", runs.alone],
    ["4 processes, shared, workers cold (not warmed up)", runs.cold],
    ["4 processes, shared, Redis killed 1.5 W in (not restarted)", [killed]],
  ];
  const coldStarts = runs.cold.map((r) => r.startSpread);
  const cold = median(runs.cold.map((r) => r.ms));
  let md = `Policy as in benchmark 1, scaled: N = ${N} requests per fixed window W = ${W} ms (60 000 ms and 150 in production), responses above 80% of N held ${fmt(slowdown)} ms (W/30, as 2 s is of 60 s), 429 above N, every request counted, windows from the first request. ${WORKERS} worker processes share one token, each with its own client (Propexo, validate off, up to 20 retries), and each submits ${N} writes at once: K = ${K}, four windows' worth. Before it reports ready, each worker warms up as a long-running worker has long done: 3 × 10 calls of the same client code to a server of its own, under another token (Node loads fetch lazily, and the client's path is compiled on first use); otherwise their first requests reach the server up to ${fmt(Math.max(...coldStarts), 2)} ms apart (median ${fmt(median(coldStarts), 2)} ms), and that lag, not the pacer, is part of what is timed (the "workers cold" row). Wall time is the server's, from the first request to the last accepted answer, as in the best schedule. ${rounds} rounds, each with a fresh server, alternating four local pacers, the shared pacer, one process alone and cold workers (one redis-server ${"7.x"} on 127.0.0.1, persistence off, stepTimeoutMs 1000, probeIntervalMs W/20).\n\n`;
  md += `Best schedule the policy allows (analytic, benchmark 1's: N at the start of each window, no 429, server latency 0): ${fmt(best.withSlowdowns)} ms.\n\n`;
  md += `| fleet | wall time (median) | ÷ best | wall time per run (ms) | 429s (worst run) | slowed (median) | most requests in any W-long span | writes completed | accepted twice |\n|---|---:|---:|---|---:|---:|---:|---|---:|\n`;
  for (const [name, rs] of fleets) md += row(name, rs);
  md += `\nWhen the requests reached the server, per run (ms; the analytic schedule sends each window's N at its opening, at once). The first column is the spread of the workers' first requests as they arrived: four local pacers send all 160 at once, so there it is mostly the server's queue.\n\n`;
  md += `| fleet | workers' first requests, from first to last | windows 2–4: first request after the opening | windows 1–4: last request after the opening |\n|---|---|---|---|\n`;
  for (const [name, rs] of fleets) md += timing(name, rs);
  const s = runs.shared;
  const t = median(s.map((r) => r.ms));
  const alone = median(runs.alone.map((r) => r.ms));
  const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
  const stepMedian = median(steps.times);
  md += `\nAccepted per worker in the shared runs: ${s.map((r) => r.perWorker.join("+")).join(", ")}. Fallbacks to pacing alone per worker (a Redis step past 1 s), shared runs: ${s.map((r) => r.fallbacks.join("+")).join(", ")}; cold runs: ${runs.cold.map((r) => r.fallbacks.join("+")).join(", ")}; in the killed run: ${killed.fallbacks.join("+")}.\n\n`;
  md += `Redis step (acquire through the script, EVALSHA on loopback, then settle; one process, one call at a time, ${steps.times.length} after 200 warm-up, the log holding a window's calls, ${steps.logSize} at the end): median ${fmt(stepMedian)} ms, p99 ${fmt(q(steps.times, 0.99))} ms. A PING timed the same way, interleaved: median ${fmt(median(steps.pings))} ms, p99 ${fmt(q(steps.pings, 0.99))} ms. Redis's own time per script call (INFO commandstats, usec_per_call of EVALSHA): ${fmt(steps.serverUs / 1000)} ms.\n\n`;
  md += `Why the wall time is above the analytic best: the pacer (local or shared, the same rule) counts each call until a window after its answer, because the server counts it on arrival, which the client cannot see; so each window's calls go out at least one answer latency (as the client sees it, on a busy machine) after the previous window's, and the analytic best has none. One process with the local pacer, on the same machine in the same run, shows what the rule itself costs here: the shared fleet ÷ that = ${ratio(t / alone)}. Cold workers cost ${ratio(cold / t)} of the warm fleet's time: each worker's first requests go out when it has finished loading, so the first window's requests are spread over more time (last column), and as the rule counts each call until a window after its answer, each later window's last requests come as late. The shared pacer books each turn that comes within reserveAheadMs (default W/60) in the step that answers it, so a process sends its calls when a window opens rather than one Redis round trip apart.\n`;
  const killedOk = killed.completed === K && killed.duplicates === 0 && killed.failed.length === 0;
  const storm = WORKERS;
  const summary = [
    { bench: "8 shared rate limit", metric: "shared pacer: 429s received (worst run)", value: String(Math.max(...s.map((r) => r.tooMany))), target: "0", pass: s.every((r) => r.tooMany === 0) },
    { bench: "8 shared rate limit", metric: "shared pacer ÷ best schedule (4 processes)", value: `${(t / best.withSlowdowns).toFixed(3)}×`, target: "≤ 1.05×", pass: t / best.withSlowdowns <= 1.05 },
    { bench: "8 shared rate limit", metric: "shared pacer ÷ 1 process with the local pacer, same run", value: ratio(t / alone), target: "(reference)", pass: undefined },
    { bench: "8 shared rate limit", metric: "shared pacer, workers cold, ÷ best schedule", value: ratio(cold / best.withSlowdowns), target: "(reference)", pass: undefined },
    { bench: "8 shared rate limit", metric: "4 local pacers: 429s (worst run), ÷ best", value: `${Math.max(...runs.local.map((r) => r.tooMany))}, ${ratio(median(runs.local.map((r) => r.ms)) / best.withSlowdowns)}`, target: "(reference)", pass: undefined },
    { bench: "8 shared rate limit", metric: "Redis step on loopback, median (PING the same way; Redis's own time)", value: `${fmt(stepMedian)} ms (${fmt(median(steps.pings))} ms; ${fmt(steps.serverUs / 1000)} ms)`, target: "≤ 1 ms median", pass: stepMedian <= 1 },
    {
      bench: "8 shared rate limit",
      metric: "Redis killed mid-run: completed, accepted twice, 429s",
      value: `${killed.completed}/${K}, ${killed.duplicates}, ${killed.tooMany}`,
      target: `all, 0, ≤ ${storm} (one per process)`,
      pass: killedOk && killed.tooMany <= storm,
    },
  ];
  return { summary, md, raw: { runs, steps, killed } };
}

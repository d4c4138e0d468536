// 1. Work per minute under Propexo's rate limit. Propexo: 150 requests a minute by default,
// every response delayed 2 s above 80% of that, 429 at 100%. Shrunk here to N requests per
// window W, with the delay scaled alike (W/30, i.e. 2 s of 60 s). K = 4N Rent Manager lead
// cancels (POST writes) are submitted at once through each client; we time until the last one
// is accepted and compare with the best schedules the policy allows, computed analytically.
import createClient from "openapi-fetch";
import { startRateLimitedServer } from "./servers/rate-limited.mjs";
import { fmt, median, ratio, sleep } from "./lib/stats.mjs";

const CANCEL = "/v1/events/appointments/leads/cancel/rentmanager";

/**
 * Best schedules, windows aligned to the first request, server latency taken as 0:
 * - with slowdowns allowed: N requests at the start of each window, no 429; the last window's
 *   requests above 0.8N finish `slowdown` later.
 * - never slowed: floor(0.8N) requests at the start of each window (the schedule of a pacer
 *   that never crosses the 80% line; shown for comparison).
 */
export function bestSchedules({ N, W, K, slowdown }) {
  const fullWindows = Math.ceil(K / N);
  const lastCount = K - (fullWindows - 1) * N;
  const B = Math.floor(0.8 * N);
  return {
    withSlowdowns: (fullWindows - 1) * W + (lastCount > 0.8 * N ? slowdown : 0),
    under80: (Math.ceil(K / B) - 1) * W,
  };
}

// A naive caller's answer to a 429: try again after "1 s" (scaled like the window), until accepted.
const NAIVE_PAUSE = (W) => W / 60;

async function viaOpenapiFetch(origin, K, concurrency, W) {
  const client = createClient({ baseUrl: origin, headers: { authorization: "Bearer tok_bench" } });
  let next = 0;
  const one = async (i) => {
    for (;;) {
      const { response } = await client.POST(CANCEL, { body: { integration_id: "rm-1", event_id: `evt-${i}` } });
      if (response.status !== 429) return;
      await sleep(NAIVE_PAUSE(W));
    }
  };
  const worker = async () => {
    while (next < K) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, K) }, worker));
}

async function viaOurs(Propexo, origin, K, N, W) {
  const propexo = new Propexo({ token: "tok_bench", baseUrl: origin, rateLimit: { requestsPerMinute: N, windowMs: W }, logLevel: "off" });
  await Promise.all(
    Array.from({ length: K }, (_, i) => propexo.appointments.rentmanager.leads.cancel({ integration_id: "rm-1", event_id: `evt-${i}` })),
  );
}

export async function run({ client, N = 40, W = 2000, rounds = 3, log = console.log }) {
  const { Propexo } = await import(client);
  const K = 4 * N;
  const slowdown = W / 30;
  const clients = {
    "ours (rateLimit N/W)": (origin) => viaOurs(Propexo, origin, K, N, W),
    "openapi-fetch, Promise.all": (origin) => viaOpenapiFetch(origin, K, K, W),
    "openapi-fetch, 8 at a time": (origin) => viaOpenapiFetch(origin, K, 8, W),
  };
  const runs = Object.fromEntries(Object.keys(clients).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, go] of Object.entries(clients)) {
      const server = await startRateLimitedServer({ limit: N, windowMs: W, slowdownMs: slowdown });
      const t0 = performance.now();
      await go(server.origin);
      runs[name].push({ ms: performance.now() - t0, ...server.stats });
      await server.stop();
    }
    log(`  rate-limit round ${r + 1}/${rounds}: done`);
  }
  const best = bestSchedules({ N, W, K, slowdown });
  return report({ runs, best, N, W, K, slowdown, rounds });
}

function report({ runs, best, N, W, K, slowdown, rounds }) {
  const summary = [];
  let md = `Policy: N = ${N} requests per fixed window W = ${W} ms (windows start at the first request); responses above 80% of N held ${fmt(slowdown)} ms (W/30, as 2 s is of 60 s); 429 above N, every request counted. K = ${K} writes (POST Rent Manager lead cancel) submitted at once; ${rounds} interleaved rounds, a fresh server each run. openapi-fetch callers retry a 429 after W/60 (a naive "wait 1 s").\n\n`;
  md += `Best schedules (analytic, zero 429s, server latency 0): with slowdowns allowed = ${fmt(best.withSlowdowns)} ms (N at the start of each window, the last window's requests above 0.8N finish W/30 later); staying under 80% (never slowed) = ${fmt(best.under80)} ms (floor(0.8N) per window).\n\n`;
  md += `| client | wall time (median) | writes per W | 429s | slowed | max requests in a window | ÷ best with slowdowns | ÷ best under 80% |\n|---|---:|---:|---:|---:|---:|---:|---:|\n`;
  for (const [name, rs] of Object.entries(runs)) {
    const t = median(rs.map((r) => r.ms));
    md += `| ${name} | ${fmt(t)} ms | ${fmt((K * W) / t)} | ${median(rs.map((r) => r.tooMany))} | ${median(rs.map((r) => r.slowed))} | ${Math.max(...rs.map((r) => r.maxInWindow))} | ${ratio(t / best.withSlowdowns)} | ${ratio(t / best.under80)} |\n`;
  }
  const ours = runs["ours (rateLimit N/W)"];
  const t = median(ours.map((r) => r.ms));
  const tooMany = Math.max(...ours.map((r) => r.tooMany));
  summary.push({ bench: "1 rate limit", metric: "ours: 429s received (worst run)", value: String(tooMany), target: "0", pass: tooMany === 0 });
  summary.push({ bench: "1 rate limit", metric: "ours ÷ best schedule, slowdowns allowed", value: ratio(t / best.withSlowdowns), target: "≤ 1.05×", pass: t / best.withSlowdowns <= 1.05 });
  summary.push({ bench: "1 rate limit", metric: "ours ÷ best schedule, under 80%", value: ratio(t / best.under80), target: "≤ 1.05×", pass: t / best.under80 <= 1.05 });
  return { summary, md, raw: runs };
}

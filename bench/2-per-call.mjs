// 2. Cost per call: PUT /v1/events/appointments/leads/resman/{event_id} against a keep-alive
// server in another process, through each HTTP stack, sequentially and 16 at a time. Rounds
// are interleaved (every variant once per round, the order rotated each round so no variant
// always runs first after a GC or last on a warm CPU); we report medians of throughput and the
// median of each round's ratio to openapi-fetch alone (paired, so machine drift cancels).
import { join } from "node:path";
import axios from "axios";
import createClient from "openapi-fetch";
import { request as undiciRequest } from "undici";
import { startServerProcess } from "./lib/child.mjs";
import { ROOT } from "./lib/build.mjs";
import { fmt, median, ratio } from "./lib/stats.mjs";

const ROUTE = "/v1/events/appointments/leads/resman/{event_id}";
const EVENT = "e1234567-89ab-4cde-f012-3456789abcde";
const BODY = { appointment_date: "2024-01-15", appointment_time: "09:30:00" };
const HEADERS = { authorization: "Bearer tok_bench", accept: "application/json", "content-type": "application/json" };

function variants(origin, Propexo, nodeTransport) {
  const url = `${origin}/v1/events/appointments/leads/resman/${EVENT}`;
  const json = JSON.stringify(BODY);
  const ax = axios.create({ headers: HEADERS });
  const ofHeaders = { authorization: HEADERS.authorization, accept: HEADERS.accept };
  const of = createClient({ baseUrl: origin, headers: ofHeaders });
  const ofTransport = createClient({ baseUrl: origin, headers: ofHeaders, ...nodeTransport() });
  const ofPut = async (client, signal) => {
    const { data, error } = await client.PUT(ROUTE, { params: { path: { event_id: EVENT } }, body: BODY, signal });
    if (error) throw new Error("unexpected error");
    return data;
  };
  const ours = (extra) => {
    const p = new Propexo({ token: "tok_bench", baseUrl: origin, rateLimit: false, logLevel: "off", ...extra });
    return () => p.appointments.resman.leads.update(EVENT, BODY);
  };
  return {
    "raw fetch": async () => (await fetch(url, { method: "PUT", headers: HEADERS, body: json })).json(),
    "undici.request": async () => (await undiciRequest(url, { method: "PUT", headers: HEADERS, body: json })).body.json(),
    axios: async () => (await ax.put(url, BODY)).data,
    "openapi-fetch": () => ofPut(of),
    // What openapi-fetch costs once each call has a time limit that aborts it, as ours has: an
    // AbortController and a timer per call, the signal handed to fetch.
    "openapi-fetch + per-call timeout": async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 60_000);
      try {
        return await ofPut(of, controller.signal);
      } finally {
        clearTimeout(timer);
      }
    },
    "ours (validate on)": ours({ validate: true }),
    "ours (validate off)": ours({ validate: false }),
    // The opt-in transport the package ships (propexo-appointments/node), through openapi-fetch's
    // own fetch and Request options.
    "ours + nodeTransport": ours(nodeTransport()),
    // The ceiling for any client built on openapi-fetch with that transport.
    "openapi-fetch + nodeTransport": () => ofPut(ofTransport),
  };
}

/** Calls per second of `call` over `sliceMs`, with `concurrency` loops in flight. */
async function slice(call, concurrency, sliceMs) {
  let done = 0;
  const t0 = performance.now();
  const end = t0 + sliceMs;
  const loop = async () => {
    while (performance.now() < end) {
      await call();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return (done * 1000) / (performance.now() - t0);
}

export async function run({ client, transport, rounds = 15, sliceMs = 300, log = console.log }) {
  const { Propexo } = await import(client);
  const { nodeTransport } = await import(transport);
  const server = await startServerProcess(join(ROOT, "bench", "servers", "put-server.mjs"));
  try {
    const vs = variants(server.origin, Propexo, nodeTransport);
    const names = Object.keys(vs);
    const modes = { sequential: 1, "16 concurrent": 16 };
    const results = {}; // mode -> name -> [calls/s per round]
    for (const [mode, c] of Object.entries(modes)) {
      results[mode] = Object.fromEntries(names.map((n) => [n, []]));
      for (const n of names) await slice(vs[n], c, 150); // warm-up: JIT and sockets
      for (let r = 0; r < rounds; r++) {
        const order = names.map((_, i) => names[(i + r) % names.length]);
        for (const n of order) results[mode][n].push(await slice(vs[n], c, sliceMs));
      }
      log(`  per-call ${mode}: done`);
    }
    return report(results, names, rounds, sliceMs);
  } finally {
    await server.stop();
  }
}

function report(results, names, rounds, sliceMs) {
  const summary = [];
  let md = `Server: separate Node process, keep-alive, 127.0.0.1. ${rounds} interleaved rounds of ${sliceMs} ms per variant and mode (after a warm-up slice each); the variant order rotates every round. Ratio = median over rounds of (variant ÷ openapi-fetch in the same round).\n\n`;
  md += `| variant | sequential calls/s (median) | ratio to openapi-fetch | 16-concurrent calls/s (median) | ratio to openapi-fetch |\n|---|---:|---:|---:|---:|\n`;
  const paired = (mode, n, base) => median(results[mode][n].map((x, i) => x / results[mode][base][i]));
  for (const n of names) {
    md += `| ${n} | ${fmt(median(results.sequential[n]))} | ${ratio(paired("sequential", n, "openapi-fetch"))} | ${fmt(median(results["16 concurrent"][n]))} | ${ratio(paired("16 concurrent", n, "openapi-fetch"))} |\n`;
  }
  for (const mode of ["sequential", "16 concurrent"]) {
    const r = paired(mode, "ours (validate on)", "openapi-fetch");
    // Three decimals, so that a ratio just under the line does not read as 0.95×.
    summary.push({ bench: "2 per call", metric: `ours (validate on) ÷ openapi-fetch, ${mode}`, value: `${r.toFixed(3)}×`, target: "≥ 0.95×", pass: r >= 0.95 });
  }
  for (const mode of ["sequential", "16 concurrent"]) {
    const r = paired(mode, "ours (validate on)", "openapi-fetch + per-call timeout");
    summary.push({ bench: "2 per call", metric: `ours (validate on) ÷ openapi-fetch + per-call timeout, ${mode}`, value: `${r.toFixed(3)}×`, target: "(reference)", pass: undefined });
  }
  for (const mode of ["sequential", "16 concurrent"]) {
    const r = paired(mode, "ours + nodeTransport", "raw fetch");
    summary.push({ bench: "2 per call (stretch)", metric: `ours + nodeTransport (validate on) ÷ raw fetch, ${mode}`, value: ratio(r), target: "≥ 1.5×", pass: r >= 1.5 });
  }
  md += `\nEvery attempt of ours carries an AbortSignal for its time limit; openapi-fetch given the same per-call time limit runs at ${["sequential", "16 concurrent"].map((m) => `${ratio(paired(m, "openapi-fetch + per-call timeout", "openapi-fetch"))} (${m})`).join(" and ")} of openapi-fetch alone, and ours at ${["sequential", "16 concurrent"].map((m) => `${ratio(paired(m, "ours (validate on)", "openapi-fetch + per-call timeout"))} (${m})`).join(" and ")} of that.\n`;
  md += `\nStretch (the opt-in transport \`nodeTransport()\` from propexo-appointments/node, plugged in through openapi-fetch's \`fetch\` and \`Request\` options), ratio to raw fetch: ` +
    ["sequential", "16 concurrent"]
      .map((m) => `${m}: ours + nodeTransport ${ratio(paired(m, "ours + nodeTransport", "raw fetch"))}, openapi-fetch + nodeTransport ${ratio(paired(m, "openapi-fetch + nodeTransport", "raw fetch"))}, undici.request alone ${ratio(paired(m, "undici.request", "raw fetch"))}`)
      .join("; ") + ".\n";
  return { summary, md, raw: results };
}

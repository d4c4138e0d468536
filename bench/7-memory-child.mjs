// Run by 7-memory.mjs as `node --expose-gc 7-memory-child.mjs <ours|openapi-fetch> <client.mjs> <origin>`:
// makes 20,000 PUTs and prints heap figures (each after forced GCs) as JSON.
import { getEventListeners } from "node:events";
import { getHeapSpaceStatistics } from "node:v8";
import createClient from "openapi-fetch";

const [which, clientPath, origin] = process.argv.slice(2);
const body = { appointment_date: "2024-01-15", appointment_time: "09:30:00" };
// Every call carries the same long-lived signal, as an app's shutdown signal would: whatever
// listens on it per call must let go again.
const shutdown = new AbortController();
let warnings = 0;
process.on("warning", (w) => (warnings += w.name === "MaxListenersExceededWarning" ? 1 : 0));

let call;
if (which === "ours") {
  const { Propexo } = await import(clientPath);
  // The limiter is on, with a limit too high to pace, so that its queue is exercised too. It keeps
  // one small record per call for one window by design (a sliding-window log); a 100 ms window lets
  // the records age out during the run, so what stays is what leaks.
  const propexo = new Propexo({ token: "tok_bench", baseUrl: origin, rateLimit: { requestsPerMinute: 1e9, windowMs: 100 }, logLevel: "off" });
  call = () => propexo.appointments.resman.leads.update("evt-1", body, { signal: shutdown.signal });
} else {
  const client = createClient({ baseUrl: origin, headers: { authorization: "Bearer tok_bench" } });
  call = () => client.PUT("/v1/events/appointments/leads/resman/{event_id}", { params: { path: { event_id: "evt-1" } }, body, signal: shutdown.signal });
}

let done = 0;
let peakListeners = 0;
async function callsUpTo(total) {
  const worker = async () => {
    while (done < total) {
      if (++done % 500 === 0) peakListeners = Math.max(peakListeners, getEventListeners(shutdown.signal, "abort").length);
      await call();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function heap() {
  // Several passes, with turns of the event loop between, so finalizers and weak refs settle.
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
  // Compiled code is counted apart: the JIT keeps optimising for thousands of calls, which grows
  // the code space whatever the client, while a leaked timer, listener or response is an object.
  const code = getHeapSpaceStatistics().find((s) => s.space_name === "code_space").space_used_size;
  return { heapUsed: process.memoryUsage().heapUsed, code };
}

const points = [];
for (const at of [1000, 5000, 10000, 15000, 20000]) {
  await callsUpTo(at);
  points.push({ calls: at, ...(await heap()) });
}
const listeners = getEventListeners(shutdown.signal, "abort").length;
const timers = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
console.log(JSON.stringify({ points, listeners, peakListeners, warnings, timers }));

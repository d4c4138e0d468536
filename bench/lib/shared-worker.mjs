// One worker process of benchmark 8: a client of the built bundles with the shared pacer (or its
// own local pacer) that sends `calls` writes at once when told to go (a line on stdin), then
// prints one JSON line. With `steps`, it instead times `steps` acquire + settle of the shared
// pacer with a budget too large to wait for: the cost of the Redis step itself.
import { createInterface } from "node:readline";
import { createClient } from "redis";
import { startRateLimitedServer } from "../servers/rate-limited.mjs";

const config = JSON.parse(process.argv[2]);
const { Propexo, operations } = await import(config.client);
const { sharedRateLimit } = await import(config.shared);

let redis;
if (config.redisUrl) {
  redis = createClient({ url: config.redisUrl, socket: { reconnectStrategy: () => 50, connectTimeout: 1000 } });
  redis.on("error", () => {});
  // Connected before the worker reports ready, as a running worker is; a failure is left to the pacer.
  await redis.connect().catch(() => {});
}
const pacerLines = [];
const logger = { error: () => {}, warn: (l) => pacerLines.push(l), info: (l) => l.includes("shared rate limit") && pacerLines.push(l), debug: () => {} };
const shared = (options) =>
  sharedRateLimit({ redis, secret: config.secret, stepTimeoutMs: config.stepTimeoutMs, probeIntervalMs: config.probeIntervalMs, reserveAheadMs: config.reserveAheadMs, ...options });

if (config.steps) {
  // Loopback cost of the step: acquire (one EVALSHA) and settle, one at a time. A budget too large
  // to wait for, in a 200 ms window so that the log holds what a production window would (about
  // 150 calls at a step a millisecond or so), not every call of the loop.
  const pacer = shared({ requestsPerMinute: 1e9, windowMs: 200 })("tok_step_cost", logger);
  const times = [];
  const pings = [];
  // Interleaved with a PING, timed the same way: the loopback round trip on this machine now.
  for (let i = 0; i < config.steps; i++) {
    let t = performance.now();
    const ticket = await pacer.acquire();
    times.push(performance.now() - t);
    pacer.settle(ticket);
    t = performance.now();
    await redis.ping();
    pings.push(performance.now() - t);
  }
  console.log(JSON.stringify({ times, pings, pacer: pacerLines }));
} else {
  // A write the spec offers without path parameters, answered as the fake API answers
  // ({ meta: { job_id }, result }).
  const row = Object.values(operations).find((r) => r.method === "POST" && r.supported && r.pathParams.length === 0 && r.envelope === "meta");
  /** The write's method on a client. */
  const writeOf = (client) => row.placement.reduce((node, key) => node[key], client);
  const propexo = new Propexo({
    token: config.token,
    baseUrl: config.api,
    validate: false,
    maxRetries: 20,
    logger,
    logLevel: "info",
    rateLimit: redis ? shared({ requestsPerMinute: config.N, windowMs: config.W }) : { requestsPerMinute: config.N, windowMs: config.W },
  });
  const send = writeOf(propexo);
  if (config.warm) await warmUp(writeOf, redis ? shared({ requestsPerMinute: 1e6, windowMs: config.W }) : undefined);
  console.log("ready");
  await new Promise((resolve) => createInterface({ input: process.stdin }).once("line", resolve));
  const results = await Promise.allSettled(
    Array.from({ length: config.calls }, (_, n) => send({ event_id: `w${config.worker}-${n}` }, { headers: { "x-worker": String(config.worker) } })),
  );
  const failed = results.filter((r) => r.status === "rejected").map((r) => String(r.reason?.message ?? r.reason));
  console.log(JSON.stringify({ worker: config.worker, ok: results.length - failed.length, failed, pacer: pacerLines }));
}
/**
 * Runs a few calls of the same client code against a fake API of this process's own (one with no
 * limit to speak of), under another token (and, shared, another budget), so that what a
 * long-running worker has long done (Node's lazy loading of fetch, compiling the client's path)
 * is not timed.
 */
async function warmUp(writeOf, rateLimit) {
  const server = await startRateLimitedServer({ limit: 1e9, windowMs: config.W, slowdownMs: 0 });
  const send = writeOf(new Propexo({ token: `tok_warm_${config.worker}`, baseUrl: server.origin, validate: false, rateLimit }));
  for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 10 }, (_, n) => send({ event_id: `warm-${n}` })));
  await server.stop();
}

await Promise.race([redis?.close().catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
redis?.destroy();
process.exit(0);

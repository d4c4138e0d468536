// One worker process of the fleet tests and the benchmark: a client with the shared pacer (or,
// for comparison, its own local pacer) that sends a backlog of writes once told to go. Bundled by
// esbuild (fleet.ts) and run under plain node. Configuration is one JSON argument; the worker
// prints "ready" when set up, waits for a line on stdin, then prints one JSON line of results.
// Lines of the pacer's own log go to stderr.
import { createInterface } from "node:readline";
import { createClient } from "redis";
import { Propexo, type Logger } from "../../src/index.js";
import { sharedRateLimit } from "../../src/redis.js";
import { aWrite } from "./write.js";

export interface WorkerConfig {
  worker: number;
  api: string;
  token: string;
  calls: number;
  limit: number;
  windowMs: number;
  /** Shared pacing through this Redis; absent: the local pacer. */
  redisUrl?: string;
  secret?: string;
  processes?: number;
  stepTimeoutMs?: number;
  probeIntervalMs?: number;
  inFlightMs?: number;
  /** Added to this process's Date.now(): a skewed clock. */
  skewMs?: number;
  /** Retries of a call (default 10). */
  maxRetries?: number;
}

const config = JSON.parse(process.argv[2]!) as WorkerConfig;
if (config.skewMs) {
  const real = Date.now;
  Date.now = () => real() + config.skewMs!;
}

const pacerLines: string[] = [];
const logger: Logger = {
  error: () => {},
  warn: (line) => void pacerLines.push(line),
  info: (line) => {
    if (line.includes("shared rate limit")) pacerLines.push(line);
  },
  debug: () => {},
};

let redis: ReturnType<typeof createClient> | undefined;
if (config.redisUrl) {
  redis = createClient({ url: config.redisUrl, socket: { reconnectStrategy: () => 50, connectTimeout: 1000 } });
  redis.on("error", () => {});
  // Not awaited: a worker must start (and pace alone) when Redis is not there yet.
  redis.connect().catch(() => {});
}
const propexo = new Propexo({
  token: config.token,
  baseUrl: config.api,
  validate: false,
  maxRetries: config.maxRetries ?? 10,
  logger,
  logLevel: "info",
  rateLimit: redis
    ? sharedRateLimit({
        redis,
        secret: config.secret!,
        requestsPerMinute: config.limit,
        windowMs: config.windowMs,
        processes: config.processes,
        stepTimeoutMs: config.stepTimeoutMs,
        probeIntervalMs: config.probeIntervalMs,
        inFlightMs: config.inFlightMs,
      })
    : { requestsPerMinute: config.limit, windowMs: config.windowMs },
});
const { id, send } = aWrite(propexo);

console.log("ready");
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
const started = performance.now();
const results = await Promise.allSettled(
  Array.from({ length: config.calls }, (_, n) => send({ event_id: `w${config.worker}-${n}` }, { headers: { "x-worker": String(config.worker) } })),
);
const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => String(r.reason?.message ?? r.reason));
for (const line of pacerLines) console.error(line);
console.log(JSON.stringify({ worker: config.worker, operation: id, ok: results.length - failed.length, failed, ms: performance.now() - started, pacer: pacerLines }));
// Let the last settles reach Redis, but never wait on a Redis that is gone.
await Promise.race([redis?.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 500))]);
redis?.destroy();
process.exit(0);

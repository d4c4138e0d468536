// One member of a fleet sharing a token: a client of its own, with the shared pacer on a Redis
// connection of its own (or, for comparison, its own local pacer), that sends a backlog of writes
// when run. worker.ts runs one as a process (fleet.test.ts); faults.test.ts runs four in the test's
// own process, where every line of src/ they run is seen by coverage and mutation testing.
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
  /** Added to this process's Date.now(): a skewed clock (worker processes only). */
  skewMs?: number;
  /** Retries of a call (default 10). */
  maxRetries?: number;
}

export interface WorkerResult {
  worker: number;
  /** The operation each write went through. */
  operation: string;
  ok: number;
  failed: string[];
  ms: number;
  /** What the pacer logged: its warnings, and its info lines about the shared rate limit. */
  pacer: string[];
}

export function member(config: WorkerConfig) {
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
    // Not awaited: a member must start (and pace alone) when Redis is not there yet.
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

  return {
    /** Sends the backlog at once; resolves when every call has settled. */
    async run(): Promise<WorkerResult> {
      const started = performance.now();
      const results = await Promise.allSettled(
        Array.from({ length: config.calls }, (_, n) => send({ event_id: `w${config.worker}-${n}` }, { headers: { "x-worker": String(config.worker) } })),
      );
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => String(r.reason?.message ?? r.reason));
      return { worker: config.worker, operation: id, ok: results.length - failed.length, failed, ms: performance.now() - started, pacer: [...pacerLines] };
    },
    /** Lets the last settles reach Redis, but never waits on a Redis that is gone. */
    async close(): Promise<void> {
      await Promise.race([redis?.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 500))]);
      redis?.destroy();
    },
  };
}

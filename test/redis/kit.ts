// The redis tier's common parts: the rule for a missing redis-server (skipped with a visible
// notice on a developer's machine, a failure under CI=true, as for Chromium in the package tier)
// and a node-redis client that never throws its connection errors at the test process.
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, type TestContext } from "vitest";
import { REDIS_SERVER, redisServerAvailable, startRedis, type RedisServer } from "../helpers/redis-server.mjs";

export { startRedis, type RedisServer } from "../helpers/redis-server.mjs";

/** Ends the test when redis-server is absent: skipped with a warning locally, failed under CI. */
export function requireRedis(ctx: TestContext): void {
  if (redisServerAvailable()) return;
  const reason = `the redis tier needs redis-server at ${REDIS_SERVER} (apt-get install redis-server, or set REDIS_SERVER_PATH)`;
  if (process.env.CI === "true") throw new Error(`${reason}; CI must run this test, not skip it`);
  console.warn(`SKIPPED: ${reason}`);
  ctx.skip(reason);
}

export const HAVE_REDIS = redisServerAvailable();

/** A connected client of `url`; its errors (a killed server) are the pacer's to notice, not the test's. */
export async function connect(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: () => 50 } });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/**
 * A redis-server of the test file's own and a client of it, when redis-server is installed: after
 * each test its `cleanups` run and Redis is emptied; after the file both stop.
 */
export function useRedis() {
  let server: RedisServer | undefined;
  let client: Awaited<ReturnType<typeof connect>> | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    if (!HAVE_REDIS) return;
    server = await startRedis();
    client = await connect(server.url);
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((fn) => fn()));
    await client?.flushAll();
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });
  return {
    /** The client; only once the file's tests run, and only with redis-server installed. */
    client: () => client!,
    /** The server's address, under the same conditions. */
    url: () => server!.url,
    cleanups,
  };
}

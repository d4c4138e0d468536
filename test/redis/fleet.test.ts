// Four worker processes share one token, each with its own client, against a fake Propexo that
// enforces the policy with a small window. Through Redis they keep to the limit in every window
// as one client would; with only their local pacers (the comparison) they do not.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { acceptedTwice, maxInAnyWindow, startFleet, startPolicyServer, stopFleet, type Worker, type WorkerConfig } from "./fleet.js";
import { HAVE_REDIS, requireRedis, startRedis, type RedisServer } from "./kit.js";

const LIMIT = 20;
const WINDOW_MS = 1000;
const WORKERS = 4;
/** Each worker's backlog: together four windows' worth and a bit. */
const CALLS = 21;
const SECRET = "fleet-test-secret-0123456789abcdef-0123456789";

let redis: RedisServer | undefined;
const fleets: Worker[][] = [];
const servers: { close: () => Promise<void> }[] = [];
beforeAll(async () => {
  if (HAVE_REDIS) redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(fleets.splice(0).map(stopFleet));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await redis?.stop();
});

async function policyServer() {
  const server = await startPolicyServer({ limit: LIMIT, windowMs: WINDOW_MS });
  servers.push(server);
  return server;
}

function configs(api: string, token: string, extra: Partial<WorkerConfig> = {}): WorkerConfig[] {
  return Array.from({ length: WORKERS }, (_, worker) => ({ worker, api, token, calls: CALLS, limit: LIMIT, windowMs: WINDOW_MS, ...extra }));
}

async function fleet(list: WorkerConfig[]) {
  const workers = await startFleet(list);
  fleets.push(workers);
  return workers;
}

describe("four processes sharing a token", () => {
  it("keep to the limit in every window through Redis, with no 429 and a fair share each, whatever their clocks", async (ctx) => {
    requireRedis(ctx);
    const api = await policyServer();
    // Clocks a window behind, right, half a window ahead and two windows ahead: Redis's clock decides.
    const skews = [-WINDOW_MS, 0, WINDOW_MS / 2, 2 * WINDOW_MS];
    // Steps get a generous time here: this test is about sharing, not about falling back on a busy machine.
    const shared = { redisUrl: redis!.url, secret: SECRET, stepTimeoutMs: 2000 };
    const list = configs(api.url, "tok_fleet_shared", shared).map((c, i) => ({ ...c, skewMs: skews[i] }));
    const results = await Promise.all((await fleet(list)).map((w) => w.done));

    for (const r of results) expect({ ok: r?.ok, failed: r?.failed }).toEqual({ ok: CALLS, failed: [] });
    expect(api.arrivals.filter((a) => a.status === 429)).toEqual([]);
    expect(maxInAnyWindow(api.arrivals, WINDOW_MS)).toBeLessThanOrEqual(LIMIT);
    expect(acceptedTwice(api.arrivals)).toEqual([]);
    // Fair: in every server window that all four still had work for, each got at least a quarter
    // of its fair share (LIMIT / WORKERS).
    const t0 = api.arrivals[0]!.at;
    const lastOf = new Map(list.map((c) => [String(c.worker), Math.max(...api.arrivals.filter((a) => a.worker === String(c.worker)).map((a) => a.at))]));
    const windows = Math.ceil((Math.max(...lastOf.values()) - t0) / WINDOW_MS);
    for (let w = 0; w < windows; w++) {
      const end = t0 + (w + 1) * WINDOW_MS;
      if ([...lastOf.values()].some((last) => last < end)) break;
      const inWindow = api.arrivals.filter((a) => a.at >= end - WINDOW_MS && a.at < end);
      for (const c of list) {
        const share = inWindow.filter((a) => a.worker === String(c.worker)).length;
        expect(share, `worker ${c.worker} in window ${w}`).toBeGreaterThanOrEqual(Math.floor(LIMIT / WORKERS / 4));
      }
    }
    console.info(
      `shared: ${api.arrivals.length} requests, most in a window ${maxInAnyWindow(api.arrivals, WINDOW_MS)}, ` +
        `per worker ${list.map((c) => api.arrivals.filter((a) => a.worker === String(c.worker)).length).join("/")}, ` +
        `wall ${Math.max(...results.map((r) => r!.ms)).toFixed(0)} ms`,
    );
  });

  it("each pacing alone (the comparison) overrun the limit and draw 429s, so the test above can fail", async (ctx) => {
    requireRedis(ctx);
    const api = await policyServer();
    // Ten calls each at once: twice the limit in the first window. No retries: the 429s are the point.
    const results = await Promise.all((await fleet(configs(api.url, "tok_fleet_local", { calls: 10, maxRetries: 0 }))).map((w) => w.done));
    expect(results.every((r) => r !== undefined)).toBe(true);
    expect(api.arrivals.filter((a) => a.status === 429).length).toBeGreaterThan(0);
    expect(maxInAnyWindow(api.arrivals, WINDOW_MS)).toBeGreaterThan(LIMIT);
  });
});

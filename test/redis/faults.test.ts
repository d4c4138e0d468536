// Redis failing under a fleet of four members: killed mid-run, absent at the start, frozen. Every
// call still completes and none is accepted twice; each member paces alone at its share, says so
// once, and rejoins the shared log when Redis answers again. The members run in this process, each
// with its own client, pacer and Redis connection, as four processes would (fleet.test.ts runs
// worker processes): so every step of the pacer under these faults is seen by mutation testing.
import { afterEach, describe, expect, it } from "vitest";
import { acceptedTwice, maxInAnyWindow, runMembers, startPolicyServer, type WorkerConfig } from "./fleet.js";
import { requireRedis, startRedis, type RedisServer } from "./kit.js";

const LIMIT = 20;
const WINDOW_MS = 1000;
const WORKERS = 4;
/** Enough to outlast the faults below: six windows' worth, so that calls are left to rejoin with. */
const FAULT_CALLS = 30;
const SECRET = "fault-test-secret-0123456789abcdef-0123456789";

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Runs a shared fleet while `fault` does something to its Redis; answers the server and results. */
async function faultRun(token: string, fault: (server: RedisServer) => Promise<unknown>, extra: Partial<WorkerConfig> = {}, start = true) {
  const own = start ? await startRedis() : undefined;
  const port = own?.port ?? (await startRedis().then(async (r) => (await r.stop(), r.port)));
  const url = `redis://127.0.0.1:${port}`;
  const api = await startPolicyServer({ limit: LIMIT, windowMs: WINDOW_MS });
  servers.push(api);
  const list = Array.from({ length: WORKERS }, (_, worker) => ({ worker, api: api.url, token, calls: FAULT_CALLS, limit: LIMIT, windowMs: WINDOW_MS }));
  const running = runMembers(list.map((c) => ({ ...c, redisUrl: url, secret: SECRET, stepTimeoutMs: 1000, probeIntervalMs: 100, ...extra })));
  let current = own;
  const faulted = fault(own ?? ({ port } as RedisServer)).then((r) => (current = (r as RedisServer | undefined) ?? current));
  try {
    const results = await running;
    return { api, results };
  } finally {
    await faulted;
    await current?.stop();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("when Redis fails, every call still completes once, without a storm of 429s", () => {
  function expectComplete({ api, results }: Awaited<ReturnType<typeof faultRun>>, calls = FAULT_CALLS) {
    for (const r of results) expect({ ok: r.ok, failed: r.failed }).toEqual({ ok: calls, failed: [] });
    expect(acceptedTwice(api.arrivals)).toEqual([]);
    const refused = api.arrivals.filter((a) => a.status === 429).length;

    console.info(`${refused} 429s of ${api.arrivals.length} requests; most in a window ${maxInAnyWindow(api.arrivals, WINDOW_MS)}`);
    return refused;
  }
  /**
   * The workers said that they pace alone and that they rejoined, once per outage, not once per
   * call: at least one noticed and one rejoined, and each at most twice (a busy machine may stall
   * a step past its time right after the outage: a second outage), each outage followed by its
   * rejoining unless it was the worker's last (a worker whose calls all went out while alone has
   * no call left to rejoin with). A worker with no call to pace during the outage never asks
   * Redis then, and need not notice.
   */
  function expectLoggedOnce(results: Awaited<ReturnType<typeof faultRun>>["results"]) {
    let noticed = 0;
    let rejoined = 0;
    for (const r of results) {
      const events = r.pacer.filter((l) => l.includes("Redis failed") || l.includes("Redis answers again;")).map((l) => (l.includes("Redis failed") ? "failed" : "back"));
      // Each says what it does: its share of the limit (a quarter of 20), and that it is back.
      for (const line of r.pacer.filter((l) => l.includes("Redis failed"))) {
        expect(line).toMatch(/^\[propexo\] shared rate limit: Redis failed \(.+\); pacing this process alone at 5 of 20 requests a window \(1\/4\) until Redis answers again$/);
      }
      for (const line of r.pacer.filter((l) => l.includes("Redis answers again;"))) {
        expect(line).toBe("[propexo] shared rate limit: Redis answers again; pacing with the other processes");
      }
      const failed = events.filter((e) => e === "failed").length;
      const alternating = events.every((e, i) => e === (i % 2 === 0 ? "failed" : "back"));
      expect({ failed: failed <= 2, alternating }, r.pacer.join("\n")).toEqual({ failed: true, alternating: true });
      noticed += failed;
      rejoined += events.length - failed;
    }
    expect(noticed).toBeGreaterThan(0);
    expect(rejoined).toBeGreaterThan(0);
  }

  it("Redis killed mid-run and brought back: the members pace alone at their share, then rejoin", async (ctx) => {
    requireRedis(ctx);
    const run = await faultRun("tok_fault_kill", async (server) => {
      await sleep(1.2 * WINDOW_MS);
      await server.kill();
      // Longer than a window and a step's time: a step asked after the kill must give up.
      await sleep(2.5 * WINDOW_MS);
      return startRedis({ port: server.port });
    });
    expect(expectComplete(run)).toBeLessThanOrEqual(WORKERS);
    expectLoggedOnce(run.results);
  });

  it("Redis unreachable at the start: the members pace alone at 1/processes of the limit, then join", async (ctx) => {
    requireRedis(ctx);
    const run = await faultRun(
      "tok_fault_absent",
      async (server) => {
        await sleep(1.5 * WINDOW_MS);
        return startRedis({ port: server.port });
      },
      { processes: WORKERS },
      false,
    );
    expect(expectComplete(run)).toBeLessThanOrEqual(WORKERS);
    expectLoggedOnce(run.results);
  });

  it("Redis frozen (SIGSTOP) mid-run, then thawed: each step gives up in its time, nothing hangs", async (ctx) => {
    requireRedis(ctx);
    const run = await faultRun("tok_fault_stop", async (server) => {
      await sleep(1.2 * WINDOW_MS);
      server.signal("SIGSTOP");
      // Longer than a window and a step's time: a step asked after the freeze must give up.
      await sleep(2.5 * WINDOW_MS);
      server.signal("SIGCONT");
    });
    expect(expectComplete(run)).toBeLessThanOrEqual(WORKERS);
    expectLoggedOnce(run.results);
  });
});

// One process pacing alone while Redis fails, and rejoining: a real redis-server behind a switch
// that makes it fail, fall silent or answer nonsense on demand, and a local fake API that counts
// what arrives. Everything runs in this process, so each step of the pacer is seen.
import { describe, expect, it } from "vitest";
import { Propexo, type Logger } from "../../src/index.js";
import { sharedRateLimit, type RedisScripting, type SharedRateLimitOptions } from "../../src/redis.js";
import { sendJson, startServer } from "../helpers/http-server.js";
import { requireRedis } from "./kit.js";
import { maxInAnyWindow } from "./fleet.js";
import { aloneWarning, backLines, failedLines, recorder, redisBehindSwitch, until } from "./switch.js";
import { aWrite } from "./write.js";

const SECRET = "alone-test-secret-0123456789abcdef-0123456789";
const WINDOW_MS = 1000;
const LIMIT = 20;
/** A token of its own for each client: pacers of earlier tests may still be settling their last calls. */
let tokens = 0;
const newToken = () => `tok_alone_5c1e_${++tokens}`;

const { cleanups, switchable, held } = redisBehindSwitch(SECRET);

/** A fake API that answers every write at once, as a fresh window would, and notes when each came. */
async function api() {
  const arrivals: { at: number; event: string }[] = [];
  const s = await startServer((_req, res, body) => {
    arrivals.push({ at: performance.now(), event: JSON.parse(body).event_id });
    sendJson(res, 200, { meta: { job_id: "j" }, result: {} }, { "x-ratelimit-limit": String(LIMIT), "x-ratelimit-remaining": String(LIMIT - 1) });
  });
  cleanups.push(s.close);
  return { url: s.url, arrivals };
}

function client(url: string, redis: RedisScripting, logger: Logger, options: Partial<SharedRateLimitOptions> = {}, token = newToken()) {
  const propexo = new Propexo({
    token,
    baseUrl: url,
    validate: false,
    logger,
    logLevel: "info",
    rateLimit: sharedRateLimit({ redis, secret: SECRET, requestsPerMinute: LIMIT, windowMs: WINDOW_MS, stepTimeoutMs: 200, probeIntervalMs: 50, ...options }),
  });
  return aWrite(propexo).send;
}

describe("a process pacing alone", () => {
  it("takes its share of the limit when Redis cannot be reached, says so once, and hands Redis what it sent when it is back", async (ctx) => {
    requireRedis(ctx);
    const { url, arrivals } = await api();
    const { redis, state, steps } = switchable("down");
    const { lines, logger } = recorder();
    const token = newToken();
    const send = client(url, redis, logger, { processes: 4 }, token);
    const calls = Array.from({ length: 7 }, (_, n) => send({ event_id: `alone-${n}` }));
    // A quarter of the limit: five go at once; the other two wait.
    await until(() => arrivals.length >= 5);
    expect(failedLines(lines)).toEqual([
      `[propexo] ${aloneWarning(5, 20, 4)}`,
    ]);
    await new Promise((r) => setTimeout(r, 200));
    state.mode = "up";
    await until(() => backLines(lines).length > 0);
    expect(backLines(lines)).toEqual(["[propexo] shared rate limit: Redis answers again; pacing with the other processes"]);
    // Redis now holds the five calls sent alone (answered, or about to be), and room for the three
    // others' shares; each call at its own time, which was before the 200 ms above (a call's time
    // moves to its answer when it settles, which can come a little after the server saw it).
    const budget = await held(token);
    const mergedAt = Number(steps("merge").find((s) => s.reply)!.reply![1]);
    expect(budget.foreign).toBe(15);
    expect(budget.calls).toHaveLength(5);
    for (const call of budget.calls) expect(call.at).toBeLessThanOrEqual(mergedAt - 100);
    await Promise.all(calls);
    // The last two went through Redis, which let them go once the five were a window old.
    expect(steps("take").length).toBeGreaterThanOrEqual(2);
    expect(maxInAnyWindow(arrivals, WINDOW_MS)).toBe(5);
    expect(arrivals[5]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(WINDOW_MS - 5);
    expect(failedLines(lines)).toHaveLength(1);
  });

  it("leaves what the fleet used in the last window when it loses Redis", async (ctx) => {
    requireRedis(ctx);
    const { url, arrivals } = await api();
    const { redis, state } = switchable("up");
    const { lines, logger } = recorder();
    const send = client(url, redis, logger);
    await Promise.all(Array.from({ length: 12 }, (_, n) => send({ event_id: `shared-${n}` })));
    state.mode = "down";
    // The whole limit is this process's (one process seen), less the 12 calls of this window.
    await Promise.all(Array.from({ length: 10 }, (_, n) => send({ event_id: `alone-${n}` })));
    expect(failedLines(lines)).toEqual([
      `[propexo] ${aloneWarning(20, 20, 1)}`,
    ]);
    expect(maxInAnyWindow(arrivals, WINDOW_MS)).toBeLessThanOrEqual(LIMIT);
    expect(arrivals).toHaveLength(22);
  });

  it.each([
    ["nothing", undefined, "unexpected answer undefined"],
    ["an unknown verdict", ["x"], 'unexpected answer ["x"]'],
    ["a string", "OK", 'unexpected answer "OK"'],
    ["a number as the verdict", [2, "0"], 'unexpected answer [2,"0"]'],
    ["a wait that is no number", ["0"], 'unexpected answer ["0"]'],
    ["a late answer without Redis's time", ["-1"], 'unexpected answer ["-1"]'],
    ["a time that is no number", ["1", "soon"], 'unexpected answer ["1","soon"]'],
    ["a long answer, shown to 100 characters", Array(40).fill("1234"), `unexpected answer ${JSON.stringify(Array(40).fill("1234")).slice(0, 100)}`],
  ])("takes an answer it cannot read as Redis failing: %s", async (_what, answer, reason) => {
    const { url, arrivals } = await api();
    const { redis } = switchable({ answer });
    const { lines, logger } = recorder();
    await client(url, redis, logger)({ event_id: "e" });
    expect(arrivals).toHaveLength(1);
    expect(failedLines(lines)).toEqual([`[propexo] ${aloneWarning(20, 20, 1, reason)}`]);
  });

  it("adds the calls it let through while its way back was on the wire in a second step", async (ctx) => {
    requireRedis(ctx);
    const { url, arrivals } = await api();
    const { redis, state, steps } = switchable("down");
    const { lines, logger } = recorder();
    // Steps get time enough for the slow way back.
    const token = newToken();
    const send = client(url, redis, logger, { stepTimeoutMs: 5000 }, token);
    await send({ event_id: "before" });
    await new Promise((r) => setTimeout(r, 60));
    // The way back is held up: the next call starts it, and calls keep going alone meanwhile.
    let release!: (v: unknown) => void;
    state.mode = { hold: "merge", until: new Promise((r) => (release = r)) };
    await send({ event_id: "meanwhile-1" });
    await send({ event_id: "meanwhile-2" });
    expect(backLines(lines)).toEqual([]);
    release(undefined);
    await until(() => backLines(lines).length > 0);
    await until(() => steps("merge").length >= 2);
    let budget = await held(token);
    while (budget.calls.length < 3) budget = await new Promise((r) => setTimeout(r, 20)).then(() => held(token));
    expect(arrivals.map((a) => a.event)).toEqual(["before", "meanwhile-1", "meanwhile-2"]);
    expect(budget.foreign).toBe(0);
    expect(budget.calls.map((c) => c.settled)).toEqual([true, true, true]);
  });
});

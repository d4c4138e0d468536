// The shared pacer step by step, in this process, against a real redis-server behind a switch
// (./switch.ts): the Pacer contract used directly (a turn without a signal, an answer observed
// without a call, cancelling), what the pacer makes of each answer (a step Redis calls late, a
// clock that jumps, the fleet and the limit an answer reports, an error that is not NOSCRIPT), how
// a process pacing alone asks whether Redis is back and what it hands Redis then, and what it
// leaves running.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Propexo, type Logger, type Pacer } from "../../src/index.js";
import { sharedRateLimit, type RedisScripting, type SharedRateLimitOptions } from "../../src/redis.js";
import { sendJson, startServer } from "../helpers/http-server.js";
import { requireRedis } from "./kit.js";
import { aloneWarning as warning, backLines, failedLines, recorder, redisBehindSwitch, until } from "./switch.js";
import { aWrite } from "./write.js";

const SECRET = "pacer-steps-test-secret-0123456789abcdef-0123";
const LIMIT = 20;
/** A budget of its own for each pacer: those of earlier tests may still be settling. */
let tokens = 0;
const newToken = () => `tok_steps_9a7e_${++tokens}`;

const { client: real, cleanups, switchable, held } = redisBehindSwitch(SECRET);
afterEach(() => {
  vi.restoreAllMocks();
});

const direct = (): RedisScripting => ({ evalSha: (sha, o) => real().evalSha(sha, o), eval: (script, o) => real().eval(script, o) });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** A shared pacer used directly, as the client uses it, with its log lines. */
function pacerOf(redis: RedisScripting, options: Partial<SharedRateLimitOptions> = {}, token = newToken()) {
  const { lines, logger } = recorder();
  const factory = sharedRateLimit({ redis, secret: SECRET, requestsPerMinute: LIMIT, windowMs: 1000, stepTimeoutMs: 500, probeIntervalMs: 50, ...options });
  return { pacer: factory(token, logger) as Pacer<unknown>, lines, token };
}

const rateHeaders = (limit: number, remaining: number) => new Headers({ "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(remaining) });

/** Resolves with the call's result, or with "waiting" if it has none after `ms`. */
const stillWaiting = (call: Promise<unknown>, ms = 200) => Promise.race([call, pause(ms).then(() => "waiting")]);

/**
 * A pacer with a one-call budget a minute long whose first call has been made and answered, and a
 * second call, cancellable, that Redis has answered: booked ahead or told to wait, by `reserveAheadMs`.
 */
async function secondCallAnswered(reserveAheadMs: number) {
  const { redis, steps } = switchable();
  const { pacer, token } = pacerOf(redis, { requestsPerMinute: 1, windowMs: 60_000, reserveAheadMs });
  pacer.settle(await pacer.acquire());
  const controller = new AbortController();
  const second = pacer.acquire(controller.signal);
  await until(() => steps("take")[1]?.reply !== undefined);
  return { pacer, token, steps, controller, second };
}

describe("the Pacer contract, used directly", () => {
  it("gives a turn without a signal, and Redis holds the call in flight until it is settled", async (ctx) => {
    requireRedis(ctx);
    const { redis } = switchable();
    const { pacer, token, lines } = pacerOf(redis);
    const ticket = await pacer.acquire();
    expect(ticket).toBeDefined();
    expect((await held(token)).calls.map((c) => c.settled)).toEqual([false]);
    pacer.settle(ticket);
    await until(async () => (await held(token)).calls[0]?.settled === true);
    expect(lines).toEqual([]);
  });

  it("gives no turn for a signal already aborted, and asks Redis nothing", async (ctx) => {
    requireRedis(ctx);
    const { redis, state } = switchable();
    const { pacer } = pacerOf(redis);
    expect(await pacer.acquire(AbortSignal.abort())).toBeUndefined();
    expect(state.steps).toEqual([]);
  });

  it("gives up a turn booked ahead at once when its signal fires, and settles it unused", async (ctx) => {
    requireRedis(ctx);
    const { token, steps, controller, second: booked } = await secondCallAnswered(60_000);
    // Booked for a window after the first call's answer, a minute away.
    expect(Number(steps("take")[1]!.reply![6])).toBeGreaterThan(0);
    controller.abort();
    expect(await booked).toBeUndefined();
    await until(async () => (await held(token)).calls.every((c) => c.settled));
    expect((await held(token)).calls).toHaveLength(2);
  });

  it("learns from an answer observed without a call: through Redis while it answers, alone while it does not", async (ctx) => {
    requireRedis(ctx);
    const { redis, state, steps } = switchable();
    const { pacer, token, lines } = pacerOf(redis, { windowMs: 60_000 });
    pacer.observe(rateHeaders(40, 39), 200);
    await until(() => steps("observe").some((s) => s.reply));
    expect((await held(token)).limit).toBe(40);

    state.mode = "down";
    pacer.observe(rateHeaders(40, 39), 200);
    await until(() => failedLines(lines).length > 0);
    expect(failedLines(lines)).toEqual([warning(40, 40, 1)]);
    // Alone, a 429 pauses this process's own pacer, and Redis is not told.
    const observed = steps("observe").length;
    pacer.observe(rateHeaders(40, 0), 429, 30_000);
    expect(steps("observe")).toHaveLength(observed);
    const controller = new AbortController();
    const waiting = pacer.acquire(controller.signal);
    expect(await stillWaiting(waiting)).toBe("waiting");
    controller.abort();
    expect(await waiting).toBeUndefined();
  });

  it("lets a call that has its turn be cancelled afterwards without taking another call's turn", async (ctx) => {
    requireRedis(ctx);
    const { redis } = switchable();
    const { pacer } = pacerOf(redis, { requestsPerMinute: 1, windowMs: 300, reserveAheadMs: 0 });
    const controller = new AbortController();
    const first = await pacer.acquire(controller.signal);
    const second = pacer.acquire(new AbortController().signal);
    const third = pacer.acquire();
    controller.abort();
    pacer.settle(first);
    const [two, three] = [await second, await third];
    expect(two).toBeDefined();
    expect(three).toBeDefined();
    pacer.settle(two);
    pacer.settle(three);
  });

  it("gives the first waiting call up at once when its signal fires, and it is not counted", async (ctx) => {
    requireRedis(ctx);
    // Redis has said the second call must wait.
    const { token, controller, second: waiting } = await secondCallAnswered(0);
    controller.abort();
    expect(await waiting).toBeUndefined();
    expect((await held(token)).calls).toHaveLength(1);
  });
});

describe("what the pacer makes of Redis's answers", () => {
  it("asks again when Redis calls a step late, and paces alone when the next one fails", async (ctx) => {
    requireRedis(ctx);
    const { redis, steps } = switchable({ script: [["-1", String(Date.now())], new Error("connection lost")] });
    const { pacer, lines } = pacerOf(redis);
    pacer.settle(await pacer.acquire());
    expect(steps("take").map((s) => s.reply?.[0])).toEqual(["-1", undefined]);
    // A late answer tells nothing of the fleet or the limit.
    expect(failedLines(lines)).toEqual([warning(20, 20, 1)]);
  });

  it("learns Redis's clock again from a late answer when its own jumps back, and asks again with a deadline that holds", async (ctx) => {
    requireRedis(ctx);
    const { redis, steps } = switchable();
    const { pacer, lines } = pacerOf(redis);
    pacer.settle(await pacer.acquire());
    await until(() => steps("finish").some((s) => s.reply));
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, "now").mockImplementation(() => realNow() - 600_000);
    pacer.settle(await pacer.acquire());
    await until(() => steps("finish").filter((s) => s.reply).length === 2);
    pacer.settle(await pacer.acquire());
    // The first step, with no clock learned, carries no deadline; the next, a deadline ten minutes
    // past by Redis's clock; then deadlines on the clock the late answer gave.
    expect(steps("take").map((s) => s.reply?.[0])).toEqual(["1", "-1", "1", "1"]);
    expect(steps("take").map((s) => s.args[6] === "")).toEqual([true, false, false, false]);
    expect(lines).toEqual([]);
  });

  it.for([
    ["on time", 0],
    ["an hour behind Redis", -3_600_000],
    ["an hour ahead of Redis", 3_600_000],
  ] as const)("refuses a turn asked for by a step that reaches Redis after the process gave up on it, with a clock %s", async ([, skew], ctx) => {
    requireRedis(ctx);
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + skew);
    const { redis, state, steps } = switchable();
    const { pacer, token, lines } = pacerOf(redis, { stepTimeoutMs: 1000 });
    pacer.settle(await pacer.acquire());
    await until(() => steps("finish").some((s) => s.reply));
    let release!: (v: unknown) => void;
    state.mode = { hold: "take", until: new Promise((r) => (release = r)) };
    const alone = await pacer.acquire();
    expect(failedLines(lines)).toEqual([warning(20, 20, 1, "no answer within 1000 ms")]);
    // Past the deadline by more than the clock learned can be off: half a step's time at most.
    await pause(600);
    release(undefined);
    await until(() => steps("take")[1]!.reply !== undefined);
    expect(steps("take")[1]!.reply).toEqual(["-1", expect.stringMatching(/^\d+(\.\d+)?$/)]);
    // Redis holds only the call it let go: none for the step that came too late.
    expect((await held(token)).calls).toHaveLength(1);
    pacer.settle(alone);
  });

  it("learns from each answer how many processes share the token, and takes that share when Redis fails", async (ctx) => {
    requireRedis(ctx);
    const token = newToken();
    const { redis, state, steps } = switchable();
    const a = pacerOf(redis, {}, token);
    const b = pacerOf(direct(), {}, token);
    const ta = await a.pacer.acquire();
    const tb = await b.pacer.acquire();
    // The settle's answer is the first to count the other process.
    a.pacer.settle(ta);
    await until(() => steps("finish").some((s) => s.reply));
    state.mode = "down";
    a.pacer.observe(rateHeaders(20, 18), 200);
    await until(() => failedLines(a.lines).length > 0);
    expect(failedLines(a.lines)).toEqual([warning(10, 20, 2)]);
    b.pacer.settle(tb);
  });

  it.for([
    ["the limit an answer gives", 40, `[propexo] ${warning(40, 40, 1)}`],
    ["the limit it knew when an answer gives none", undefined, `[propexo] ${warning(20, 20, 1)}`],
  ] as const)("takes %s, and its share of it when Redis fails on the settle", async ([, limit, line], ctx) => {
    requireRedis(ctx);
    const { redis, state } = switchable();
    const { lines, logger } = recorder();
    const s = await startServer((_req, res) => {
      state.mode = "down";
      sendJson(res, 200, { meta: { job_id: "j" }, result: {} }, limit ? { "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(limit - 1) } : {});
    });
    cleanups.push(s.close);
    const propexo = new Propexo({
      token: newToken(),
      baseUrl: s.url,
      validate: false,
      logger,
      rateLimit: sharedRateLimit({ redis, secret: SECRET, requestsPerMinute: LIMIT, windowMs: 1000 }),
    });
    await aWrite(propexo).send({ event_id: "e" });
    // No other call comes: the failed settle alone sets the process pacing alone.
    await until(() => failedLines(lines).length > 0);
    expect(failedLines(lines)).toEqual([line]);
  });

  it("loads the script with EVAL only when Redis has forgotten it, and takes any other error as Redis failing", async (ctx) => {
    requireRedis(ctx);
    const busy = switchable({ evalShaFails: "BUSY Redis is busy running a script" });
    const one = pacerOf(busy.redis);
    one.pacer.settle(await one.pacer.acquire());
    expect(failedLines(one.lines)).toEqual([warning(20, 20, 1, "BUSY Redis is busy running a script")]);
    expect(busy.state.steps.map((s) => s.via)).toEqual([["evalSha"]]);

    const forgot = switchable({ evalShaFails: "NOSCRIPT No matching script. Please use EVAL." });
    const two = pacerOf(forgot.redis);
    two.pacer.settle(await two.pacer.acquire());
    const [take] = forgot.state.steps;
    expect([take!.args[0], take!.via, take!.reply?.[0]]).toEqual(["take", ["evalSha", "eval"], "1"]);
    expect(two.lines).toEqual([]);
  });

  it("asks again once a turn is within reach of booking, and is booked ahead rather than sent late", async (ctx) => {
    requireRedis(ctx);
    const { redis, steps } = switchable();
    const { pacer } = pacerOf(redis, { requestsPerMinute: 1, windowMs: 2000, reserveAheadMs: 1500 });
    pacer.settle(await pacer.acquire());
    pacer.settle(await pacer.acquire());
    const [, told, ...again] = steps("take").map((s) => s.reply!);
    // Told to wait about a window, past the booking horizon; asked again when the turn is within
    // it (a step may still find it a hair beyond), and booked.
    expect(told![0]).toBe("0");
    expect(Number(told![1])).toBeGreaterThan(1500);
    const booked = again.at(-1)!;
    expect(booked[0]).toBe("1");
    expect(Number(booked[6])).toBeGreaterThan(0);
  });
});

describe("a settle that reaches Redis late", () => {
  it("counts the call from when its answer came, not from when Redis heard of it", async (ctx) => {
    requireRedis(ctx);
    const { redis, state, steps } = switchable();
    const { pacer, token } = pacerOf(redis, { stepTimeoutMs: 5000 });
    const ticket = await pacer.acquire();
    let release!: (v: unknown) => void;
    state.mode = { hold: "finish", until: new Promise((r) => (release = r)) };
    pacer.settle(ticket);
    await pause(300);
    release(undefined);
    await until(() => steps("finish").some((s) => s.reply));
    const heard = Number(steps("finish")[0]!.reply![1]);
    const [call] = (await held(token)).calls;
    expect(call!.settled).toBe(true);
    expect(call!.at).toBeLessThanOrEqual(heard - 250);
  });
});

describe("a process pacing alone, asking whether Redis is back", () => {
  it("asks no more often than every probe interval, and tells Redis nothing of its calls meanwhile", async (ctx) => {
    requireRedis(ctx);
    const { redis, steps } = switchable("down");
    const { pacer } = pacerOf(redis, { windowMs: 60_000, probeIntervalMs: 60_000 });
    const tickets = await Promise.all(Array.from({ length: 10 }, () => pacer.acquire()));
    for (const t of tickets) {
      pacer.observe(rateHeaders(LIMIT, 10), 200, undefined, t);
      pacer.settle(t);
    }
    expect(steps("take")).toHaveLength(1);
    expect(steps("merge")).toHaveLength(0);
    expect(steps("finish")).toHaveLength(0);
    expect(steps("observe")).toHaveLength(0);
  });

  it("asks every windowMs / 60 by default", async (ctx) => {
    requireRedis(ctx);
    const { redis, state, steps } = switchable("down");
    // A window of a minute: Redis is asked again a second after the process went alone, not before.
    const { pacer, lines } = pacerOf(redis, { windowMs: 60_000, probeIntervalMs: undefined });
    pacer.settle(await pacer.acquire());
    state.mode = "up";
    await pause(500);
    pacer.settle(await pacer.acquire());
    expect(steps("merge")).toHaveLength(0);
    await pause(600);
    pacer.settle(await pacer.acquire());
    expect(steps("merge")).toHaveLength(1);
    await until(() => backLines(lines).length > 0);
  });

  it("keeps asking while a call waits for its share, and rejoins as soon as Redis answers, with nothing more to hand over", async (ctx) => {
    requireRedis(ctx);
    const { redis, state, steps } = switchable("down");
    const { pacer, token, lines } = pacerOf(redis, { windowMs: 60_000, processes: 4 });
    // A quarter of the limit, five, go at once; the sixth waits a window.
    const tickets = await Promise.all(Array.from({ length: 5 }, () => pacer.acquire()));
    const controller = new AbortController();
    const sixth = pacer.acquire(controller.signal);
    await until(() => steps("merge").length >= 3);
    state.mode = "up";
    await until(() => backLines(lines).length > 0);
    // Every merge was a probe, holding room for the three others (a second step would hold none).
    expect(steps("merge").filter((s) => s.args[6] !== "15")).toEqual([]);
    const budget = await held(token);
    expect(budget.calls).toHaveLength(5);
    expect(budget.foreign).toBe(15);
    controller.abort();
    expect(await sixth).toBeUndefined();
    for (const t of tickets) pacer.settle(t);
  });

  it("forgets the calls a window old and answered, and hands Redis only those that still count", async (ctx) => {
    requireRedis(ctx);
    const { redis, state, steps } = switchable("down");
    const { pacer, lines } = pacerOf(redis, { windowMs: 200, probeIntervalMs: 400 });
    for (const t of await Promise.all(Array.from({ length: 3 }, () => pacer.acquire()))) pacer.settle(t);
    await pause(450);
    state.mode = "up";
    const next = await pacer.acquire();
    await until(() => backLines(lines).length > 0);
    // None of the three; then the call let through while the first merge was on its way.
    expect(steps("merge").map((s) => s.args[7])).toEqual(["0", "1"]);
    pacer.settle(next);
  });

  it("leaves what the fleet used in the last window, in its share, when it loses Redis", async (ctx) => {
    requireRedis(ctx);
    const { redis, state, steps } = switchable();
    const { pacer, lines } = pacerOf(redis, { windowMs: 60_000, processes: 2 });
    for (let n = 0; n < 12; n++) pacer.settle(await pacer.acquire());
    await until(() => steps("finish").filter((s) => s.reply).length === 12);
    state.mode = "down";
    const controller = new AbortController();
    const got: unknown[] = [];
    const calls = Array.from({ length: 6 }, () => pacer.acquire(controller.signal).then((t) => t && got.push(t)));
    // Its share is 10 of 20; the fleet's 12 calls leave it 10 - 12 / 2 = 4 this window.
    await until(() => got.length >= 4);
    await pause(200);
    expect(got).toHaveLength(4);
    expect(failedLines(lines)).toEqual([warning(10, 20, 2)]);
    controller.abort();
    await Promise.all(calls);
  });
});

describe("what it leaves running", () => {
  it("no step's timer outlives its answer", async (ctx) => {
    requireRedis(ctx);
    const { redis, state } = switchable();
    // A step time long enough that a timer left behind would still be counted below.
    const { pacer } = pacerOf(redis, { stepTimeoutMs: 60_000 });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    for (let n = 0; n < 15; n++) pacer.settle(await pacer.acquire());
    await until(() => state.steps.every((s) => s.reply));
    // 30 steps; a few timers of other parts may come and go meanwhile.
    expect(timers() - before).toBeLessThan(10);
  });
});

// The shared pacer in this process, against a real redis-server and a local fake API: how budgets
// are named and what Redis holds, its options, a Redis that lost the script, a Redis that never
// answers, a cancelled call, and a worker that dies in the middle of its calls.
import { createHash } from "node:crypto";
import { inspect } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AbortError, Propexo, type Logger } from "../../src/index.js";
import { budgetName, sharedRateLimit, type RedisScripting, type SharedRateLimitOptions } from "../../src/redis.js";
import { PACER_SCRIPT, num, stepArguments } from "../../src/redis/script.js";
import { sendJson, startServer } from "../helpers/http-server.js";
import { startFleet, startPolicyServer, stopFleet, type Worker } from "./fleet.js";
import { HAVE_REDIS, requireRedis, useRedis } from "./kit.js";
import { aWrite } from "./write.js";

const SECRET = "shared-pacer-test-secret-0123456789abcdef";
const TOKEN = "tok_shared_pacer_4f9d2c";
const WINDOW_MS = 1000;

const tier = useRedis();
const cleanups = tier.cleanups;
/** The tier's client, under the name the options give it. */
let redis: ReturnType<typeof tier.client>;
beforeAll(() => {
  if (HAVE_REDIS) redis = tier.client();
});

/** A fake API answering every write at once with the rate-limit headers of a fresh window. */
async function api(limit = 20) {
  const s = await startServer((_req, res, body) =>
    sendJson(res, 200, { meta: { job_id: "j" }, result: JSON.parse(body || "{}") }, { "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(limit - 1) }),
  );
  cleanups.push(s.close);
  return s;
}

function recorder() {
  const lines: string[] = [];
  const logger: Logger = { error: (l) => void lines.push(l), warn: (l) => void lines.push(l), info: () => {}, debug: () => {} };
  return { lines, logger };
}

function client(url: string, options: Partial<SharedRateLimitOptions> = {}, logger?: Logger) {
  const propexo = new Propexo({
    token: TOKEN,
    baseUrl: url,
    validate: false,
    logger,
    logLevel: logger ? "warn" : "off",
    rateLimit: sharedRateLimit({ redis, secret: SECRET, requestsPerMinute: 20, windowMs: WINDOW_MS, ...options }),
  });
  return aWrite(propexo).send;
}

/** Every key in Redis, with its raw value. */
async function everything() {
  const keys = await redis.keys("*");
  const values = await Promise.all(keys.map((k) => redis.withTypeMapping({ [36]: Buffer } as never).get(k) as unknown as Promise<Buffer>));
  return keys.map((key, i) => ({ key, value: values[i]! }));
}

describe("budget names and what Redis holds", () => {
  it("names a budget by HMAC-SHA-256 of the token under the secret, and stores neither", async (ctx) => {
    requireRedis(ctx);
    const send = client((await api()).url);
    await Promise.all(Array.from({ length: 5 }, (_, n) => send({ event_id: `e${n}` })));
    const stored = await everything();
    const name = budgetName(SECRET, TOKEN);
    expect(stored.map((s) => s.key)).toEqual([`propexo:rate-limit:${name}`]);
    expect(name).toMatch(/^[0-9a-f]{32}$/);
    // Keyed: not a plain hash of the token anyone could recompute for a guess, and another
    // deployment's secret gives another name.
    expect(createHash("sha256").update(TOKEN).digest("hex")).not.toContain(name);
    expect(budgetName(`${SECRET}x`, TOKEN)).not.toBe(name);
    expect(budgetName(SECRET, `${TOKEN}x`)).not.toBe(name);
    for (const { key, value } of stored) {
      for (const secret of [TOKEN, SECRET]) {
        expect(key).not.toContain(secret);
        expect(value.includes(Buffer.from(secret))).toBe(false);
      }
    }
  });

  it("lets the budget expire on its own, a few windows after the last step", async (ctx) => {
    requireRedis(ctx);
    const send = client((await api()).url, { inFlightMs: WINDOW_MS });
    await send({ event_id: "e" });
    const ttl = await redis.pTTL(`propexo:rate-limit:${budgetName(SECRET, TOKEN)}`);
    // Three windows and the in-flight bound: the longest anything in it matters.
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(4 * WINDOW_MS);
  });

  it("shows neither the secret nor the token in util.inspect of the factory, the pacer or the client", async (ctx) => {
    requireRedis(ctx);
    const factory = sharedRateLimit({ redis, secret: SECRET });
    const pacer = factory(TOKEN, console);
    const propexo = new Propexo({ token: TOKEN, rateLimit: factory, logLevel: "off" });
    for (const thing of [factory, pacer, propexo]) {
      const shown = inspect(thing, { depth: 10, showHidden: true });
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(TOKEN);
    }
  });
});

describe("options", () => {
  it.each([
    ["a short secret", { secret: "short" }, /options.secret must be a string or bytes of at least 32 bytes, received 5 \(value not shown\)/],
    ["31 bytes of secret", { secret: new Uint8Array(31) }, /received 31 \(value not shown\)/],
    ["no client", { redis: {} }, /options.redis must be a node-redis client/],
    ["a client without EVAL", { redis: { evalSha: async () => [] } }, /options.redis must be a node-redis client \(evalSha and eval\)/],
    ["a client without EVALSHA", { redis: { eval: async () => [] } }, /options.redis must be a node-redis client \(evalSha and eval\)/],
    ["a limit of 0", { requestsPerMinute: 0 }, /options.requestsPerMinute must be a positive number, received 0/],
    ["no process", { processes: 0 }, /options.processes must be a whole number ≥ 1, received 0/],
    ["a prefix that is no string", { prefix: 5 }, /options.prefix must be a string, received number/],
    ["a step time of 0", { stepTimeoutMs: 0 }, /options.stepTimeoutMs must be a positive number of milliseconds, received 0/],
    ["an endless window", { windowMs: Infinity }, /options.windowMs must be a positive number of milliseconds, received Infinity/],
    ["2.5 processes", { processes: 2.5 }, /options.processes must be a whole number ≥ 1, received 2.5/],
    ["a negative booking horizon", { reserveAheadMs: -1 }, /options.reserveAheadMs must be a number of milliseconds from 0 to windowMs, received -1/],
    ["a booking horizon past the window", { windowMs: 1000, reserveAheadMs: 1001 }, /options.reserveAheadMs must be a number of milliseconds from 0 to windowMs, received 1001/],
    ["an endless booking horizon", { reserveAheadMs: Infinity }, /options.reserveAheadMs must be a number of milliseconds from 0 to windowMs, received Infinity/],
    ["a booking horizon that is not a number", { reserveAheadMs: Number.NaN }, /options.reserveAheadMs must be a number of milliseconds from 0 to windowMs, received NaN/],
    ["a negative limit", { requestsPerMinute: -1 }, /options.requestsPerMinute must be a positive number, received -1/],
  ])("refuse %s, naming the field and the rule", (_title, bad, message) => {
    const stub: RedisScripting = { evalSha: async () => [], eval: async () => [] };
    expect(() => sharedRateLimit({ redis: stub, secret: SECRET, ...(bad as object) })).toThrow(message);
    try {
      sharedRateLimit({ redis: stub, secret: SECRET, ...(bad as object) });
    } catch (error) {
      expect(String(error)).not.toContain("short");
    }
  });

  it("accept a booking horizon from 0 to a whole window", () => {
    const stub: RedisScripting = { evalSha: async () => [], eval: async () => [] };
    for (const reserveAheadMs of [0, 1000]) expect(typeof sharedRateLimit({ redis: stub, secret: SECRET, windowMs: 1000, reserveAheadMs })).toBe("function");
  });
});

describe("faults seen from one process", () => {
  it("loads the script again when Redis has forgotten it (SCRIPT FLUSH, a restart)", async (ctx) => {
    requireRedis(ctx);
    const { lines, logger } = recorder();
    const send = client((await api()).url, {}, logger);
    await send({ event_id: "before" });
    await redis.scriptFlush();
    await send({ event_id: "after" });
    expect(lines).toEqual([]);
    expect(await redis.keys("*")).toHaveLength(1);
  });

  it("paces alone after stepTimeoutMs when Redis never answers, says so once, and every call completes", async (ctx) => {
    requireRedis(ctx);
    const silent: RedisScripting = { evalSha: () => new Promise(() => {}), eval: () => new Promise(() => {}) };
    const { lines, logger } = recorder();
    const propexo = new Propexo({
      token: TOKEN,
      baseUrl: (await api()).url,
      validate: false,
      logger,
      rateLimit: sharedRateLimit({ redis: silent, secret: SECRET, requestsPerMinute: 20, windowMs: WINDOW_MS, stepTimeoutMs: 50, probeIntervalMs: 50 }),
    });
    const results = await Promise.all(Array.from({ length: 10 }, (_, n) => aWrite(propexo).send({ event_id: `e${n}` })));
    expect(results).toHaveLength(10);
    expect(lines).toEqual([
      "[propexo] shared rate limit: Redis failed (no answer within 50 ms); pacing this process alone at 20 of 20 requests a window (1/1) until Redis answers again",
    ]);
  });

  it("gives a cancelled call up while it waits for the shared budget, with the client's AbortError", async (ctx) => {
    requireRedis(ctx);
    const send = client((await api(1)).url, { requestsPerMinute: 1 });
    await send({ event_id: "first" });
    const controller = new AbortController();
    const waiting = send({ event_id: "second" }, { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 50);
    expect(await waiting).toBeInstanceOf(AbortError);
  });
});

describe("turns booked ahead", () => {
  it("books a turn within reserveAheadMs in one step and sends the call when it comes; one cancelled while booked still counts", async (ctx) => {
    requireRedis(ctx);
    const arrivals: { event: string; at: number; answeredAt?: number }[] = [];
    const fake = await startServer((_req, res, body) => {
      const arrival = { event: JSON.parse(body).event_id as string, at: Date.now() };
      arrivals.push(arrival);
      sendJson(res, 200, { meta: { job_id: "j" }, result: {} }, { "x-ratelimit-limit": "1", "x-ratelimit-remaining": "0" });
      (arrival as { answeredAt?: number }).answeredAt = Date.now();
    });
    cleanups.push(fake.close);
    // Every step the pacer asks of Redis, by its operation.
    const ops: string[] = [];
    const watched: RedisScripting = {
      evalSha: (sha, o) => (ops.push(o.arguments[0]!), redis.evalSha(sha, o)),
      eval: (script, o) => redis.eval(script, o),
    };
    const propexo = new Propexo({
      token: TOKEN,
      baseUrl: fake.url,
      validate: false,
      logLevel: "off",
      rateLimit: sharedRateLimit({ redis: watched, secret: SECRET, requestsPerMinute: 1, windowMs: WINDOW_MS, reserveAheadMs: WINDOW_MS }),
    });
    const { send } = aWrite(propexo);
    await send({ event_id: "first" });
    await send({ event_id: "second" });
    // One take each: the second was booked for its turn in the step that answered it.
    expect(ops.filter((op) => op === "take")).toHaveLength(2);
    const [first, second] = arrivals;
    // Its turn: a window after the first call's answer, which the server gave before the client saw it.
    expect(second!.at).toBeGreaterThanOrEqual(first!.answeredAt! + WINDOW_MS - 1);

    // A turn booked far ahead, to cancel: a client of its own with a long window.
    const LONG = 60_000;
    const token = "tok_booked_far_ahead";
    const far = aWrite(
      new Propexo({ token, baseUrl: fake.url, validate: false, logLevel: "off", rateLimit: sharedRateLimit({ redis: watched, secret: SECRET, requestsPerMinute: 1, windowMs: LONG, reserveAheadMs: LONG }) }),
    ).send;
    await far({ event_id: "far-first" });
    const key = `propexo:rate-limit:${budgetName(SECRET, token)}`;
    const held = async () =>
      (await redis.eval(
        `local out = {}
         for _, t in ipairs(cmsgpack.unpack(redis.call('GET', KEYS[1])).sent) do out[#out + 1] = { t[1], string.format('%.17g', t[2]), tostring(t[3]) } end
         return out`,
        { keys: [key], arguments: [] },
      )) as [string, string, string][];
    const controller = new AbortController();
    const third = far({ event_id: "third" }, { signal: controller.signal }).catch((e: unknown) => e);
    let booked: [string, string, string] | undefined;
    while (!(booked = (await held()).find(([, , settled]) => settled === "0"))) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect(await third).toBeInstanceOf(AbortError);
    // Never sent, yet settled at its booked time: it holds the budget as a call sent then would.
    while (ops.filter((op) => op === "finish").length < 4) await new Promise((r) => setTimeout(r, 5));
    expect(arrivals.map((a) => a.event)).toEqual(["first", "second", "far-first"]);
    expect((await held()).find(([id]) => id === booked![0])).toEqual([booked![0], booked![1], "1"]);
  });
});

describe("a worker that dies in the middle of its calls", () => {
  let workers: Worker[] = [];
  afterEach(async () => {
    await stopFleet(workers);
    workers = [];
  });

  it("holds the budget no longer than a window after each call's send, and is forgotten after the in-flight bound", async (ctx) => {
    requireRedis(ctx);
    const limit = 10;
    const fake = await startPolicyServer({ limit, windowMs: WINDOW_MS });
    cleanups.push(fake.close);
    fake.withheld.add("7"); // its calls reach the server and are never answered
    const token = "tok_dead_worker";
    workers = await startFleet([
      { worker: 7, api: fake.url, token, calls: limit, limit, windowMs: WINDOW_MS, redisUrl: tier.url(), secret: SECRET, stepTimeoutMs: 2000 },
    ]);
    while (fake.arrivals.length < limit) await new Promise((r) => setTimeout(r, 20));
    workers[0]!.child.kill("SIGKILL");
    await workers[0]!.done;

    const key = `propexo:rate-limit:${budgetName(SECRET, token)}`;
    const c = { windowMs: WINDOW_MS, inFlightMs: WINDOW_MS, pid: "test", requestsPerMinute: limit };
    const step = async (op: string, now: number, args: string[]) =>
      (await redis.eval(PACER_SCRIPT, { keys: [key], arguments: stepArguments(op, now, c, args) })) as string[];
    const sent = (await redis.eval(
      `local s = cmsgpack.unpack(redis.call('GET', KEYS[1])); local out = {}
       for _, t in ipairs(s.sent) do out[#out + 1] = string.format('%.17g', t[2]); out[#out + 1] = tostring(t[3]) end
       return out`,
      { keys: [key], arguments: [] },
    )) as string[];
    const times = sent.filter((_, i) => i % 2 === 0).map(num);
    // Ten calls, in flight (unsettled) since their send: the whole budget.
    expect(sent.filter((_, i) => i % 2 === 1)).toEqual(Array(limit).fill("0"));
    const first = Math.min(...times);
    const last = Math.max(...times);
    // Just before the first of them is a window old, the budget is still spent...
    expect((await step("take", first + WINDOW_MS - 1, ["", "", "probe-1"]))[0]).toBe("0");
    // ...and once the last is, all of it is free: no call holds it longer than a window past its send.
    expect((await step("take", last + WINDOW_MS, ["", "", "probe-2"]))[0]).toBe("1");
    // After the in-flight bound the dead calls are no longer kept at all.
    const after = await step("probe", last + WINDOW_MS + WINDOW_MS + 1, []);
    expect(after[4]).toBe("1"); // only probe-2 left
  });
});

// The shared pacer's script and the local pacer (RateLimiter) agree: fed the same steps at the
// same times, on a real redis-server, they give the same answer every time (send now, or the same
// wait to the millisecond), learn the same limit, and hold the same log (every call's counting
// start and whether it settled). The script takes the test's clock instead of Redis's TIME here;
// that is the only difference from use, and the skew test in fleet.test.ts covers TIME.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimiter, type Ticket } from "../../src/core/rate-limit.js";
import { PACER_SCRIPT, facts, num, stepArguments, type StepContext } from "../../src/redis/script.js";
import { HAVE_REDIS, connect, requireRedis, startRedis, type RedisServer } from "./kit.js";

let server: RedisServer | undefined;
let redis: Awaited<ReturnType<typeof connect>>;
beforeAll(async () => {
  if (!HAVE_REDIS) return;
  server = await startRedis();
  redis = await connect(server.url);
});
afterAll(async () => {
  await redis?.close();
  await server?.stop();
});

// The script's state, read back for comparison: limit, then (id, at, settled) per call in order.
const DUMP = `
local blob = redis.call('GET', KEYS[1])
if not blob then return {} end
local s = cmsgpack.unpack(blob)
local out = { string.format('%.17g', s.limit) }
for _, t in ipairs(s.sent) do
  out[#out + 1] = t[1]; out[#out + 1] = string.format('%.17g', t[2]); out[#out + 1] = tostring(t[3])
end
return out`;

// Headers as an API (or a hostile one) might send them.
const limitHeader = fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 60 }).map(String), fc.constantFrom("0", "-3", "10.7", "abc", "Infinity", ""));
const remainingHeader = fc.oneof(fc.constant(undefined), fc.integer({ min: -3, max: 60 }).map(String), fc.constantFrom("12.9", "", "x", " 4 ", "1e1"));
const response = fc.record({
  limit: limitHeader,
  remaining: remainingHeader,
  status: fc.constantFrom(200, 200, 200, 429, 500),
  retryAfterMs: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
});
const gap = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 80, max: 3000 }));
const step = fc.oneof(
  // A step may ask for several waiting calls at once: as many take() at the same instant.
  // And may book a call ahead: `ahead` is also tried on a copy of the state whenever a call must wait.
  {
    arbitrary: fc.record({
      kind: fc.constant("take" as const),
      dt: gap,
      calls: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 8 })),
      ahead: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 100, max: 4000 })),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant("finish" as const), dt: gap, pick: fc.nat(), answer: response }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("observe" as const), dt: gap, answer: response }), weight: 1 },
);

function headersOf(a: { limit: string | undefined; remaining: string | undefined }): Headers {
  const h = new Headers();
  if (a.limit !== undefined) h.set("x-ratelimit-limit", a.limit);
  if (a.remaining !== undefined) h.set("x-ratelimit-remaining", a.remaining);
  return h;
}

let runs = 0;

describe("the shared pacer's script against the local pacer", () => {
  it("give the same answers and keep the same log, step for step", async (ctx) => {
    requireRedis(ctx);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.oneof(fc.constant(1000), fc.constant(60_000), fc.integer({ min: 300, max: 5000 }), fc.double({ min: 300, max: 5000, noNaN: true })),
        fc.array(step, { minLength: 1, maxLength: 60 }),
        async (requestsPerMinute, windowMs, steps) => {
          const key = `agreement:${++runs}`;
          // The dead-call bound stays out of the way: the local pacer has no dead calls.
          const c: StepContext = { windowMs, inFlightMs: 1e15, pid: "p", requestsPerMinute };
          let now = 1_700_000_000_000;
          const local = new RateLimiter({ requestsPerMinute, windowMs }, () => now);
          const tickets: [string, Ticket][] = [];
          const inFlight: [string, Ticket][] = [];
          const script = async (op: string, args: string[], on = key) =>
            (await redis.eval(PACER_SCRIPT, { keys: [on], arguments: stepArguments(op, now, c, args) })) as string[];

          for (const [i, s] of steps.entries()) {
            now += s.dt;
            const where = `step ${i} (${s.kind}) at +${now - 1_700_000_000_000} ms`;
            if (s.kind === "take") {
              const ids = Array.from({ length: s.calls }, (_, k) => `t${i}.${k}`);
              let admitted = 0;
              let wait: number | undefined;
              for (const id of ids) {
                const mine = local.take();
                if (typeof mine !== "object") {
                  wait = mine;
                  break;
                }
                admitted++;
                tickets.push([id, mine]);
                inFlight.push([id, mine]);
              }
              // Booking ahead, tried on a copy when a call must wait: the call is booked for the
              // instant the local pacer names, if that is within `ahead`, and otherwise not at all.
              if (!admitted && (await redis.exists(key))) {
                const copy = `${key}:ahead`;
                await redis.copy(key, copy);
                const booked = await script("take", ["", String(s.ahead), "booked"], copy);
                const held = (await redis.eval(DUMP, { keys: [copy], arguments: [] })) as string[];
                await redis.del(copy);
                if (wait! <= s.ahead) {
                  expect([booked[0], booked[5], num(booked[6])], `${where}: booked ${s.ahead} ahead`).toEqual(["1", "1", wait]);
                  expect(held.slice(-3).map((x, j) => (j === 1 ? num(x) : x)), `${where}: booked`).toEqual(["booked", now + wait!, "0"]);
                } else expect([booked[0], num(booked[1])], `${where}: ${s.ahead} ahead`).toEqual(["0", wait]);
              }
              const theirs = await script("take", ["", s.ahead === 0 ? "" : "0", ...ids]);
              if (admitted) expect([theirs[0], theirs[1], theirs[5], ...theirs.slice(6)], where).toEqual(["1", String(now), String(admitted), ...ids.slice(0, admitted).map(() => "0")]);
              else {
                expect(theirs[0], where).toBe("0");
                expect(num(theirs[1]), where).toBe(wait);
              }
            } else if (s.kind === "finish") {
              if (!inFlight.length) continue;
              const [[id, ticket]] = inFlight.splice(s.pick % inFlight.length, 1) as [[string, Ticket]];
              local.observe(headersOf(s.answer), s.answer.status, s.answer.retryAfterMs, ticket);
              local.settle(ticket);
              await script("finish", [id, ...facts(headersOf(s.answer), s.answer.status, s.answer.retryAfterMs), "", ""]);
            } else {
              local.observe(headersOf(s.answer), s.answer.status, s.answer.retryAfterMs);
              await script("observe", facts(headersOf(s.answer), s.answer.status, s.answer.retryAfterMs));
            }
            // The whole state, compared: the limit, and each call the script still holds.
            const dump = (await redis.eval(DUMP, { keys: [key], arguments: [] })) as string[];
            expect(num(dump[0]), `${where}: limit`).toBe(local.limit);
            const held = new Map(tickets);
            for (let j = 1; j < dump.length; j += 3) {
              const ticket = held.get(dump[j]!);
              expect(ticket, `${where}: ${dump[j]} is one of the calls`).toBeDefined();
              expect([num(dump[j + 1]), dump[j + 2] === "1"], `${where}: ${dump[j]}`).toEqual([ticket!.at, ticket!.settled === true]);
            }
          }
          await redis.del(key);
        },
      ),
      { numRuns: 80 },
    );
  });
});

// The pacer, on a fake clock: never more than the limit in any window, past 80% of it only when a
// slowed answer beats waiting, queued calls released in order.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError } from "../../src/index.js";
import { RateLimiter, type Ticket } from "../../src/core/rate-limit.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Start times of `n` acquires made at once. */
async function startTimes(limiter: RateLimiter, n: number): Promise<number[]> {
  const t0 = Date.now();
  const times: number[] = [];
  const all = Promise.all(Array.from({ length: n }, () => limiter.acquire().then(() => void times.push(Date.now() - t0))));
  await vi.runAllTimersAsync();
  await all;
  return times;
}

const maxInAnyWindow = (times: number[], windowMs: number) =>
  Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

describe("RateLimiter", () => {
  it("lets calls within the budget through at once", async () => {
    const times = await startTimes(new RateLimiter({ requestsPerMinute: 150 }), 120);
    expect(times.every((t) => t === 0)).toBe(true);
  });

  it("never lets more than the limit into any 60-second window, and uses all of it for a backlog", async () => {
    const times = await startTimes(new RateLimiter({ requestsPerMinute: 150 }), 400);
    expect(maxInAnyWindow(times, 60_000)).toBeLessThanOrEqual(150);
    // 400 calls take two windows and a bit: batches of 150 at 0 s and 60 s, the last 100 at 120 s.
    // Staying under 80% (120 a window) would have taken until 180 s.
    expect(times.at(-1)!).toBe(120_000);
  });

  it("sends a backlog past the 80% line at once, since waiting a window is longer than the slowdown", async () => {
    const times = await startTimes(new RateLimiter({ requestsPerMinute: 150 }), 250);
    expect(times.filter((t) => t === 0)).toHaveLength(150);
    expect(times.filter((t) => t === 60_000)).toHaveLength(100);
  });

  // One call 0 s in, 7 more at `later`: the unslowed budget (8 of 10) is full until the first call
  // is a window old. The 9th can go at once, slowed by 2 s, or wait for the 80% line.
  it.each([
    ["waits for the 80% line when it is closer than the slowdown (2 s of a 60 s window)", 59_000, 1000],
    ["goes past the 80% line when that line is further away than the slowdown", 57_000, 0],
  ])("%s", async (_title, later, expected) => {
    const limiter = new RateLimiter({ requestsPerMinute: 10, windowMs: 60_000 });
    const first = await limiter.acquire();
    limiter.settle(first);
    await vi.advanceTimersByTimeAsync(later);
    await Promise.all(Array.from({ length: 7 }, () => limiter.acquire()));
    const t0 = Date.now();
    let at = -1;
    const ninth = limiter.acquire().then(() => void (at = Date.now() - t0));
    await vi.runAllTimersAsync();
    await ninth;
    expect(at).toBe(expected);
  });

  it("counts a call until a window after its answer, since the server may count it on arrival", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 10, windowMs: 1000 });
    const tickets = await Promise.all(Array.from({ length: 10 }, () => limiter.acquire()));
    await vi.advanceTimersByTimeAsync(500);
    for (const t of tickets) limiter.settle(t);
    const t0 = Date.now();
    let at = -1;
    const next = limiter.acquire().then(() => void (at = Date.now() - t0));
    await vi.runAllTimersAsync();
    await next;
    expect(at).toBe(1000);
  });

  it("counts an answer the API held back (usage past 80%) from a slowdown before it came", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 10, windowMs: 3000 }); // slowdown: 100 ms
    const start = Date.now();
    const tickets = await Promise.all(Array.from({ length: 10 }, () => limiter.acquire()));
    const answer = (from: number, to: number) =>
      tickets.slice(from, to).forEach((t, i) => {
        const remaining = String(10 - (from + i + 1));
        limiter.observe(new Headers({ "x-ratelimit-limit": "10", "x-ratelimit-remaining": remaining }), 200, undefined, t);
        limiter.settle(t);
      });
    await vi.advanceTimersByTimeAsync(500);
    answer(0, 8);
    // The ninth and tenth took usage past 8 of 10, so the API held their answers back.
    await vi.advanceTimersByTimeAsync(150);
    answer(8, 10);
    expect(tickets.map((t) => t.at - start)).toEqual([...Array(8).fill(500), 550, 550]);
    // Next window: 6 once the first answers are a window old (500 + 3000), with the held-back
    // two still counted; the other 4 once those are a window old too: 550 + 3000, not 650 + 3000.
    const times = (await startTimes(limiter, 10)).map((t) => t + 650);
    expect(times).toEqual([...Array(6).fill(3500), ...Array(4).fill(3550)]);
  });

  it("keeps to the limit when calls trickle in, not only in bursts", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 10, windowMs: 1000 });
    const times: number[] = [];
    const t0 = Date.now();
    const all: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      all.push(limiter.acquire().then(() => void times.push(Date.now() - t0)));
      await vi.advanceTimersByTimeAsync(70);
    }
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(10);
  });

  it("adopts the limit the API reports in x-ratelimit-limit", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    limiter.observe(new Headers({ "x-ratelimit-limit": "60", "x-ratelimit-remaining": "59" }), 200);
    expect(limiter.limit).toBe(60);
    const times = await startTimes(limiter, 100);
    // The one call the headers report, made before this client's, leaves room for 59.
    expect(maxInAnyWindow(times, 60_000)).toBe(59);
  });

  it("leaves room for the calls others made with the same token (x-ratelimit-remaining)", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    limiter.observe(new Headers({ "x-ratelimit-limit": "150", "x-ratelimit-remaining": "20" }), 200);
    const times = await startTimes(limiter, 25);
    // 130 calls of others' are in the window: 20 more fit now, the rest wait for it to pass.
    expect(times.filter((t) => t === 0)).toHaveLength(20);
    expect(Math.min(...times.filter((t) => t > 0))).toBe(60_000);
  });

  it("reads x-ratelimit-remaining as a whole number, so a fraction cannot stall the queue", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    limiter.observe(new Headers({ "x-ratelimit-limit": "150", "x-ratelimit-remaining": "20.5" }), 200);
    const times = await startTimes(limiter, 25);
    expect(times.filter((t) => t === 0)).toHaveLength(20);
    expect(Math.min(...times.filter((t) => t > 0))).toBe(60_000);
  });

  it("answers synchronously with take(): a ticket now, or the wait before asking again", () => {
    let now = 1000;
    const limiter = new RateLimiter({ requestsPerMinute: 2, windowMs: 1000 }, () => now);
    const first = limiter.take();
    expect(first).toEqual({ at: 1000 });
    expect(limiter.take()).toEqual({ at: 1000 });
    // Two in flight: the third waits for the first to be a window old (in flight, counted from its send).
    expect(limiter.take()).toBe(1000);
    now = 1400;
    limiter.settle(first as Ticket);
    // Settled at 1400, the first now counts until 2400; the second, still in flight, until 2000,
    // when a slot below the limit opens (the 80% line, 1 of 2, is further off than the slowdown).
    expect(limiter.take()).toBe(600);
  });

  it("pauses when x-ratelimit-remaining reaches 0", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    limiter.observe(new Headers({ "x-ratelimit-limit": "150", "x-ratelimit-remaining": "0" }), 200);
    const times = await startTimes(limiter, 1);
    expect(times[0]).toBe(60_000);
  });

  it("pauses after a 429 for Retry-After", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    limiter.observe(new Headers(), 429, 5000);
    const times = await startTimes(limiter, 1);
    expect(times[0]).toBeGreaterThanOrEqual(5000);
  });

  it.each([
    [60_000, 15_000],
    [1000, 250],
  ])("pauses after a 429 without Retry-After for a quarter of the %i ms window", async (windowMs, pause) => {
    const limiter = new RateLimiter({ requestsPerMinute: 150, windowMs });
    limiter.observe(new Headers(), 429);
    const times = await startTimes(limiter, 1);
    expect(times[0]).toBe(pause);
  });

  it("keeps pausing while the API keeps reporting the budget spent: a window from the latest report", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 10 });
    const spent = new Headers({ "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0" });
    limiter.observe(spent, 200);
    await vi.advanceTimersByTimeAsync(30_000);
    limiter.observe(spent, 200);
    const times = await startTimes(limiter, 1);
    expect(times[0]).toBe(60_000);
  });

  it("pauses a spent budget until a window after this client's oldest call, however late the report", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 10 });
    const spent = new Headers({ "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0" });
    await limiter.acquire();
    limiter.observe(spent, 200);
    await vi.advanceTimersByTimeAsync(30_000);
    limiter.observe(spent, 200);
    const times = await startTimes(limiter, 1);
    // The call sent at 0 s opens the budget again at 60 s, 30 s from now.
    expect(times[0]).toBe(30_000);
  });

  it("reads a response without rate-limit headers as telling nothing: the limit stays and no budget is spent", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    const ticket = await limiter.acquire();
    limiter.observe(new Headers(), 200, undefined, ticket);
    limiter.settle(ticket);
    limiter.observe(new Headers({ "x-ratelimit-limit": "", "x-ratelimit-remaining": "none" }), 200);
    expect(limiter.limit).toBe(150);
    const times = await startTimes(limiter, 200);
    expect(times.filter((t) => t === 0)).toHaveLength(149);
    expect(maxInAnyWindow([0, ...times], 60_000)).toBeLessThanOrEqual(150);
  });

  it.each(["0", "-5", "Infinity"])("keeps its limit when x-ratelimit-limit is %j", async (value) => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    limiter.observe(new Headers({ "x-ratelimit-limit": value }), 200);
    expect(limiter.limit).toBe(150);
  });

  it("adopts a fractional limit as the whole number below it", () => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    limiter.observe(new Headers({ "x-ratelimit-limit": "60.9" }), 200);
    expect(limiter.limit).toBe(60);
    expect(new RateLimiter({ requestsPerMinute: 0.5 }).limit).toBe(1);
    expect(new RateLimiter().limit).toBe(150);
  });

  it.each([120_000, 999_999_999_999_000, Date.parse("9999-12-31T23:59:59Z")])(
    "pauses after a 429 asking for %i ms for no longer than the longest Retry-After the client honours (60 s)",
    async (retryAfterMs) => {
      const limiter = new RateLimiter({ requestsPerMinute: 150 });
      limiter.observe(new Headers(), 429, retryAfterMs);
      const times = await startTimes(limiter, 1);
      expect(times[0]).toBe(60_000);
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  it("gives up a queued call when its signal fires, without holding up the rest", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 15 });
    limiter.observe(new Headers(), 429, 10_000);
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal).catch((e: unknown) => e);
    const next = limiter.acquire();
    controller.abort();
    expect(await aborted).toBeInstanceOf(AbortError);
    await vi.runAllTimersAsync();
    await next;
    expect(vi.getTimerCount()).toBe(0);
  });
});

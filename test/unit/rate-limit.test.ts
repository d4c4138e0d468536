// The pacer, on a fake clock: bursts a little, then spreads calls to stay under 80% of the limit.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError } from "../../src/index.js";
import { RateLimiter } from "../../src/core/rate-limit.js";

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
  const all = Promise.all(Array.from({ length: n }, () => limiter.acquire().then(() => times.push(Date.now() - t0))));
  await vi.runAllTimersAsync();
  await all;
  return times;
}

const maxInAnyWindow = (times: number[], windowMs: number) =>
  Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

describe("RateLimiter", () => {
  it("lets a small burst through at once", async () => {
    const times = await startTimes(new RateLimiter({ requestsPerMinute: 150 }), 12);
    expect(times.every((t) => t === 0)).toBe(true);
  });

  it("never lets more than 80% of the limit into any 60-second window", async () => {
    const times = await startTimes(new RateLimiter({ requestsPerMinute: 150 }), 400);
    expect(maxInAnyWindow(times, 60_000)).toBeLessThanOrEqual(120);
    // ...while using most of that budget: 400 calls in little more than 400/120 minutes.
    expect(times.at(-1)!).toBeLessThan((400 / 108) * 60_000 + 1000);
  });

  it("spreads calls evenly after the burst instead of sending them in clumps", async () => {
    const times = await startTimes(new RateLimiter({ requestsPerMinute: 150 }), 40);
    const gaps = times.slice(13).map((t, i) => t - times[12 + i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThan(400);
  });

  it("adopts the limit the API reports in x-ratelimit-limit", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    limiter.observe(new Headers({ "x-ratelimit-limit": "60", "x-ratelimit-remaining": "59" }), 200);
    expect(limiter.limit).toBe(60);
    const times = await startTimes(limiter, 100);
    expect(maxInAnyWindow(times, 60_000)).toBeLessThanOrEqual(48);
  });

  it("stops bursting when x-ratelimit-remaining shows usage past the slow-down line", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    limiter.observe(new Headers({ "x-ratelimit-limit": "150", "x-ratelimit-remaining": "20" }), 200);
    const times = await startTimes(limiter, 3);
    expect(times[0]).toBeGreaterThan(0);
  });

  it("pauses after a 429 for Retry-After", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 150 });
    limiter.observe(new Headers(), 429, 5000);
    const times = await startTimes(limiter, 1);
    expect(times[0]).toBeGreaterThanOrEqual(5000);
  });

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

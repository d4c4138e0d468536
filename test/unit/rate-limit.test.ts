// The pacer, on a fake clock: never more than 80% of the limit in any window, queued calls released in order.
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

  it("never lets more than 80% of the limit into any 60-second window", async () => {
    const times = await startTimes(new RateLimiter({ requestsPerMinute: 150 }), 400);
    expect(maxInAnyWindow(times, 60_000)).toBeLessThanOrEqual(120);
    // ...while using all of that budget: 400 calls take 3 windows, the fourth batch at 180 s.
    expect(times.at(-1)!).toBe(180_000);
  });

  it("holds calls beyond the budget and sends each as an earlier one leaves the window", async () => {
    const times = await startTimes(new RateLimiter({ requestsPerMinute: 150 }), 250);
    expect(times.filter((t) => t === 0)).toHaveLength(120);
    expect(times.filter((t) => t === 60_000)).toHaveLength(120);
    expect(times.filter((t) => t === 120_000)).toHaveLength(10);
  });

  it("counts a call until a window after its answer, since the server may count it on arrival", async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 10, windowMs: 1000 });
    const tickets = await Promise.all(Array.from({ length: 8 }, () => limiter.acquire()));
    await vi.advanceTimersByTimeAsync(500);
    for (const t of tickets) limiter.settle(t);
    const t0 = Date.now();
    let at = -1;
    const next = limiter.acquire().then(() => void (at = Date.now() - t0));
    await vi.runAllTimersAsync();
    await next;
    expect(at).toBe(1000);
  });

  it("keeps to the budget when calls trickle in, not only in bursts", async () => {
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
    expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(8);
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

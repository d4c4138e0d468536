// The waits under every retry, pacing turn and write poll: they end when their signal fires, with
// the caller's reason, and leave no timer and no listener on a signal that outlives them (a
// long-lived signal shared by many calls would otherwise gather one per call).
import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { abortReason, sleep, timerDelay, untilAborted } from "../../src/core/sleep.js";
import { AbortError } from "../../src/index.js";

const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("timerDelay", () => {
  it.each([
    [250, 250],
    [0, 0],
    [-5, 0],
    [NaN, 0],
    [-Infinity, 0],
    [2 ** 31 - 1, 2 ** 31 - 1],
    [2 ** 31, 2 ** 31 - 1],
    [Infinity, 2 ** 31 - 1],
  ])("makes %d ms a delay a timer can hold: %d", (ms, delay) => {
    expect(timerDelay(ms)).toBe(delay);
  });
});

describe("sleep", () => {
  it("resolves after the delay and removes its listener", async () => {
    const signal = new AbortController().signal;
    let done = false;
    const p = sleep(1000, signal).then(() => void (done = true));
    expect(listeners(signal)).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
    expect(listeners(signal)).toBe(0);
  });

  it("rejects at once, without a timer, for a signal that has already fired", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const err = await sleep(60_000, controller.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).cause).toEqual(new Error("stop"));
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners(controller.signal)).toBe(0);
  });

  it("rejects as soon as the signal fires, and clears its timer", async () => {
    const controller = new AbortController();
    const p = sleep(60_000, controller.signal).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await p).toBeInstanceOf(AbortError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("waits the longest delay a timer holds for a delay beyond it, rather than firing at once", async () => {
    let done = false;
    void sleep(2 ** 40).then(() => void (done = true));
    await vi.advanceTimersByTimeAsync(2 ** 31 - 2);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });
});

describe("abortReason", () => {
  it("is the caller's own AbortError when the signal fired with one", () => {
    const own = new AbortError("shutting down");
    expect(abortReason(AbortSignal.abort(own))).toBe(own);
  });

  it("is an AbortError carrying any other reason as its cause", () => {
    const reason = new DOMException("gone", "AbortError");
    const err = abortReason(AbortSignal.abort(reason));
    expect(err).toBeInstanceOf(AbortError);
    expect(err.message).toBe("the request was aborted");
    expect(err.cause).toBe(reason);
  });
});

describe("untilAborted", () => {
  const never = () => {
    throw new Error("onLate must not be called");
  };

  it("resolves with the value when the signal does not fire, and removes its listener", async () => {
    const signal = new AbortController().signal;
    expect(await untilAborted(Promise.resolve(7), signal, never)).toBe(7);
    expect(listeners(signal)).toBe(0);
  });

  it("rejects with the promise's error, and removes its listener", async () => {
    const signal = new AbortController().signal;
    await expect(untilAborted(Promise.reject(new Error("no")), signal, never)).rejects.toThrow("no");
    expect(listeners(signal)).toBe(0);
  });

  it("rejects at once for a signal that has already fired, and hands back the value that comes later", async () => {
    const late: number[] = [];
    let deliver!: (n: number) => void;
    const value = new Promise<number>((resolve) => (deliver = resolve));
    const controller = new AbortController();
    controller.abort();
    const err = await untilAborted(value, controller.signal, (n) => late.push(n)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    deliver(3);
    await value;
    await Promise.resolve();
    expect(late).toEqual([3]);
  });

  it("rejects when the signal fires first, and hands back the value that comes after", async () => {
    const late: number[] = [];
    let deliver!: (n: number) => void;
    const value = new Promise<number>((resolve) => (deliver = resolve));
    const controller = new AbortController();
    const p = untilAborted(value, controller.signal, (n) => late.push(n)).catch((e: unknown) => e);
    controller.abort();
    expect(await p).toBeInstanceOf(AbortError);
    expect(late).toEqual([]);
    deliver(5);
    await value;
    await Promise.resolve();
    expect(late).toEqual([5]);
    expect(listeners(controller.signal)).toBe(0);
  });
});

// Retry policy and timing as pure functions, and the retry mechanics with fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, classifyNetworkError, parseRetryAfter, retryPolicy, shouldRetry } from "../../src/core/retry.js";
import { ConnectionError, InternalServerError, Propexo, RateLimitError } from "../../src/index.js";

describe("shouldRetry", () => {
  it.each([
    ["GET", { kind: "status", status: 503 }, true],
    ["PUT", { kind: "status", status: 500 }, true],
    ["PUT", { kind: "status", status: 408 }, true],
    ["GET", { kind: "status", status: 400 }, false],
    ["GET", { kind: "status", status: 404 }, false],
    ["POST", { kind: "status", status: 503 }, false],
    ["POST", { kind: "status", status: 408 }, false],
    ["POST", { kind: "status", status: 429 }, true],
    ["POST", { kind: "not-sent" }, true],
    ["POST", { kind: "maybe-sent" }, false],
    ["PUT", { kind: "maybe-sent" }, true],
    ["GET", { kind: "maybe-sent" }, true],
  ] as const)("%s after %j → %s", (method, failure, expected) => {
    expect(shouldRetry(method, failure, 0, 2)).toBe(expected);
  });

  it("stops after maxRetries", () => {
    expect(shouldRetry("GET", { kind: "status", status: 503 }, 1, 2)).toBe(true);
    expect(shouldRetry("GET", { kind: "status", status: 503 }, 2, 2)).toBe(false);
    expect(shouldRetry("GET", { kind: "not-sent" }, 0, 0)).toBe(false);
  });
});

describe("backoffDelay", () => {
  it("grows exponentially from the base and is capped", () => {
    expect(backoffDelay(0, () => 1)).toBe(retryPolicy.baseDelayMs);
    expect(backoffDelay(1, () => 1)).toBe(retryPolicy.baseDelayMs * 2);
    expect(backoffDelay(2, () => 1)).toBe(retryPolicy.baseDelayMs * 4);
    expect(backoffDelay(20, () => 1)).toBe(retryPolicy.maxDelayMs);
  });
  it("is jittered over [0, ceiling]", () => {
    expect(backoffDelay(3, () => 0)).toBe(0);
    expect(backoffDelay(3, () => 0.5)).toBe(retryPolicy.baseDelayMs * 4);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2024-07-20T10:00:00Z");
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
  });
  it("reads an HTTP date", () => {
    expect(parseRetryAfter("Sat, 20 Jul 2024 10:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Sat, 20 Jul 2024 09:00:00 GMT", now)).toBe(0);
  });
  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-3", now)).toBeUndefined();
  });
  it.each(["3s", "x3", "3.", ".5", "1.5.2", "3 4", "", "Sat, 32 Jul 2024 10:00:05 GMT"])("reads %j as absent, not as a number of seconds", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
  it("reads delay-seconds of several digits, and fractions of several", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("0.25", now)).toBe(250);
  });
  it("measures an HTTP date from the current time by default", () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const ms = parseRetryAfter(inTenSeconds)!;
    // toUTCString drops the milliseconds, so the date is up to a second closer.
    expect(ms).toBeGreaterThan(8_000);
    expect(ms).toBeLessThanOrEqual(10_000);
  });
});

describe("classifyNetworkError", () => {
  const failed = (cause: unknown) => Object.assign(new TypeError("fetch failed"), { cause });

  it.each(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"])(
    "counts %s, a connection never made, as not sent",
    (code) => {
      expect(classifyNetworkError(failed({ code }))).toEqual({ kind: "not-sent", code });
    },
  );

  it.each(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ETIMEDOUT"])("counts %s as possibly sent", (code) => {
    expect(classifyNetworkError(failed({ code }))).toEqual({ kind: "maybe-sent", code });
  });

  it("finds the code on the error itself or deep in its cause chain", () => {
    expect(classifyNetworkError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }))).toEqual({ kind: "not-sent", code: "ECONNREFUSED" });
    const deep = failed({ cause: { cause: { cause: { code: "ENOTFOUND" } } } });
    expect(classifyNetworkError(deep)).toEqual({ kind: "not-sent", code: "ENOTFOUND" });
  });

  it("takes the first code along the chain", () => {
    expect(classifyNetworkError(failed({ code: "ECONNRESET", cause: { code: "ECONNREFUSED" } }))).toEqual({ kind: "maybe-sent", code: "ECONNRESET" });
  });

  it("counts a failure with no code anywhere (what browsers give) as possibly sent", () => {
    expect(classifyNetworkError(new TypeError("Failed to fetch"))).toEqual({ kind: "maybe-sent", code: undefined });
    expect(classifyNetworkError(failed({ code: 61, cause: { errno: -61 } }))).toEqual({ kind: "maybe-sent", code: undefined });
    expect(classifyNetworkError(undefined)).toEqual({ kind: "maybe-sent", code: undefined });
  });

  it("ends on a cyclic cause chain", () => {
    const a: { cause?: unknown } = {};
    const b = { cause: a };
    a.cause = b;
    expect(classifyNetworkError(failed(a))).toEqual({ kind: "maybe-sent", code: undefined });
  });
});

describe("retry mechanics (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const ok = () => new Response(JSON.stringify({ write_status: "SUCCESS", errors: [], created_record_id: null }), { status: 200 });
  const status = (s: number, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify({ error: { code: "x", message: "x" } }), { status: s, headers });

  function clientWith(responses: (() => Response | Promise<Response>)[], maxRetries = 2) {
    const times: number[] = [];
    let i = 0;
    const fetch = vi.fn(async () => {
      times.push(Date.now());
      const next = responses[Math.min(i++, responses.length - 1)]!;
      return next();
    });
    return { propexo: new Propexo({ token: "tok_abcdef", fetch, rateLimit: false, logLevel: "off", maxRetries }), fetch, times };
  }

  it("retries a GET after 503 with exponential backoff, then succeeds", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1);
    const { propexo, fetch, times } = clientWith([() => status(503), () => status(503), ok]);
    const p = propexo.writes.status("job");
    await vi.runAllTimersAsync();
    await expect(p).resolves.toMatchObject({ write_status: "SUCCESS" });
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(times[1]! - times[0]!).toBe(retryPolicy.baseDelayMs);
    expect(times[2]! - times[1]!).toBe(retryPolicy.baseDelayMs * 2);
  });

  it("gives up after maxRetries with the last error", async () => {
    const { propexo, fetch } = clientWith([() => status(502)], 2);
    const p = propexo.writes.status("job").catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await p).toBeInstanceOf(InternalServerError);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it("honours Retry-After in seconds and as an HTTP date", async () => {
    const date = new Date(Date.now() + 7000).toUTCString();
    const { propexo, times } = clientWith([() => status(429, { "retry-after": "3" }), () => status(429, { "retry-after": date }), ok]);
    const p = propexo.writes.status("job");
    await vi.runAllTimersAsync();
    await p;
    expect(times[1]! - times[0]!).toBe(3000);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(3000);
    expect(times[2]! - times[1]!).toBeLessThanOrEqual(4000);
  });

  it("does not wait for a Retry-After beyond the cap", async () => {
    const { propexo, fetch } = clientWith([() => status(429, { "retry-after": "3600" }), ok]);
    const p = propexo.writes.status("job").catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await p).toBeInstanceOf(RateLimitError);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("retries a POST on 429 but not on 503", async () => {
    const body = { integration_id: "i", event_id: "e" };
    const on429 = clientWith([() => status(429), () => new Response(JSON.stringify({ meta: { job_id: "j" }, result: body }))]);
    const p1 = on429.propexo.appointments.rentmanager.leads.cancel(body);
    await vi.runAllTimersAsync();
    await expect(p1).resolves.toMatchObject({ jobId: "j" });
    expect(on429.fetch).toHaveBeenCalledTimes(2);

    const on503 = clientWith([() => status(503)]);
    const p2 = on503.propexo.appointments.rentmanager.leads.cancel(body).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await p2).toBeInstanceOf(InternalServerError);
    expect(on503.fetch).toHaveBeenCalledTimes(1);
  });

  it("retries a POST whose connection was refused, but not one reset after sending", async () => {
    const refused = () => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }));
    const reset = () => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } }));
    const body = { integration_id: "i", event_id: "e" };
    const a = clientWith([refused, () => new Response(JSON.stringify({ meta: { job_id: "j" }, result: body }))]);
    const p1 = a.propexo.appointments.rentmanager.leads.cancel(body);
    await vi.runAllTimersAsync();
    await expect(p1).resolves.toMatchObject({ jobId: "j" });

    const b = clientWith([reset]);
    const p2 = b.propexo.appointments.rentmanager.leads.cancel(body).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const err = await p2;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(String((err as Error).message)).toContain("ECONNRESET");
    expect(b.fetch).toHaveBeenCalledTimes(1);
  });

  it("leaves no timer behind after a call", async () => {
    const { propexo } = clientWith([ok]);
    const p = propexo.writes.status("job");
    await vi.runAllTimersAsync();
    await p;
    expect(vi.getTimerCount()).toBe(0);
  });
});

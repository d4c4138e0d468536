// What every call leaves behind, whatever its outcome: each turn taken from the pacer is handed
// back once, no timer keeps running and no listener stays on the caller's signal (a long-lived
// signal shared by many calls would otherwise gather one per call). Also where a call may go (the
// base URLs a token may be sent to), the Request class it is built with, and a wait() cut short.
import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError, ApiError, ConnectionError, NotFoundError, Propexo, PropexoError, TimeoutError, type ClientOptions, type Pacer } from "../../src/index.js";

const TOKEN = "tok_lifecycle_123";
const STATUS = { write_status: "PENDING", errors: [], created_record_id: null };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** A pacer that lets every call go at once and records what the client tells it. */
function recordingPacer() {
  let next = 0;
  const acquired: number[] = [];
  const observed: [number, number | undefined][] = [];
  const settled: unknown[] = [];
  const pacer: Pacer<number> = {
    acquire: async () => {
      acquired.push(++next);
      return next;
    },
    observe: (_headers, status, _retryAfterMs, ticket) => void observed.push([status, ticket]),
    settle: (ticket) => void settled.push(ticket),
  };
  return { factory: () => pacer as Pacer, acquired, observed, settled };
}

function client(fetch: (r: Request) => Promise<Response>, options: Partial<ClientOptions> = {}) {
  return new Propexo({ token: TOKEN, fetch, logLevel: "off", ...options });
}

const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("every call, whatever its outcome", () => {
  const outcomes: [string, () => Promise<Response>, (err: unknown) => void][] = [
    ["an answer", async () => json(200, STATUS), (r) => expect(r).toEqual(STATUS)],
    ["an error status", async () => json(404, { error: { code: "not_found", message: "no job" } }), (e) => expect(e).toBeInstanceOf(NotFoundError)],
    ["an unusable body", async () => new Response("<html>", { status: 200 }), (e) => expect(e).toBeInstanceOf(ApiError)],
    ["a connection failure", () => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } })), (e) => expect(e).toBeInstanceOf(ConnectionError)],
  ];

  it.each(outcomes)("after %s: settles its turn with the pacer, and leaves no timer and no listener", async (_what, answer, check) => {
    const pacer = recordingPacer();
    const signal = new AbortController().signal;
    const propexo = client(answer, { rateLimit: pacer.factory, maxRetries: 0 });
    const result = await propexo.writes.status("job_1", { signal }).then(
      (r) => r,
      (e: unknown) => e,
    );
    check(result);
    expect(pacer.acquired).toEqual([1]);
    expect(pacer.settled).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners(signal)).toBe(0);
  });

  it("tells the pacer each answer with its own turn, and settles each attempt's turn once", async () => {
    const pacer = recordingPacer();
    let n = 0;
    const propexo = client(async () => (++n < 3 ? json(503, { error: { code: "unavailable", message: "busy" } }) : json(200, STATUS)), {
      rateLimit: pacer.factory,
      maxRetries: 2,
    });
    const p = propexo.writes.status("job_1");
    await vi.runAllTimersAsync();
    await expect(p).resolves.toEqual(STATUS);
    expect(pacer.acquired).toEqual([1, 2, 3]);
    expect(pacer.observed).toEqual([
      [503, 1],
      [503, 2],
      [200, 3],
    ]);
    expect(pacer.settled).toEqual([1, 2, 3]);
  });

  it("after its time runs out: a TimeoutError, its turn settled, no timer and no listener", async () => {
    const pacer = recordingPacer();
    const signal = new AbortController().signal;
    const { hang: never } = hangingPolls();
    const propexo = client(never, { rateLimit: pacer.factory, maxRetries: 0, timeoutMs: 1000 });
    const p = propexo.writes.status("job_1", { signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    const err = await p;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toBe("GET /v1/admin/write-status/job_1: no response within 1000 ms");
    expect(pacer.settled).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners(signal)).toBe(0);
  });

  it("when the caller aborts it on the wire: AbortError with the caller's reason, its turn settled, no timer and no listener", async () => {
    const pacer = recordingPacer();
    const controller = new AbortController();
    const { polls: sent, hang } = hangingPolls();
    const propexo = client(hang, { rateLimit: pacer.factory });
    const p = propexo.writes.status("job_1", { signal: controller.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    controller.abort(new Error("user left"));
    const err = (await p) as AbortError;
    expect(err).toBeInstanceOf(AbortError);
    expect(err.cause).toEqual(new Error("user left"));
    expect(pacer.settled).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners(controller.signal)).toBe(0);
  });
});

describe("a fetch that ignores its signal", () => {
  // A custom fetch may never settle and never look at the request's signal: the call still ends.
  const deaf = () => new Promise<Response>(() => {});

  it("still ends at timeoutMs with TimeoutError, its turn settled, no timer and no listener", async () => {
    const pacer = recordingPacer();
    const signal = new AbortController().signal;
    const propexo = client(deaf, { rateLimit: pacer.factory, maxRetries: 0, timeoutMs: 1000 });
    const p = propexo.writes.status("job_1", { signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    const err = await p;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(pacer.settled).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners(signal)).toBe(0);
  });

  it("still ends when the caller aborts, with the caller's reason", async () => {
    const controller = new AbortController();
    const propexo = client(deaf, { rateLimit: false });
    const p = propexo.writes.status("job_1", { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error("user left"));
    const err = (await p) as AbortError;
    expect(err).toBeInstanceOf(AbortError);
    expect(err.cause).toEqual(new Error("user left"));
    expect(listeners(controller.signal)).toBe(0);
  });
});

describe("the Request option", () => {
  it("builds every request with the class given, and hands that to fetch", async () => {
    class TracedRequest extends Request {}
    const seen: Request[] = [];
    const propexo = client(
      async (r) => {
        seen.push(r);
        return json(200, STATUS);
      },
      { Request: TracedRequest, rateLimit: false },
    );
    await propexo.writes.status("job_1");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(TracedRequest);
    expect(seen[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });
});

/**
 * A fetch whose requests never answer and end only when their signal fires. `polls` keeps them,
 * as a real fetch holds a request in flight: a request's signal follows the client's only weakly
 * (Node 24), so one that nothing held could be collected, and its abort listener with it.
 */
function hangingPolls() {
  const polls: Request[] = [];
  const hang = (r: Request) =>
    new Promise<Response>((_, reject) => {
      polls.push(r);
      r.signal.addEventListener("abort", () => reject(r.signal.reason));
    });
  return { polls, hang };
}

describe("wait()", () => {
  it("cut short by its signal, cancels the status poll on the wire at once", async () => {
    const controller = new AbortController();
    const { polls, hang } = hangingPolls();
    const propexo = client(hang, { rateLimit: false });
    const p = propexo.writes.wait("job_1", { signal: controller.signal, initialDelayMs: 10 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(polls).toHaveLength(1);
    controller.abort();
    // No timer is run: the poll ends because its own signal fired, not at its timeout.
    expect(await p).toBeInstanceOf(AbortError);
    expect(polls[0]!.signal.aborted).toBe(true);
    expect(polls).toHaveLength(1);
  });

  it("cut short by its time limit, cancels the status poll on the wire and says how long it waited", async () => {
    const { polls, hang } = hangingPolls();
    const propexo = client(hang, { rateLimit: false });
    const p = propexo.writes.wait("job_1", { timeoutMs: 500, initialDelayMs: 10 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    const err = await p;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toBe("write job job_1 did not settle within 500 ms");
    expect(polls).toHaveLength(1);
    expect(polls[0]!.signal.aborted).toBe(true);
  });
});

describe("base URLs", () => {
  it.each(["http://localhost:4010", "http://LOCALHOST:4010/", "http://[::1]:4010", "http://127.0.0.1:4010", "http://127.255.0.9", "https://api.example.com/base"])(
    "takes %s",
    async (baseUrl) => {
      const seen: string[] = [];
      const propexo = client(
        async (r) => {
          seen.push(r.url);
          return json(200, STATUS);
        },
        { baseUrl, rateLimit: false },
      );
      await propexo.writes.status("job_1");
      expect(seen).toEqual([`${baseUrl.replace(/\/$/, "").toLowerCase()}/v1/admin/write-status/job_1`]);
    },
  );

  it("drops every trailing slash, so paths are joined with one", async () => {
    const seen: string[] = [];
    const propexo = client(
      async (r) => {
        seen.push(r.url);
        return json(200, STATUS);
      },
      { baseUrl: "https://api.example.com/base///", rateLimit: false },
    );
    await propexo.writes.status("job_1");
    expect(seen).toEqual(["https://api.example.com/base/v1/admin/write-status/job_1"]);
  });

  it.each([
    "http://localhost.example.com",
    "http://mylocalhost",
    "http://127.0.0.1.example.com",
    "http://128.0.0.1",
    "http://[::2]",
    "http://[::ffff:8.8.8.8]",
    "ftp://127.0.0.1",
    "http://api.propexo.com",
  ])("refuses %s: plain http is for this machine only", (baseUrl) => {
    let err: unknown;
    try {
      new Propexo({ token: TOKEN, baseUrl });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PropexoError);
    expect((err as Error).message).toBe(`baseUrl must use https (plain http only for loopback addresses), received ${JSON.stringify(baseUrl)}`);
  });

  it("names what is wrong with a baseUrl that is no URL, or carries a query or credentials", () => {
    expect(() => new Propexo({ token: TOKEN, baseUrl: "api.propexo.com" })).toThrow('baseUrl must be an absolute URL, received "api.propexo.com"');
    expect(() => new Propexo({ token: TOKEN, baseUrl: "https://api.example.com/?a=1" })).toThrow(
      'baseUrl must not contain "?" or "#" (every call\'s path is appended to it), received "https://api.example.com/?a=1"',
    );
    expect(() => new Propexo({ token: TOKEN, baseUrl: "https://me:pw@api.example.com" })).toThrow("baseUrl must not contain credentials (value not shown)");
    expect(() => new Propexo({ token: TOKEN, baseUrl: "https://me@api.example.com" })).toThrow("baseUrl must not contain credentials (value not shown)");
    expect(() => new Propexo({ token: TOKEN, baseUrl: "https://:pw@api.example.com" })).toThrow("baseUrl must not contain credentials (value not shown)");
  });
});

// wait() as a caller meets it: every option it refuses is named with the rule, the message and the
// value, before anything is sent; an option left undefined is a default, not an error; a signal is
// judged by its shape; a wait already cancelled sends nothing; and a wait that ends, however it
// ends, leaves no timer and no listener on the caller's signal.
import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError, Propexo, RequestValidationError, type ValidationIssue } from "../../src/index.js";

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const SUCCESS = { write_status: "SUCCESS", errors: [], created_record_id: "rec_1" };

function client(answer: () => Response = () => json(200, SUCCESS)) {
  const fetch = vi.fn(async (_r: Request) => answer());
  const lines: [string, string][] = [];
  const logger = { error: (m: string) => lines.push(["error", m]), warn: (m: string) => lines.push(["warn", m]), info: (m: string) => lines.push(["info", m]), debug: (m: string) => lines.push(["debug", m]) };
  return { propexo: new Propexo({ token: "tok_wait_options", fetch, rateLimit: false, logger, logLevel: "debug" }), fetch, lines };
}

/** The issues wait() refuses `options` with, having sent nothing. */
async function refused(options: unknown): Promise<Pick<ValidationIssue, "path" | "rule" | "message" | "value">[]> {
  const { propexo, fetch } = client();
  const err = await propexo.writes.wait("job_1", options as never).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RequestValidationError);
  expect(fetch).not.toHaveBeenCalled();
  return (err as RequestValidationError).issues.map(({ path, rule, message, value }) => ({ path, rule, message, value }));
}

/** Something shaped like an AbortSignal that is not one (another realm's, say). */
const signalLike = (aborted = false) => ({ aborted, reason: undefined, addEventListener() {}, removeEventListener() {} });

describe("wait() options", () => {
  it.each([null, "fast", 5])("refuses %j as options: it must be an object", async (options) => {
    expect(await refused(options)).toEqual([{ path: "options", rule: "type", message: "must be an object", value: options }]);
  });

  it("names an option wait() does not have, and lists the ones it has", async () => {
    expect(await refused({ timeout: 1000 })).toEqual([
      { path: "options.timeout", rule: "additionalProperties", message: "is not an option of wait() (timeoutMs, signal, initialDelayMs, factor, maxDelayMs, requestOptions)", value: 1000 },
    ]);
  });

  it.each([
    [{ timeoutMs: Number.NaN }, "options.timeoutMs", "range", "must be a positive, finite number of milliseconds"],
    [{ timeoutMs: "5s" }, "options.timeoutMs", "type", "must be a positive, finite number of milliseconds"],
    // A string that reads as a number is still not one.
    [{ timeoutMs: "5000" }, "options.timeoutMs", "type", "must be a positive, finite number of milliseconds"],
    [{ initialDelayMs: -1 }, "options.initialDelayMs", "range", "must be a finite number of milliseconds ≥ 0"],
    [{ factor: 0.5 }, "options.factor", "range", "must be a finite number ≥ 1"],
    [{ maxDelayMs: Infinity }, "options.maxDelayMs", "range", "must be a positive, finite number of milliseconds"],
  ])("refuses %j, naming the option, the rule and the value", async (options, path, rule, message) => {
    expect(await refused(options)).toEqual([{ path, rule, message, value: Object.values(options)[0] }]);
  });

  it.each([{}, { aborted: false }, { aborted: "no", addEventListener() {} }, { aborted: false, addEventListener: true }, "signal", null, Object.assign(() => {}, { aborted: false, addEventListener() {} })])("refuses %j as a signal", async (signal) => {
    expect(await refused({ signal })).toEqual([{ path: "options.signal", rule: "type", message: "must be an AbortSignal", value: signal }]);
  });

  it("refuses a signal among the polls' request options: the wait's own signal stops both", async () => {
    const signal = new AbortController().signal;
    expect(await refused({ requestOptions: { signal } })).toEqual([
      { path: "options.requestOptions.signal", rule: "additionalProperties", message: "is wait()'s own: pass options.signal", value: signal },
    ]);
  });

  it("refuses request options that are no object with a typed error, not a TypeError", async () => {
    const issues = await refused({ requestOptions: null });
    expect(issues.map((i) => i.path)).toEqual(["options.requestOptions"]);
  });

  it("takes an option given as undefined as its default, and a signal by its shape", async () => {
    const { propexo, fetch } = client();
    const options = { timeoutMs: undefined, initialDelayMs: 0, factor: undefined, maxDelayMs: undefined, signal: signalLike(), requestOptions: undefined, other: undefined };
    await expect(propexo.writes.wait("job_1", options as never)).resolves.toEqual(SUCCESS);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe("wait() and its signal", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("already aborted: rejects with the caller's reason and sends nothing", async () => {
    const { propexo, fetch } = client();
    const controller = new AbortController();
    controller.abort(new Error("user left"));
    const err = await propexo.writes.wait("job_1", { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).cause).toEqual(new Error("user left"));
    expect(fetch).not.toHaveBeenCalled();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("settled: leaves no timer and no listener on the caller's signal, and logs each polled state at debug", async () => {
    let polls = 0;
    const { propexo, lines } = client(() => json(200, ++polls < 3 ? { ...SUCCESS, write_status: "PENDING" } : SUCCESS));
    const controller = new AbortController();
    const waited = propexo.writes.wait("job_9", { signal: controller.signal, initialDelayMs: 10, factor: 2 });
    await vi.advanceTimersByTimeAsync(10 + 20 + 40);
    await expect(waited).resolves.toEqual(SUCCESS);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(lines.filter(([, m]) => m.includes("write job job_9:")).map(([level, m]) => [level, m.slice(m.indexOf("write job"))])).toEqual([
      ["debug", "write job job_9: PENDING"],
      ["debug", "write job job_9: PENDING"],
      ["debug", "write job job_9: SUCCESS"],
    ]);
  });
});

// The client's surface beyond the methods: one argument convention checked at run time, derived
// clients (withOptions), defaultHeaders and defaultQuery, fetchOptions passed through, the raw
// response of asResponse(), request options on wait(), PROPEXO_LOG, and what each log level
// prints. An injected fetch and logger stand in for the network and the console; the operations
// are picked from the operation table by their shape.
import { afterEach, describe, expect, it, vi } from "vitest";
import { writeStatusOperation } from "../../generated/operations.js";
import { InternalServerError, NotFoundError, Propexo, PropexoError, RequestValidationError, type ClientOptions, type Pacer } from "../../src/index.js";
import { argsOf, methodOf, minimalInput, responseExamples, specOperations } from "../helpers/contract.js";

const TOKEN = "sk_surface_0123456789abcdef";
const ops = specOperations().filter((o) => o.row.supported);
/** The operations whose one object is the query alone (so an options object there is a query). */
const queryOnly = ops.filter((o) => o.row.body === "none" && o.row.queryParams.length > 0);
/** The operations that take no object at all: options follow the path parameters. */
const noObject = ops.filter((o) => o.row.body === "none" && o.row.queryParams.length === 0);
const list = ops.find((o) => o.row.returns === "page")!;
const item = queryOnly.find((o) => o.row.returns !== "page")!;
const write = ops.find((o) => o.row.returns === "job" && o.row.body === "required")!;
const status = ops.find((o) => o.id === writeStatusOperation)!;
const ok = (o: (typeof ops)[number]) => responseExamples(o.op).find((e) => e.code === "200")!.value;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

interface Sent {
  request: Request;
  url: URL;
  init: unknown;
  args: number;
}

/** A client whose fetch records each request (and its second argument) and answers with `answer`. */
function client(answer: (request: Request, index: number) => Response | Promise<Response>, options: ClientOptions = {}) {
  const sent: Sent[] = [];
  const fetch = vi.fn(async (request: Request, ...rest: unknown[]) => {
    sent.push({ request, url: new URL(request.url), init: rest[0], args: 1 + rest.length });
    return answer(request, sent.length - 1);
  });
  const propexo = new Propexo({ token: TOKEN, fetch, rateLimit: false, logLevel: "off", ...options });
  return { propexo, sent, fetch };
}

/** Calls operation `o` with its minimal valid input and `options`; a list reads its first page. */
function call(propexo: Propexo, o: (typeof ops)[number], options: object = {}, input = minimalInput(o.op)): Promise<unknown> {
  const result = methodOf(propexo, o.row)(...argsOf(o.row, input, options as never));
  return o.row.returns === "page" ? result.firstPage() : result;
}

function recording() {
  const lines: [string, string][] = [];
  const at = (level: string) => (m: string) => void lines.push([level, m]);
  return { lines, logger: { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") } };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe("one argument convention", () => {
  it("finds operations of every argument shape in the spec", () => {
    expect([queryOnly.length, noObject.length, item, list, write, status].every(Boolean)).toBe(true);
  });

  it.each(queryOnly.map((o) => [o.row.placement.join("."), o] as const))(
    "%s: options given in the query's place are refused by name, and nothing is sent",
    async (_name, o) => {
      const { propexo, fetch } = client(() => json(200, ok(o)));
      const signal = new AbortController().signal;
      const args = argsOf(o.row, minimalInput(o.op), {});
      args[o.row.pathParams.length] = { signal, headers: { "x-a": "b" } };
      const result = methodOf(propexo, o.row)(...args.slice(0, -1));
      const err = await (o.row.returns === "page" ? result.firstPage() : result).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RequestValidationError);
      expect((err as RequestValidationError).issues.map((i) => [i.path, i.rule])).toEqual([
        ["query.signal", "additionalProperties"],
        ["query.headers", "additionalProperties"],
      ]);
      expect(fetch).not.toHaveBeenCalled();
    },
  );

  it.each(queryOnly.map((o) => [o.row.placement.join("."), o] as const))("%s: an unknown query key is refused; with validate: false it is sent", async (_name, o) => {
    const input = { ...minimalInput(o.op), query: { ...minimalInput(o.op).query, leadId: "l_1" } };
    const strict = client(() => json(200, ok(o)));
    const err = await call(strict.propexo, o, {}, input).catch((e: unknown) => e);
    expect((err as RequestValidationError).issues).toEqual([expect.objectContaining({ path: "query.leadId", rule: "additionalProperties", value: "l_1" })]);
    expect(strict.fetch).not.toHaveBeenCalled();
    const lax = client(() => json(200, ok(o)), { validate: false });
    await call(lax.propexo, o, {}, input);
    expect(lax.sent[0]!.url.searchParams.get("leadId")).toBe("l_1");
  });

  it.each(noObject.map((o) => [o.row.placement.join("."), o] as const))("%s: a query in the options' place is refused by name", async (_name, o) => {
    const { propexo, fetch } = client(() => json(200, ok(o)));
    const err = await call(propexo, o, { limit: 5, timeoutMs: 1000 }).catch((e: unknown) => e);
    expect((err as RequestValidationError).issues).toEqual([expect.objectContaining({ path: "options.limit", rule: "additionalProperties", value: 5 })]);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("defaultHeaders and defaultQuery", () => {
  it("send the client's headers with every call; a call's own win, and null leaves one out", async () => {
    const { propexo, sent } = client(() => json(200, ok(status)), { defaultHeaders: { "x-tenant": "t1", "x-trace": "default" } });
    await call(propexo, status);
    await call(propexo, status, { headers: { "x-trace": "mine", "x-tenant": null } });
    expect([sent[0]!.request.headers.get("x-tenant"), sent[0]!.request.headers.get("x-trace")]).toEqual(["t1", "default"]);
    expect([sent[1]!.request.headers.get("x-tenant"), sent[1]!.request.headers.get("x-trace")]).toEqual([null, "mine"]);
  });

  it("cannot replace the token's Authorization header", async () => {
    const { propexo, sent } = client(() => json(200, ok(status)), { defaultHeaders: { authorization: "Bearer someone-else" } });
    await call(propexo, status);
    expect(sent[0]!.request.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("send the client's query with every call, under the call's own query, and never refuse it as unknown", async () => {
    const { propexo, sent } = client((r) => json(200, r.method === list.row.method && sent.length === 1 ? ok(list) : ok(status)), {
      defaultQuery: { tenant: "t1", limit: 50 },
    });
    await call(propexo, list, {}, { ...minimalInput(list.op), query: { limit: 5 } });
    await call(propexo, status);
    expect(sent[0]!.url.searchParams.get("tenant")).toBe("t1");
    expect(sent[0]!.url.searchParams.getAll("limit")).toEqual(["5"]);
    // An operation that declares no query parameter still gets the defaults, unrefused.
    expect(status.row.queryParams).toEqual([]);
    expect(sent[1]!.url.searchParams.get("tenant")).toBe("t1");
  });

  it("check a default query value against the spec where the operation declares it", async () => {
    const limit = (list.row.queryParams as readonly string[]).includes("limit") ? "limit" : undefined;
    expect(limit, "the list operation has a limit parameter").toBeDefined();
    const { propexo, fetch } = client(() => json(200, ok(list)), { defaultQuery: { limit: -1 } });
    const err = await call(propexo, list).catch((e: unknown) => e);
    expect((err as RequestValidationError).issues).toEqual([expect.objectContaining({ path: "query.limit", rule: "minimum", value: -1 })]);
    expect(fetch).not.toHaveBeenCalled();
    // A call's own value takes its place.
    await call(propexo, list, {}, { ...minimalInput(list.op), query: { limit: 10 } });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it.each([
    [{ defaultHeaders: { "bad header": "x" } }, /options.defaultHeaders.bad header must be an HTTP field name/],
    [{ defaultHeaders: { "x-a": "line\r\nbreak" } }, /options.defaultHeaders.x-a must be a string of Latin-1/],
    [{ defaultQuery: { when: new Date(0) } }, /options.defaultQuery must be an object of strings, numbers and booleans/],
    [{ defaultQuery: "tenant=t1" }, /options.defaultQuery must be an object/],
  ])("are refused at construction when unusable: %j", (options, message) => {
    expect(() => new Propexo({ token: TOKEN, ...(options as object) })).toThrow(message);
  });
});

describe("fetchOptions", () => {
  it("reach the fetch as its second argument, the call's over the client's, member by member", async () => {
    const { propexo, sent } = client(() => json(200, ok(status)), { fetchOptions: { cache: "no-store", priority: "low" } });
    await call(propexo, status);
    await call(propexo, status, { fetchOptions: { priority: "high", keepalive: true } });
    expect(sent[0]!.init).toEqual({ cache: "no-store", priority: "low" });
    expect(sent[1]!.init).toEqual({ cache: "no-store", priority: "high", keepalive: true });
  });

  it("leave the fetch with one argument when there are none", async () => {
    const { propexo, sent } = client(() => json(200, ok(status)));
    await call(propexo, status);
    expect(sent[0]!.args).toBe(1);
  });

  it.each(["method", "body", "headers", "signal", "redirect"])("refuse %s, which the client sets: at construction, and per call with nothing sent", async (key) => {
    expect(() => new Propexo({ token: TOKEN, fetchOptions: { [key]: "x" } as never })).toThrow(
      new RegExp(`options.fetchOptions.${key} is set by the client and cannot be passed through`),
    );
    const { propexo, fetch } = client(() => json(200, ok(status)));
    const err = await call(propexo, status, { fetchOptions: { [key]: "x" } }).catch((e: unknown) => e);
    expect((err as RequestValidationError).issues).toEqual([expect.objectContaining({ path: `options.fetchOptions.${key}`, rule: "reserved" })]);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("withOptions()", () => {
  /** A pacer factory that records which pacer each call went through. */
  function pacers() {
    const made: { token: string; acquired: number }[] = [];
    const factory = (token: string): Pacer => {
      const pacer = { token, acquired: 0 };
      made.push(pacer);
      return { acquire: async () => void pacer.acquired++, observe: () => {}, settle: () => {} };
    };
    return { made, factory };
  }

  it("derives a client with the overrides over the parent's options, leaving the parent alone", async () => {
    const { propexo, sent } = client(() => json(200, ok(status)), { defaultHeaders: { "x-a": "1" } });
    const child = propexo.withOptions({ defaultHeaders: { "x-b": "2" }, baseUrl: "http://127.0.0.1:9" });
    await call(child, status);
    await call(propexo, status);
    // The child replaced defaultHeaders and baseUrl, and kept the token and the fetch.
    expect(sent[0]!.url.origin).toBe("http://127.0.0.1:9");
    expect([sent[0]!.request.headers.get("x-a"), sent[0]!.request.headers.get("x-b")]).toEqual([null, "2"]);
    expect(sent[0]!.request.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(sent[1]!.url.origin).toBe("https://api.propexo.com");
    expect(sent[1]!.request.headers.get("x-a")).toBe("1");
    expect(child).toBeInstanceOf(Propexo);
  });

  it("shares the parent's pacer, whose budget belongs to the token, until the token or rateLimit changes", async () => {
    const { made, factory } = pacers();
    const { propexo } = client(() => json(200, ok(status)), { rateLimit: factory });
    const same = propexo.withOptions({ maxRetries: 0, defaultHeaders: { "x-a": "1" } });
    await call(propexo, status);
    await call(same, status);
    await call(same.withOptions({ timeoutMs: 5000 }), status);
    expect(made).toEqual([{ token: TOKEN, acquired: 3 }]);

    await call(propexo.withOptions({ token: "sk_other_0123456789" }), status);
    await call(propexo.withOptions({ rateLimit: pacers().factory }), status);
    expect(made.map((p) => [p.token, p.acquired])).toEqual([
      [TOKEN, 3],
      ["sk_other_0123456789", 1],
    ]);
  });

  it("checks the derived options as the constructor does", () => {
    const { propexo } = client(() => json(200, {}));
    expect(() => propexo.withOptions({ timeoutMs: Number.NaN })).toThrow(/options.timeoutMs must be a positive, finite number/);
  });
});

describe("asResponse()", () => {
  it("hands the response over as soon as its headers arrive, with the body unread", async () => {
    let finish!: () => void;
    const text = JSON.stringify(ok(item));
    const { propexo } = client(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(text.slice(0, 5)));
              finish = () => {
                controller.enqueue(new TextEncoder().encode(text.slice(5)));
                controller.close();
              };
            },
          }),
          { status: 200, headers: { "content-type": "application/json", "x-request-id": "req_raw" } },
        ),
      // Smaller than the body: the size limit is the reader's to apply.
      { maxResponseBytes: 4 },
    );
    const pending = methodOf(propexo, item.row)(...argsOf(item.row, minimalInput(item.op), {}).slice(0, -1));
    const response: Response = await pending.asResponse();
    expect(response.bodyUsed).toBe(false);
    expect(response.headers.get("x-request-id")).toBe("req_raw");
    finish();
    expect(await response.text()).toBe(text);
  });

  it("rejects with the typed error of an error status, after the retries", async () => {
    const { propexo, sent } = client((_r, i) => (i < 2 ? json(503, { error: { code: "down", message: "down" } }, { "retry-after": "0" }) : json(404, { error: { code: "nf", message: "gone" } })));
    const err = await methodOf(propexo, item.row)(...argsOf(item.row, minimalInput(item.op), {}).slice(0, -1)).asResponse().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(sent).toHaveLength(3);
  });

  it("settles the pacer's ticket at the headers", async () => {
    const settled: unknown[] = [];
    const pacer: Pacer<number> = { acquire: async () => 7, observe: () => {}, settle: (t) => void settled.push(t) };
    const { propexo } = client(() => json(200, ok(status)), { rateLimit: () => pacer });
    const response = await (methodOf(propexo, status.row)(...argsOf(status.row, minimalInput(status.op), {}).slice(0, -1)) as any).asResponse();
    expect(settled).toEqual([7]);
    expect(response.bodyUsed).toBe(false);
  });

  it("is refused once the call was sent to be parsed, and the parsed result once asResponse() took the body", async () => {
    const { propexo, fetch } = client(() => json(200, ok(status)));
    const send = () => methodOf(propexo, status.row)(...argsOf(status.row, minimalInput(status.op), {}).slice(0, -1));
    const parsed = send();
    await parsed;
    await expect(parsed.asResponse()).rejects.toThrow(/asResponse\(\) comes too late: call it on the method's result at once/);
    const raw = send();
    const response = await raw.asResponse();
    await expect(raw).rejects.toThrow(/asResponse\(\) took this call's body/);
    await expect(raw.withResponse()).rejects.toBeInstanceOf(PropexoError);
    expect(await response.json()).toEqual(ok(status));
    // Each call went out once, whichever way it was read.
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("sends a call nobody awaits, as before", async () => {
    const { propexo, fetch } = client(() => json(200, ok(status)));
    void methodOf(propexo, status.row)(...argsOf(status.row, minimalInput(status.op), {}).slice(0, -1));
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
  });
});

describe("a method's result as a promise", () => {
  const send = (propexo: any) => methodOf(propexo, status.row)(...argsOf(status.row, minimalInput(status.op), {}).slice(0, -1));

  it("finally() runs its callback once the call settles, and passes the result or the error on", async () => {
    const { propexo } = client((_r, i) => (i === 0 ? json(200, ok(status)) : json(404, { error: { code: "nf", message: "gone" } })), { maxRetries: 0 });
    const seen: string[] = [];
    await expect(send(propexo).finally(() => void seen.push("done"))).resolves.toEqual(ok(status));
    await expect(send(propexo).finally(() => void seen.push("failed"))).rejects.toBeInstanceOf(NotFoundError);
    expect(seen).toEqual(["done", "failed"]);
  });

  it("names itself ApiPromise where a value's kind is printed", () => {
    const { propexo } = client(() => json(200, ok(status)));
    const pending = send(propexo);
    expect(Object.prototype.toString.call(pending)).toBe("[object ApiPromise]");
    return pending;
  });
});

describe("request options of wait() and of a list's pages", () => {
  const pending = { write_status: "PENDING", errors: [], created_record_id: null };
  const done = { write_status: "SUCCESS", errors: [], created_record_id: "rec_1" };

  it("wait() applies requestOptions to every status poll, and logs each polled state at debug", async () => {
    vi.useFakeTimers();
    const rec = recording();
    const { propexo, sent } = client((r, i) => (r.method === status.row.method ? json(200, i < 3 ? pending : done) : json(200, ok(write))), {
      logger: rec.logger,
      logLevel: "debug",
    });
    const job: any = await call(propexo, write);
    const waited = job.wait({ requestOptions: { headers: { Prefer: "example=pending" }, fetchOptions: { cache: "no-store" } } });
    await vi.runAllTimersAsync();
    await expect(waited).resolves.toEqual(done);
    const polls = sent.slice(1);
    expect(polls.length).toBe(3);
    for (const poll of polls) {
      expect(poll.request.headers.get("prefer")).toBe("example=pending");
      expect(poll.init).toEqual({ cache: "no-store" });
    }
    const states = rec.lines.filter(([, m]) => m.includes(`write job ${job.jobId}:`)).map(([level, m]) => [level, m.split(": ").at(-1)]);
    expect(states).toEqual([
      ["debug", "PENDING"],
      ["debug", "PENDING"],
      ["debug", "SUCCESS"],
    ]);
  });

  it.each([
    [{ requestOptions: { signal: new AbortController().signal } }, "options.requestOptions.signal"],
    [{ requestOptions: { timeoutMs: 0 } }, "options.requestOptions.timeoutMs"],
    [{ requestOptions: { retries: 2 } }, "options.requestOptions.retries"],
    [{ timeout: 1000 }, "options.timeout"],
  ])("wait() refuses %j by name before polling", async (options, path) => {
    const { propexo, fetch } = client(() => json(200, done));
    const waitAt = status.row.placement.slice(0, -1).reduce((node: any, key) => node[key], propexo).wait;
    const err = await waitAt("job_1", options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestValidationError);
    expect((err as RequestValidationError).issues.map((i) => i.path)).toEqual([path]);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("a list applies the call's options to every page", async () => {
    const page = ok(list) as { meta: Record<string, unknown>; results: unknown[] };
    const { propexo, sent } = client((_r, i) => json(200, { ...page, meta: { ...page.meta, total: undefined, hasMore: i < 2 } }));
    const pager = methodOf(propexo, list.row)(...argsOf(list.row, minimalInput(list.op), { headers: { Prefer: "example=page" }, fetchOptions: { cache: "no-store" } }));
    let pages = 0;
    for await (const _ of pager.pages()) pages++;
    expect(pages).toBe(3);
    expect(sent.map((s) => [s.request.headers.get("prefer"), s.init])).toEqual(Array(3).fill(["example=page", { cache: "no-store" }]));
  });
});

describe("PROPEXO_LOG", () => {
  it("sets the log level when logLevel is not given", async () => {
    vi.stubEnv("PROPEXO_LOG", "debug");
    const rec = recording();
    const fetch = async () => json(200, ok(status));
    await call(new Propexo({ token: TOKEN, fetch, rateLimit: false, logger: rec.logger }), status);
    expect(rec.lines.some(([level]) => level === "debug")).toBe(true);
    // An explicit logLevel wins.
    const quiet = recording();
    await call(new Propexo({ token: TOKEN, fetch, rateLimit: false, logger: quiet.logger, logLevel: "warn" }), status);
    expect(quiet.lines).toEqual([]);
  });

  it("refuses a value that is no level, naming the variable; an explicit logLevel wins over it, and empty means unset", () => {
    vi.stubEnv("PROPEXO_LOG", "verbose");
    expect(() => new Propexo({ token: TOKEN })).toThrow('PROPEXO_LOG (from the environment) must be off, error, warn, info or debug, received "verbose"');
    expect(() => new Propexo({ token: TOKEN, logLevel: "info" })).not.toThrow();
    vi.stubEnv("PROPEXO_LOG", "");
    expect(() => new Propexo({ token: TOKEN })).not.toThrow();
  });
});

describe("log lines", () => {
  const secret = "hdr-secret-value-42";

  /** Two 503s, then the answer: each retry is logged with its reason and delay. */
  async function flaky(logLevel: "warn" | "info" | "debug") {
    const rec = recording();
    const { propexo } = client(
      (_r, i) => (i < 2 ? json(503, { error: { code: "unavailable", message: "try later" } }, { "retry-after": "0", "x-request-id": `req_${i}` }) : json(200, ok(list), { "x-request-id": "req_2" })),
      { logger: rec.logger, logLevel, defaultHeaders: { "x-api-secret": secret } },
    );
    const own = { ...minimalInput(list.op).query, limit: 7 };
    await call(propexo, list, {}, { ...minimalInput(list.op), query: own });
    return rec.lines;
  }

  it("warn (the default): nothing for a call that succeeded after retries", async () => {
    expect(await flaky("warn")).toEqual([]);
  });

  it("info: each retry, with its reason and its delay", async () => {
    const where = `${list.row.method} ${list.row.path}`;
    expect(await flaky("info")).toEqual([
      ["info", `[propexo] ${where}: retry 1 of 2 in 0 ms after status 503`],
      ["info", `[propexo] ${where}: retry 2 of 2 in 0 ms after status 503`],
    ]);
  });

  it("debug: each attempt's method, URL with its query, status, duration and request ID; no token, no header", async () => {
    const lines = await flaky("debug");
    const attempts = lines.filter(([level, m]) => level === "debug" && m.includes(" → "));
    expect(attempts).toHaveLength(3);
    attempts.forEach(([, m], i) => {
      expect(m).toMatch(new RegExp(`^\\[propexo\\] ${list.row.method} https://api\\.propexo\\.com${list.row.path.replace(/[/.]/g, "\\$&")}\\?\\S*limit=7\\S* → ${i < 2 ? 503 : 200} in \\d+ ms, request req_${i}$`));
    });
    const all = lines.map(([, m]) => m).join("\n");
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(secret);
  });

  it("info: a connection failure's retry names the error and its code", async () => {
    const rec = recording();
    vi.useFakeTimers();
    const { propexo } = client(
      (_r, i) => {
        if (i === 0) throw Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) });
        return json(200, ok(status));
      },
      { logger: rec.logger, logLevel: "info" },
    );
    const done = call(propexo, status);
    await vi.runAllTimersAsync();
    await done;
    expect(rec.lines).toEqual([["info", expect.stringMatching(/: retry 1 of 2 in \d+ ms after ConnectionError ECONNREFUSED$/)]]);
  });

  it("error and warn stay quiet for an error the caller gets; debug names it", async () => {
    for (const level of ["error", "warn"] as const) {
      const rec = recording();
      const { propexo } = client(() => json(500, { error: { code: "boom", message: "boom" } }), { logger: rec.logger, logLevel: level, maxRetries: 0 });
      await expect(call(propexo, write)).rejects.toBeInstanceOf(InternalServerError);
      expect(rec.lines).toEqual([]);
    }
    const rec = recording();
    const { propexo } = client(() => json(500, { error: { code: "boom", message: "boom" } }), { logger: rec.logger, logLevel: "debug", maxRetries: 0 });
    await call(propexo, write).catch(() => {});
    expect(rec.lines.at(-1)).toEqual(["debug", expect.stringMatching(/^\[propexo\] InternalServerError: 500 POST /)]);
  });
});

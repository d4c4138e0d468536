// Mapping and logic of the client, with an injected fetch that records each request.
import { afterEach, describe, expect, it, vi } from "vitest";
import { STATUS_CLASSES } from "../helpers/error-classes.js";
import {
  AbortError,
  ApiError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  Propexo,
  PropexoError,
  RateLimitError,
  RequestValidationError,
  ResponseTooLargeError,
  UnsupportedOperationError,
  WriteFailedError,
  operations,
} from "../../src/index.js";

const TOKEN = "sk_test_1234567890abcdef";

type Handler = (req: Request, body: any) => Response | Promise<Response>;

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function client(handler: Handler, options: Partial<ConstructorParameters<typeof Propexo>[0]> = {}) {
  const requests: { method: string; url: URL; headers: Headers; body: any }[] = [];
  const fetch = vi.fn(async (req: Request) => {
    const text = await req.text();
    const body = text ? JSON.parse(text) : undefined;
    requests.push({ method: req.method, url: new URL(req.url), headers: req.headers, body });
    return handler(req, body);
  });
  const propexo = new Propexo({ token: TOKEN, fetch, rateLimit: false, logLevel: "off", ...options });
  return { propexo, requests, fetch };
}

const rmLead = {
  integration_id: "int_1",
  lead_id: "lead_1",
  appointment_date: "2024-07-20",
  appointment_time: "09:15:00",
  appointment_duration_minutes: 45,
  title: "Tour",
};

describe("requests", () => {
  it("send the method, path, bearer token, JSON body and query that the spec names", async () => {
    const { propexo, requests } = client(() => json(200, { meta: { job_id: "job_1" }, result: rmLead }));
    await propexo.appointments.rentmanager.leads.create(rmLead);
    expect(requests[0]!.method).toBe("POST");
    expect(requests[0]!.url.href).toBe("https://api.propexo.com/v1/events/appointments/leads/rentmanager/");
    expect(requests[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(requests[0]!.headers.get("content-type")).toBe("application/json");
    expect(requests[0]!.body).toEqual(rmLead);
  });

  it("put the path parameter into the route, percent-encoded", async () => {
    const { propexo, requests } = client(() => json(200, { meta: { job_id: "j" }, result: { event_id: "a/b c?", appointment_date: "2024-01-15" } }));
    await propexo.appointments.resman.leads.update("a/b c?", { appointment_date: "2024-01-15", appointment_time: "09:30:00" });
    expect(requests[0]!.method).toBe("PUT");
    expect(requests[0]!.url.pathname).toBe("/v1/events/appointments/leads/resman/a%2Fb%20c%3F");
  });

  it("use the sandbox server, or a loopback baseUrl", async () => {
    const sandbox = client(() => json(200, { write_status: "PENDING", errors: [], created_record_id: null }), { environment: "sandbox" });
    await sandbox.propexo.writes.status("job_1");
    expect(sandbox.requests[0]!.url.href).toBe("https://api.sandbox.propexo.com/v1/admin/write-status/job_1");
    const local = client(() => json(200, { write_status: "PENDING", errors: [], created_record_id: null }), { baseUrl: "http://127.0.0.1:4010/" });
    await local.propexo.writes.status("job_1");
    expect(local.requests[0]!.url.href).toBe("http://127.0.0.1:4010/v1/admin/write-status/job_1");
  });

  it("send list filters as query parameters", async () => {
    const { propexo, requests } = client(() => json(200, { meta: { orderBy: [], hasMore: false }, results: [] }));
    await propexo.appointments.list({ integration_id: "int_1", limit: 50, "order-by": "updated_at:desc" }).firstPage();
    const q = requests[0]!.url.searchParams;
    expect(requests[0]!.url.pathname).toBe("/v1/appointments/");
    expect([q.get("integration_id"), q.get("limit"), q.get("order-by")]).toEqual(["int_1", "50", "updated_at:desc"]);
  });

  it("send extra headers from the call's options", async () => {
    const { propexo, requests } = client(() => json(200, { write_status: "SUCCESS", errors: [], created_record_id: null }));
    await propexo.writes.status("job_1", { headers: { "x-trace": "abc" } });
    expect(requests[0]!.headers.get("x-trace")).toBe("abc");
  });
});

describe("results", () => {
  it("unwrap a write into a job with its ID, result, response and request ID", async () => {
    const { propexo } = client(() => json(200, { meta: { job_id: "job_9" }, result: rmLead }, { "x-request-id": "req_1" }));
    const job = await propexo.appointments.rentmanager.leads.create(rmLead);
    expect(job.jobId).toBe("job_9");
    expect(job.result).toEqual(rmLead);
    expect(job.requestId).toBe("req_1");
    expect(job.response.status).toBe(200);
  });

  it("unwrap a retrieved event from the list envelope and expose the exchange with withResponse()", async () => {
    const event = { id: "evt_1" };
    const { propexo } = client(() => json(200, { meta: { orderBy: [] }, results: event }, { "x-request-id": "req_2" }));
    expect(await propexo.events.retrieve("evt_1")).toEqual(event);
    const raw = await propexo.events.retrieve("evt_1").withResponse();
    expect(raw.data).toEqual(event);
    expect(raw.requestId).toBe("req_2");
    expect(raw.response).toBeInstanceOf(Response);
  });

  it("follow a retried write through its new job ID", async () => {
    const { propexo, requests } = client(() => json(200, { success: true, job_id: "job_new" }));
    const job = await propexo.writes.retry("job_old");
    expect(job.jobId).toBe("job_new");
    expect(requests[0]!.url.pathname).toBe("/v1/admin/retry-write/job_old");
    expect(requests[0]!.body).toEqual({});
  });
});

describe("errors", () => {
  it.each([...STATUS_CLASSES, [503, InternalServerError], [418, ApiError]] as const)("map %i to %s with status, code, details, headers, body and request ID", async (status, Class) => {
    const body = { error: { code: "invalid_request", message: "invalid request", details: { issues: [] } } };
    const { propexo } = client(() => json(status, body, { "x-request-id": "req_e" }), { maxRetries: 0 });
    const err = await propexo.writes.status("job_1").then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Class);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(PropexoError);
    const e = err as ApiError;
    expect(e.status).toBe(status);
    expect(e.code).toBe("invalid_request");
    expect(e.details).toEqual({ issues: [] });
    expect(e.body).toEqual(body);
    expect(e.requestId).toBe("req_e");
    expect(e.headers.get("content-type")).toBe("application/json");
    expect(e.message).toBe(`${status} GET /v1/admin/write-status/job_1: invalid request`);
  });

  it("reject not-supported operations without a network call", async () => {
    const { propexo, fetch } = client(() => json(200, {}));
    // The types refuse the call (it cannot succeed); an untyped caller still gets a clear error.
    // @ts-expect-error: not supported by the PMS
    const err = await propexo.appointments.resman.leads.cancel().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedOperationError);
    expect((err as ApiError).status).toBe(405);
    expect(String((err as Error).message)).toMatch(/resman/);
    // @ts-expect-error: not supported by the PMS
    await expect(propexo.appointments.rentmanager.availability.query()).rejects.toBeInstanceOf(UnsupportedOperationError);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("reject an invalid body with every field, rule and value, and send nothing", async () => {
    const { propexo, fetch } = client(() => json(200, {}));
    const err = (await propexo.appointments.rentmanager.leads
      .create({ ...rmLead, appointment_time: "9:30", title: "x".repeat(51), appointment_duration_minutes: -5, lead_id: undefined } as never)
      .then(() => null, (e: unknown) => e)) as RequestValidationError;
    expect(err).toBeInstanceOf(RequestValidationError);
    const byPath = Object.fromEntries(err.issues.map((i) => [i.path, i]));
    expect(byPath["body.appointment_time"]).toMatchObject({ rule: "pattern", value: "9:30" });
    expect(byPath["body.title"]).toMatchObject({ rule: "maxLength", value: "x".repeat(51) });
    expect(byPath["body.appointment_duration_minutes"]).toMatchObject({ rule: "exclusiveMinimum", value: -5 });
    expect(byPath["body.lead_id"]).toMatchObject({ rule: "required" });
    expect(err.message).toContain("body.appointment_time");
    expect(fetch).not.toHaveBeenCalled();
  });

  it("send an invalid body when validation is off, and surface the API's 400", async () => {
    const { propexo, fetch } = client(() => json(400, { error: { code: "invalid_request", message: "invalid request" } }), { validate: false });
    await expect(propexo.appointments.resman.leads.update("evt_1", { appointment_date: "2024-01-15", appointment_time: "9:30" })).rejects.toBeInstanceOf(BadRequestError);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it.each(["", ".", ".."])("refuse the path parameter %j even with validation off", async (id) => {
    const { propexo, fetch } = client(() => json(200, {}), { validate: false });
    const err = await propexo.events.retrieve(id).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RequestValidationError);
    expect((err as RequestValidationError).issues[0]).toMatchObject({ path: "path.event_id", rule: "pathSegment", value: id });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("refuse header values with CR or LF", async () => {
    const { propexo, fetch } = client(() => json(200, {}));
    const err = await propexo.writes.status("job_1", { headers: { "x-evil": "a\r\nInjected: 1" } }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RequestValidationError);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("surface a malformed or empty success body as an ApiError, not a crash", async () => {
    for (const body of ["{not json", "", "<html>oops</html>"]) {
      const { propexo } = client(() => new Response(body, { status: 200, headers: { "content-type": "text/html" } }));
      const err = await propexo.writes.status("job_1").then(() => null, (e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(200);
    }
  });

  it("honour an already-aborted signal", async () => {
    const { propexo, fetch } = client(() => json(200, {}));
    const controller = new AbortController();
    controller.abort();
    await expect(propexo.writes.status("job_1", { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("secrets", () => {
  it("never put the token into an error, its JSON or a log line, even when the server echoes it", async () => {
    const lines: string[] = [];
    const logger = { error: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), info: (m: string) => lines.push(m), debug: (m: string) => lines.push(m) };
    const { propexo } = client(
      (req) => json(401, { error: { code: "unauthorized", message: `bad token ${req.headers.get("authorization")}` } }),
      { logger, logLevel: "debug" },
    );
    const err = await propexo.writes.status("job_1").then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    const everything = [String(err), (err as Error).message, JSON.stringify(err), JSON.stringify((err as ApiError).body), ...lines].join("\n");
    expect(everything).not.toContain(TOKEN);
    expect((err as Error).message).toContain("[redacted]");
    expect(lines.length).toBeGreaterThan(0);
  });
});

describe("logging", () => {
  function recording() {
    const lines: [string, string][] = [];
    const logger = {
      error: (m: string) => lines.push(["error", m]),
      warn: (m: string) => lines.push(["warn", m]),
      info: (m: string) => lines.push(["info", m]),
      debug: (m: string) => lines.push(["debug", m]),
    };
    return { lines, logger };
  }

  it("logs nothing at info for a call answered at once, and nothing at all at off", async () => {
    const info = recording();
    await client(() => json(200, { write_status: "SUCCESS", errors: [], created_record_id: null }), { logger: info.logger, logLevel: "info" }).propexo.writes.status("job_1");
    expect(info.lines).toEqual([]);

    const off = recording();
    await client(() => json(404, { error: { code: "not_found", message: "no" } }), { logger: off.logger, logLevel: "off" })
      .propexo.writes.status("job_1")
      .catch(() => {});
    expect(off.lines).toEqual([]);
  });

  it("does not also log the error a call throws under the default level; debug has it", async () => {
    const rec = recording();
    const propexo = new Propexo({ token: TOKEN, fetch: async () => json(404, { error: { code: "not_found", message: "no such job" } }), rateLimit: false, logger: rec.logger });
    await expect(propexo.writes.status("job_1")).rejects.toBeInstanceOf(NotFoundError);
    expect(rec.lines).toEqual([]);
    const debug = recording();
    await propexo.withOptions({ logger: debug.logger, logLevel: "debug" }).writes.status("job_1").catch(() => {});
    expect(debug.lines).toContainEqual(["debug", expect.stringContaining("NotFoundError: 404 GET /v1/admin/write-status/job_1: no such job")]);
    expect(debug.lines.every(([level]) => level === "debug")).toBe(true);
  });
});

describe("response bodies", () => {
  it("are never merged into objects: a __proto__ key pollutes nothing", async () => {
    const text = '{"__proto__":{"polluted":true},"meta":{"job_id":"j","__proto__":{"polluted":true}},"result":{"__proto__":{"polluted":true},"event_id":"e","integration_id":"i"}}';
    const { propexo } = client(() => new Response(text, { status: 200 }));
    const job = await propexo.appointments.rentmanager.leads.cancel({ integration_id: "i", event_id: "e" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((job as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(job.result)).toBe(Object.prototype);
    expect(job.jobId).toBe("j");
  });
});

describe("options", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("read the token from PROPEXO_TOKEN, and refuse to start without one", () => {
    vi.stubEnv("PROPEXO_TOKEN", "");
    expect(() => new Propexo({})).toThrow(/options.token is required/);
    vi.stubEnv("PROPEXO_TOKEN", "env_token_123");
    expect(() => new Propexo({ fetch: async () => json(200, {}) })).not.toThrow();
  });

  it.each([
    [{ baseUrl: "http://api.example.com" }, /baseUrl must use https/],
    [{ baseUrl: "not a url" }, /baseUrl must be an absolute URL/],
    [{ timeoutMs: -1 }, /options.timeoutMs must be a positive, finite number of milliseconds, received -1/],
    [{ maxRetries: 1.5 }, /options.maxRetries must be a whole number/],
    [{ environment: "staging" }, /options.environment must be "production" or "sandbox", received "staging"/],
    [{ logLevel: "loud" }, /options.logLevel/],
    [{ rateLimit: { requestsPerMinute: 0 } }, /options.rateLimit.requestsPerMinute must be a positive number, received 0/],
    [{ rateLimit: { windowMs: -5 } }, /options.rateLimit.windowMs must be a positive, finite number of milliseconds, received -5/],
    [{ Request: "Request" }, /options.Request must be a class, received "string"/],
    [{ fetch: "fetch" }, /options.fetch must be a function, received "string"/],
    [{ defaultQuery: { filter: ["a"] } }, /options.defaultQuery must be an object of strings, numbers and booleans, received/],
    [{ defaultQuery: { ok: "a", filter: { nested: 1 } } }, /options.defaultQuery must be an object of strings, numbers and booleans/],
    [{ defaultQuery: "a=1" }, /options.defaultQuery must be an object of strings, numbers and booleans, received "a=1"/],
  ])("refuse %j", (opts, message) => {
    expect(() => new Propexo({ token: TOKEN, ...(opts as object) })).toThrow(message);
  });

  it("take a defaultQuery of strings, numbers and booleans, skipping undefined ones, and a pacer of one's own", () => {
    const fetch = async () => json(200, {});
    expect(() => new Propexo({ token: TOKEN, fetch, defaultQuery: { a: "x", b: 1, c: true, d: undefined } })).not.toThrow();
    const factory = () => ({ acquire: async () => undefined, observe: () => {}, settle: () => {} });
    expect(() => new Propexo({ token: TOKEN, fetch, rateLimit: factory })).not.toThrow();
  });

  it.each([12345, null, ""])("refuse a token that is not a non-empty string (%j)", (token) => {
    vi.stubEnv("PROPEXO_TOKEN", "");
    expect(() => new Propexo({ token: token as never })).toThrow("options.token is required (or set PROPEXO_TOKEN in the environment)");
  });

  it.each(["-1", "", "0x10", "1e3"])("read a body whose declared length (%j) is no length, and cut it at maxResponseBytes", async (declared) => {
    const fetch = async () => new Response(JSON.stringify({ pad: "x".repeat(100) }), { status: 200, headers: { "content-type": "application/json", "content-length": declared } });
    const err = await new Propexo({ token: TOKEN, fetch, rateLimit: false, logLevel: "off", maxResponseBytes: 50 }).writes.status("job").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
  });

  it("take a token of one printable character (the pattern's shortest)", () => {
    expect(() => new Propexo({ token: "x", fetch: async () => json(200, {}) })).not.toThrow();
  });

  it.each([
    ["a window and a document", { window: {}, document: {} }, true],
    ["a window without a document", { window: {} }, false],
    ["a document without a window", { document: {} }, false],
    ["a null window", { window: null, document: {} }, false],
    ["a null document", { window: {}, document: null }, false],
    ["a window that is not an object", { window: "w", document: {} }, false],
    ["a document that is not an object", { window: {}, document: "d" }, false],
  ])("take %s for a web page or not", (_what, globals, page) => {
    const g = globalThis as Record<string, unknown>;
    const saved = { window: Object.getOwnPropertyDescriptor(g, "window"), document: Object.getOwnPropertyDescriptor(g, "document") };
    Object.assign(g, globals);
    try {
      const make = () => new Propexo({ token: TOKEN, fetch: async () => json(200, {}) });
      if (page) expect(make).toThrow(/refusing to run in a web page/);
      else expect(make).not.toThrow();
    } finally {
      for (const [name, descriptor] of Object.entries(saved)) {
        if (descriptor) Object.defineProperty(g, name, descriptor);
        else delete g[name];
      }
    }
  });

  it("refuse a token with CR or LF without echoing it", () => {
    expect(() => new Propexo({ token: "abc\r\ndef" })).toThrow(/value not shown/);
    try {
      new Propexo({ token: "abc\r\ndef" });
    } catch (e) {
      expect(String(e)).not.toContain("abc");
    }
  });
});

describe("the resource tree", () => {
  it("has a method for every operation in the table, where the table places it", () => {
    const { propexo } = client(() => json(200, {}));
    for (const row of Object.values(operations)) {
      const where: readonly string[] = row.placement;
      // The resource first, the verb last, and the vendor and subject, where the row has them, between.
      expect([where[0], where.at(-1)]).toEqual([row.resource, row.verb]);
      expect(where.slice(1, -1)).toEqual(expect.arrayContaining([row.vendor, row.subject].filter((v) => v !== null)));
      const fn = where.reduce((node: any, key) => node?.[key], propexo);
      expect(fn, where.join(".")).toBeTypeOf("function");
    }
    expect(propexo.writes.wait).toBeTypeOf("function");
  });

  it("answers supports() from the spec's marks", () => {
    expect(Propexo.supports("resman", "leads", "cancel")).toBe(false);
    expect(Propexo.supports("rentmanager", "availability", "query")).toBe(false);
    expect(Propexo.supports("rentmanager", "leads", "cancel")).toBe(true);
    expect(Propexo.supports("resman", "leads", "update")).toBe(true);
    expect(Propexo.supports("yardi", "leads", "create")).toBe(false);
  });
});
